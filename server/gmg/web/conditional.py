"""Conditional GET: an ETag on answers that depend only on the data and the request, and 304s.

A query answer (GET /sparql) and a resource's description (GET /id/…) are functions
of the data, the URL and the Accept header. Their ETag is a hash of those and of the
engine's data tag, which changes when an update begins and when it ends, when an
engine is replaced and at every start (EngineSupervisor.data_tag). A GET or HEAD whose
If-None-Match names the current ETag is answered 304 without asking the engine, so a
browser, a crawler or a caching proxy revalidates for the price of a header. The tags
are weak (W/"…"): the same data rebuilt may name its blank nodes otherwise.

No ETag where the answer is not the data's alone: a query that calls NOW, RAND, UUID,
STRUUID or BNODE (whose answers change by themselves; the test is on the text, so a
string that merely mentions one also goes without), and a remote store, which other
replicas may write (its data tag is None). Answers carry `Cache-Control: no-cache`:
a cache may keep them, but must ask again before it reuses one.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import unquote_plus

from .query_operation import header

VOLATILE = re.compile(r"\b(NOW|RAND|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)
NO_CACHE = (b"cache-control", b"no-cache")


def conditional(app, engine):
    """ASGI middleware: ETags on the data's answers, 304 for a client that holds the current one."""

    async def answer(scope, receive, send):
        etag = _etag(scope, engine) if scope["type"] == "http" else None
        if etag is None:
            return await app(scope, receive, send)
        if _matches(header(scope, b"if-none-match"), etag):
            await send({"type": "http.response.start", "status": 304,
                        "headers": [(b"etag", etag), (b"vary", b"Accept"), NO_CACHE]})
            await send({"type": "http.response.body", "body": b""})
            return

        async def tagged(message):
            if message["type"] == "http.response.start" and message["status"] == 200:
                message = {**message, "headers": [*message["headers"], (b"etag", etag), NO_CACHE]}
            await send(message)

        await app(scope, receive, tagged)

    return answer


def _etag(scope, engine) -> bytes | None:
    """The ETag of the answer this request would get now, or None where it gets none."""
    if scope["method"] not in ("GET", "HEAD"):
        return None
    path = scope["path"].removeprefix(scope.get("root_path", ""))
    if not (path == "/sparql" or path.startswith("/id/")):  # (the data's answers; not /health, not the site's pages)
        return None
    tag = engine.data_tag()
    query = scope["query_string"]
    if tag is None or VOLATILE.search(unquote_plus(query.decode("latin-1"))):
        return None
    named = b"\0".join((tag.encode(), path.encode("utf-8", "surrogateescape"), query, header(scope, b"accept").encode()))
    return b'W/"' + hashlib.sha256(named).hexdigest()[:24].encode() + b'"'


def _matches(if_none_match: str, etag: bytes) -> bool:
    """Whether If-None-Match names the ETag (weak comparison, as RFC 9110 has it for this header)."""
    if not if_none_match:
        return False
    wanted = etag.decode().removeprefix("W/")
    return any(tag.strip() == "*" or tag.strip().removeprefix("W/") == wanted for tag in if_none_match.split(","))

