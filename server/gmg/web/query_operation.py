"""The SPARQL 1.1 Protocol query operation, as a plain ASGI app.

GET /sparql with a query, POST /sparql of a form or of a query: guarded, sent to the
engine, answered. `ahead_of_routing` answers these requests before FastAPI sees them:
FastAPI's routing, its exception and exit-stack layers, and Starlette's streaming
response (a task group per answer) cost about as much as the engine's whole work on a
one-resource query. Every guard stays: the URL and body limits, the lexer guard
(nesting, size, SERVICE/LOAD), the engine's time limit and row cap; the access log,
the metrics and the CORS headers come from the middleware around this one. FastAPI's
/sparql routes hand their requests to the same app (`Delegated`), so the API
description lists them and both ways answer alike.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
from dataclasses import dataclass
from urllib.parse import parse_qs

from fastapi.responses import Response

from ..formats import GRAPH, RESULTS, prefers_html
from ..query import Dataset, QueryRequest
from ..querytext import Limits, QueryRejected, QueryText, inspect
from ..settings import Settings
from .errors import ENGINE_ERRORS, ProtocolError, engine_error, error_response
from .head import without_body

PATH = "/sparql"
FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"


@dataclass(frozen=True)
class RouteName:
    """What the metrics label a request with (Starlette puts its route object in the scope)."""

    path: str


ROUTE = RouteName(PATH)


class ClientGone(Exception):
    """The client closed the connection before its request body was complete."""


class QueryOperation:
    def __init__(self, settings: Settings, engine):
        self.settings, self.engine = settings, engine

    def takes(self, scope) -> bool:
        """A query to answer (not the query page a browser opens, not the service description)."""
        method = scope["method"]
        if method == "POST":
            return True
        if method not in ("GET", "HEAD") or not scope["query_string"]:
            return False
        accept = header(scope, b"accept")
        if not (prefers_html(accept, RESULTS) and prefers_html(accept, GRAPH)):
            return True
        try:
            return "format" in query_parameters(scope)  # a browser asking for a format gets it
        except ProtocolError:
            return True  # (answered with the reason)

    async def __call__(self, scope, receive, send) -> None:
        state = scope.setdefault("state", {})
        scope["route"] = ROUTE
        head_only = scope["method"] == "HEAD"
        try:
            params = query_parameters(scope)
            body_query = None
            if scope["method"] == "POST":
                params, body_query = await self._posted(scope, receive, params)
            text = the_query(params, body_query)
            state["query_hash"] = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
            checked = guard(text, self.settings)
            state["query_form"] = checked.form
            accept = header(scope, b"accept")
            answer = await self.engine.query(QueryRequest(
                text=text,
                dataset=Dataset(default_graph_uris=params.get("default-graph-uri"),
                                named_graph_uris=params.get("named-graph-uri")),
                base_iri=self.settings.base_iri,
                accept=accept,
                format=(params.get("format") or [None])[0],
                has_dataset_clause=checked.has_dataset_clause,
                default_graph_only=not checked.names_graphs,
                sorts_or_groups=checked.sorts_or_groups,
                max_rows=self.settings.max_rows,
            ))
        except ClientGone:
            return
        except UnicodeDecodeError:
            return await send_error(scope, receive, send, ProtocolError(400, "The request body is not valid UTF-8."))
        except ProtocolError as err:
            return await send_error(scope, receive, send, err)
        except ENGINE_ERRORS as err:
            return await send_error(scope, receive, send, engine_error(err))
        headers = [(b"content-type", content_type(answer.head.format.content_type).encode("latin-1")),
                   (b"vary", b"Accept")]
        headers += [(name.lower().encode("latin-1"), value.encode("latin-1"))
                    for name, value in answer.head.headers.items()]
        if head_only:  # GET's status and headers; the answer is stopped, not sent
            await answer.body.aclose()
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
        elif answer.whole is not None:  # the common small answer: its length is known
            headers.append((b"content-length", str(len(answer.whole)).encode("latin-1")))
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": answer.whole})
        else:
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await stream(answer.body, receive, send)

    async def _posted(self, scope, receive, params: dict[str, list[str]]) -> tuple[dict, str | None]:
        """The parameters and the query text of a POST (415 for another content type)."""
        media, _, parameters = header(scope, b"content-type").partition(";")
        media = media.strip().lower()
        body = await receive_body(receive, header(scope, b"content-length"), self.settings.max_body_bytes)
        if media == FORM:
            return merge(params, form_fields(body)), None
        if media == SPARQL_QUERY:
            charset = charset_of(parameters)
            if charset not in ("utf-8", "utf8"):
                raise ProtocolError(415, f"Unsupported charset {charset!r}: send the query as UTF-8.")
            return params, body.decode("utf-8")
        raise ProtocolError(
            415, f"Unsupported Content-Type {media or '(none)'!r}: send {FORM} with a 'query' "
                 f"field, or {SPARQL_QUERY} with the query as the body.")


def ahead_of_routing(app, operation: QueryOperation):
    """ASGI middleware: /sparql queries go to `operation`, everything else to `app`."""

    async def dispatch(scope, receive, send):
        if scope["type"] == "http" and scope["path"].removeprefix(scope.get("root_path", "")) == PATH \
                and operation.takes(scope):
            await operation(scope, receive, send)
        else:
            await app(scope, receive, send)

    return dispatch


class Delegated(Response):
    """What FastAPI's /sparql routes return: the query operation answers the request itself."""

    def __init__(self, operation: QueryOperation):
        self.operation, self.background, self.raw_headers = operation, None, []

    async def __call__(self, scope, receive, send) -> None:
        await self.operation(scope, receive, send)


