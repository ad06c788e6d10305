"""Locate words of the article and write the selector of a passage that quotes them.

    .venv/bin/python scripts/selector.py PASSAGE "the exact words" [--occurrence N] [--article PATH]

PASSAGE is the passage's local name (s3-p5-a). The words must stand in the article's body
text as scripts/quote_share.py reads it (article_parts: the title, byline, abstract, sections
and conclusion, without heading marks, note markers, emphasis or escapes, whitespace made
single spaces); oa:start and oa:end are character offsets in that text, oa:end exclusive.
Where the words occur more than once in the body, the selector gets the shortest oa:prefix
(else oa:suffix) of whole words that tells this occurrence apart; --occurrence picks which
one (1 = the first in the article; without it, an ambiguous quote is an error that lists the
occurrences). At most 40 words are accepted:
a selector quotes only the words that support the passage's statements.

It prints the selector in Turtle, ready to paste after the passage (which needs
`oa:hasSelector selector:PASSAGE` and `oa:hasSource paragraph:<section>-p<N>`).
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from quote_share import article_parts, article_path  # noqa: E402

MAX_WORDS = 40


@dataclass(frozen=True)
class Selector:
    exact: str
    start: int
    end: int
    prefix: str = ""
    suffix: str = ""


def occurrences(body: str, exact: str) -> list[int]:
    found, at = [], body.find(exact)
    while at != -1:
        found.append(at)
        at = body.find(exact, at + 1)
    return found


def _word_starts(text: str) -> list[int]:
    return [m.start() for m in re.finditer(r"\S+", text)]


def locate(body: str, exact: str, start: int | None = None) -> Selector:
    """The selector of ``exact`` at ``start`` (or its only occurrence) in ``body``."""
    if len(exact.split()) > MAX_WORDS:
        raise ValueError(f"{len(exact.split())} words: a selector quotes at most {MAX_WORDS}")
    found = occurrences(body, exact)
    if not found:
        raise ValueError(f"not in the article's body text: {exact!r}")
    if start is None:
        if len(found) > 1:
            raise ValueError(f"{len(found)} occurrences (at {found}): say which")
        start = found[0]
    if start not in found:
        raise ValueError(f"{exact!r} does not stand at {start}")
    end = start + len(exact)
    if len(found) == 1:
        return Selector(exact, start, end)
    # the shortest run of whole words before (else after) that makes the quote unique
    for cut in reversed([i for i in _word_starts(body[:start]) if i < start]):
        prefix = body[cut:start]
        if len(occurrences(body, prefix + exact)) == 1:
            return Selector(exact, start, end, prefix=prefix)
        if len(prefix.split()) >= 8:
            break
    rest = body[end:]
    for stop in [m.end() for m in re.finditer(r"\S+", rest)][:8]:
        suffix = rest[:stop]
        if len(occurrences(body, exact + suffix)) == 1:
            return Selector(exact, start, end, suffix=suffix)
    raise ValueError(f"no short prefix or suffix tells the occurrence at {start} apart")


def turtle_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def turtle(passage: str, selector: Selector, label: str | None = None) -> str:
    lines = [f"selector:{passage} a oa:TextQuoteSelector , oa:TextPositionSelector ;"]
    if label:
        lines.append(f"    rdfs:label {turtle_string(label)}@en ;")
    if selector.prefix:
        lines.append(f"    oa:prefix {turtle_string(selector.prefix)} ;")
    lines.append(f"    oa:exact {turtle_string(selector.exact)} ;")
    if selector.suffix:
        lines.append(f"    oa:suffix {turtle_string(selector.suffix)} ;")
    lines.append(f"    oa:start {selector.start} ;")
    lines.append(f"    oa:end {selector.end} ;")
    lines.append("    dcterms:rights rights:quoted-text .")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("passage", help="the passage's local name, e.g. s3-p5-a")
    parser.add_argument("exact", help="the words the selector quotes, as they stand in the article")
    parser.add_argument("--occurrence", type=int, help="which occurrence, 1 = the first in the article")
    parser.add_argument("--article", help="the article's Markdown file")
    args = parser.parse_args(argv)
    path = article_path(args.article)
    if not path.exists():
        print(f"selector: no article at {path} (give --article or set GMG_SOURCE_ARTICLE)", file=sys.stderr)
        return 2
    body, _ = article_parts(path.read_text(encoding="utf-8"))
    exact = re.sub(r"\s+", " ", args.exact).strip()
    found = occurrences(body, exact)
    start = None
    if args.occurrence:
        if not 1 <= args.occurrence <= len(found):
            print(f"selector: there are {len(found)} occurrences", file=sys.stderr)
            return 2
        start = found[args.occurrence - 1]
    try:
        selector = locate(body, exact, start)
    except ValueError as err:
        print(f"selector: {err}", file=sys.stderr)
        for n, at in enumerate(found, 1):
            print(f"  {n}: …{body[max(0, at - 40):at + len(exact) + 40]}…", file=sys.stderr)
        return 1
    print(turtle(args.passage, selector))
    return 0


if __name__ == "__main__":
    sys.exit(main())
