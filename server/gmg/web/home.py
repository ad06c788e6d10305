"""The home page: what is served here, where to go next, and why changed sources are not served."""

from __future__ import annotations

import html

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from .. import __version__
from ..engine import EngineSupervisor
from . import internal
from .errors import ProtocolError
from .sparql import without_body

LINKS = (
    ("/sparql", "Query page", "ask the graph in SPARQL, starting from the competency questions"),
    ("/ontology", "Ontology", "the classes and properties, documented (Turtle, RDF/XML and JSON-LD for machines)"),
    ("/id/world-bank", "Resources", "every IRI under /id/ dereferences: the World Bank, for a start"),
    ("/shapes", "Shapes", "the SHACL shapes that data added to gmg must satisfy"),
    ("/dumps", "Dumps", "every graph as a file, in Turtle, N-Triples, JSON-LD or RDF/XML"),
    ("/void", "Dataset description", "the dataset in VoID: licence, source, endpoint, dumps, triple counts"),
    ("/health", "Health", "status, triple count, engine restarts, update journal (JSON)"),
    ("/metrics", "Metrics", "Prometheus metrics"),
    ("/api", "HTTP API", "every route with its parameters"),
)


def home_router(app: FastAPI, engine: EngineSupervisor) -> APIRouter:
    router = APIRouter()

    @router.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse)
    async def home(request: Request) -> Response:
        try:
            triples = (await internal.engine_info(engine)).get("triples")
        except ProtocolError:
            triples = None  # the page still shows the way in (and the build errors)
        response = HTMLResponse(home_page(triples, app.state.build_errors))
        return await without_body(response) if request.method == "HEAD" else response

    return router


def home_page(triples: int | None, build_errors: list[str]) -> str:
    links = "".join(f'<li><a href="{href}">{name}</a> — {what}</li>' for href, name, what in LINKS)
    errors = ""
    if build_errors:
        # --watch found the changed source files broken: say why, and that the last good build is served
        errors = ('<section class="errors"><h2>The changed source files are not served</h2>'
                  "<p>They fail to parse or to validate, so the last good build is still served. "
                  "Fix the files and save them again:</p>"
                  + "".join(f"<pre>{html.escape(e)}</pre>" for e in build_errors) + "</section>")
    count = f"{triples:,}" if isinstance(triples, int) else "?"
    return PAGE.format(errors=errors, links=links, triples=count, version=html.escape(__version__))


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gmg — global migration governors</title>
<style>
 body {{ font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem 1.5rem; color: #1d2330; }}
 h1 {{ font-size: 1.5rem; margin: .3rem 0; }} h2 {{ font-size: 1.1rem; }} p {{ color: #4a5468; }} a {{ color: #2456a6; }}
 .errors {{ border: 2px solid #a4262c; border-radius: 6px; padding: .2rem 1rem; margin: 1rem 0; }}
 .errors h2 {{ color: #a4262c; }} pre {{ white-space: pre-wrap; font-size: 13px; background: #f7f2f2; padding: .5rem; }}
</style></head>
<body>
<h1>gmg — global migration governors</h1>
<p>What Oleg Korneev's article "International Organizations as Global Migration Governors: The World Bank
in Central Asia" (<i>Global Governance</i> 23, no. 3, 2017) tells us, as linked data: an OWL ontology, a
knowledge graph in which every claim points to the passage that supports it, and SHACL shapes.
{triples} triples; version {version}.</p>
{errors}
<ul>{links}</ul>
</body></html>
"""
