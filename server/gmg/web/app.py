"""The application factory: explicit settings, no work at import time."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from .. import __version__
from ..engine import EngineConfig, EngineSupervisor
from ..settings import Settings
from .sparql import sparql_router


def create_app(settings: Settings | None = None, data_root: str | None = None) -> FastAPI:
    """Build the app; the query engine process starts with the app and stops with it."""
    settings = settings or Settings()
    engine = EngineSupervisor(
        EngineConfig(store_path=str(settings.store) if settings.store else None, data_root=data_root),
        timeout=settings.query_timeout,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await engine.start()
        try:
            yield
        finally:
            await engine.stop()

    app = FastAPI(title="gmg", version=__version__, docs_url="/api", redoc_url=None, lifespan=lifespan)
    app.state.settings = settings
    app.state.engine = engine
    app.include_router(sparql_router(settings, engine))

    @app.get("/health")
    async def health() -> JSONResponse:
        info = await engine.engine_info()
        return JSONResponse({
            "status": "ok", "triples": info["triples"], "version": __version__,
            "engine": {"pid": info["pid"], "restarts": engine.stats.restarts,
                       "timeouts": engine.stats.timeouts, "retried": engine.stats.retried},
        })

    return app
