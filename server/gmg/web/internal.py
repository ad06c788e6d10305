"""Queries the web layer itself sends to the engine (resource pages, dataset descriptions).

They go through the same supervised engine as clients' queries, so the time limit
and the queue apply, and engine errors become the same HTTP answers.
"""

from __future__ import annotations

import asyncio
import json
import logging
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
log = logging.getLogger("gmg.web")


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
# What no caller waits for past its patience (PerDataVersion with patience: the search index,
# the dumps, the counts of /void and /id/, the pictures) may take longer than a client's query:
# it is made once per data version, in the background, from queries that are the site's own
BACKGROUND_TIME_LIMIT = 300.0
_time_limit: ContextVar[float | None] = ContextVar("gmg_internal_time_limit", default=None)


async def run(engine: EngineSupervisor, settings: Settings, text: str, accept: str = JSON,
              fmt: str | None = None) -> Answer:
    request = QueryRequest(text=text, base_iri=settings.base_iri, accept=accept, format=fmt,
                           max_rows=WHOLE_MAX_ROWS if _whole.get() else settings.max_rows)
    try:
        return await engine.query(request, _time_limit.get())
    except ENGINE_ERRORS as err:
        raise engine_error(err) from None


async def read(engine: EngineSupervisor, settings: Settings, text: str, accept: str = JSON) -> bytes:
    """The answer to a query, read whole."""
    started = time.perf_counter()
    answer = await run(engine, settings, text, accept)
    try:
        body = b"".join([chunk async for chunk in answer.body])
    except ENGINE_ERRORS as err:  # cut short: the engine was replaced under it
        raise engine_error(err) from None
    counter = _tally.get()
    if counter is not None:
        counter.queries += 1
        counter.seconds += time.perf_counter() - started
    return body


async def results(engine: EngineSupervisor, settings: Settings, text: str) -> dict:
    """The SPARQL JSON results of a SELECT or ASK, read whole."""
    return json.loads(await read(engine, settings, text))


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
    reading order, the pictures …), made by `make` once per data version and shared meanwhile.

    It is made in a task of its own, so a caller that gives up (a client gone) does not throw
    away a build others wait for. With `patience` (seconds), a caller waits that long for a new
    version and is then given the last one made, or, if none was made yet, a 503 asking it to
    come back: what takes long to make on a large store (the search index) never holds a page.
    """

    def __init__(self, engine: EngineSupervisor, make, *, patience: float | None = None,
                 what: str = "this page"):
        self.engine, self.make, self.patience, self.what = engine, make, patience, what
        self._value, self._key = None, None
        self._building: asyncio.Task | None = None
        self._started = 0.0

    async def get(self):
        try:
            await self.engine.look_for_changes()  # (a remote store: changes made through other replicas)
        except ENGINE_ERRORS:
            pass  # (a store that does not answer: the route's own queries say so)
        while (key := data_version(self.engine)) != self._key:
            if self._building is None or self._building.done():
                self._building = asyncio.create_task(self._build(key))
                self._building.add_done_callback(_log_failure)
                self._started = time.monotonic()
            try:
                await asyncio.wait_for(asyncio.shield(self._building), self.patience)
            except asyncio.TimeoutError:
                if self._key is not None:
                    return self._value  # (the last version's, until the new one is made)
                raise ProtocolError(503, f"Still making {self.what} from the data ({time.monotonic() - self._started:.0f} s "
                                         "so far): retry in a minute.", {"Retry-After": "30"}) from None
        return self._value

    async def _build(self, key) -> None:
        _whole.set(True)  # (what is made from the whole data reads it whole; the task has its own context)
        if self.patience is not None:
            _time_limit.set(BACKGROUND_TIME_LIMIT)
        started = time.perf_counter()
        self._value, self._key = await self.make(), key
        if self.patience is not None:
            log.info("made %s in %.1f s", self.what, time.perf_counter() - started)


def _log_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.info("a derived view of the data could not be made: %s", task.exception())
