"""CORS for a public endpoint: every origin may read, never with credentials.

Every answer carries `Access-Control-Allow-Origin: *`, whether or not the request named
an origin, so no answer varies by origin (no `Vary: Origin`: a cache keeps one copy for
every site). A preflight (OPTIONS with Origin and Access-Control-Request-Method) is
answered here: 200 naming the methods and headers allowed, or 400 saying which part of
the request is not. Pure ASGI with its header lines made once (Starlette's
CORSMiddleware parses the request's headers and rebuilds the answer's on every request:
a twentieth of the server's time on a point query).
"""

from __future__ import annotations

ALLOW_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS")
# beside those the Fetch standard lets any request send (its CORS-safelisted request headers)
ALLOW_HEADERS = ("Accept", "Accept-Language", "Authorization", "Content-Language", "Content-Type")
EXPOSE_HEADERS = ("Gmg-Results-Truncated", "Gmg-Results-Limit", "Retry-After", "ETag")
MAX_AGE = 600  # seconds a browser may keep a preflight's answer

ANSWER_HEADERS = [(b"access-control-allow-origin", b"*"),
                  (b"access-control-expose-headers", ", ".join(EXPOSE_HEADERS).encode())]
PREFLIGHT_HEADERS = [(b"access-control-allow-origin", b"*"),
                     (b"access-control-allow-methods", ", ".join(ALLOW_METHODS).encode()),
                     (b"access-control-allow-headers", ", ".join(ALLOW_HEADERS).encode()),
                     (b"access-control-max-age", str(MAX_AGE).encode())]


def cors(app):
    """ASGI middleware: the CORS headers on every answer, and preflights answered."""

    async def answer(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        if scope["method"] == "OPTIONS":
            request = dict(scope["headers"])  # (a preflight is rare: the headers by name)
            if b"origin" in request and b"access-control-request-method" in request:
                return await preflight(request, send)

        async def with_cors(message):
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *ANSWER_HEADERS]
            await send(message)

        await app(scope, receive, with_cors)

    return answer


async def preflight(request: dict[bytes, bytes], send) -> None:
    failures = refused(request[b"access-control-request-method"].decode("latin-1"),
                       request.get(b"access-control-request-headers", b"").decode("latin-1"))
    body = f"Disallowed CORS {', '.join(failures)}".encode() if failures else b"OK"
    headers = [*PREFLIGHT_HEADERS, (b"content-type", b"text/plain; charset=utf-8"),
               (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 400 if failures else 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def refused(method: str, headers: str) -> list[str]:
    """What a preflight asks for that is not allowed ("method", "headers"); empty if nothing."""
    failures = []
    if method not in ALLOW_METHODS:
        failures.append("method")
    allowed = {name.lower() for name in ALLOW_HEADERS}
    if any(name.strip().lower() not in allowed for name in headers.split(",") if name.strip()):
        failures.append("headers")
    return failures
