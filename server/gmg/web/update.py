"""Writes: SPARQL 1.1 Update at /update and the Graph Store HTTP Protocol at /graph-store.

Both are off unless a token is configured, and both go through one path: the
engine applies the update to a copy, validates it against the shapes, and only
then to the store. A Graph Store operation is turned into a SPARQL update.
"""

from __future__ import annotations

import asyncio
import hmac
from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from ..engine import EngineBusy, EngineFailure, EngineSupervisor, QueryTimeout, UpdateFailure
from ..formats import GRAPH, NotAcceptable, negotiate
from ..query import QueryRequest
from ..querytext import QueryRejected, inspect
from ..rdfinput import RdfInputError, parse_rdf
from ..settings import Settings
from ..update import insert_data
from . import internal
from .errors import ProtocolError, error_response
from .query_operation import FORM, merge, read_body
from .head import without_body

SPARQL_UPDATE = "application/sparql-update"
GRAPH_STORE_ALLOW = "GET, HEAD, PUT, POST, DELETE, OPTIONS"


def update_router(settings: Settings, engine: EngineSupervisor) -> APIRouter:
    router = APIRouter()

    def authorise(request: Request) -> None:
        if not settings.update_token:
            raise ProtocolError(403, "This server is read-only: updates are enabled only when it is started "
                                     "with an update token (GMG_UPDATE_TOKEN or --update-token).")
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise ProtocolError(401, "Send the update token as 'Authorization: Bearer <token>'.",
                                {"WWW-Authenticate": 'Bearer realm="gmg"'})
        if not hmac.compare_digest(token.strip().encode(), settings.update_token.encode()):
            raise ProtocolError(403, "The update token is not valid.")

    async def apply(text: str) -> Response | None:
        """Run one update through the engine; None on success, else the error response."""
        try:
            await engine.update(text, settings.base_iri)
        except UpdateFailure as err:
            if err.status == 422:
                return PlainTextResponse(f"{err.message}\n\n{err.report_text}\n", status_code=422)
            return error_response(ProtocolError(err.status, err.message))
        return None

    @router.options("/update")
    async def update_options() -> Response:
        return Response(status_code=204, headers={"Allow": "POST, OPTIONS"})

    @router.options("/graph-store")
    async def graph_store_options() -> Response:
        return Response(status_code=204, headers={"Allow": GRAPH_STORE_ALLOW})

    @router.api_route("/update", methods=["GET", "HEAD", "PUT", "DELETE", "PATCH"])
    async def update_wrong_method() -> Response:
        return error_response(ProtocolError(405, "Send updates by POST.", {"Allow": "POST, OPTIONS"}))

    @router.post("/update")
    async def update(request: Request) -> Response:
        try:
            authorise(request)
            body = await read_body(request, settings.max_body_bytes)
            media = request.headers.get("content-type", "").split(";")[0].strip().lower()
            params = parse_qs(request.url.query, keep_blank_values=True)
            if media == FORM:
                params = merge(params, parse_qs(body.decode("utf-8"), keep_blank_values=True))
                texts = params.get("update", [])
            elif media == SPARQL_UPDATE:
                texts = [body.decode("utf-8")]
            else:
                raise ProtocolError(415, f"Unsupported Content-Type {media or '(none)'!r}: send {SPARQL_UPDATE} "
                                         f"with the update as the body, or {FORM} with an 'update' field.")
            if len(texts) != 1 or not texts[0].strip():
                raise ProtocolError(400, "Give exactly one non-empty 'update'.")
            text = with_using_parameters(texts[0], params, settings)
        except UnicodeDecodeError:
            return error_response(ProtocolError(400, "The request body is not valid UTF-8."))
        except ProtocolError as err:
            return error_response(err)
        failure = await apply(text)
        return failure or Response(status_code=204)

    @router.api_route("/graph-store", methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
    async def graph_store(request: Request) -> Response:
        try:
            graph = target_graph(request)
            if request.method in ("GET", "HEAD"):
                response = await read_graph(request, graph)
                return await without_body(response) if request.method == "HEAD" else response
            authorise(request)
            exists = graph is None or graph in (await internal.engine_info(engine))["named_graphs"]
            if request.method == "DELETE":
                if not exists:
                    raise ProtocolError(404, f"There is no graph <{graph}>.")
                failure = await apply("DROP DEFAULT" if graph is None else f"DROP GRAPH <{graph}>")
                return failure or Response(status_code=204)
            body = await read_body(request, settings.max_body_bytes)
            triples = await parse_body(body, request.headers.get("content-type"), settings,
                                       base_iri=graph or settings.base_iri)
        except RdfInputError as err:
            return error_response(ProtocolError(err.status, err.message))
        except ProtocolError as err:
            return error_response(err)
        insert = insert_data(triples, graph)
        if request.method == "PUT":
            drop = "DROP SILENT DEFAULT" if graph is None else f"DROP SILENT GRAPH <{graph}>"
            text = f"{drop} ;\n{insert}" if triples else drop
        else:
            text = insert
        failure = await apply(text)
        if failure:
            return failure
        return Response(status_code=204 if exists else 201)

    async def read_graph(request: Request, graph: str | None) -> Response:
        if graph is not None and graph not in (await internal.engine_info(engine))["named_graphs"]:
            raise ProtocolError(404, f"There is no graph <{graph}>.")
        try:
            fmt = negotiate(request.headers.get("accept"), GRAPH, request.query_params.get("format"))
        except NotAcceptable as err:
            raise ProtocolError(406, str(err)) from None
        where = "{ ?s ?p ?o }" if graph is None else f"{{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        # has_dataset_clause: let the query's own (empty) dataset stand, i.e. the
        # store's real default graph for ?default, every named graph for GRAPH <g>
        query = QueryRequest(text=f"CONSTRUCT {{ ?s ?p ?o }} WHERE {where}", format=fmt.name,
                             has_dataset_clause=True, max_rows=0)
        try:
            result = await engine.query(query)
            body = b"".join([chunk async for chunk in result.body])
        except (EngineFailure, QueryTimeout, EngineBusy) as err:
            raise ProtocolError(503, str(err), {"Retry-After": "2"}) from None
        return Response(body, media_type=fmt.content_type, headers={"Vary": "Accept"})

    return router


async def parse_body(body: bytes, content_type: str | None, settings: Settings, *, base_iri: str) -> list:
    """parse_rdf off the event loop; the client gets 503 at the time limit.

    The parsing thread itself cannot be stopped and runs to its end; the size cap
    (bodies of at most --max-body-bytes, parsed in linear time) is what bounds it.
    """
    try:
        return await asyncio.wait_for(
            run_in_threadpool(parse_rdf, body, content_type, max_bytes=settings.max_body_bytes, base_iri=base_iri),
            timeout=settings.query_timeout)
    except asyncio.TimeoutError:
        raise ProtocolError(503, f"Parsing the body took longer than the limit of {settings.query_timeout:g} s; "
                                 "send it in smaller parts.", {"Retry-After": "2"}) from None


def target_graph(request: Request) -> str | None:
    """?graph=IRI names a graph, ?default the default graph; exactly one of them."""
    params = parse_qs(request.url.query, keep_blank_values=True)
    graphs, default = params.get("graph", []), "default" in params
    if default and not graphs:
        return None
    if len(graphs) == 1 and not default and graphs[0].strip():
        return absolute_iri(graphs[0].strip(), "graph")
    raise ProtocolError(400, "Name the graph with exactly one of ?graph=IRI or ?default.")


def absolute_iri(value: str, parameter: str) -> str:
    """A graph IRI from a parameter, checked before it is written into an update's text."""
    try:
        ox.NamedNode(value)
    except ValueError as err:
        raise ProtocolError(400, f"The {parameter} parameter is not an absolute IRI ({err}): {value!r}") from None
    return value


def with_using_parameters(text: str, params: dict[str, list[str]], settings: Settings) -> str:
    """Check the update text, and apply the protocol's using-graph-uri / using-named-graph-uri."""
    from ..querytext import Limits

    try:
        checked = inspect(text, Limits(max_bytes=settings.max_query_bytes), update=True)
    except QueryRejected as err:
        raise ProtocolError(400, str(err)) from None  # naming the limit, the size limit too
    using = [absolute_iri(g, "using-graph-uri") for g in params.get("using-graph-uri", [])]
    using_named = [absolute_iri(g, "using-named-graph-uri") for g in params.get("using-named-graph-uri", [])]
    if not using and not using_named:
        return text
    if checked.keywords & {"USING", "WITH"}:
        raise ProtocolError(400, "The update has its own WITH or USING clause: the using-graph-uri and "
                                 "using-named-graph-uri parameters cannot be combined with it.")
    clause = " ".join([f"USING <{g}>" for g in using] + [f"USING NAMED <{g}>" for g in using_named])
    return insert_using(text, clause)


def insert_using(text: str, clause: str) -> str:
    """Put the USING clause before the WHERE of every DELETE/INSERT … WHERE operation."""
    from ..querytext import keyword_offsets

    out, last = [], 0
    words = keyword_offsets(text)
    top = [(word, offset) for word, offset, depth in words if depth == 0]
    for index, (word, offset) in enumerate(top):
        if word != "WHERE":
            continue
        # DELETE WHERE { … } (the short form) takes no USING: the protocol's dataset cannot apply
        if index >= 1 and top[index - 1][0] == "DELETE":
            raise ProtocolError(400, "using-graph-uri cannot apply to the short form DELETE WHERE { … }: "
                                     "write DELETE { … } WHERE { … }.")
        out.append(text[last:offset])
        out.append(clause + " ")
        last = offset
    out.append(text[last:])
    return "".join(out)
