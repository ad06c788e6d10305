"""The query page a browser gets at /sparql: an editor, the example queries, a results table."""

from __future__ import annotations

import html
import json

from ..paths import default_data_dir
from .layout import STYLE, header


def example_queries() -> list[dict]:
    """The queries shipped in queries/*.rq, with the question from their first comment line."""
    examples = []
    for path in default_data_dir().files("queries", "*.rq"):
        text = path.read_text(encoding="utf-8")
        first = text.lstrip().splitlines()[0] if text.strip() else ""
        title = first.lstrip("#").strip() if first.startswith("#") else path.stem
        examples.append({"name": path.stem, "title": title, "query": text})
    return examples


def query_page(endpoint: str, id_base: str = "https://w3id.org/gmg/id/") -> str:
    """The page; IRIs under `id_base` in the results link to their /id/ pages on this server."""
    examples = example_queries()
    default = examples[0]["query"] if examples else "SELECT * WHERE { ?s ?p ?o } LIMIT 10"
    options = "".join(f'<option value="{i}">{html.escape(e["title"])}</option>' for i, e in enumerate(examples))
    return PAGE.format(endpoint=html.escape(endpoint), default=html.escape(default), options=options,
                       examples=json.dumps([e["query"] for e in examples]).replace("</", "<\\/"),
                       id_base=json.dumps(id_base), header=header(), site_style=STYLE)


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gmg SPARQL endpoint</title>
<style>{site_style}
 h1 {{ font-size: 1.4rem; margin: .2rem 0; }} p {{ margin: .3rem 0 .8rem; color: #4a5468; }}
 textarea {{ width: 100%; min-height: 14rem; font: 13px/1.45 ui-monospace, monospace; padding: .6rem;
            border: 1px solid #b8c0d0; border-radius: 6px; box-sizing: border-box; }}
 .bar {{ display: flex; gap: .6rem; align-items: center; margin: .6rem 0; flex-wrap: wrap; }}
 button {{ background: #2456a6; color: #fff; border: 0; border-radius: 6px; padding: .45rem 1.1rem; font-size: 1rem; cursor: pointer; }}
 select {{ padding: .35rem; max-width: 40rem; }}
 #status {{ color: #4a5468; }} .error {{ color: #a4262c; white-space: pre-wrap; font-family: ui-monospace, monospace; }}
 table {{ border-collapse: collapse; width: 100%; font-size: 14px; }}
 th, td {{ border-bottom: 1px solid #e1e5ee; text-align: left; padding: .3rem .5rem; vertical-align: top; }}
 th {{ background: #f3f5f9; position: sticky; top: 0; }} a {{ color: #2456a6; }}
</style></head>
<body>
{header}
<h1>gmg — global migration governors</h1>
<p>SPARQL 1.1 endpoint at <code>{endpoint}</code>. Press <kbd>Ctrl</kbd>+<kbd>Enter</kbd> to run.</p>
<div class="bar"><label>Example: <select id="examples"><option value="">choose a question…</option>{options}</select></label></div>
<textarea id="query" spellcheck="false">{default}</textarea>
<div class="bar"><button id="run">Run query</button>
 <label>download as <select id="download"><option value="">—</option><option>json</option><option>csv</option>
 <option>tsv</option><option>xml</option><option>ttl</option><option>jsonld</option></select></label>
 <span id="status"></span></div>
<div id="results"></div>
<script>
const examples = {examples}, idBase = {id_base};
const q = document.getElementById("query"), out = document.getElementById("results"), status = document.getElementById("status");
document.getElementById("examples").onchange = e => {{ if (e.target.value !== "") q.value = examples[+e.target.value]; }};
document.getElementById("download").onchange = e => {{
  if (!e.target.value) return;
  location.href = "?query=" + encodeURIComponent(q.value) + "&format=" + e.target.value; e.target.value = ""; }};
q.addEventListener("keydown", e => {{ if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) run(); }});
document.getElementById("run").onclick = run;
function cell(t) {{
  if (!t) return "";
  const v = document.createElement("span");
  if (t.type === "uri" && /^https?:/.test(t.value)) {{ const a = document.createElement("a"); a.textContent = t.value;
    a.href = t.value.startsWith(idBase) ? "/id/" + t.value.slice(idBase.length) : t.value; return a.outerHTML; }}
  v.textContent = t.value + (t["xml:lang"] ? " @" + t["xml:lang"] : ""); return v.outerHTML;
}}
async function run() {{
  status.textContent = "running…"; out.innerHTML = ""; const started = performance.now();
  const r = await fetch("", {{ method: "POST", body: q.value, headers: {{ "Content-Type": "application/sparql-query",
    "Accept": "application/sparql-results+json, text/turtle;q=0.9" }} }});
  const ms = Math.round(performance.now() - started), text = await r.text();
  if (!r.ok) {{ status.textContent = r.status + " " + r.statusText; out.innerHTML = '<p class="error"></p>';
               out.firstChild.textContent = text; return; }}
  if (!(r.headers.get("content-type") || "").includes("json")) {{ status.textContent = ms + " ms";
    const pre = document.createElement("pre"); pre.textContent = text; out.appendChild(pre); return; }}
  const data = JSON.parse(text);
  if ("boolean" in data) {{ status.textContent = ms + " ms"; out.textContent = String(data.boolean); return; }}
  const vars = data.head.vars, rows = data.results.bindings;
  status.textContent = rows.length + " row" + (rows.length === 1 ? "" : "s") + " in " + ms + " ms" +
    (r.headers.get("gmg-results-truncated") ? " (cut at the row limit)" : "");
  out.innerHTML = "<table><thead><tr>" + vars.map(v => "<th>" + v + "</th>").join("") + "</tr></thead><tbody>" +
    rows.map(b => "<tr>" + vars.map(v => "<td>" + cell(b[v]) + "</td>").join("") + "</tr>").join("") + "</tbody></table>";
}}
</script>
</body></html>
"""
