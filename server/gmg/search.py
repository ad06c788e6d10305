"""Label search: find a resource by its English or Russian name, however it is spelled.

A plain in-memory index over (resource, label) pairs; the web layer fills it from
the store and rebuilds it when the data changes. A search looks up the words of its
query in an inverted index of the labels' words, so its cost follows the labels that
share them, not the size of the graph. Ranking, best first:

1. the whole label equals the query;
2. the label starts with the query (as whole words first);
3. every query word starts a word of the label;
4. the query occurs inside the label;
5. a fuzzy match (rapidfuzz) of the loose forms, for typos and transliteration
   variants ("Viacheslav" for "Vyacheslav", "Ivakhnjuk" for "Ivakhnyuk"), tried only
   when the steps above found fewer resources than asked for, and only on the labels
   with a word like one of the query's (like its most selective word, when those are
   too many).

Among equal matches the resource more of the graph links to comes first; the web layer
counts those links for the few resources whose order they can change (`Shortlist`).

Every comparison is on a folded form: Cyrillic transliterated to Latin (anyascii),
lower case, punctuation dropped; the loose form also merges the letters that
romanisation systems spell differently (y/i/j, soft and hard signs), so that one
name in any common romanisation — or in Cyrillic — folds to the same string.
"""

from __future__ import annotations

import heapq
import math
import re
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field

from anyascii import anyascii
from rapidfuzz import fuzz, process

FUZZY_CUTOFF = 80  # rapidfuzz's 0-100 similarity below which a fuzzy hit is noise
WORD_CUTOFF = 60  # a label word this like a query word (rapidfuzz ratio) makes its label a fuzzy candidate
SIMILAR_WORDS = 50  # … the most alike words of the index, for each query word
FUZZY_POOL = 100_000  # labels compared whole with the query at most (a misspelt word most labels share)
MAX_PROMINENCE = 4.0  # the most the links to a resource add to its score: less than one rank step
CONTENDERS = 1000  # resources whose links are counted, at most, to order the best matches
_NOT_WORD = re.compile(r"[^a-z0-9]+")
# romanisations of Russian differ mostly here: я ya/ia/ja, ю yu/iu/ju, й y/i/j, ы y/i, ь ' or nothing
_LOOSE = str.maketrans({"y": "i", "j": "i"})


def fold(text: str) -> str:
    """Latin letters, lower case, words separated by one space."""
    return _NOT_WORD.sub(" ", (text if text.isascii() else anyascii(text)).lower()).strip()


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


def prominence(links: int) -> float:
    """What being the object of `links` statements adds to a match's score: among equal matches
    the resource more of the graph links to comes first (the MIRPAL network before a web page
    titled "MIRPAL"); worth less than one rank step."""
    return min(MAX_PROMINENCE, 1.5 * math.log10(1 + links))


@dataclass
class Shortlist:
    """A query's matches before the links to them are counted: `best` maps a resource (by its
    number in the index) to its score so far and the label that earned it; `contenders` are the
    resources, best first, that can still make the first `limit` once links are added."""

    best: dict[int, tuple[float, int]]
    contenders: list[int]
    limit: int


