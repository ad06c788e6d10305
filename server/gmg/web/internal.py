"""Queries the web layer itself sends to the engine (resource pages, dataset descriptions).

They go through the same supervised engine as clients' queries, so the time limit
and the queue apply, and engine errors become the same HTTP answers.
"""

from __future__ import annotations

import json

from ..engine import EngineBusy, EngineFailure, EngineSupervisor
from ..engine.supervisor import Answer
from ..query import QueryRequest
from ..settings import Settings
from .errors import ENGINE_ERRORS, RETRY_AFTER, ProtocolError, engine_error

JSON = "application/sparql-results+json"


async def run(engine: EngineSupervisor, settings: Settings, text: str, accept: str = JSON,
              fmt: str | None = None) -> Answer:
    request = QueryRequest(text=text, base_iri=settings.base_iri, accept=accept, format=fmt,
                           max_rows=settings.max_rows)
    try:
        return await engine.query(request)
    except ENGINE_ERRORS as err:
        raise engine_error(err) from None


async def results(engine: EngineSupervisor, settings: Settings, text: str) -> dict:
    """The SPARQL JSON results of a SELECT or ASK, read whole."""
    answer = await run(engine, settings, text)
    try:
        return json.loads(b"".join([chunk async for chunk in answer.body]))
    except ENGINE_ERRORS as err:  # cut short: the engine was replaced under it
        raise engine_error(err) from None


async def rows(engine: EngineSupervisor, settings: Settings, text: str) -> list[dict]:
    return (await results(engine, settings, text))["results"]["bindings"]


async def engine_info(engine: EngineSupervisor) -> dict:
    """The engine's facts (triples, named graphs), or 503 when no engine answers."""
    try:
        return await engine.engine_info()
    except (EngineBusy, EngineFailure) as err:
        raise ProtocolError(503, f"{err} Retry in a few seconds.", {"Retry-After": RETRY_AFTER}) from None


def data_version(engine: EngineSupervisor) -> tuple[int, int]:
    """Changes whenever the served data may have: a new engine (restart, reloaded sources) or an
    acknowledged update (the journal grows). Caches of what the web layer derives from the data
    (the search index, the dump files) are keyed by it."""
    return engine.stats.restarts, len(engine.journal)
