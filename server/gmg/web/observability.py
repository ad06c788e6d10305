"""Operations: a structured access log and Prometheus metrics (one registry per app)."""

from __future__ import annotations

import asyncio
import sys
import time
from json.encoder import encode_basestring_ascii as quoted  # (C: json.dumps's own, ASCII)

from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from .head import without_body


class Metrics:
    def __init__(self, engine):
        self.registry = CollectorRegistry()
        self.requests = Counter("gmg_http_requests", "HTTP requests by route, method and status.",
                                ["route", "method", "status"], registry=self.registry)
        self.durations = Histogram("gmg_http_request_duration_seconds",
                                   "Time to the response head, by route and status.",
                                   ["route", "status"], registry=self.registry)
        self.queries = Histogram("gmg_query_duration_seconds", "Time to the answer head, by query form.",
                                 ["form"], registry=self.registry)
        restarts = Gauge("gmg_engine_restarts", "Query engine replacements since start.", registry=self.registry)
        restarts.set_function(lambda: engine.stats.restarts)
        timeouts = Gauge("gmg_query_timeouts", "Queries stopped at the time limit since start.", registry=self.registry)
        timeouts.set_function(lambda: engine.stats.timeouts)
        self._children: dict[tuple, tuple] = {}

    def observe(self, route: str, method: str, status: int, form: str | None, elapsed: float) -> None:
        key = (route, method, status, form)
        children = self._children.get(key)
        if children is None:  # (labels() takes a lock and checks its arguments: once per kind of answer)
            children = self._children[key] = (
                self.requests.labels(route, method, str(status)), self.durations.labels(route, str(status)),
                self.queries.labels(form) if form else None)
        children[0].inc()
        children[1].observe(elapsed)
        if children[2] is not None:
            children[2].observe(elapsed)

    def render(self) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


class AccessLog:
    """One JSON line per answer on stderr, as `logging` would write it (time, name, level,
    message), but without a record and handlers per line (a tenth of the server's time on a
    point query): the lines of one turn of the event loop are written, and flushed, together."""

    PREFIX = " gmg.access INFO "

    def __init__(self):
        self._lines: list[str] = []
        self._second, self._stamp = -1, ""

    @staticmethod
    def record(method: str, path: str, status: int, duration_ms: float, form: str | None, query_hash: str | None) -> str:
        """The line's JSON object, as json.dumps writes it, put together directly (a third of the cost)."""
        def text(value):
            return "null" if value is None else quoted(value)
        return (f'{{"method": {quoted(method)}, "path": {quoted(path)}, "status": {status}, '
                f'"duration_ms": {duration_ms!r}, "query_form": {text(form)}, "query_hash": {text(query_hash)}}}')

    def write(self, record: str) -> None:
        now = time.time()
        second = int(now)
        if second != self._second:  # (the date and time change once a second; the milliseconds always)
            self._second, self._stamp = second, time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second))
        self._lines.append(f"{self._stamp},{int((now - second) * 1000):03d}{self.PREFIX}{record}\n")
        if len(self._lines) == 1:
            try:
                asyncio.get_running_loop().call_soon(self.flush)
            except RuntimeError:  # (no event loop: now)
                self.flush()

    def flush(self) -> None:
        lines, self._lines = self._lines, []
        try:
            sys.stderr.write("".join(lines))  # (looked up at each flush: a test harness may replace stderr)
            sys.stderr.flush()
        except (OSError, ValueError):  # stderr closed or gone: the log is lost, the answers are not
            pass


def install(app: FastAPI, metrics: Metrics) -> None:
    """The /metrics route (the measures are taken by `Observe`, around the whole app)."""

    @app.api_route("/metrics", methods=["GET", "HEAD"], include_in_schema=False)
    async def metrics_endpoint(request: Request) -> Response:
        response = metrics.render()
        return await without_body(response) if request.method == "HEAD" else response


class Observe:
    """Pure ASGI middleware (Starlette's BaseHTTPMiddleware costs a task group and a
    re-streamed body per request): the measures are taken when the response head goes out."""

    def __init__(self, app, metrics: Metrics, log: AccessLog):
        self.app, self.metrics, self.log = app, metrics, log

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()

        async def send_and_observe(message):
            if message["type"] == "http.response.start":
                self.observe(scope, message["status"], time.perf_counter() - started)
            await send(message)

        await self.app(scope, receive, send_and_observe)

    def observe(self, scope, status: int, elapsed: float) -> None:
        route = getattr(scope.get("route"), "path", "unmatched")
        state = scope.get("state") or {}
        form = state.get("query_form")
        self.metrics.observe(route, scope["method"], status, form, elapsed)
        self.log.write(AccessLog.record(scope["method"], scope["path"], status, round(elapsed * 1000, 1), form,
                                        state.get("query_hash")))
