"""/validate (check posted data against the shapes, changing nothing) and /shapes (publish them)."""

from __future__ import annotations

import asyncio
import threading

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from ..formats import GRAPH, Format, NotAcceptable, negotiate, parse_accept, prefers_html, quality
from ..rdfinput import RdfInputError, to_rdflib
from ..settings import Settings
from ..sources import Sources, load_sources
from ..validate import validate
from .errors import ProtocolError, error_response
from .shapes_page import shapes_page
from .query_operation import read_body
from .head import without_body
from .update import parse_body

TEXT = Format("text", "text/plain", "report", None, "")


class SourceCache:
    """The parsed source files, loaded once on first use (validation never reads the store)."""

    def __init__(self):
        self._sources: Sources | None = None
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        with self._lock:
            self._sources = None

    def get(self) -> Sources:
        with self._lock:
            if self._sources is None:
                self._sources = load_sources()
            return self._sources


def validation_router(settings: Settings, cache: SourceCache) -> APIRouter:
    router = APIRouter()

    @router.post("/validate")
    async def validate_posted(request: Request) -> Response:
        try:
            body = await read_body(request, settings.max_body_bytes)
            triples = await parse_body(body, request.headers.get("content-type"), settings,
                                       base_iri=settings.base_iri)
            fmt = report_format(request.headers.get("accept"))
            report = await asyncio.wait_for(
                run_in_threadpool(lambda: validate(cache.get(), to_rdflib(triples))),
                timeout=max(settings.query_timeout, 30.0))
        except RdfInputError as err:
            return error_response(ProtocolError(err.status, err.message))
        except ProtocolError as err:
            return error_response(err)
        except NotAcceptable as err:
            return error_response(ProtocolError(406, str(err) + ", text/plain"))
        except asyncio.TimeoutError:
            return error_response(ProtocolError(503, "Validation took too long; send a smaller batch."))
        headers = {"Gmg-Conforms": "true" if not report.failed() else "false", "Vary": "Accept"}
        if fmt is TEXT:
            return PlainTextResponse(report.render() + "\n", headers=headers)
        return Response(report.graph.serialize(format=fmt.rdflib, encoding="utf-8"),
                        media_type=fmt.content_type, headers=headers)

    @router.api_route("/shapes", methods=["GET", "HEAD"])
    async def shapes(request: Request) -> Response:
        accept, override = request.headers.get("accept"), request.query_params.get("format")
        if override is None and prefers_html(accept, GRAPH):
            graph = (await run_in_threadpool(cache.get)).shapes
            response: Response = HTMLResponse(await run_in_threadpool(shapes_page, graph), headers={"Vary": "Accept"})
            return await without_body(response) if request.method == "HEAD" else response
        try:
            fmt = negotiate(request.headers.get("accept"), GRAPH, request.query_params.get("format"))
        except NotAcceptable as err:
            return error_response(ProtocolError(406, str(err)))
        graph = (await run_in_threadpool(cache.get)).shapes
        body = await run_in_threadpool(graph.serialize, format=fmt.rdflib, encoding="utf-8")
        response = Response(body, media_type=fmt.content_type, headers={"Vary": "Accept"})
        return await without_body(response) if request.method == "HEAD" else response

    return router


def report_format(accept: str | None) -> Format:
    """The validation report as RDF (Turtle by default) or as plain text when preferred."""
    ranges = parse_accept(accept)
    text_q = quality(TEXT, ranges)
    asked_for_text = any((main, sub) == ("text", "plain") and q > 0 for main, sub, q in ranges)
    try:
        rdf = negotiate(accept, GRAPH)
    except NotAcceptable:
        if text_q > 0:
            return TEXT
        raise
    rdf_q = quality(rdf, ranges)
    return TEXT if text_q > rdf_q or (asked_for_text and text_q >= rdf_q) else rdf
