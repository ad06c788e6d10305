"""The application factory: explicit settings, no work at import time."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi_offline import FastAPIOffline

from .. import __version__
from ..engine import EngineConfig, EngineStartError, EngineSupervisor
from ..paths import default_data_dir
from ..formats import GRAPH, prefers_html
from ..remote import remote_store
from ..settings import Settings
from . import internal
from .bibliography import bibliography_router
from .browse import browse_router
from .dataset import dataset_router
from .editor import mount_assets
from .errors import ProtocolError, error_response
from .home import home_router
from .cors import cors
from .observability import AccessLog, Metrics, Observe, install
from .ontology import ontology_router
from .pictures import pictures_router
from .resource import not_found_page, resource_router
from .search import SearchIndex, search_router
from .conditional import conditional
from .query_operation import QueryOperation, ahead_of_routing
from .head import without_body
from .sparql import sparql_router
from .update import update_router
from .validation import SourceCache, validation_router
from .watch import watch


API_STATIC = "/static-api"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the query engine process starts with the app and stops with it."""
    settings = settings or Settings()
    engine = remote_store(settings) if settings.store_url else EngineSupervisor(
        EngineConfig(store_path=str(settings.store) if settings.store else None,
                     updates=bool(settings.update_token), materialise_limit=settings.materialise_limit),
        timeout=settings.query_timeout,
        max_active=settings.max_active_queries,
        max_waiting=settings.max_queued_queries,
        queue_timeout=settings.queue_timeout,
        min_free_disk=settings.min_free_disk_mb << 20,
    )

    cache = SourceCache()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        try:
            await engine.start()
        except EngineStartError as err:  # `gmg serve` prints the reason and exits
            app.state.start_error = str(err)
            raise
        watcher = asyncio.create_task(watch(app, engine, cache)) if settings.watch else None
        try:
            yield
        finally:
            if watcher is not None:
                watcher.cancel()
            await engine.stop()

    # Swagger UI's files come installed with fastapi-offline (served at /static-api), not from a CDN
    app = FastAPIOffline(title="gmg", version=__version__, docs_url=None, redoc_url=None, lifespan=lifespan,
                         static_url=API_STATIC)
    app.state.settings = settings
    app.state.engine = engine
    app.state.start_error = None  # why the engine could not start, if it could not
    app.state.build_errors = []  # set by --watch when changed sources cannot be served
    app.include_router(home_router(app, engine))
    operation = QueryOperation(settings, engine)
    app.include_router(sparql_router(settings, engine, operation))
    app.include_router(validation_router(settings, cache))
    app.include_router(ontology_router(settings, cache))
    app.include_router(update_router(settings, engine))
    app.include_router(search_router(settings, engine, SearchIndex(engine, settings)))
    app.include_router(browse_router(settings, engine))  # /id/ before /id/{name}
    app.include_router(resource_router(settings, engine))
    app.include_router(dataset_router(settings, engine))
    app.include_router(bibliography_router(settings, engine))
    app.include_router(pictures_router(settings, engine))
    mount_assets(app)
    app.state.operation = operation
    app.state.metrics = Metrics(engine)
    install(app, app.state.metrics)

    @app.exception_handler(StarletteHTTPException)
    async def not_found(request: Request, exc: StarletteHTTPException) -> Response:
        """A browser lost on the site gets a page with the search box; others the usual answer."""
        if exc.status_code == 404 and prefers_html(request.headers.get("accept"), GRAPH):
            return HTMLResponse(not_found_page(request.url.path.strip("/"), f"Nothing is served at {request.url.path}."),
                                status_code=404)
        return await http_exception_handler(request, exc)

    @app.api_route("/api", methods=["GET", "HEAD"], include_in_schema=False)
    async def api(request: Request) -> Response:
        """Every route with its parameters (Swagger UI over /openapi.json); no online validator."""
        response = get_swagger_ui_html(openapi_url="/openapi.json", title="gmg — HTTP API",
                                       swagger_js_url=f"{API_STATIC}/swagger-ui-bundle.js",
                                       swagger_css_url=f"{API_STATIC}/swagger-ui.css",
                                       swagger_favicon_url=f"{API_STATIC}/favicon.png",
                                       swagger_ui_parameters={"validatorUrl": None})
        return await without_body(response) if request.method == "HEAD" else response

    @app.api_route("/health", methods=["GET", "HEAD"])
    async def health(request: Request) -> Response:
        try:
            info = await internal.engine_info(engine)
            if engine.write_failing():  # has its cause gone? then the next update would succeed
                await engine.recover()
                info = engine.info
        except ProtocolError as err:  # a health check must say so, not crash
            return JSONResponse({"status": "engine unavailable", "reason": err.message,
                                 "build_errors": app.state.build_errors}, status_code=503, headers=err.headers)
        problems = health_problems(engine, info, settings)
        response = JSONResponse({
            "status": "degraded" if problems else "ok", "triples": info["triples"], "version": __version__,
            "store": info.get("store") or {"kind": "embedded", "folder": str(settings.store or "(in memory)")},
            **({"reasons": problems} if problems else {}),
            "data": default_data_dir().describe(),  # which source files this server reads
            "engine": {"pid": info["pid"], "restarts": engine.stats.restarts,
                       "timeouts": engine.stats.timeouts, "retried": engine.stats.retried,
                       "cancelled": engine.stats.cancelled},
            "updates": {"enabled": bool(settings.update_token), "journal": len(engine.journal),
                        "journal_state": "write failing" if engine.journal.write_error else "ok",
                        "store_state": "write failing" if engine.store_error or info.get("store_fault") else "ok",
                        "last_acknowledged": engine.journal.last_seq,
                        "last_applied": info.get("applied_sequence", 0),
                        "torn_bytes_dropped_at_start": engine.journal.dropped_torn_bytes,
                        "recovery_at_start": info.get("recovery", {})},
            # journal entries that no longer pass the shapes after the sources changed
            "journal_problems": info.get("journal_problems", []),
            # --watch: why the changed source files are not served (the last good build is)
            "build_errors": app.state.build_errors,
        })
        return await without_body(response) if request.method == "HEAD" else response

    return app


