"""/sparql: the SPARQL 1.1 Protocol query operation."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from ..formats import NotAcceptable
from ..query import Dataset, QueryError, execute
from ..service_description import service_description
from ..settings import Settings
from ..store import GraphStore

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"


class ProtocolError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def sparql_router(settings: Settings, store: GraphStore) -> APIRouter:
    router = APIRouter()

    @router.get("/sparql")
    async def sparql_get(request: Request) -> Response:
        if not request.url.query:
            return describe_service(request, settings, store)
        params = parse_qs(request.url.query, keep_blank_values=True)
        return await answer(request, params, None)

    @router.post("/sparql")
    async def sparql_post(request: Request) -> Response:
        content_type = request.headers.get("content-type", "")
        media, _, parameters = content_type.partition(";")
        media = media.strip().lower()
        body = await request.body()
        params = parse_qs(request.url.query, keep_blank_values=True)
        try:
            if media == FORM:
                params = {**params, **parse_qs(body.decode("utf-8"), keep_blank_values=True)}
                return await answer(request, params, None)
            if media == SPARQL_QUERY:
                charset = _charset(parameters)
                if charset not in ("utf-8", "utf8"):
                    raise ProtocolError(415, f"Unsupported charset {charset!r}: send the query as UTF-8.")
                return await answer(request, params, body.decode("utf-8"))
        except UnicodeDecodeError:
            return _error(ProtocolError(400, "The request body is not valid UTF-8."))
        except ProtocolError as err:
            return _error(err)
        return _error(ProtocolError(
            415, f"Unsupported Content-Type {media or '(none)'!r}: send {FORM} with a 'query' "
                 f"field, or {SPARQL_QUERY} with the query as the body."))

    async def answer(request: Request, params: dict[str, list[str]], body_query: str | None) -> Response:
        try:
            text = _the_query(params, body_query)
            dataset = Dataset(
                default_graph_uris=params.get("default-graph-uri"),
                named_graph_uris=params.get("named-graph-uri"),
            )
            fmt = (params.get("format") or [None])[0]
            result = await run_in_threadpool(
                execute, store, text, dataset=dataset, base_iri=settings.base_iri,
                accept=request.headers.get("accept"), format=fmt,
                has_dataset_clause=_has_dataset_clause(text),
            )
        except ProtocolError as err:
            return _error(err)
        except QueryError as err:
            return _error(ProtocolError(400, str(err)))
        except NotAcceptable as err:
            return _error(ProtocolError(406, str(err)))
        return Response(result.body, media_type=result.format.content_type,
                        headers={"Vary": "Accept", **result.headers})

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
        if len(text.encode("utf-8")) > settings.max_query_bytes:
            raise ProtocolError(413, f"The query is longer than the limit of {settings.max_query_bytes} bytes.")
        return text

    return router


def describe_service(request: Request, settings: Settings, store: GraphStore) -> Response:
    endpoint = settings.public_url.rstrip("/") + "/sparql" if settings.public_url else str(request.url)
    body = service_description(endpoint, store.named_graphs())
    return Response(body, media_type="text/turtle; charset=utf-8", headers={"Vary": "Accept"})


def _has_dataset_clause(text: str) -> bool:
    # Placeholder until the lexer-level guard lands: a FROM keyword anywhere.
    import re
    return re.search(r"\bFROM\b", text, re.IGNORECASE) is not None


def _charset(parameters: str) -> str:
    for param in parameters.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return "utf-8"


def _error(err: ProtocolError) -> Response:
    return PlainTextResponse(err.message + "\n", status_code=err.status, headers=err.headers)
