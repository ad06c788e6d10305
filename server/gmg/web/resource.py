"""/id/<name>: every published resource dereferences, as HTML for people and RDF for machines.

`https://w3id.org/gmg/id/world-bank` is served at `/id/world-bank` on whatever host
runs gmg (the base IRI is a setting). The description is what a linked-data client
expects of a concise bounded description: the resource's own triples (with the axiom
annotations of its plain triples and the gmg:Statement nodes they point at), the
statements that assert it when it is a fact, the triples that point at it, and the
labels of what it links to. It is computed by the engine like any query, so the
time limit and the queue apply.
"""

from __future__ import annotations

import asyncio
import html
import re
import time

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from ..engine import EngineSupervisor
from ..iris import ID
from ..formats import GRAPH, NotAcceptable, formats_of, negotiate, prefers_html
from ..settings import Settings
from ..sitequeries import DOCUMENTED_EXTERNAL_TERMS, entry_facts, entry_links
from . import internal
from .entry import ENTRY_STYLE, entry_main, split_links, title_of
from .errors import ProtocolError, error_response
from .layout import page, search_form
from .reading import READING_STYLE, cite_html, nav_html, paragraph_page, parts_html, reading_cache
from .head import without_body

# Readable IRI patterns only (id/world-bank, id/note/68, id/passage/s3-p12): anything
# else cannot name a resource and never reaches the engine.
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*(/[A-Za-z0-9][A-Za-z0-9._~-]*)*$")

DESCRIPTION = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX gmg: <https://w3id.org/gmg/ontology#>
CONSTRUCT {{ <{iri}> ?p ?o . ?o rdfs:label ?ol . ?s ?q <{iri}> . ?s rdfs:label ?sl . ?ax ?ap ?av .
            ?st ?sp ?so . }}
