"""How much of the article the graph reproduces: the share of its body's characters that the
graph's literals copy, overlaps counted once.

    .venv/bin/python scripts/quote_share.py [--article PATH] [--min-words 6] [FILE.ttl ...]

The body is the article proper — title, byline, abstract, the sections and the conclusion —
without the notes; the notes are measured apart, because most of them are references
(bibliographic data, not text reproduced for its wording). The files are, by default,
ontology/*.ttl and instances/*.ttl. Every literal counts, whatever its property: the words the
passages' selectors quote (oa:exact, oa:prefix, oa:suffix), the notes' texts (gmg:quote) where
they repeat the body, but also descriptions, labels, comments and definitions that copy the
article's words. tests/test_quote_share.py bounds the body's share at 35 %.

A literal copies the article where it shares a run of at least ``min_words`` consecutive
words with it (words compared in lower case, punctuation and note markers aside), so that a
name or a stock phrase does not count as a quotation. Each body word inside such a run is
covered once, however many literals copy it; the share is the covered characters (the
covered words and the spaces and punctuation between covered neighbours) over the body's
characters.

The article is read from --article, else $GMG_SOURCE_ARTICLE, else the shared source folder
next to the checkout (as tests/article.py does).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTICLE_NAME = "korneev-2017-global-migration-governors.md"
WORD = re.compile(r"\w+")


def normalise(text: str) -> str:
    """As tests/article.py: no note markers, markdown emphasis or escapes, single spaces."""
    text = re.sub(r"<sup>.*?</sup>", "", text)
    text = text.replace("*", "")
    text = re.sub(r"\\([$_\[\]#])", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def article_parts(markdown: str) -> tuple[str, str]:
    """(body, notes) of the article file: after the header's rule, split at the Notes heading."""
    _, _, proper = markdown.partition("\n---\n")
    body, _, notes = proper.partition("\n#### Notes")
    body = "\n".join(re.sub(r"^#+\s*", "", line) for line in body.splitlines())
    return normalise(body), normalise(notes)


@dataclass
class Share:
    characters: int
    covered: int
    by_source: dict[str, int] = field(default_factory=dict)  # covered characters per source alone

    @property
    def ratio(self) -> float:
        return self.covered / self.characters if self.characters else 0.0


def _covered_characters(spans: list[tuple[int, int]], covered: list[bool]) -> int:
    """Characters from the first to the last word of each run of covered words."""
    total, run_start = 0, None
    for i, hit in enumerate(covered + [False]):
        if hit and run_start is None:
            run_start = i
        if not hit and run_start is not None:
            total += spans[i - 1][1] - spans[run_start][0]
            run_start = None
    return total


def quote_share(text: str, literals: dict[str, list[str]] | list[str], min_words: int = 6) -> Share:
    """The share of ``text`` that ``literals`` reproduce.

    ``literals`` is a list of strings, or a mapping from a source name (a property, say) to
    its strings, in which case ``by_source`` also gives each source's coverage alone.
    """
    if isinstance(literals, list):
        literals = {"": literals}
    text = normalise(text)
    matches = list(WORD.finditer(text))
    words = [m.group(0).casefold() for m in matches]
    spans = [m.span() for m in matches]
    index: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i in range(len(words) - min_words + 1):
        index[tuple(words[i:i + min_words])].append(i)
    union = [False] * len(words)
    by_source = {}
    for source, strings in literals.items():
        mine = [False] * len(words)
        for literal in strings:
            tokens = [t.casefold() for t in WORD.findall(normalise(literal))]
            for j in range(len(tokens) - min_words + 1):
                for i in index.get(tuple(tokens[j:j + min_words]), ()):
                    for k in range(i, i + min_words):
                        mine[k] = union[k] = True
        by_source[source] = _covered_characters(spans, mine)
    characters = spans[-1][1] - spans[0][0] if spans else 0
    return Share(characters, _covered_characters(spans, union), by_source)


def graph_literals(files: list[Path]) -> dict[str, list[str]]:
    """Every literal of the files, grouped by property (as a prefixed name where known)."""
    from rdflib import Graph, Literal

    graph = Graph()
    for path in files:
        graph.parse(path)
    out: dict[str, list[str]] = defaultdict(list)
    for _, p, o in graph:
        if isinstance(o, Literal):
            out[graph.namespace_manager.normalizeUri(p)].append(str(o))
    return dict(out)


def article_path(given: str | None) -> Path:
    if given:
        return Path(given)
    if os.environ.get("GMG_SOURCE_ARTICLE"):
        return Path(os.environ["GMG_SOURCE_ARTICLE"])
    return ROOT.parent / "shared" / "source" / ARTICLE_NAME


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="Turtle files (default: ontology/*.ttl instances/*.ttl)")
    parser.add_argument("--article", help="the article's Markdown file")
    parser.add_argument("--min-words", type=int, default=6, help="shortest shared run of words that counts (default 6)")
    args = parser.parse_args(argv)
    path = article_path(args.article)
    if not path.exists():
        print(f"quote_share: no article at {path} (give --article or set GMG_SOURCE_ARTICLE)", file=sys.stderr)
        return 2
    files = args.files or sorted((ROOT / "ontology").glob("*.ttl")) + sorted((ROOT / "instances").glob("*.ttl"))
    body, notes = article_parts(path.read_text(encoding="utf-8"))
    literals = graph_literals(files)
    for name, text in (("body", body), ("notes (mostly references; not in the bound)", notes)):
        share = quote_share(text, literals, args.min_words)
        print(f"{name}: {share.covered:,} of {share.characters:,} characters reproduced ({share.ratio:.1%})")
        if name == "body":
            for source, covered in sorted(share.by_source.items(), key=lambda kv: -kv[1]):
                if covered:
                    print(f"  {source}: {covered / share.characters:.1%} alone")
    return 0


if __name__ == "__main__":
    sys.exit(main())
