"""/sparql in FastAPI: the query page a browser opens and the service description.

Queries themselves are answered by query_operation.py.
"""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ..engine import EngineSupervisor
from ..formats import GRAPH, NotAcceptable, negotiate, prefers_html
from ..query import Dataset, QueryRequest
from ..querytext import QueryText
from ..service_description import service_description
from ..settings import Settings
from ..sitequeries import iri_values
from . import internal
from .errors import ENGINE_ERRORS, ProtocolError, engine_error, error_response
from .editor import editor_config
from .head import without_body
from .page import PAGE_SIZE, Outcome, query_page
from .query_operation import Delegated, QueryOperation, guard, the_query
from .urls import public_root

ALLOW = "GET, HEAD, POST, OPTIONS"
LABELS = """SELECT ?s (SAMPLE(?label) AS ?l) WHERE {{
  VALUES ?s {{ {values} }} ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label
  FILTER(langMatches(lang(?label), "en") || lang(?label) = "")
}} GROUP BY ?s"""


def sparql_router(settings: Settings, engine: EngineSupervisor, operation: QueryOperation) -> APIRouter:
    """The query page and the service description; queries go to `operation`, which usually
    answers them before routing (query_operation.ahead_of_routing)."""
    router = APIRouter()

    @router.api_route("/sparql", methods=["GET", "HEAD"])
    async def sparql_get(request: Request) -> Response:
        if operation.takes(request.scope):
            return Delegated(operation)
        if not request.url.query:
            response = await describe_service(request)
        else:  # a shared link opened in a browser
            response = await browser_answer(request, parse_qs(request.url.query, keep_blank_values=True))
        return await without_body(response) if request.method == "HEAD" else response

    @router.options("/sparql")
    async def sparql_options() -> Response:
        return Response(status_code=204, headers={"Allow": ALLOW})

    @router.post("/sparql")
    async def sparql_post(request: Request) -> Response:
        return Delegated(operation)

    async def browser_answer(request: Request, params: dict[str, list[str]]) -> Response:
        """The query page with the query run: its results a page at a time, or its error."""
        endpoint = public_root(settings, request) + "/sparql"
        try:
            text = the_query(params, None)
        except ProtocolError as err:
            return error_response(err)
        extra = {k: v for k, v in params.items() if k in ("default-graph-uri", "named-graph-uri")}
        page_number = int(params["page"][0]) if params.get("page", [""])[0].isdigit() else 1
        status, labels = 200, {}
        try:
            checked = guard(text, settings)
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
            sorts_or_groups=checked.sorts_or_groups,
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
                for t in row.values() if t["type"] == "uri"}
        values = iri_values(sorted(iris))
        if not values:
            return {}
        rows = await internal.rows(engine, settings, LABELS.format(values=values))
        return {r["s"]["value"]: r["l"]["value"] for r in rows}

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
