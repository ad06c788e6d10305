"""The web layer: a thin FastAPI shell over the store and the query runner."""

from .app import create_app

__all__ = ["create_app"]
