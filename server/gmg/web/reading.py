"""Reading the article as pages: previous/next through its passages and notes, a page for each
paragraph that the graph holds only as lettered parts, and "Cite this" on every resource page.

The order itself is `gmg.sequence`; this module asks the store for the passages (once per
version of the served data) and writes the HTML.
"""

from __future__ import annotations

import html

from ..engine import EngineSupervisor
from ..iris import ID
from ..sequence import Item, ReadingOrder
from ..settings import Settings
from ..sitequeries import PASSAGES
from . import internal
from .layout import page
from .terms import local_href

PASSAGE_BASE = str(ID) + "passage/"

# The source as the README cites it (tests/test_reading.py holds the two to the same words).
CITATION_AUTHOR = "Oleg Korneev"
CITATION_TITLE = "International Organizations as Global Migration Governors: The World Bank in Central Asia"
CITATION_JOURNAL = "Global Governance"
CITATION_DETAILS = "23, no. 3 (2017): 403–421."


def citation_text() -> str:
    return f'{CITATION_AUTHOR}, "{CITATION_TITLE}", {CITATION_JOURNAL} {CITATION_DETAILS}'


def citation_html() -> str:
    return (f'{html.escape(CITATION_AUTHOR)}, "{html.escape(CITATION_TITLE)}", '
            f'<i>{html.escape(CITATION_JOURNAL)}</i> {html.escape(CITATION_DETAILS)}')


def reading_cache(engine: EngineSupervisor, settings: Settings) -> internal.PerDataVersion:
    """The reading order of the data the engine serves now (rebuilt when the data changes)."""
    async def make() -> ReadingOrder:
        rows = await internal.rows(engine, settings, PASSAGES)
        return ReadingOrder([item_of(r) for r in rows], PASSAGE_BASE)
    return internal.PerDataVersion(engine, make)


def item_of(row: dict) -> Item:
    def number(name: str) -> int | None:
        value = row.get(name, {}).get("value")
        try:
            return int(value) if value is not None else None
        except ValueError:
            return None

    iri = row["item"]["value"]
    return Item(iri=iri, label=row.get("label", {}).get("value") or iri.rsplit("/", 1)[-1],
                quote=row.get("quote", {}).get("value", ""), section_order=number("sectionOrder"),
                note_number=number("noteNumber"), is_note=row.get("note", {}).get("value") in ("true", "1"))


def _link(item: Item | None, rel: str) -> str:
    if item is None:
        return f'<span class="muted">{"← start of the article" if rel == "prev" else "end of the article →"}</span>'
    text = f"← {item.label}" if rel == "prev" else f"{item.label} →"
    return f'<a rel="{rel}" href="{html.escape(local_href(item.iri))}">{html.escape(text)}</a>'


def nav_html(order: ReadingOrder, iri: str) -> str:
    """Previous / up / next for a passage or note page; "" for any other resource."""
    if iri not in order:
        return ""
    before, after = order.neighbours(iri)
    up = ""
    paragraph = order.paragraph_of(iri)
    if paragraph is not None:
        up = (f'<a rel="up" href="{html.escape(local_href(paragraph))}">the whole paragraph '
              f'({len(order.parts(paragraph))} parts)</a>')
    return reading_nav(before, after, up)


def reading_nav(before: Item | None, after: Item | None, up: str = "") -> str:
    middle = f"<span>{up}</span>" if up else ""
    return (f'<nav class="reading" aria-label="reading order">{_link(before, "prev")}{middle}'
            f'{_link(after, "next")}</nav>')


def parts_html(parts: list[Item], current: str | None = None) -> str:
    """The lettered parts of a paragraph, in order, each with its quote."""
    current_mark = ' aria-current="page"'
    items = "".join(
        f'<li{current_mark if p.iri == current else ""}><a href="{html.escape(local_href(p.iri))}">'
        f'{html.escape(p.label)}</a><blockquote>{html.escape(p.quote)}</blockquote></li>' for p in parts)
    return f'<ol class="parts">{items}</ol>'


def cite_html(iri: str, title: str, locator: str | None = None) -> str:
    """The article's citation as the README gives it, and this page's IRI (nothing invented)."""
    where = f' — {html.escape(locator)}' if locator else ""
    plain = citation_text() + (f" — {locator}" if locator else "") + f" In gmg: {title}, <{iri}>."
    return (f'<section class="cite" id="cite"><h2>Cite this</h2>'
            f'<p>The source: <span class="citation">{citation_html()}</span>{where}</p>'
            f'<p>This page: {html.escape(title)}, in gmg — global migration governors, '
            f'<a href="{html.escape(local_href(iri))}"><code>{html.escape(iri)}</code></a></p>'
            f'<details><summary>as plain text</summary><pre class="cite-text">{html.escape(plain)}</pre></details>'
            "</section>")


def paragraph_page(iri: str, order: ReadingOrder) -> str:
    """/id/passage/s3-p5 when the graph holds only s3-p5-a, s3-p5-b, ...: its parts in order."""
    parts = order.parts(iri)
    first = parts[0].label
    title = first.rsplit(" (", 1)[0] if first.endswith(")") else first
    before, after = order.paragraph_neighbours(iri)
    main = (f"<h1>{html.escape(title)}</h1><p class=\"iri\">{html.escape(iri)}</p>"
            f"<p>The graph quotes this paragraph of the article in {len(parts)} part{'s' if len(parts) != 1 else ''}, "
            "each a passage of its own that the statements point at; here they are in the article's order.</p>"
            f"{reading_nav(before, after)}{parts_html(parts)}{reading_nav(before, after)}"
            f"{cite_html(iri, title, title)}")
    return page(f"{title} — gmg", main, extra_head=READING_STYLE)


READING_STYLE = """<style>
 nav.reading { display: flex; justify-content: space-between; gap: 1rem; margin: .8rem 0; padding: .4rem 0;
               border-top: 1px solid #e1e5ee; border-bottom: 1px solid #e1e5ee; font-size: 14px; }
 ol.parts blockquote, blockquote.quote { margin: .2rem 0 .8rem; padding-left: .8rem; border-left: 3px solid #c9d3e6; }
 section.cite { margin-top: 2rem; border-top: 1px solid #e1e5ee; font-size: 14px; }
 section.cite pre { background: #f3f5f9; }
 @media print { nav.reading { display: none; } }
</style>"""
