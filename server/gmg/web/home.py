"""The home page: what is served here, where to go next, and why changed sources are not served."""

from __future__ import annotations

import html

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from .. import __version__
from ..engine import EngineSupervisor
from . import internal
from .errors import ProtocolError
from .layout import page, search_form
from .head import without_body

LINKS = (
    ("/id/", "Browse", "every resource by type, with counts; or search by name in the box above"),
    ("/network", "Governance network", "a picture of who works with, funds and belongs to whom; every node a link"),
    ("/charts", "Country figures", "charts of remittances, migrant numbers and populations, hedged figures drawn apart"),
    ("/sparql", "Query page", "ask the graph in SPARQL, starting from the competency questions"),
    ("/ontology", "Ontology", "the classes and properties, documented (Turtle, RDF/XML and JSON-LD for machines)"),
    ("/id/world-bank", "Resources", "every IRI under /id/ dereferences: the World Bank, for a start"),
    ("/shapes", "Shapes", "the SHACL shapes that data added to gmg must satisfy"),
    ("/dumps", "Dumps", "every graph as a file, in Turtle, N-Triples, JSON-LD or RDF/XML"),
    ("/bibliography.bib", "Bibliography (BibTeX)", "the works the article's notes cite, for a reference manager"),
    ("/bibliography.ris", "Bibliography (RIS)", "the same works as RIS (Zotero, EndNote, Mendeley)"),
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
    main = (f"<h1>gmg — global migration governors</h1>{INTRO.format(triples=count, version=html.escape(__version__))}"
            f"<h2>Find a governor, a programme, a person</h2>{search_form(field_id='home-q')}{errors}<ul>{links}</ul>")
    return page("gmg — global migration governors", main)


INTRO = """<p>What Oleg Korneev's article "International Organizations as Global Migration Governors: The World Bank
in Central Asia" (<i>Global Governance</i> 23, no. 3, 2017) tells us, as linked data: an OWL ontology, a
knowledge graph in which every claim points to the passage that supports it, and SHACL shapes.
{triples} triples; version {version}.</p>"""
