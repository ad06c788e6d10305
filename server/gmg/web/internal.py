"""Queries the web layer itself sends to the engine (resource pages, dataset descriptions).

They go through the same supervised engine as clients' queries, so the time limit
and the queue apply, and engine errors become the same HTTP answers.
"""

from __future__ import annotations

import asyncio
import json
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from ..engine import EngineBusy, EngineFailure, EngineSupervisor
from ..engine.supervisor import Answer
from ..query import QueryRequest
from ..settings import Settings
from .errors import ENGINE_ERRORS, RETRY_AFTER, ProtocolError, engine_error

JSON = "application/sparql-results+json"


@dataclass
class Tally:
    """The queries a page cost: how many, and the seconds from sending each to its last byte."""

    queries: int = 0
    seconds: float = 0.0

    def header(self, total: float | None = None) -> str:
        """A Server-Timing header value (durations in milliseconds)."""
        value = f'sparql;desc="{self.queries} queries";dur={self.seconds * 1000:.1f}'
        return value + (f", total;dur={total * 1000:.1f}" if total is not None else "")


_tally: ContextVar[Tally | None] = ContextVar("gmg_query_tally", default=None)


@contextmanager
def tally():
    """Count the queries `results` runs inside the block (tasks it starts included)."""
    counter = Tally()
    token = _tally.set(counter)
    try:
        yield counter
    finally:
        _tally.reset(token)


# What the site derives from the whole data (the search index, the reading order, the pictures)
# reads its queries' answers whole: the row cap is for clients' answers and for the pages one
# request builds. Still a bound, against a runaway.
WHOLE_MAX_ROWS = 50_000_000
_whole: ContextVar[bool] = ContextVar("gmg_internal_whole", default=False)


async def run(engine: EngineSupervisor, settings: Settings, text: str, accept: str = JSON,
              fmt: str | None = None) -> Answer:
    request = QueryRequest(text=text, base_iri=settings.base_iri, accept=accept, format=fmt,
                           max_rows=WHOLE_MAX_ROWS if _whole.get() else settings.max_rows)
    try:
        return await engine.query(request)
    except ENGINE_ERRORS as err:
        raise engine_error(err) from None


async def results(engine: EngineSupervisor, settings: Settings, text: str) -> dict:
    """The SPARQL JSON results of a SELECT or ASK, read whole."""
    started = time.perf_counter()
    answer = await run(engine, settings, text)
    try:
        body = b"".join([chunk async for chunk in answer.body])
    except ENGINE_ERRORS as err:  # cut short: the engine was replaced under it
        raise engine_error(err) from None
    counter = _tally.get()
    if counter is not None:
        counter.queries += 1
        counter.seconds += time.perf_counter() - started
    return json.loads(body)


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


class PerDataVersion:
    """What the web layer derives from the served data (the search index, the dump files, the
    reading order, the pictures …), made by `make` once per data version and shared meanwhile."""

    def __init__(self, engine: EngineSupervisor, make):
        self.engine, self.make = engine, make
        self._value, self._key = None, None
        self._lock = asyncio.Lock()

    async def get(self):
        try:
            await self.engine.look_for_changes()  # (a remote store: changes made through other replicas)
        except ENGINE_ERRORS:
            pass  # (a store that does not answer: the route's own queries say so)
        async with self._lock:
            key = data_version(self.engine)
            if key != self._key:
                token = _whole.set(True)  # (what is made from the whole data reads it whole)
                try:
                    self._value, self._key = await self.make(), key
                finally:
                    _whole.reset(token)
            return self._value
