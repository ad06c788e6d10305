"""The dataset as a whole: its VoID description at /void and its dumps at /dumps.

The dumps are read from the store through the engine (so they include accepted
updates), one file per named graph plus `gmg`, the default graph every query sees,
in each RDF format gmg speaks.
"""

from __future__ import annotations

import html

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from ..engine import EngineSupervisor
from ..formats import FORMATS, GRAPH, NotAcceptable, formats_of, negotiate
from ..iris import GRAPH as GRAPH_NS, ONTOLOGY_IRI
from ..metadata import VOID, describe_dataset
from ..settings import Settings
from . import internal
from .errors import ProtocolError, error_response
from .sparql import without_body
from .urls import public_root

GRAPHS = ("ontology", "instances", "inferred", "shapes", "metadata")
DEFAULT_DUMP = "gmg"  # the default graph of every query

COUNTS = """SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"""
DEFAULT_COUNT = """SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"""


def dump_query(name: str) -> str:
    if name == DEFAULT_DUMP:
        return "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    return f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{GRAPH_NS[name]}> {{ ?s ?p ?o }} }}"


def dataset_router(settings: Settings, engine: EngineSupervisor) -> APIRouter:
    router = APIRouter()
    graph_formats = formats_of(GRAPH)

    @router.api_route("/void", methods=["GET", "HEAD"])
    async def void(request: Request) -> Response:
        try:
            fmt = negotiate(request.headers.get("accept"), GRAPH, request.query_params.get("format"))
            counts = {row["g"]["value"]: int(row["n"]["value"])
                      for row in await internal.rows(engine, settings, COUNTS)}
            (total,) = await internal.rows(engine, settings, DEFAULT_COUNT)
            description = describe(public_root(settings, request), counts, int(total["n"]["value"]))
            body = description.serialize(format=fmt.rdflib, encoding="utf-8")
            response: Response = Response(body, media_type=fmt.content_type, headers={"Vary": "Accept"})
        except NotAcceptable as err:
            response = error_response(ProtocolError(406, str(err)))
        except ProtocolError as err:
            response = error_response(err)
        return await without_body(response) if request.method == "HEAD" else response

    @router.api_route("/dumps", methods=["GET", "HEAD"], response_class=HTMLResponse)
    async def dumps(request: Request) -> Response:
        items = "".join(
            f"<li>{html.escape(name)}: " + " · ".join(
                f'<a href="/dumps/{name}.{f.name}">{f.name}</a>' for f in graph_formats) + "</li>"
            for name in (DEFAULT_DUMP, *GRAPHS))
        response = HTMLResponse(DUMPS_PAGE.format(items=items))
        return await without_body(response) if request.method == "HEAD" else response

    @router.api_route("/dumps/{file}", methods=["GET", "HEAD"])
    async def dump(file: str, request: Request) -> Response:
        name, _, extension = file.rpartition(".")
        fmt = next((f for f in graph_formats if f.name == extension), None)
        try:
            if name not in (DEFAULT_DUMP, *GRAPHS) or fmt is None:
                raise ProtocolError(404, f"There is no dump {file!r}: the dumps are "
                                         f"{', '.join(n + '.ttl' for n in (DEFAULT_DUMP, *GRAPHS))} "
                                         f"(also as .{', .'.join(f.name for f in graph_formats[1:])}); see /dumps.")
            answer = await internal.run(engine, settings, dump_query(name), fmt.media_type, fmt.name)
            response: Response = StreamingResponse(answer.body, media_type=answer.head.format.content_type,
                                                   headers={"Content-Disposition": f'inline; filename="{file}"'})
        except ProtocolError as err:
            response = error_response(err)
        return await without_body(response) if request.method == "HEAD" else response

    return router


def describe(public_url: str, counts: dict[str, int], total: int) -> Graph:
    """The VoID description: the dataset, its endpoint, dumps, and one subset per graph, counted now."""
    g = Graph()
    dataset = describe_dataset(g)
    g.add((dataset, VOID.sparqlEndpoint, URIRef(public_url + "/sparql")))
    g.add((dataset, VOID.vocabulary, URIRef(ONTOLOGY_IRI + "#")))
    g.add((dataset, VOID.triples, Literal(total, datatype=XSD.integer)))
    for fmt in FORMATS:
        if fmt.kind == GRAPH:
            g.add((dataset, VOID.dataDump, URIRef(f"{public_url}/dumps/{DEFAULT_DUMP}.{fmt.name}")))
    for name in GRAPHS:
        subset = GRAPH_NS[name]
        g.add((dataset, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        g.add((subset, VOID.triples, Literal(counts.get(str(subset), 0), datatype=XSD.integer)))
        g.add((subset, VOID.dataDump, URIRef(f"{public_url}/dumps/{name}.ttl")))
    return g


DUMPS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>gmg — dumps</title>
<style>body {{ font: 15px/1.6 system-ui, sans-serif; margin: 0 auto; max-width: 50rem; padding: 1rem; }}</style>
</head><body>
<p><a href="/">gmg</a></p>
<h1>Dumps</h1>
<p><b>gmg</b> is the default graph every query sees (ontology, instances and inferred types);
the others are the named graphs. Read from the store, so accepted updates are included.
Licence: CC BY 4.0. The dataset is described in VoID at <a href="/void">/void</a>.</p>
<ul>{items}</ul>
</body></html>
"""
