"""Operations: a structured access log and Prometheus metrics (one registry per app)."""

from __future__ import annotations

import json
import logging
import time

from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from .head import without_body

access_log = logging.getLogger("gmg.access")


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

    def render(self) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


def install(app: FastAPI, metrics: Metrics) -> None:
    """Time every request, count it, and write one JSON access-log line."""
    app.add_middleware(Observe, metrics=metrics)

    @app.api_route("/metrics", methods=["GET", "HEAD"], include_in_schema=False)
    async def metrics_endpoint(request: Request) -> Response:
        response = metrics.render()
        return await without_body(response) if request.method == "HEAD" else response


class Observe:
    """Pure ASGI middleware (Starlette's BaseHTTPMiddleware costs a task group and a
    re-streamed body per request): the measures are taken when the response head goes out."""

    def __init__(self, app, metrics: Metrics):
        self.app, self.metrics = app, metrics

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
        self.metrics.requests.labels(route, scope["method"], str(status)).inc()
        self.metrics.durations.labels(route, str(status)).observe(elapsed)
        if form:
            self.metrics.queries.labels(form).observe(elapsed)
        access_log.info(json.dumps({
            "method": scope["method"], "path": scope["path"], "status": status,
            "duration_ms": round(elapsed * 1000, 1), "query_form": form, "query_hash": state.get("query_hash"),
        }))