async def stream(body, receive, send) -> None:
    """Send a streamed answer; stop it (and the engine's work) if the client goes away."""

    async def chunks():
        async for chunk in body:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    async def disconnected():
        while (await receive())["type"] != "http.disconnect":
            pass

    sending, watching = asyncio.ensure_future(chunks()), asyncio.ensure_future(disconnected())
    try:
        await asyncio.wait((sending, watching), return_when=asyncio.FIRST_COMPLETED)
    finally:
        watching.cancel()
        if not sending.done():  # the client went away (or this request was cancelled)
            sending.cancel()
            await body.aclose()
    if sending.done() and not sending.cancelled():
        sending.result()  # an error while sending is the server's error, not a silent cut


async def send_error(scope, receive, send, err: ProtocolError) -> None:
    response = error_response(err)
    if scope["method"] == "HEAD":
        response = await without_body(response)
    await response(scope, receive, send)


def the_query(params: dict[str, list[str]], body_query: str | None) -> str:
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


def guard(text: str, settings: Settings) -> QueryText:
    """Refuse, before any parser sees it, text that could crash, stall or make the engine fetch."""
    try:
        if len(text) <= REMEMBERED_TEXT:
            checked = inspected(text, settings.max_query_bytes)
        else:
            checked = inspect(text, Limits(max_bytes=settings.max_query_bytes))
    except QueryRejected as err:
        raise ProtocolError(400, str(err)) from None  # naming the limit, the size limit too
    if checked.form == "UPDATE":
        raise ProtocolError(400, "This is an update: send it by POST to /update.")
    return checked


REMEMBERED_TEXT = 4096  # characters: longer texts are scanned every time, and never kept


@functools.lru_cache(maxsize=1024)
def inspected(text: str, max_bytes: int) -> QueryText:
    """The lexer's verdict on a short query text, kept for the 1,024 asked most lately.

    Clients repeat their queries (a dashboard, a page's own, a crawler), and the scan was a
    twentieth of the server's time on a point query. The verdict depends on the text and
    the limits alone; a refused text raises, so it is not kept and is scanned again.
    """
    return inspect(text, Limits(max_bytes=max_bytes))


def form_fields(body: bytes) -> dict[str, list[str]]:
    """A form body's fields (not to be changed: a short body's are shared by the requests that send it).

    Those of a short body are kept for the 1,024 sent most lately: decoding one was a twentieth
    of the server's time on a point query, and clients send the same forms again (as
    `inspected`). A body that is not UTF-8 raises, and is not kept.
    """
    if len(body) <= REMEMBERED_TEXT:
        return remembered_form(body)
    return parsed_form(body)


def parsed_form(body: bytes) -> dict[str, list[str]]:
    return parse_qs(body.decode("utf-8"), keep_blank_values=True)


remembered_form = functools.lru_cache(maxsize=1024)(parsed_form)


async def receive_body(receive, declared: str, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it passes the limit."""
    if declared.isdigit() and int(declared) > limit:
        raise ProtocolError(413, f"The request body is larger than the limit of {limit} bytes.")
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise ProtocolError(413, f"The request body is larger than the limit of {limit} bytes.")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def read_body(request, limit: int) -> bytes:
    """receive_body for a FastAPI route's request."""
    return await receive_body(request.receive, request.headers.get("content-length", ""), limit)


def merge(*groups: dict[str, list[str]]) -> dict[str, list[str]]:
    """Parameters from the URL and a form body together: a name given in both counts twice."""
    merged: dict[str, list[str]] = {}
    for group in groups:
        for key, values in group.items():
            merged.setdefault(key, []).extend(values)
    return merged


def query_parameters(scope) -> dict[str, list[str]]:
    try:
        return parse_qs(scope["query_string"].decode(), keep_blank_values=True)  # (as Starlette reads it)
    except UnicodeDecodeError:
        raise ProtocolError(400, "The URL's query string is not valid UTF-8: percent-encode it.") from None


def header(scope, name: bytes) -> str:
    """One request header's value ('' if absent; the first, if repeated)."""
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return ""


def charset_of(parameters: str) -> str:
    for param in parameters.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return "utf-8"


def content_type(media_type: str) -> str:
    """As Starlette writes it: a text type says its charset."""
    if media_type.startswith("text/") and "charset=" not in media_type.lower():
        return media_type + "; charset=utf-8"
    return media_type
