"""The application factory: explicit settings, no work at import time."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from .. import __version__
from ..build import open_store
from ..paths import DataDir
from ..settings import Settings
from ..store import GraphStore
from .sparql import sparql_router


def create_app(settings: Settings | None = None, store: GraphStore | None = None,
               data: DataDir | None = None) -> FastAPI:
    """Build the app; loads the store from the sources unless one is given."""
    settings = settings or Settings()
    store = store if store is not None else open_store(data, settings.store)
    app = FastAPI(title="gmg", version=__version__, docs_url="/api", redoc_url=None)
    app.state.settings = settings
    app.state.store = store
    app.include_router(sparql_router(settings, store))

    @app.get("/health")
    def health() -> JSONResponse:
        return JSONResponse({"status": "ok", "triples": len(store), "version": __version__})

    return app
