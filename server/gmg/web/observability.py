"""Operations: a structured access log and Prometheus metrics (one registry per app)."""

from __future__ import annotations

import json
import logging
import time

from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

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

    @app.middleware("http")
    async def observe(request: Request, call_next):
        started = time.perf_counter()
        response = await call_next(request)
        elapsed = time.perf_counter() - started
        route = getattr(request.scope.get("route"), "path", "unmatched")
        metrics.requests.labels(route, request.method, str(response.status_code)).inc()
        metrics.durations.labels(route, str(response.status_code)).observe(elapsed)
        form = getattr(request.state, "query_form", None)
        if form:
            metrics.queries.labels(form).observe(elapsed)
        access_log.info(json.dumps({
            "method": request.method, "path": request.url.path, "status": response.status_code,
            "duration_ms": round(elapsed * 1000, 1), "query_form": form,
            "query_hash": getattr(request.state, "query_hash", None),
        }))
        return response

    @app.get("/metrics", include_in_schema=False)
    async def metrics_endpoint() -> Response:
        return metrics.render()
