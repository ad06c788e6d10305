"""The query page a browser gets at /sparql: a form, the competency questions, a results table.

It is a plain GET form, so the page works without JavaScript and every query has a URL:
`/sparql?query=…` opened in a browser shows the page with the query run (machines asking
for SPARQL results at the same URL get them). The results are rendered here, a page of
rows at a time, IRIs as labels or prefixed names linking to this server's pages. When the
editor assets are installed (scripts/fetch-assets.sh), static/query.js turns the text area
into the YASGUI editor (highlighting, completion from the ontology, syntax checks).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from ..paths import default_data_dir
from .layout import page
from .terms import curie, local_href

PAGE_SIZE = 50
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
POSITION = re.compile(r"error at (\d+):(\d+)")
DOWNLOADS = (("csv", "CSV"), ("tsv", "TSV"), ("json", "JSON"))


def example_queries() -> list[dict]:
    """The queries shipped in queries/*.rq, with the question from their first comment line."""
    examples = []
    for path in default_data_dir().files("queries", "*.rq"):
        text = path.read_text(encoding="utf-8")
        first = text.lstrip().splitlines()[0] if text.strip() else ""
        title = first.lstrip("#").strip() if first.startswith("#") else path.stem
        examples.append({"name": path.stem, "title": title, "query": text})
    return examples


@dataclass
class Outcome:
    """What running the page's query gave: SPARQL JSON results, RDF text, or an error."""
    results: dict | None = None
    graph: str | None = None
    error: str | None = None
    millis: float = 0.0
    truncated: bool = False


def query_page(endpoint: str, query: str | None = None, outcome: Outcome | None = None,
               labels: dict[str, str] | None = None, page_number: int = 1, extra: dict | None = None,
               editor: dict | None = None) -> str:
    """The page; with `outcome`, the query's answer below the form."""
    examples = example_queries()
    text = query if query is not None else (examples[0]["query"] if examples else "SELECT * WHERE { ?s ?p ?o } LIMIT 10")
    questions = "".join(
        f'<li><a href="/sparql?{html.escape(urlencode({"query": e["query"]}))}">{html.escape(e["title"])}</a></li>'
        for e in examples)
    answer = render_outcome(text, outcome, labels or {}, page_number, extra or {}) if outcome else ""
    editor_head, editor_note = editor_assets(editor)
    main = f"""<h1>Query the graph in SPARQL</h1>
<p>SPARQL 1.1 endpoint at <code>{html.escape(endpoint)}</code>. The URL of this page, after you run a query,
is a link to the query and its answer. <span id="editor-hint">{editor_note}</span></p>
<details class="questions" open><summary>Competency questions — click one to run it</summary><ol>{questions}</ol></details>
<form id="query-form" method="get" action="/sparql">
<label for="query">Query</label>
<textarea id="query" name="query" spellcheck="false" rows="14">{html.escape(text)}</textarea>
<div class="bar"><button id="run" type="submit">Run query</button> <span class="muted">Ctrl+Enter runs it too.</span></div>
</form>
<section id="results" aria-live="polite">{answer}</section>"""
    return page("Query — gmg", main, extra_head=QUERY_STYLE + editor_head)


def editor_assets(editor: dict | None) -> tuple[str, str]:
    """The editor's scripts when they are installed; else a note on how to get it."""
    if editor is None:
        return "", ("The syntax-highlighting editor is not installed: run <code>scripts/fetch-assets.sh</code> "
                    "(needs npm) and restart the server. The form works as it is.")
    config = json.dumps(editor).replace("</", "<\\/")
    return ('<link rel="stylesheet" href="/assets/yasgui/yasgui.min.css">'
            f'<script id="editor-config" type="application/json">{config}</script>'
            '<script src="/assets/yasgui/yasgui.min.js" defer></script>'
            '<script src="/static/query.js" defer></script>'), ""


def render_outcome(query: str, outcome: Outcome, labels: dict[str, str], page_number: int, extra: dict) -> str:
    if outcome.error is not None:
        return error_html(query, outcome.error)
    timing = f"in {outcome.millis:,.0f} ms"
    if outcome.graph is not None:
        return (f'<p id="status">The graph {timing}. {downloads(query, extra, (("ttl", "Turtle"), ("nt", "N-Triples")))}'
                f'</p><pre class="graph">{html.escape(outcome.graph)}</pre>')
    data = outcome.results or {}
    if "boolean" in data:
        return f'<p id="status">{timing}</p><p class="boolean">{"yes (true)" if data["boolean"] else "no (false)"}</p>'
    variables, rows = data["head"]["vars"], data["results"]["bindings"]
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page_number = min(max(1, page_number), pages)
    first = (page_number - 1) * PAGE_SIZE
    shown = rows[first:first + PAGE_SIZE]
    cut = " (cut at the server's row limit)" if outcome.truncated else ""
    status = (f"{len(rows):,} row{'s' if len(rows) != 1 else ''}{cut} {timing}"
              + (f"; rows {first + 1:,}–{first + len(shown):,} shown" if pages > 1 else ""))
    head = "".join(f"<th scope=\"col\">{html.escape(v)}</th>" for v in variables)
    body = "".join("<tr>" + "".join(f"<td>{cell(r.get(v), labels)}</td>" for v in variables) + "</tr>" for r in shown)
    return (f'<p id="status">{status}. {downloads(query, extra, DOWNLOADS)}</p>'
            f"{pager(query, extra, page_number, pages)}"
            f'<table class="results"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
            f"{pager(query, extra, page_number, pages)}")


def cell(term: dict | None, labels: dict[str, str]) -> str:
    if term is None:
        return ""
    value = term["value"]
    if term["type"] == "uri":
        text = labels.get(value) or curie(value)
        if not value.startswith(("http://", "https://")):  # no javascript: links
            return html.escape(text)
        return f'<a href="{html.escape(local_href(value))}" title="{html.escape(value)}">{html.escape(text)}</a>'
    if term["type"] == "bnode":
        return f'<span class="muted">_:{html.escape(value)}</span>'
    tag = ""
    if term.get("xml:lang"):
        tag = f' <span class="tag" title="language">{html.escape(term["xml:lang"])}</span>'
    elif term.get("datatype") not in (None, XSD_STRING, RDF_LANG_STRING):
        tag = f' <span class="tag" title="{html.escape(term["datatype"])}">{html.escape(curie(term["datatype"]))}</span>'
    return html.escape(value) + tag


def link(query: str, extra: dict, **params) -> str:
    return "/sparql?" + html.escape(urlencode({"query": query, **extra, **params}, doseq=True))


def downloads(query: str, extra: dict, forms) -> str:
    return "Download: " + " · ".join(
        f'<a class="download" href="{link(query, extra, format=name)}" download="results.{name}">{label}</a>'
        for name, label in forms)


def pager(query: str, extra: dict, current: int, pages: int) -> str:
    if pages <= 1:
        return ""
    prev = (f'<a rel="prev" href="{link(query, extra, page=current - 1)}">← previous</a>' if current > 1
            else '<span class="muted">← previous</span>')
    nxt = (f'<a rel="next" href="{link(query, extra, page=current + 1)}">next →</a>' if current < pages
           else '<span class="muted">next →</span>')
    return f'<nav class="pager" aria-label="result pages">{prev} <span>page {current} of {pages}</span> {nxt}</nav>'


def error_html(query: str, message: str) -> str:
    """The engine's message, and for a syntax error the line it points at with a caret under the column."""
    where = POSITION.search(message)
    context, data = "", ""
    if where:
        line, column = int(where.group(1)), int(where.group(2))
        lines = query.splitlines()
        if 1 <= line <= len(lines):
            context = f"\n\n{line:>4} | {lines[line - 1]}\n     | {' ' * max(0, column - 1)}^"
        data = f' data-line="{line}" data-column="{column}"'
    return (f'<p id="status">The query was refused.</p>'
            f'<pre class="error"{data}>{html.escape(message.strip() + context)}</pre>')


QUERY_STYLE = """<style>
 #query { width: 100%; font: 13px/1.45 ui-monospace, monospace; padding: .6rem; border: 1px solid #b8c0d0;
          border-radius: 6px; box-sizing: border-box; }
 label[for=query] { display: block; font-weight: 600; margin-top: .6rem; }
 .bar { display: flex; gap: .6rem; align-items: center; margin: .6rem 0; }
 details.questions { margin: .5rem 0; } details.questions ol { max-height: 14rem; overflow: auto; font-size: 14px; }
 .error { color: #a4262c; white-space: pre-wrap; font: 13px ui-monospace, monospace; background: #f7f2f2; padding: .5rem; }
 .pager { margin: .4rem 0; display: flex; gap: 1rem; } pre.graph { white-space: pre-wrap; font-size: 13px; }
 .yasqe .CodeMirror { font-size: 13px; min-height: 14rem; }
</style>"""