class LabelIndex:
    def __init__(self, labels: Iterable[Label]):
        self.iris: list[str] = []  # each resource once; labels refer to it by its number
        number: dict[str, int] = {}
        self.owner = array("I")  # per label: its resource's number
        self.text: list[str] = []
        self.loose: list[str] = []
        self.length = bytearray()  # per label: its folded form's length, at most 200
        self.preferred = bytearray()
        display_key: list[tuple] = []
        self.display = array("I")  # per resource: the label it is shown by
        self._postings: dict[str, array] = {}  # loose word -> the labels that have it
        for label in labels:
            folded = fold(label.text)
            if not folded:
                continue
            i, loose = len(self.text), loosen(folded)
            iri = number.setdefault(label.iri, len(self.iris))
            # the display label: a preferred one, English first, then the first given
            key = (not label.preferred, not label.lang.startswith("en"), label.lang)
            if iri == len(self.iris):
                self.iris.append(label.iri)
                self.display.append(i)
                display_key.append(key)
            elif key < display_key[iri]:
                self.display[iri], display_key[iri] = i, key
            self.owner.append(iri)
            self.text.append(label.text)
            self.loose.append(loose)
            self.length.append(min(len(folded), 200))
            self.preferred.append(label.preferred)
            for word in set(loose.split()):
                self._postings.setdefault(word, array("I")).append(i)
        self._words = sorted(self._postings)
        self._vocabulary = "\n".join(self._words)  # searched whole for words containing a query word

    def __len__(self) -> int:
        return len(self.text)

    def search(self, query: str, limit: int = 20, links: dict[str, int] | None = None) -> list[Hit]:
        """The best `limit` matches, given how many statements link to each resource (where known)."""
        return self.rank(self.shortlist(query, limit), links or {})

    def shortlist(self, query: str, limit: int = 20) -> Shortlist:
        loose_q = loosen(fold(query))
        best: dict[int, tuple[float, int]] = {}
        if not loose_q:
            return Shortlist(best, [], limit)
        words = loose_q.split()
        word_starts = [re.compile(rf"(?:^| ){re.escape(qw)}") for qw in words]

        def consider(i: int, score: float) -> None:
            # preferred labels and shorter labels first among equals
            score += (0.5 if self.preferred[i] else 0) - self.length[i] / 1000
            iri = self.owner[i]
            if score > best.get(iri, (-1.0, -1))[0]:
                best[iri] = (score, i)

        # Each test on the loose forms also covers the folded forms' (folding then loosening
        # keeps equality, prefixes and substrings), and every label that passes one has, for
        # each query word, a word containing it: those labels are the only candidates.
        for i in self._containing_every(words):
            lf = self.loose[i]
            if lf == loose_q:
                consider(i, 100)
            elif lf.startswith(loose_q + " "):
                consider(i, 95)  # the label's first words are the query's
            elif lf.startswith(loose_q):
                consider(i, 90)
            elif all(start.search(lf) for start in word_starts):
                consider(i, 80)  # every query word starts a word of the label
            elif loose_q in lf:
                consider(i, 70)
        # typos and unmerged variants: similarity of the loose forms (word order free); it scores
        # below every match above, so it matters only when they found too few resources
        if len(best) < limit:
            pool = self._fuzzy_pool(words)
            for _, similarity, j in process.extract(loose_q, [self.loose[i] for i in pool], scorer=fuzz.WRatio,
                                                    score_cutoff=FUZZY_CUTOFF, limit=limit * 3):
                consider(pool[j], similarity * 0.6)
        # links add at most MAX_PROMINENCE: only resources that close to the limit-th can rise
        order = lambda iri: (-best[iri][0], self.text[self.display[iri]], self.iris[iri])  # noqa: E731
        top = heapq.nsmallest(limit, best, key=order)
        floor = best[top[-1]][0] - MAX_PROMINENCE if top else 0.0
        contenders = heapq.nsmallest(CONTENDERS, (iri for iri, (score, _) in best.items() if score >= floor),
                                     key=order)
        return Shortlist(best, contenders, limit)

    def rank(self, shortlist: Shortlist, links: dict[str, int]) -> list[Hit]:
        """The shortlist's first `limit`, each contender's score raised by the links to it."""
        scored = [(shortlist.best[iri][0] + prominence(links.get(self.iris[iri], 0)), iri)
                  for iri in shortlist.contenders]
        # (equal scores, whatever order their parts were added in, are ordered by name, then IRI)
        scored.sort(key=lambda item: (-round(item[0], 9), self.text[self.display[item[1]]], self.iris[item[1]]))
        return [Hit(self.iris[iri], self.text[self.display[iri]], self.text[shortlist.best[iri][1]], round(score, 2))
                for score, iri in scored[:shortlist.limit]]

    def contender_iris(self, shortlist: Shortlist) -> list[str]:
        return [self.iris[iri] for iri in shortlist.contenders]

    def _words_containing(self, part: str) -> list[str]:
        return re.findall(f"^[^\n]*{re.escape(part)}[^\n]*$", self._vocabulary, re.M)

    def _labels_with(self, words: Iterable[str]) -> set[int]:
        found: set[int] = set()
        for word in words:
            found.update(self._postings[word])
        return found

    def _containing_every(self, query_words: list[str]) -> list[int]:
        """The labels that have, for each query word, a word containing it: those of the most
        selective query word, kept if they contain the others (a query word has no space)."""
        if not query_words:
            return []
        found = {qw: self._words_containing(qw) for qw in set(query_words)}
        rarest = min(found, key=lambda qw: sum(len(self._postings[w]) for w in found[qw]))
        others = [qw for qw in found if qw != rarest]
        return [i for i in self._labels_with(found[rarest]) if all(qw in self.loose[i] for qw in others)]

    def _fuzzy_pool(self, query_words: list[str]) -> list[int]:
        """The labels with a word like one of the query's, or if those are more than FUZZY_POOL,
        with a word like its most selective word (FUZZY_POOL of them at most)."""
        long_enough = [w for w in set(query_words) if len(w) >= 3] or list(set(query_words))
        similar = {qw: [word for word, _, _ in process.extract(qw, self._words, scorer=fuzz.ratio,
                                                              score_cutoff=WORD_CUTOFF, limit=SIMILAR_WORDS)]
                   for qw in long_enough}
        size = {qw: sum(len(self._postings[w]) for w in words) for qw, words in similar.items()}
        if sum(size.values()) > FUZZY_POOL:
            rarest = min(size, key=size.get)
            similar = {rarest: similar[rarest]}
        return sorted(self._labels_with(w for words in similar.values() for w in words))[:FUZZY_POOL]
