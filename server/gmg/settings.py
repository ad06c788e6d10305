"""Server settings: one typed table that is also the documentation (flags, env vars, defaults)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

from .iris import BASE

MATERIALISE_LIMIT = 2_000_000  # quads: above it the query default graph is not copied into memory


def setting(default, help: str, env: str | None = None, flag: str | None = None):
    return field(default=default, metadata={"help": help, "env": env, "flag": flag})


@dataclass
class Settings:
    host: str = setting("127.0.0.1", "Interface to listen on.", "GMG_HOST", "--host")
    port: int = setting(8000, "TCP port to listen on.", "GMG_PORT", "--port")
    store: Path | None = setting(
        None, "Keep the store on disk in this folder (default: in memory).", "GMG_STORE", "--store")
    base_iri: str = setting(
        BASE, "Base of the published IRIs; relative IRIs in queries resolve against it.",
        "GMG_BASE_IRI", "--base-iri")
    public_url: str | None = setting(
        None, "The URL clients use to reach the server, when behind a proxy.", "GMG_PUBLIC_URL", "--public-url")
    max_query_bytes: int = setting(
        256 * 1024, "Largest accepted query text, in bytes.", "GMG_MAX_QUERY_BYTES", "--max-query-bytes")
    max_body_bytes: int = setting(
        1024 * 1024, "Largest accepted request body (query, update, upload), in bytes.",
        "GMG_MAX_BODY_BYTES", "--max-body-bytes")
    query_timeout: float = setting(
        10.0, "Time limit of one query, in seconds; a query past it is stopped with 503.",
        "GMG_QUERY_TIMEOUT", "--query-timeout")
    max_rows: int = setting(
        100_000, "Most rows a SELECT answer carries, announced in the header Gmg-Results-Limit; a longer "
        "answer stops there (marked Gmg-Results-Truncated: true when that is known before its first byte).",
        "GMG_MAX_ROWS", "--max-rows")

    materialise_limit: int = setting(
        MATERIALISE_LIMIT, "Keep the default graph of queries materialised in memory as one graph (joins two to "
        "four times faster) for a store of at most this many quads; above it queries read the union of "
        "the graphs, since the copy would take minutes of CPU at every engine start (ten million quads: "
        "160 s and 4.7 GB). 0: never.", "GMG_MATERIALISE_LIMIT", "--materialise-limit")

    watch: bool = setting(
        False, "Rebuild when a file under ontology/, instances/ or shapes/ changes; if the new "
        "build fails to parse or validate, keep serving the last good one and show why.", "GMG_WATCH", "--watch")
    max_active_queries: int = setting(
        8, "Queries the engine works on at once; more wait in a queue.", "GMG_MAX_ACTIVE_QUERIES",
        "--max-active-queries")
    max_queued_queries: int = setting(
        64, "Queries that may wait for a turn; beyond that, or after waiting queue_timeout, "
        "a request gets 429 with Retry-After.", "GMG_MAX_QUEUED_QUERIES", "--max-queued-queries")
    queue_timeout: float = setting(
        5.0, "Longest wait in the queue, in seconds, before 429.", "GMG_QUEUE_TIMEOUT", "--queue-timeout")
    client_timeout: float = setting(
        10.0, "Seconds a connection may go without progress from its client (sending its request "
        "headers or body, or taking its answer) before it is closed; a slow but steady client is never cut.",
        "GMG_CLIENT_TIMEOUT", "--client-timeout")
    max_connections: int = setting(
        0, "Open connections at most; more are answered 503 at once and closed. "
        "0: 3/4 of the open-file limit less room for the engine and the store.",
        "GMG_MAX_CONNECTIONS", "--max-connections")
    min_free_disk_mb: int = setting(
        64, "With --store: updates are refused (507, not applied) while the store's disk has less than "
        "this many MiB free, so the store itself never finds the disk full; /health says so.",
        "GMG_MIN_FREE_DISK_MB", "--min-free-disk-mb")
    update_token: str | None = setting(
        None, "Enables SPARQL Update and the Graph Store Protocol for clients that send "
        "'Authorization: Bearer <token>'. Unset: the server is read-only.", "GMG_UPDATE_TOKEN", "--update-token")

    store_url: str | None = setting(
        None, "Serve a remote triple store instead of the embedded one: its SPARQL query endpoint "
        "(e.g. http://HOST:7878/query for the Oxigraph server, http://HOST:8890/sparql for Virtuoso); "
        "publish the graphs into it first with gmg publish.", "GMG_STORE_URL", "--store-url")
    update_url: str | None = setting(
        None, "With --store-url: the store's SPARQL update endpoint (derived for Oxigraph and Virtuoso).",
        "GMG_UPDATE_URL", "--update-url")
    graph_store_url: str | None = setting(
        None, "With --store-url: the store's Graph Store Protocol endpoint (derived for Oxigraph and Virtuoso).",
        "GMG_GRAPH_STORE_URL", "--graph-store-url")
    store_credentials: Path | None = setting(
        None, "With --store-url: a file of NAME=value lines giving the store's credentials (GMG_STORE_AUTH: "
        "basic, digest or bearer; GMG_STORE_USER, GMG_STORE_PASSWORD, GMG_STORE_TOKEN); those environment "
        "variables work too. Never on the command line.", "GMG_STORE_CREDENTIALS", "--store-credentials")

    SECRETS = ("update_token",)

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        """Defaults, then environment variables, then explicit overrides (CLI flags)."""
        values = {}
        for f in fields(cls):
            env = f.metadata.get("env")
            if env and env in os.environ:
                values[f.name] = _convert(f, os.environ[env])
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def describe(self) -> str:
        """One line per setting, printed at start."""
        def shown(name):
            value = getattr(self, name)
            return "'***'" if name in self.SECRETS and value else repr(value)

        return "\n".join(f"  {f.name} = {shown(f.name)}" for f in fields(self))


def _convert(f, raw: str):
    if f.type in ("int", int):
        return int(raw)
    if f.type in ("float", float):
        return float(raw)
    if f.type in ("bool", bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if "Path" in str(f.type):
        return Path(raw)
    return raw
