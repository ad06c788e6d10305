"""The one page style of the site: a header with the search box, the page's <main>, the CSS.

Pages build their <main> content and hand it to `page()`; nothing here knows about RDF.
"""

from __future__ import annotations

import html

STYLE = """
 body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 70rem; padding: 0 1.5rem 2rem; color: #1d2330; }
 header.site { display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; align-items: center; padding: .7rem 0;
               border-bottom: 1px solid #e1e5ee; margin-bottom: 1rem; }
 header.site nav a { margin-right: .8rem; } header.site .brand { font-weight: 600; text-decoration: none; }
 header.site form { margin-left: auto; display: flex; gap: .3rem; }
 input[type=search] { padding: .35rem .5rem; border: 1px solid #b8c0d0; border-radius: 6px; min-width: 16rem; font-size: 14px; }
 button { background: #2456a6; color: #fff; border: 0; border-radius: 6px; padding: .4rem 1rem; font-size: 14px; cursor: pointer; }
 h1 { font-size: 1.4rem; margin: .3rem 0; } h2 { font-size: 1.1rem; margin-top: 1.5rem; }
 p { margin: .3rem 0 .8rem; } .muted, .iri { color: #4a5468; } a { color: #2456a6; }
 code, .iri { font: 13px ui-monospace, monospace; }
 table { border-collapse: collapse; width: 100%; font-size: 14px; }
 th, td { border-bottom: 1px solid #e1e5ee; text-align: left; padding: .3rem .5rem; vertical-align: top; }
 th { background: #f3f5f9; } .tag { color: #8a93a6; font-size: 12px; } .count { color: #4a5468; }
 ol.hits li, ul.types li { margin: .25rem 0; }
 .errors { border: 2px solid #a4262c; border-radius: 6px; padding: .2rem 1rem; margin: 1rem 0; }
 .errors h2 { color: #a4262c; } pre { white-space: pre-wrap; font-size: 13px; background: #f7f2f2; padding: .5rem; }
 @media print { header.site form { display: none; } }
"""


def search_form(query: str = "", field_id: str = "site-q") -> str:
    return (f'<form role="search" action="/search" method="get"><label for="{field_id}" '
            f'style="position:absolute;left:-9999px">Search the labels</label>'
            f'<input type="search" id="{field_id}" name="q" value="{html.escape(query)}" '
            f'placeholder="Search: World Bank, MIRPAL, Ивахнюк…"><button type="submit">Search</button></form>')


def header(query: str = "") -> str:
    return ('<header class="site"><a class="brand" href="/">gmg</a><nav><a href="/id/">browse</a>'
            '<a href="/network">network</a><a href="/charts">charts</a><a href="/sparql">query</a><a href="/ontology">ontology</a><a href="/dumps">dumps</a></nav>'
            + search_form(query) + "</header>")


def page(title: str, main: str, *, query: str = "", extra_head: str = "") -> str:
    """A whole HTML page; `title` is plain text, `main` is HTML."""
    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">'
            f"<title>{html.escape(title)}</title><style>{STYLE}</style>{extra_head}</head>"
            f"<body>{header(query)}<main>{main}</main></body></html>\n")
