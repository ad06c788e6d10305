"""Operations: a structured access log and Prometheus metrics (one registry per app)."""

from __future__ import annotations

import asyncio
import bisect
import itertools
import sys
import time
from json.encoder import encode_basestring_ascii as quoted  # (C: json.dumps's own, ASCII)

from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily
from prometheus_client.utils import floatToGoString

from .head import without_body


class Metrics:
    """The server's measures in Prometheus's format, in one registry per app.

    The request measures are plain counts kept here and read by a collector when /metrics
    is asked (prometheus_client's Counter and Histogram take a lock for every count: a
    tenth of the server's time on a point query). They are written and read on the event
    loop alone, so they need none.
    """

    def __init__(self, engine):
        self.registry = CollectorRegistry()
        self.requests: dict[tuple[str, str, str], int] = {}  # (route, method, status) → count
        self.durations: dict[tuple[str, str], _Histogram] = {}  # (route, status)
        self.queries: dict[str, _Histogram] = {}  # query form
        self.registry.register(_Collector(self))
        restarts = Gauge("gmg_engine_restarts", "Query engine replacements since start.", registry=self.registry)
        restarts.set_function(lambda: engine.stats.restarts)
        timeouts = Gauge("gmg_query_timeouts", "Queries stopped at the time limit since start.", registry=self.registry)
        timeouts.set_function(lambda: engine.stats.timeouts)
        self._kinds: dict[tuple, tuple] = {}

    def observe(self, route: str, method: str, status: int, form: str | None, elapsed: float) -> None:
        key = (route, method, status, form)
        kind = self._kinds.get(key)
        if kind is None:  # (the labels as text and the histograms: once per kind of answer)
            kind = self._kinds[key] = (
                (route, method, str(status)), self.durations.setdefault((route, str(status)), _Histogram()),
                self.queries.setdefault(form, _Histogram()) if form else None)
        counted, duration, query = kind
        self.requests[counted] = self.requests.get(counted, 0) + 1
        duration.observe(elapsed)
        if query is not None:
            query.observe(elapsed)

    def render(self) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


BOUNDS = Histogram.DEFAULT_BUCKETS[:-1]  # seconds; and +Inf
BUCKET_LABELS = [floatToGoString(b) for b in BOUNDS] + ["+Inf"]  # (their `le` labels)


class _Histogram:
    """A histogram's counts per bucket (not cumulative) and the sum of what it saw."""

    __slots__ = ("counts", "sum")

    def __init__(self):
        self.counts = [0] * (len(BOUNDS) + 1)
        self.sum = 0.0

    def observe(self, value: float) -> None:
        self.counts[bisect.bisect_left(BOUNDS, value)] += 1  # (a value on a bound is in its bucket: le)
        self.sum += value

    def buckets(self) -> list[tuple[str, int]]:
        return list(zip(BUCKET_LABELS, itertools.accumulate(self.counts)))


class _Collector:
    """The request measures as prometheus_client's metric families, made when /metrics is asked."""

    def __init__(self, metrics: Metrics):
        self.metrics = metrics

    def collect(self):
        requests = CounterMetricFamily("gmg_http_requests", "HTTP requests by route, method and status.",
                                       labels=["route", "method", "status"])
        for labels, count in list(self.metrics.requests.items()):
            requests.add_metric(labels, count)
        yield requests
        yield self._histograms("gmg_http_request_duration_seconds", "Time to the response head, by route and status.",
                               ["route", "status"], self.metrics.durations)
        yield self._histograms("gmg_query_duration_seconds", "Time to the answer head, by query form.",
                               ["form"], {(form,): h for form, h in self.metrics.queries.items()})

    @staticmethod
    def _histograms(name: str, documentation: str, labels: list[str], histograms: dict) -> HistogramMetricFamily:
        family = HistogramMetricFamily(name, documentation, labels=labels)
        for values, histogram in list(histograms.items()):
            family.add_metric(list(values), histogram.buckets(), histogram.sum)
        return family


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