def served(app: FastAPI):
    """The ASGI app to serve: `app` inside the layers every request goes through.

    Outermost first: the access log and metrics (they see every answer, the 414 too), the
    CORS headers (on every answer, errors included), the URL limit, ETags and 304s, and
    the query operation, which answers /sparql queries before FastAPI's routing (and its
    own layers: its exception handlers, body limit and telemetry). These layers sit outside
    FastAPI rather than in its middleware list so that a query passes through no layer
    it does not need: on a one-resource query each layer is a few per cent of the work.
    """
    state = app.state
    inner = ahead_of_routing(app, operation=state.operation)
    inner = conditional(inner, engine=state.engine)
    inner = RefuseLongUrls(inner, limit=url_length_limit(state.settings))
    return Observe(cors(inner), state.metrics, AccessLog())


def health_problems(engine: EngineSupervisor, info: dict, settings: Settings) -> list[str]:
    """Why some requests would fail although queries are answered (empty: all is well).

    The disk is looked at now (full, read-only, not writable); a failed journal or
    store write is reported while its cause lasts (EngineSupervisor.recover looks).
    """
    problems = []
    problem = engine.write_problem() if settings.update_token else None
    if problem is not None:
        problems.append(f"updates are refused: {problem[1]}")
    if engine.journal.write_error:
        problems.append(f"updates are failing: the journal cannot be written ({engine.journal.write_error})")
    fault = engine.store_error or info.get("store_fault")
    if fault:
        problems.append(f"updates are failing: the store cannot be written ({fault}); queries are answered "
                        "from it as it is")
    return problems


def url_length_limit(settings: Settings) -> int:
    """A query at the size limit still fits in a GET URL once percent-encoded (x3)."""
    return 3 * settings.max_query_bytes + 4096


class RefuseLongUrls:
    """414 before routing for a URL past the limit (pure ASGI middleware: no per-request task group)."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            length = len(scope.get("raw_path", b"")) + len(scope.get("query_string", b""))
            if length > self.limit:
                response = error_response(ProtocolError(
                    414, f"The URL is longer than {self.limit} bytes: send long queries by POST "
                         "(application/sparql-query or a form)."))
                return await response(scope, receive, send)
        await self.app(scope, receive, send)
