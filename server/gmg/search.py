"""Label search: find a resource by its English or Russian name, however it is spelled.

A plain in-memory index over (resource, label) pairs; the web layer fills it from
the store and rebuilds it when the data changes. Ranking, best first:

1. the whole label equals the query;
2. the label starts with the query (as whole words first);
3. every query word starts a word of the label;
4. the query occurs inside the label;
5. a fuzzy match (rapidfuzz) of the loose forms, for typos and transliteration
   variants ("Viacheslav" for "Vyacheslav", "Ivakhnjuk" for "Ivakhnyuk").

Every comparison is on a folded form: Cyrillic transliterated to Latin (anyascii),
lower case, punctuation dropped; the loose form also merges the letters that
romanisation systems spell differently (y/i/j, soft and hard signs), so that one
name in any common romanisation — or in Cyrillic — folds to the same string.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from anyascii import anyascii
from rapidfuzz import fuzz, process

FUZZY_CUTOFF = 80  # rapidfuzz's 0-100 similarity below which a fuzzy hit is noise
_NOT_WORD = re.compile(r"[^a-z0-9]+")
# romanisations of Russian differ mostly here: я ya/ia/ja, ю yu/iu/ju, й y/i/j, ы y/i, ь ' or nothing
_LOOSE = str.maketrans({"y": "i", "j": "i"})


def fold(text: str) -> str:
    """Latin letters, lower case, words separated by one space."""
    return _NOT_WORD.sub(" ", anyascii(text).lower()).strip()


def loosen(folded: str) -> str:
    """The folded form with romanisation variants merged (and doubled letters single)."""
    return re.sub(r"(.)\1+", r"\1", folded.translate(_LOOSE))


def most_specific_types(typed: list[tuple[str, str]], subclass_of: list[tuple[str, str]],
                        labels: dict[str, list[str]]) -> dict[str, list[str]]:
    """Each resource's types that no other of its types is a subclass of (through any number of
    rdfs:subClassOf steps), given by their labels, sorted; unlabelled types are left out.

    Worked out here rather than in SPARQL: `rdfs:subClassOf+` inside FILTER NOT EXISTS is what
    some remote stores (Virtuoso 7) get wrong.
    """
    parents: dict[str, set[str]] = {}
    for sub, sup in subclass_of:
        parents.setdefault(sub, set()).add(sup)
    ancestors: dict[str, set[str]] = {}

    def above(cls: str) -> set[str]:  # every class reached in one or more steps
        if cls not in ancestors:
            found, todo = set(), list(parents.get(cls, ()))
            while todo:
                sup = todo.pop()
                if sup not in found:
                    found.add(sup)
                    todo.extend(parents.get(sup, ()))
            ancestors[cls] = found
        return ancestors[cls]

    types_of: dict[str, set[str]] = {}
    for resource, cls in typed:
        types_of.setdefault(resource, set()).add(cls)
    result = {}
    for resource, classes in types_of.items():
        specific = [c for c in classes if not any(c in above(other) for other in classes if other != c)]
        names = sorted({name for c in specific for name in labels.get(c, ())})
        if names:
            result[resource] = names
    return result


@dataclass(frozen=True)
class Label:
    iri: str
    text: str
    lang: str = ""
    preferred: bool = True  # rdfs:label / skos:prefLabel, not an altLabel


@dataclass
class Hit:
    iri: str
    label: str  # the resource's display label
    matched: str  # the label the query matched
    score: float
    types: list[str] = field(default_factory=list)


class LabelIndex:
    def __init__(self, labels: list[Label], display: dict[str, str] | None = None,
                 types: dict[str, list[str]] | None = None, links: dict[str, int] | None = None):
        self.labels = [label for label in labels if fold(label.text)]
        self.folded = [fold(label.text) for label in self.labels]
        self.loose = [loosen(f) for f in self.folded]
        self.display = display or {}
        self.types = types or {}
        # among equal matches, the resource more of the graph links to comes first (the MIRPAL
        # network before a web page titled "MIRPAL"); worth less than one rank step
        self.prominence = {iri: min(4.0, 1.5 * math.log10(1 + n)) for iri, n in (links or {}).items()}

    def __len__(self) -> int:
        return len(self.labels)

    def search(self, query: str, limit: int = 20) -> list[Hit]:
        q = fold(query)
        if not q:
            return []
        loose_q = loosen(q)
        words = loose_q.split()
        best: dict[str, tuple[float, int]] = {}  # iri -> (score, label index)

        def consider(i: int, score: float) -> None:
            label = self.labels[i]
            # preferred labels and shorter labels first among equals
            score += ((0.5 if label.preferred else 0) + self.prominence.get(label.iri, 0.0)
                      - min(len(self.folded[i]), 200) / 1000)
            if score > best.get(label.iri, (-1.0, -1))[0]:
                best[label.iri] = (score, i)

        for i, (f, lf) in enumerate(zip(self.folded, self.loose)):
            if f == q or lf == loose_q:
                consider(i, 100)
            elif f.startswith(q + " ") or lf.startswith(loose_q + " "):
                consider(i, 95)  # the label's first words are the query's
            elif f.startswith(q) or lf.startswith(loose_q):
                consider(i, 90)
            elif all(any(w.startswith(qw) for w in lf.split()) for qw in words):
                consider(i, 80)
            elif q in f or loose_q in lf:
                consider(i, 70)
        # typos and unmerged variants: similarity of the loose forms (word order free)
        for _, similarity, i in process.extract(loose_q, self.loose, scorer=fuzz.WRatio,
                                                score_cutoff=FUZZY_CUTOFF, limit=limit * 3):
            consider(i, similarity * 0.6)
        ranked = sorted(best.items(), key=lambda item: (-item[1][0], self.display_label(item[0])))
        return [Hit(iri, self.display_label(iri), self.labels[i].text, round(score, 2), self.types.get(iri, []))
                for iri, (score, i) in ranked[:limit]]

    def display_label(self, iri: str) -> str:
        if iri in self.display:
            return self.display[iri]
        return next((label.text for label in self.labels if label.iri == iri and label.preferred), iri)