WHERE {{
  {{ <{iri}> ?p ?o OPTIONAL {{ ?o rdfs:label ?ol }} }}
  UNION {{ ?s ?q <{iri}> FILTER(isIRI(?s)) OPTIONAL {{ ?s rdfs:label ?sl }} }}
  UNION {{ ?ax owl:annotatedSource <{iri}> ; ?ap ?av }}
  UNION {{ ?ax owl:annotatedSource <{iri}> ; gmg:statement ?st . ?st ?sp ?so }}
  UNION {{ ?st gmg:asserts <{iri}> ; ?sp ?so }}
}}"""

def resource_router(settings: Settings, engine: EngineSupervisor) -> APIRouter:
    router = APIRouter()
    id_base = str(ID)  # the data's IRIs; --base-iri only resolves relative IRIs in queries
    reading = reading_cache(engine, settings)
    documented = documented_terms(engine, settings)

    async def exists(iri: str) -> bool:
        ask = f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} }}"
        return (await internal.results(engine, settings, ask))["boolean"]

    @router.api_route("/id/{name:path}", methods=["GET", "HEAD"])
    async def resource(name: str, request: Request) -> Response:
        accept, override = request.headers.get("accept"), request.query_params.get("format")
        path = request.url.path
        headers = {"Vary": "Accept", "Link": alternates(path)}
        try:
            if not NAME.fullmatch(name):
                raise ProtocolError(404, f"No resource is named id/{name}: names are like id/world-bank "
                                         "or id/note/68. Search the labels at /search?q=… or browse by type at /id/.")
            iri = id_base + name
            html_wanted = override is None and prefers_html(accept, GRAPH)
            if html_wanted:
                started = time.perf_counter()
                with internal.tally() as cost:
                    order, terms = await reading.get(), await documented.get()
                    links, facts = await asyncio.gather(internal.rows(engine, settings, entry_links(iri)),
                                                        internal.rows(engine, settings, entry_facts(iri)))
                if links:
                    response: Response = HTMLResponse(resource_page(iri, links, facts, path=path, reading=order,
                                                                    documented=terms), headers=headers)
                    response.headers["Server-Timing"] = cost.header(time.perf_counter() - started)
                    return await without_body(response) if request.method == "HEAD" else response
            if html_wanted or not await exists(iri):
                order = await reading.get()
                parts = order.parts(iri)
                if parts:  # a paragraph the graph holds only as lettered parts
                    if html_wanted:
                        response = HTMLResponse(paragraph_page(iri, order), headers={"Vary": "Accept"})
                        return await without_body(response) if request.method == "HEAD" else response
                    raise ProtocolError(404, f"<{iri}> is a paragraph of the article, not a resource of the graph: "
                                             "its parts are " + ", ".join(f"<{p.iri}>" for p in parts)
                                        + " (a browser gets a page listing them).")
                raise ProtocolError(404, f"Nothing is said about <{iri}> here. Search the labels at "
                                         "/search?q=… for the name you want, or browse by type at /id/.")
            try:
                fmt = negotiate(accept, GRAPH, override)
            except NotAcceptable as err:
                raise ProtocolError(406, f"{err}, or text/html") from None
            answer = await internal.run(engine, settings, DESCRIPTION.format(iri=iri), fmt.media_type, fmt.name)
            response = StreamingResponse(answer.body, media_type=answer.head.format.content_type, headers=headers)
        except ProtocolError as err:
            if err.status == 404 and override is None and prefers_html(accept, GRAPH):
                response = HTMLResponse(not_found_page(name, err.message), status_code=404)
            else:
                response = error_response(err)
            response.headers.update({"Vary": "Accept", **err.headers})
        return await without_body(response) if request.method == "HEAD" else response

    return router


def alternates(path: str) -> str:
    return ", ".join(f'<{path}?format={f.name}>; rel="alternate"; type="{f.media_type}"'
                     for f in formats_of(GRAPH))


def documented_terms(engine: EngineSupervisor, settings: Settings) -> internal.PerDataVersion:
    """The other vocabularies' terms that /ontology documents (rebuilt when the data changes)."""
    async def make() -> frozenset[str]:
        rows = await internal.rows(engine, settings, DOCUMENTED_EXTERNAL_TERMS)
        return frozenset(r["term"]["value"] for r in rows)
    return internal.PerDataVersion(engine, make)


def resource_page(iri: str, links: list[dict], facts: list[dict], *, path: str, reading=None,
                  documented=frozenset()) -> str:
    """The page of a resource: an encyclopedia entry with footnotes (gmg.web.entry), the reading
    order around a passage or note, and "Cite this"."""
    title = title_of(split_links(links)[0], iri)
    formats = " · ".join(f'<a href="{html.escape(path)}?format={f.name}">{f.name}</a>' for f in formats_of(GRAPH))
    # a passage or note: previous / next in the article, its paragraph's parts; every page: "Cite this"
    nav = nav_html(reading, iri) if reading is not None else ""
    parts = parts_html(reading.parts(iri)) if reading is not None and reading.parts(iri) else ""
    if parts:
        parts = f"<section><h2>The parts of this paragraph</h2>{parts}</section>"
    locator = title if reading is not None and iri in reading else None
    main = (entry_main(iri, links, facts, reading, documented, formats=formats, nav=nav, parts=parts)
            + f"{nav}{cite_html(iri, title, locator)}")
    return page(f"{title} — gmg", f'<article class="entry">{main}</article>', extra_head=READING_STYLE + ENTRY_STYLE)


def not_found_page(name: str, message: str) -> str:
    """The 404 a browser gets: why, and a search box already holding the words of the name."""
    words = " ".join(part for part in re.split(r"[-_/.~]+", name) if part)
    main = (f"<h1>Not found</h1><p>{html.escape(message)}</p>"
            f"<p>Search for it by name:</p>{search_form(words, field_id='missing-q')}<p>Or <a href=\"/id/\">browse by type</a>.</p>")
    return page("Not found — gmg", main)
