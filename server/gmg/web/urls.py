"""The URL clients reach the server at, for links the server writes into its answers."""

from __future__ import annotations

from fastapi import Request

from ..settings import Settings


def public_root(settings: Settings, request: Request) -> str:
    """--public-url (given as the root or as its /sparql endpoint), else the request's root; no trailing slash."""
    if settings.public_url:
        root = settings.public_url.rstrip("/")
        return root.removesuffix("/sparql")
    return str(request.base_url).rstrip("/")
