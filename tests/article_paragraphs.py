"""The article's paragraphs as the graph numbers them, and the hedge cues scanned in them.

Paragraph ids follow the passage IRIs of ``instances/article.ttl``: ``abstract-p1``,
``introduction-p5``, ``s1-p3`` ... ``conclusion-p4`` (a passage ``id:passage/s2-p2-c`` is part
of paragraph ``s2-p2``); the notes are ``note/author`` and ``note/1`` ... ``note/88``, as the
note IRIs. A paragraph that runs across a page break (a block that ends without closing
punctuation and a next block that starts in lower case) is one paragraph; block quotations
are paragraphs of their own, as the passages count them.
"""

from __future__ import annotations

import re

from article import article_path, normalise

ID = "https://w3id.org/gmg/id/"

# Headings that open a section, in the article's order; the title, byline and the
# header describing the source file open none.
SECTION_HEADINGS = (
    ("#### Global Migration Governors in", "s1"),
    ("#### Central Asia as a Migration", "s2"),
    ("# The World Bank and Migration", "s3"),
    ("#### Conclusion", "conclusion"),
    ("#### Notes", "notes"),
)
# A block quotation that opens in lower case (it continues the sentence that introduces
# it) and still counts as a paragraph of its own.
BLOCK_QUOTES_IN_LOWER_CASE = ("prior to 1992",)
ENDS_CLOSED = re.compile(r"[.:?!\"”)]\s*(<sup>\d+</sup>)?\d*$")

# Words and patterns that can mark a hedge. Every match in the article must fall inside an
# expression of the hedge inventory, as a hedge or as an allowed non-hedge (category not-hedge).
HEDGE_CUES = re.compile(
    r"\b(?:about|approximately|approximate|circa|around|almost|nearly|roughly|some|several|many"
    r"|a number of|more than|less than|plus|up to|at least|at most|over|estimated?|estimates"
    r"|reportedly|reported|report|said|seems?|seemingly|appears?|apparent|apparently|perceived"
    r"|perceptions?|considered|potential|potentially|possible|possibly|possibility|perhaps"
    r"|probably|likely|may|might|could|would|tends? to|lesser|mostly|mainly|largely|partly"
    r"|partial|often|usually|rarely|rare|rather|relatively|somewhat|predominantly"
    r"|formally speaking|suggest|suggests|suggested|if any|ostensibly|allegedly|I hope|widely"
    r"|generally|hardly|arguably|presumably|albeit|according to|claim|claims|claimed|scarce|much of"
    r"|just before|supposed to|envisaged|possibilities|little|sketchy"
    r"|from \d[\d,.]* to \d|between \d+ and \d+)\b",
    re.IGNORECASE,
)


def paragraphs(raw_text: bool = False) -> dict[str, str]:
    """Paragraph id -> the paragraph's text, normalised as quotes are (tests/article.py).

    With raw_text, the text as printed, note markers (<sup>N</sup>) included."""
    raw = article_path().read_text(encoding="utf-8")
    _, _, body = raw.partition("\n---\n")
    blocks = [b.strip() for b in re.split(r"\n\s*\n", body) if b.strip()]
    section = "front"
    out: list[list[str]] = []  # [section, text]
    for block in blocks:
        heading = next((s for h, s in SECTION_HEADINGS if block.startswith(h)), None)
        if heading:
            section = heading
            continue
        if block.startswith("#") or block == "Æ":
            continue
        if section == "front" and block.startswith("Numerous international"):
            section = "abstract"
        elif section == "front":
            continue
        elif section == "abstract" and block.startswith("SINCE"):
            section = "introduction"
        continues = out and out[-1][0] == section and (
            # a note runs on until the next number (note 63 is broken by a blank line)
            (section == "notes" and not re.match(r"\d+\. ", block) and out[-1][1][:1].isdigit())
            or (section != "notes" and not ENDS_CLOSED.search(out[-1][1]) and block[:1].islower()
                and not block.startswith(BLOCK_QUOTES_IN_LOWER_CASE))
        )
        if continues:
            out[-1][1] += " " + block
        else:
            out.append([section, block])
    result: dict[str, str] = {}
    counters: dict[str, int] = {}
    for section, text in out:
        if section == "notes":
            number = re.match(r"(\d+)\. ", text)
            key = f"note/{number.group(1)}" if number else "note/author"
        else:
            counters[section] = counters.get(section, 0) + 1
            key = f"{section}-p{counters[section]}"
        result[key] = text if raw_text else normalise(text)
    return result


def paragraph_of(iri: str) -> str:
    """id:passage/s2-p2-c -> s2-p2; id:note/52 -> note/52."""
    local = iri.removeprefix(ID).removeprefix("id:")
    if local.startswith("note/"):
        return local
    return re.sub(r"-[a-z]$", "", local.removeprefix("passage/"))
