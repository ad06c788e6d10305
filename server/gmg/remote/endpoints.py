"""Where a remote triple store answers, and how gmg proves who it is.

A store has three URLs: the SPARQL query endpoint, the update endpoint and the
Graph Store Protocol endpoint. Only the query URL must be given; the others are
derived for the stores whose layout is known (the Oxigraph server's `/query`,
`/update`, `/store`; Virtuoso's `/sparql`, `/sparql-graph-crud`).

Credentials never go on the command line: they come from environment variables
or from a file of `NAME=value` lines with the same names (the file wins):

  GMG_STORE_AUTH      basic | digest | bearer (default: basic with a user, bearer with a token)
  GMG_STORE_USER      user name (Basic, Digest)
  GMG_STORE_PASSWORD  password (Basic, Digest)
  GMG_STORE_TOKEN     token (Bearer)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

CREDENTIAL_NAMES = ("GMG_STORE_AUTH", "GMG_STORE_USER", "GMG_STORE_PASSWORD", "GMG_STORE_TOKEN")
AUTH_KINDS = ("basic", "digest", "bearer")


class RemoteConfigError(ValueError):
    """The remote store's URLs or credentials are incomplete or malformed (a message to act on)."""


def _with_path(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _check_url(url: str, what: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RemoteConfigError(f"{what} must be an http:// or https:// URL, not {url!r}")
    return url


def derive(query_url: str, tail_from: str, tail_to: str) -> str | None:
    path = urlsplit(query_url).path
    if path.endswith(tail_from):
        return _with_path(query_url, path[: -len(tail_from)] + tail_to)
    return None


@dataclass(frozen=True)
class Endpoints:
    query: str
    update: str | None = None
    graph_store: str | None = None

    @classmethod
    def from_query_url(cls, query_url: str, update_url: str | None = None,
                       graph_store_url: str | None = None) -> "Endpoints":
        """The three URLs, derived from the query URL where the store's layout is known."""
        _check_url(query_url, "--store-url")
        update = update_url or derive(query_url, "/query", "/update") or derive(query_url, "/sparql", "/sparql")
        store = (graph_store_url or derive(query_url, "/query", "/store")
                 or derive(query_url, "/sparql", "/sparql-graph-crud"))
        return cls(query_url, update and _check_url(update, "--update-url"),
                   store and _check_url(store, "--graph-store-url"))

    @classmethod
    def from_graph_store_url(cls, graph_store_url: str, query_url: str | None = None) -> "Endpoints":
        """For `gmg publish --to`: the query URL (to count what arrived) derived from the graph store's."""
        _check_url(graph_store_url, "--to")
        query = (query_url or derive(graph_store_url, "/store", "/query")
                 or derive(graph_store_url, "/sparql-graph-crud-auth", "/sparql")
                 or derive(graph_store_url, "/sparql-graph-crud", "/sparql"))
        if query is None:
            raise RemoteConfigError(
                f"cannot tell the SPARQL query endpoint of {graph_store_url} (needed to count the triples "
                "that arrived): give it with --query-url")
        return cls(_check_url(query, "--query-url"), None, graph_store_url)


@dataclass(frozen=True)
class Credentials:
    kind: str | None = None  # None: no credentials
    user: str | None = None
    password: str | None = None
    token: str | None = None

    def auth(self) -> httpx.Auth | None:
        if self.kind == "basic":
            return httpx.BasicAuth(self.user or "", self.password or "")
        if self.kind == "digest":
            return httpx.DigestAuth(self.user or "", self.password or "")
        if self.kind == "bearer":
            return _Bearer(self.token or "")
        return None

    def describe(self) -> str:
        """For logs and /health: the kind and the user, never a secret."""
        if self.kind is None:
            return "none"
        return f"{self.kind}" + (f" as {self.user}" if self.user and self.kind != "bearer" else "")


class _Bearer(httpx.Auth):
    def __init__(self, token: str):
        self.token = token

    def auth_flow(self, request):
        request.headers["Authorization"] = f"Bearer {self.token}"
        yield request


def read_credentials(path: Path | None = None, environ: dict | None = None) -> Credentials:
    """Credentials from the environment, then the file (its values win); no credentials when neither has any."""
    environ = os.environ if environ is None else environ
    values = {name: environ[name] for name in CREDENTIAL_NAMES if environ.get(name)}
    if path is not None:
        values.update(_read_file(Path(path)))
    kind = (values.get("GMG_STORE_AUTH") or "").strip().lower() or None
    user, password, token = (values.get(n) for n in ("GMG_STORE_USER", "GMG_STORE_PASSWORD", "GMG_STORE_TOKEN"))
    if kind is None:
        kind = "bearer" if token else "basic" if user else None
    if kind is not None and kind not in AUTH_KINDS:
        raise RemoteConfigError(f"GMG_STORE_AUTH must be one of {', '.join(AUTH_KINDS)}, not {kind!r}")
    if kind in ("basic", "digest") and not user:
        raise RemoteConfigError(f"{kind} authentication needs GMG_STORE_USER (and GMG_STORE_PASSWORD)")
    if kind == "bearer" and not token:
        raise RemoteConfigError("bearer authentication needs GMG_STORE_TOKEN")
    return Credentials(kind, user, password, token)


def _read_file(path: Path) -> dict[str, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise RemoteConfigError(f"cannot read the credentials file {path}: {err.strerror}") from None
    values = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        name = name.strip()
        if not sep or name not in CREDENTIAL_NAMES:
            raise RemoteConfigError(f"{path}, line {number}: expected NAME=value with NAME one of "
                                    f"{', '.join(CREDENTIAL_NAMES)}")
        values[name] = value.strip()
    return values
