"""/sparql: the SPARQL 1.1 Protocol query operation, answered by the engine process."""

from __future__ import annotations

import hashlib
import json
import time
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from ..engine import EngineSupervisor
from ..formats import GRAPH, RESULTS, NotAcceptable, negotiate, prefers_html
from ..query import Dataset, QueryRequest
from ..querytext import Limits, QueryRejected, QueryText, inspect
from ..service_description import service_description
from ..settings import Settings
from . import internal
from .errors import ENGINE_ERRORS, ProtocolError, engine_error, error_response
from .editor import editor_config
from .page import PAGE_SIZE, Outcome, query_page
from .urls import public_root

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
ALLOW = "GET, HEAD, POST, OPTIONS"
LABELS = """SELECT ?s (SAMPLE(?label) AS ?l) WHERE {{
  VALUES ?s {{ {values} }} ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label
  FILTER(langMatches(lang(?label), "en") || lang(?label) = "")
}} GROUP BY ?s"""


def sparql_router(settings: Settings, engine: EngineSupervisor) -> APIRouter:
    router = APIRouter()

    @router.api_route("/sparql", methods=["GET", "HEAD"])
    async def sparql_get(request: Request) -> Response:
        if not request.url.query:
            response = await describe_service(request)
        else:
            params = parse_qs(request.url.query, keep_blank_values=True)
            if "format" not in params and prefers_html(request.headers.get("accept"), RESULTS) \
                    and prefers_html(request.headers.get("accept"), GRAPH):
                response = await browser_answer(request, params)  # a shared link opened in a browser
            else:
                response = await answer(request, params, None)
        return await without_body(response) if request.method == "HEAD" else response

    @router.options("/sparql")
    async def sparql_options() -> Response:
        return Response(status_code=204, headers={"Allow": ALLOW})

    @router.post("/sparql")
    async def sparql_post(request: Request) -> Response:
        content_type = request.headers.get("content-type", "")
        media, _, parameters = content_type.partition(";")
        media = media.strip().lower()
        params = parse_qs(request.url.query, keep_blank_values=True)
        try:
            body = await read_body(request, settings.max_body_bytes)
            if media == FORM:
                params = merge(params, parse_qs(body.decode("utf-8"), keep_blank_values=True))
                return await answer(request, params, None)
            if media == SPARQL_QUERY:
                charset = _charset(parameters)
                if charset not in ("utf-8", "utf8"):
                    raise ProtocolError(415, f"Unsupported charset {charset!r}: send the query as UTF-8.")
                return await answer(request, params, body.decode("utf-8"))
        except UnicodeDecodeError:
            return error_response(ProtocolError(400, "The request body is not valid UTF-8."))
        except ProtocolError as err:
            return error_response(err)
        return error_response(ProtocolError(
            415, f"Unsupported Content-Type {media or '(none)'!r}: send {FORM} with a 'query' "
                 f"field, or {SPARQL_QUERY} with the query as the body."))

    async def answer(request: Request, params: dict[str, list[str]], body_query: str | None) -> Response:
        try:
            text = _the_query(params, body_query)
            request.state.query_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
            checked = guard(text)
            request.state.query_form = checked.form
            query = QueryRequest(
                text=text,
                dataset=Dataset(default_graph_uris=params.get("default-graph-uri"),
                                named_graph_uris=params.get("named-graph-uri")),
                base_iri=settings.base_iri,
                accept=request.headers.get("accept"),
                format=(params.get("format") or [None])[0],
                has_dataset_clause=checked.has_dataset_clause,
                default_graph_only=not checked.names_graphs,
                max_rows=settings.max_rows,
            )
            result = await engine.query(query)
        except ProtocolError as err:
            return error_response(err)
        except ENGINE_ERRORS as err:
            return error_response(engine_error(err))
        headers = {"Vary": "Accept", **result.head.headers}
        return StreamingResponse(result.body, media_type=result.head.format.content_type, headers=headers)

    async def browser_answer(request: Request, params: dict[str, list[str]]) -> Response:
        """The query page with the query run: its results a page at a time, or its error."""
        endpoint = public_root(settings, request) + "/sparql"
        try:
            text = _the_query(params, None)
        except ProtocolError as err:
            return error_response(err)
        extra = {k: v for k, v in params.items() if k in ("default-graph-uri", "named-graph-uri")}
        page_number = int(params["page"][0]) if params.get("page", [""])[0].isdigit() else 1
        status, labels = 200, {}
        try:
            checked = guard(text)
            request.state.query_form = checked.form
            outcome = await run_for_page(text, checked, params)
            if outcome.results and "results" in outcome.results:
                labels = await page_labels(outcome.results, page_number)
        except ProtocolError as err:
            outcome, status = Outcome(error=err.message), err.status
        body = query_page(endpoint, text, outcome, labels, page_number, extra,
                          await editor_config(engine, settings))
        return HTMLResponse(body, status_code=status, headers={"Vary": "Accept"})

    async def run_for_page(text: str, checked: QueryText, params: dict[str, list[str]]) -> Outcome:
        graph_form = checked.form in ("CONSTRUCT", "DESCRIBE")
        query = QueryRequest(
            text=text, base_iri=settings.base_iri, max_rows=settings.max_rows,
            accept="text/turtle" if graph_form else internal.JSON, has_dataset_clause=checked.has_dataset_clause,
            default_graph_only=not checked.names_graphs,
            dataset=Dataset(default_graph_uris=params.get("default-graph-uri"),
                            named_graph_uris=params.get("named-graph-uri")))
        started = time.perf_counter()
        try:
            result = await engine.query(query)
            body = b"".join([chunk async for chunk in result.body])
        except ENGINE_ERRORS as err:
            raise engine_error(err) from None
        millis = (time.perf_counter() - started) * 1000
        if graph_form:
            return Outcome(graph=body.decode("utf-8"), millis=millis)
        results = json.loads(body)
        # (a long answer streams before the engine knows it was cut: as many rows as the cap says so)
        truncated = "Gmg-Results-Truncated" in result.head.headers or \
            len(results.get("results", {}).get("bindings", ())) >= settings.max_rows
        return Outcome(results=results, millis=millis, truncated=truncated)

    async def page_labels(results: dict, page_number: int) -> dict[str, str]:
        """English labels of the IRIs on the shown page of results (one small query)."""
        first = (max(1, page_number) - 1) * PAGE_SIZE
        iris = {t["value"] for row in results["results"]["bindings"][first:first + PAGE_SIZE]
                for t in row.values() if t["type"] == "uri" and "<" not in t["value"] and ">" not in t["value"]}
        if not iris:
            return {}
        values = " ".join(f"<{iri}>" for iri in sorted(iris))
        rows = await internal.rows(engine, settings, LABELS.format(values=values))
        return {r["s"]["value"]: r["l"]["value"] for r in rows}

    def _the_query(params: dict[str, list[str]], body_query: str | None) -> str:
        queries = params.get("query", [])
        if body_query is not None:
            if queries:
                raise ProtocolError(400, "Give the query either as the body or as the 'query' parameter, not both.")
            queries = [body_query]
        if not queries:
            raise ProtocolError(400, "Missing 'query' parameter: give one SPARQL query.")
        if len(queries) > 1:
            raise ProtocolError(400, "Repeated 'query' parameter: give exactly one SPARQL query.")
        text = queries[0]
        if not text.strip():
            raise ProtocolError(400, "Empty 'query' parameter: give one SPARQL query.")
        return text

    def guard(text: str) -> QueryText:
        """Refuse, before any parser sees it, text that could crash, stall or make the engine fetch."""
        try:
            checked = inspect(text, Limits(max_bytes=settings.max_query_bytes))
        except QueryRejected as err:
            raise ProtocolError(400, str(err)) from None  # naming the limit, the size limit too
        if checked.form == "UPDATE":
            raise ProtocolError(400, "This is an update: send it by POST to /update.")
        return checked

    async def describe_service(request: Request) -> Response:
        # the URL the client used, or the one it would use behind a proxy
        endpoint = public_root(settings, request) + "/sparql" if settings.public_url else str(request.url)
        accept = request.headers.get("accept")
        if prefers_html(accept, GRAPH):
            try:
                editor = await editor_config(engine, settings)
            except ProtocolError:
                editor = None  # the plain form still works
            return HTMLResponse(query_page(endpoint, editor=editor), headers={"Vary": "Accept"})
        try:
            fmt = negotiate(accept, GRAPH, request.query_params.get("format"))
        except NotAcceptable as err:
            return error_response(ProtocolError(406, str(err)))
        try:
            info = await internal.engine_info(engine)
        except ProtocolError as err:
            return error_response(err)
        body = service_description(endpoint, info["named_graphs"], fmt.rdflib)
        return Response(body, media_type=fmt.content_type, headers={"Vary": "Accept"})

    return router


async def without_body(response: Response) -> Response:
    """HEAD: GET's status and headers, no body (a streamed body is stopped, not sent).

    A whole body keeps its Content-Length, as GET would send it; a streamed one has none.
    """
    if isinstance(response, StreamingResponse):
        close = getattr(response.body_iterator, "aclose", None)
        if close is not None:
            await close()
    head = Response(status_code=response.status_code)
    head.raw_headers = list(response.raw_headers)  # Response() would add Content-Length: 0
    return head


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it passes the limit."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ProtocolError(413, f"The request body is larger than the limit of {limit} bytes.")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ProtocolError(413, f"The request body is larger than the limit of {limit} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)


def merge(*groups: dict[str, list[str]]) -> dict[str, list[str]]:
    """Parameters from the URL and a form body together: a name given in both counts twice."""
    merged: dict[str, list[str]] = {}
    for group in groups:
        for key, values in group.items():
            merged.setdefault(key, []).extend(values)
    return merged


def _charset(parameters: str) -> str:
    for param in parameters.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return "utf-8"


