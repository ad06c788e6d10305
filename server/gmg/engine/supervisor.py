"""The server side of the engine: send requests, enforce the time limit, replace a stuck engine.

One engine process answers queries in threads (pyoxigraph releases the GIL while
it evaluates, so a trivial query answers while a runaway one runs). When a query
passes the time limit the engine is killed (the only way to stop pyoxigraph),
a new one is started, and the reads that were in flight on the old engine and
had not started their answer are sent again: they are retried, not failed.
"""

from __future__ import annotations

import asyncio
import collections
import errno
import itertools
import logging
import multiprocessing
import os
import secrets
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import AsyncIterator

from ..formats import FORMATS
from ..query import Head, QueryRequest
from .. import faults
from ..journal import JOURNAL, Journal, JournalEntry, JournalWriteError
from ..store import ROCKSDB
from . import wire, worker
from .admission import Admission, EngineBusy
from .spool import DiskBudget, Spool
from .worker import EngineConfig

log = logging.getLogger("gmg.engine")
FORMAT_BY_NAME = {f.name: f for f in FORMATS}
MAX_ATTEMPTS = 2  # a read is sent to at most two engines
TICK = ("tick",)  # what a query's timer puts among its events: look at the deadline
# Updates take at most this share of the time (a writer waits after each update for its
# duration times 1/share - 1, up to MAX_WRITE_PAUSE s): with two busy writers, readers keep
# 80 % of their throughput (scripts/soak.py throughput).
WRITE_SHARE = 0.2
MAX_WRITE_PAUSE = 5.0
RECOVERY_INTERVAL = 1.0  # seconds between two tries to write again after a failed write (recover)


class QueryTimeout(Exception):
    """The query ran past the time limit; the engine was replaced."""


class EngineStartError(Exception):
    """The engine could not load the store (e.g. a syntax error in a source file)."""


class UpdateFailure(Exception):
    """The engine refused or failed an update: status, message and the validation report."""

    def __init__(self, status: int, message: str, report_text: str = "", report_turtle: str = ""):
        super().__init__(message)
        self.status, self.message = status, message
        self.report_text, self.report_turtle = report_text, report_turtle


class EngineFailure(Exception):
    """The engine failed on this request (status and message for the client)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


class _Events:
    """A query's messages from the engine, in order, for its one reader: what asyncio.Queue
    does here without its bounds, task counting and getpid() per wait (a twentieth of the
    server's time on point queries)."""

    __slots__ = ("_items", "_waiter", "_loop")

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self._items: collections.deque = collections.deque()
        self._waiter: asyncio.Future | None = None
        self._loop = loop

    def put_nowait(self, event: tuple) -> None:
        self._items.append(event)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def empty(self) -> bool:
        return not self._items

    def get_nowait(self) -> tuple:
        return self._items.popleft()

    async def get(self) -> tuple:
        while not self._items:
            self._waiter = self._loop.create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._items.popleft()


@dataclass(slots=True)
class _Pending:
    request: QueryRequest
    events: _Events
    deadline: float
    time_limit: float
    started: bool = False  # the head reached us: from now on it cannot be retried
    attempts: int = 1
    generation: int = 0
    whole: bytes | None = None  # the body of an answer that came in one message


class _Body:
    """The chunks of one answer, read from its spool, as an async iterator that always cleans up.

    An async generator would not do: closing one that never started (a HEAD
    request, a response that is never sent) skips its `finally`. This one stops
    the engine's work (if it is still running) and drops the spool when the answer
    ends, fails, is cancelled mid-stream, or is closed unread.
    """

    def __init__(self, spool: Spool, drain: asyncio.Task, loop: asyncio.AbstractEventLoop):
        self._spool, self._drain, self._loop = spool, drain, loop
        self._closed = False

    def __aiter__(self) -> "_Body":
        return self

    async def __anext__(self) -> bytes:
        if self._closed:
            raise StopAsyncIteration
        try:
            data = await self._spool.read()
        except BaseException:  # timeout, abort, or the response task cancelled (client gone)
            self._close()
            raise
        if data is None:
            self._close()
            raise StopAsyncIteration
        return data

    async def aclose(self) -> None:
        self._close()

    def _close(self) -> None:
        if not self._closed:
            self._closed = True
            if not self._drain.done():
                self._drain.cancel()  # the client went away: stop the engine's work
            self._spool.close()

    def __del__(self):  # a response dropped without being sent or closed
        if not getattr(self, "_closed", True):
            try:
                self._loop.call_soon_threadsafe(self._close)
            except RuntimeError:
                pass


class _Whole:
    """The body of an answer that came whole: one chunk (none when empty), nothing to clean up."""

    def __init__(self, data: bytes, abandoned):
        self._data, self._abandoned = data, abandoned

    def __aiter__(self) -> "_Whole":
        return self

    async def __anext__(self) -> bytes:
        data, self._data = self._data, None
        if not data:
            raise StopAsyncIteration
        return data

    async def aclose(self) -> None:
        if self._data is not None:  # closed unread (a HEAD request): counted as cancelled
            self._abandoned()
        self._data = None


@dataclass
class Answer:
    head: Head
    body: AsyncIterator[bytes]
    whole: bytes | None = None  # the whole body, when it came in one message (then `body` need not be read)


@dataclass
class EngineStats:
    restarts: int = 0
    timeouts: int = 0
    retried: int = 0
    cancelled: int = 0  # answers abandoned by their client before the end
    by_reason: dict[str, int] = field(default_factory=dict)


class EngineSupervisor:
    def __init__(self, config: EngineConfig, *, timeout: float = 10.0, max_active: int = 8,
                 max_waiting: int = 64, queue_timeout: float = 5.0, update_timeout: float = 60.0,
                 spool_budget: int = 1 << 30, min_free_disk: int = 64 << 20, write_share: float = WRITE_SHARE):
        # the engine gives up checking an update (503, not applied) before the server gives up on
        # the engine (and replaces it): a slow check on a busy CPU is not a stuck engine
        self.config = replace(config, check_timeout=max(1.0, min(config.check_timeout, update_timeout - 10)))
        self.update_timeout = update_timeout
        # updates are refused (507, not applied) while the store's disk has less free space than
        # this: RocksDB must never be the one to find the disk full (see write_problem)
        self.min_free_disk = min_free_disk
        # accepted updates: a file beside an on-disk store, else the server's memory
        self.journal = Journal(Path(config.store_path) / JOURNAL if config.store_path else None)
        self._write_lock = asyncio.Lock()
        self._sources_changed = False
        self.store_error: str | None = None  # the last failed store write, until a write succeeds
        self._next_recovery = 0.0  # (recover: when it may try again)
        self.write_share = write_share
        self._next_write = 0.0  # (_update: when the next write may start, if there are readers)
        self._last_write_began = 0.0
        # updates in flight: id -> [waiter, the journal entry once it is written (None before)]
        self._updates: dict[int, list] = {}
        self.timeout = timeout
        self.stats = EngineStats()
        self._spool_budget = DiskBudget(spool_budget)
        self._admission = Admission(max_active, max_waiting, queue_timeout)
        self._ids = itertools.count(1)
        self._pending: dict[int, _Pending] = {}
        self._info_waiters: dict[int, asyncio.Future] = {}
        self._generation = 0
        self._writes = 0  # updates begun plus updates ended (the data tag changes with both)
        self._started = secrets.token_hex(4)  # (a data tag never outlives this process)
        self._process = None
        self._conn = None
        self._ready: asyncio.Future | None = None
        self._restart_lock = asyncio.Lock()
        self._background: set[asyncio.Task] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.info: dict = {}
        # the last good build, for replacement engines (in memory; on disk the store is it)
        self._snapshot_dir = None if config.store_path else tempfile.TemporaryDirectory(prefix="gmg-engine-")

    # -- life cycle ----------------------------------------------------------------
    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        try:
            await self._spawn()
        except EngineStartError as err:
            log.error("the query engine cannot start: %s", err)  # the reason, not only a traceback
            raise

    async def stop(self) -> None:
        self._kill()
        if self._snapshot_dir is not None:
            self._snapshot_dir.cleanup()

    async def _spawn(self, from_files: bool = True) -> None:
        """Start an engine on the source files, or (a replacement) on the last good build."""
        ctx = multiprocessing.get_context("spawn")
        ours, theirs = wire.socket_pair()
        self._generation += 1
        generation = self._generation
        self._ready = self._loop.create_future()
        # every engine gets the whole journal and applies what its store lacks
        config = replace(self.config, from_files=from_files, journal=tuple(self.journal.entries()))
        if config.store_path is None:  # an in-memory engine starts from the build plus the journal
            config = replace(config, revalidate_journal=self._sources_changed,
                             snapshot=str(Path(self._snapshot_dir.name) / "build.nq"))
        self._sources_changed = False
        process = ctx.Process(target=worker.main, args=(theirs, config), name="gmg-engine", daemon=True)
        try:
            process.start()
        finally:
            theirs.close()
        _, self._conn = await self._loop.create_unix_connection(
            lambda: wire.MessageReader(lambda message: self._dispatch(message, generation),
                                       lambda: self._engine_gone(generation)), sock=ours)
        self._process = process
        self.info = await self._ready
        triples = self.info.get("triples")
        log.info("engine %s ready (pid %s, %s)", generation, process.pid,
                 "counting its triples" if triples is None else f"{triples} triples")

    def _kill(self, wait: bool = True) -> None:
        process, self._process = self._process, None
        if process is not None and process.is_alive():
            process.kill()
            if wait:
                process.join(5)
            else:  # reap it off the event loop, which must not block on a dying process
                threading.Thread(target=process.join, args=(5,), name="gmg-engine-reaper", daemon=True).start()
        if self._conn is not None:
            self._conn.close()  # (what the old engine still sends is dropped: it is not awaited)
        self._conn = None

    async def _replace(self, reason: str, generation: int, from_files: bool = False) -> None:
        """Kill the engine `generation`, start another, and resend the reads that had not started.

        The new engine serves the last good build unless `from_files` (changed sources that
        passed their checks). If it cannot start, the reads waiting for it fail with the
        reason, and the next request that needs an engine tries again: no restart loop.
        """
        async with self._restart_lock:
            if generation != self._generation:
                return  # that engine was already replaced
            old_generation = self._generation
            self._kill(wait=False)
            self.stats.restarts += 1
            self.stats.by_reason[reason] = self.stats.by_reason.get(reason, 0) + 1
            log.warning("replacing the engine: %s", reason)
            # An update not yet in the journal was not applied; one in the journal is
            # applied by the new engine, which replays what its store lacks.
            journalled = []
            for request_id, (waiter, entry) in list(self._updates.items()):
                if entry is not None:
                    journalled.append((request_id, waiter))
                    continue
                self._updates.pop(request_id)
                if not waiter.done():
                    waiter.set_result(("refused", request_id, 503, "The query engine was restarted during the "
                                       "update, which was not applied. Please retry.", "", ""))
            try:
                await self._spawn(from_files)
            except EngineStartError as err:
                log.error("the query engine cannot start: %s", err)
                for request_id, waiter in journalled:
                    self._updates.pop(request_id, None)
                    if not waiter.done():
                        waiter.set_result(("refused", request_id, 503, "The update is in the journal, but the "
                                           f"query engine could not restart to apply it ({err}); it will be "
                                           "applied when the engine starts. Do not send it again.", "", ""))
                for pending in list(self._pending.values()):
                    pending.events.put_nowait(("abort", f"The query engine cannot start: {err}"))
                for waiter in list(self._info_waiters.values()):
                    if not waiter.done():
                        waiter.set_exception(EngineBusy(f"The query engine cannot start: {err}"))
                return
            for request_id, waiter in journalled:
                self._updates.pop(request_id, None)
                if not waiter.done():
                    waiter.set_result(("updated", request_id))
            for request_id, pending in list(self._pending.items()):
                if pending.generation > old_generation:
                    continue
                if pending.started or pending.attempts >= MAX_ATTEMPTS:
                    pending.events.put_nowait(("abort", "The query engine was restarted while answering."))
                    continue
                pending.attempts += 1
                pending.generation = self._generation
                # a fresh time budget: the restart was not this query's fault
                pending.deadline = time.monotonic() + pending.time_limit
                self.stats.retried += 1
                self._send(("query", request_id, pending.request))
            for request_id, waiter in list(self._info_waiters.items()):
                if not waiter.done():
                    self._send(("info", request_id))

    # -- the pipe ------------------------------------------------------------------
    def _send(self, message: tuple) -> None:
        if self._conn is None or not self._conn.send(message):
            # The engine is gone (its pipe's end replaces it) and what was being sent is
            # resent to the next one: reads and info are, updates get 503.
            log.warning("could not send to the engine: its pipe is closed")

    def _dispatch(self, message: tuple, generation: int) -> None:
        kind = message[0]
        if kind in ("ready", "failed"):
            if generation == self._generation and not self._ready.done():
                if kind == "ready":
                    self._ready.set_result(message[1])
                else:
                    self._ready.set_exception(EngineStartError(message[1]))
            return
        if kind == "info":
            waiter = self._info_waiters.pop(message[1], None)
            if waiter and not waiter.done():
                waiter.set_result(message[2])
            return
        if kind in ("validated", "updated", "refused", "apply-failed", "store-failed"):
            pending_update = self._updates.get(message[1])
            if pending_update is None or generation != self._generation:
                return  # (a replaced engine's late word: the replacement has answered for it)
            if not pending_update[0].done():
                pending_update[0].set_result(message)
            return
        pending = self._pending.get(message[1])
        if pending is None or pending.generation != generation:
            return  # an answer from a replaced engine
        if kind == "whole":  # a small answer in one message: its head, with the body beside it
            _, request_id, answer_kind, format_name, headers, body = message
            pending.started = True
            pending.whole = body
            pending.events.put_nowait(("head", request_id, answer_kind, format_name, headers))
            return
        if kind == "head":
            pending.started = True
        pending.events.put_nowait(message)

    def _engine_gone(self, generation: int) -> None:
        if generation != self._generation or self._process is None:
            return  # we killed it on purpose
        if self._ready is not None and not self._ready.done():
            self._ready.set_exception(EngineStartError("the query engine failed to start"))
            return
        if self._ready is not None and self._ready.exception() is not None:
            return  # it never started: _replace has reported that, and nothing waits on it
        log.error("the engine died unexpectedly")
        self._in_background(self._replace("engine died", generation))

    # -- requests ------------------------------------------------------------------
    async def query(self, request: QueryRequest, time_limit: float | None = None) -> Answer:
        """Send a query; returns once its head is known, with the body still to stream. The
        time limit is the server's unless the caller (the site's own queries) sets another."""
        await self._engine_started()
        await self._admission.acquire()
        request_id = next(self._ids)
        time_limit = time_limit or self.timeout
        pending = _Pending(request, _Events(self._loop), time.monotonic() + time_limit, time_limit,
                           generation=self._generation)
        self._pending[request_id] = pending
        try:
            self._send(("query", request_id, request))
            event = await self._next_event(request_id, pending)
        except BaseException:
            self._finish(request_id)
            raise
        if event[0] == "error":
            self._finish(request_id)
            raise EngineFailure(event[2], event[3])
        _, _, kind, format_name, headers = event
        head = Head(kind, FORMAT_BY_NAME[format_name], headers=headers)
        if pending.whole is not None:
            # The engine is done and the answer is here (64 KB at most): the slot is free at
            # once, and the client is served from memory with no spool and no drain task.
            self._finish(request_id)
            return Answer(head, _Whole(pending.whole, self._abandoned), whole=pending.whole)
        return Answer(head, self._body(request_id, pending))

    def _body(self, request_id: int, pending: _Pending) -> "_Body":
        spool = Spool(self._spool_budget)
        drain = self._loop.create_task(self._drain(request_id, pending, spool))
        # A task cancelled before its first step never runs its `finally` (a HEAD closes
        # the body at once): free the slot when the task ends, however it ends.
        drain.add_done_callback(lambda task: self._drain_ended(request_id, task))
        return _Body(spool, drain, self._loop)

    def _abandoned(self) -> None:
        self.stats.cancelled += 1

    def _drain_ended(self, request_id: int, task: asyncio.Task) -> None:
        if request_id in self._pending and task.cancelled() and self._conn is not None:
            self.stats.cancelled += 1
            self._send(("cancel", request_id))  # cancelled before it ran: stop the engine's work too
        self._finish(request_id)

    async def _drain(self, request_id: int, pending: _Pending, spool: Spool) -> None:
        """Move the engine's chunks into the spool as fast as it sends them; free the slot at the end.

        So a client that reads slowly, or not at all, holds neither a query slot
        nor an engine thread: only its spool.
        """
        try:
            while True:
                event = await self._next_event(request_id, pending)
                if event[0] == "chunk":
                    await spool.write(event[2])
                elif event[0] == "end":
                    spool.finish()
                    return
                else:  # an error after the head: the response can only be cut short
                    spool.finish(EngineFailure(500, str(event[-1])))
                    return
        except asyncio.CancelledError:
            if request_id in self._pending and self._conn is not None:
                self.stats.cancelled += 1
                self._send(("cancel", request_id))  # the client went away: stop serialising
            raise
        except Exception as err:  # the time limit, or the engine replaced while answering
            spool.finish(err)
        finally:
            self._finish(request_id)

    async def _next_event(self, request_id: int, pending: _Pending) -> tuple:
        while True:
            # What the engine already sent is handed out whatever the time: the limit is
            # on the engine's work, not on how fast the client reads the answer.
            if pending.events.empty():
                remaining = pending.deadline - time.monotonic()
                if remaining <= 0:
                    break
                # (a timer that wakes the wait, not asyncio.wait_for: that makes a task per wait)
                timer = self._loop.call_later(remaining, pending.events.put_nowait, TICK)
                try:
                    event = await pending.events.get()
                finally:
                    timer.cancel()
            else:
                event = pending.events.get_nowait()
            if event is TICK:
                continue  # look at the deadline again: it may have moved (a retry gets a fresh budget)
            if event[0] == "abort":
                raise EngineFailure(503, event[1] + " Please retry.")
            return event
        self.stats.timeouts += 1
        self._finish(request_id)
        # Kill and replace in the background: the client hears 503 at once, not after the
        # new engine has loaded; reads sent meanwhile wait for it (and are retried).
        self._in_background(self._replace("query timeout", pending.generation))
        raise QueryTimeout(
            f"The query took longer than the limit of {pending.time_limit:g} s and was stopped. "
            "Narrow it down (add LIMIT, more specific patterns or fewer OPTIONALs) and try again.")

    def _in_background(self, work) -> None:
        task = self._loop.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background_done)

    def _background_done(self, task: asyncio.Task) -> None:
        self._background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("replacing the engine failed: %s", task.exception())

    def _finish(self, request_id: int) -> None:
        if self._pending.pop(request_id, None) is not None:
            self._admission.release()

    async def _engine_started(self) -> None:
        """Wait while an engine starts (its loading is no query's time); after a failed
        start, try once more, and refuse with the reason if that fails too."""
        for attempt in range(2):
            while self._ready is not None and not self._ready.done():
                await asyncio.wait([self._ready])  # (another request may be starting one)
            if self._ready is None or self._ready.exception() is None:
                return
            if attempt == 0:
                await self._replace("the last start failed", self._generation)
        raise EngineFailure(503, f"The query engine cannot start: {self._ready.exception()}")

    async def update(self, text: str, base_iri: str | None) -> None:
        """Apply one validated update; acknowledged only once it is in the journal and the store.

        Writes are serialised. The engine checks the update; the journal entry is
        written and fsynced; then the engine applies it. Every answer is the truth:
        before the journal holds it, a failure means "not applied"; after, the update
        is applied by this engine or, if that engine dies or stalls, by its
        replacement, which replays the journal.
        """
        # A client that goes away must not cut an update in two: it runs to its end.
        await asyncio.shield(self._update(text, base_iri))

    def data_tag(self) -> str:
        """A name for the data as queries see it now: it changes when an update begins and when it
        ends, when an engine is replaced (the sources changed, a time limit, a crash) and at every
        start, so an answer made under one tag holds the data of that tag (web/conditional.py)."""
        return f"{self._started}.{self._generation}.{self._writes}"

    async def _update(self, text: str, base_iri: str | None) -> None:
        async with self._write_lock:
            # Writers never starve readers, however fast their updates: while there are readers
            # (since the last write began), the writes (with the checker's and the engine's work
            # they cause) may take `write_share` of the time; with none, a writer need not wait.
            if self._admission.busy_since(self._last_write_began):
                await asyncio.sleep(max(0.0, self._next_write - time.monotonic()))
            began = self._last_write_began = time.monotonic()
            self._writes += 1
            try:
                await self._update_locked(text, base_iri)
            finally:
                self._writes += 1
                took = time.monotonic() - began
                self._next_write = time.monotonic() + min(MAX_WRITE_PAUSE, took * (1 / self.write_share - 1))

    async def _update_locked(self, text: str, base_iri: str | None) -> None:
        await self._engine_started()
        self._refuse_without_room(text)
        request_id = next(self._ids)
        generation = self._generation
        record = self._updates[request_id] = [self._loop.create_future(), None]
        try:
            message = await self._update_step(record, ("update", request_id, text, base_iri), generation)
            if message[0] == "store-failed":
                self._store_failed(message[2], message[3], generation)
            if message[0] == "refused":
                raise UpdateFailure(*message[2:])
            entry = await self._journal(request_id, record, text, base_iri, message[2], generation)
            faults.point("journalled")
            message = await self._update_step(record, ("commit", request_id, entry.seq), generation)
            if message[0] == "apply-failed":
                await self._take_back(entry, message[2])
            if message[0] == "refused":
                raise UpdateFailure(*message[2:])
            self.store_error = None
            faults.point("acknowledged")
        finally:
            self._updates.pop(request_id, None)

    def write_problem(self, extra: int = 0) -> tuple[int, str] | None:
        """Why a write to the store's folder would fail now (status, reason), or None.

        Checked before each update and by /health: a full disk (less free than
        --min-free-disk-mb, plus room for the update) or a folder that cannot be written
        (a read-only filesystem, no permission). So RocksDB is never the first to find
        the disk full, the update is refused before anything is written, and the first
        update after the cause is gone succeeds.
        """
        if self.config.store_path is None:
            return None
        folder = Path(self.config.store_path)
        try:
            if faults.read_only():
                raise OSError(errno.EROFS, "Read-only file system (injected)")
            stat = os.statvfs(folder)
        except OSError as err:
            return 503, f"the store's folder {folder} cannot be written: {err.strerror}"
        if stat.f_flag & os.ST_RDONLY:
            return 503, f"the store's folder {folder} is on a read-only filesystem"
        for path in (folder, folder / JOURNAL, folder / ROCKSDB):
            if path.exists() and not os.access(path, os.W_OK):
                return 503, f"{path} cannot be written (permission denied)"
        free = stat.f_bavail * stat.f_frsize
        needed = self.min_free_disk + 4 * extra
        if free < needed:
            return 507, (f"the disk holding the store's folder {folder} is full: {_size(free)} free, and updates "
                         f"need {_size(needed)} (--min-free-disk-mb {self.min_free_disk >> 20} plus the update)")
        return None

    def _refuse_without_room(self, text: str) -> None:
        problem = self.write_problem(len(text.encode("utf-8")))
        if problem is not None:
            status, reason = problem
            what = "Free disk space" if status == 507 else "Make the folder writable"
            raise UpdateFailure(status, f"The update was not applied: {reason}. {what}, then send it again.")

    def _store_failed(self, reason: str, kind: str, generation: int) -> None:
        """The engine could not open its store for writing: nothing was done; say why."""
        self.store_error = reason
        if kind == "damaged":  # a new engine moves the damaged store aside and rebuilds it
            self._in_background(self._replace("the store is damaged", generation))
        raise UpdateFailure(_write_failure_status(reason), f"The update was not applied: {reason}. "
                                                           "Fix the disk, then send it again.")

    async def _update_step(self, record: list, message: tuple, generation: int) -> tuple:
        """Send one step of an update and wait for the engine's word (or its replacement's)."""
        request_id = message[1]
        waiter = record[0]
        if waiter.done():  # the engine was replaced between the steps: its replacement has answered
            return waiter.result()
        self._send(message)
        try:
            result = await asyncio.wait_for(asyncio.shield(waiter), self.update_timeout)
        except asyncio.TimeoutError:
            # the replacement answers for it: "not applied" before the journal, "updated" after
            await self._replace("update timeout", generation)
            if not waiter.done():
                waiter.set_result(("refused", request_id, 503, "The update was not applied. Please retry.", "", ""))
            result = waiter.result()
            if result[0] == "refused" and record[1] is None:
                raise UpdateFailure(503, f"The update took longer than {self.update_timeout:g} s and was "
                                         "not applied. Send smaller updates.") from None
        record[0] = self._loop.create_future()  # for the next step
        return result

    async def _journal(self, request_id: int, record: list, text: str, base_iri: str | None, digest: str,
                       generation: int) -> JournalEntry:
        """Write the entry (fsynced, off the event loop); no engine starts meanwhile."""
        async with self._restart_lock:
            if generation != self._generation:  # the engine that checked it is gone, and with it the update
                raise UpdateFailure(503, "The query engine was restarted during the update, which was not "
                                         "applied. Please retry.")
            try:  # (the check took seconds: look at the disk again)
                self._refuse_without_room(text)
            except UpdateFailure:
                self._send(("abort", request_id))
                raise
            try:
                entry = await self._loop.run_in_executor(None, self.journal.append, text, base_iri, digest)
            except JournalWriteError as err:
                self._send(("abort", request_id))
                status = 507 if err.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) else 503
                raise UpdateFailure(status, f"The update was not applied: the journal could not be written "
                                            f"({err}). Free disk space or fix the disk, then send it again.") from None
            record[1] = entry
            return entry

    async def _take_back(self, entry: JournalEntry, reason: str) -> None:
        """The store could not apply a journalled update: remove it from the journal, or say it is pending.

        The engine is not replaced: it answers queries from the store as its files
        hold it, and the next update opens the store for writing again.
        """
        self.store_error = reason
        taken_back = await self._loop.run_in_executor(None, self.journal.remove_last, entry)
        if taken_back:
            raise UpdateFailure(_write_failure_status(reason),
                                f"The update was not applied: the store could not write it ({reason}). "
                                "Free disk space or fix the disk, then send it again.")
        self._send(("keep", entry))  # applied before the next update, when the store is written again
        raise UpdateFailure(503, f"The store could not apply the update yet ({reason}), but it is in the "
                                 "journal and will be applied once the store can be written. Do not send it again.")

    async def reload(self) -> None:
        """The source files changed: start an engine on them (the journal is checked again)."""
        async with self._write_lock:  # not in the middle of an update
            self._sources_changed = True
            await self._replace("sources changed", self._generation, from_files=True)

    async def look_for_changes(self) -> None:
        """The embedded store changes only through this engine, whose journal counts it (a remote
        store's replicas look for others' changes: gmg.remote.store)."""

    async def engine_info(self) -> dict:
        """Fresh facts from the engine (triple count, named graphs)."""
        return await self._ask("info", self.timeout)

    async def _ask(self, kind: str, timeout: float) -> dict:
        """Send `kind` to the engine and wait for the info it answers with."""
        await self._engine_started()
        request_id = next(self._ids)
        waiter = self._loop.create_future()
        self._info_waiters[request_id] = waiter
        self._send((kind, request_id))
        try:
            self.info = await asyncio.wait_for(waiter, timeout)
        except asyncio.TimeoutError:
            raise EngineBusy("The query engine did not answer in time.") from None
        finally:
            self._info_waiters.pop(request_id, None)
        return self.info

    def write_failing(self) -> bool:
        """A journal or store write failed, and no write has succeeded since."""
        return bool(self.journal.write_error or self.store_error or self.info.get("store_fault"))

    async def recover(self) -> None:
        """Clear a failed write whose cause has gone, without waiting for the next update.

        Called by /health before it answers. While the disk is still unfit
        (write_problem) nothing is tried. Otherwise the journal's disk is probed, and
        the engine opens its store for writing again, applying any journalled update
        it was still missing; a store RocksDB now reports as damaged gets a new
        engine, which moves it aside and rebuilds it. An update under way is left
        alone: its answer will tell.
        """
        if not self.write_failing() or self._write_lock.locked() or self.write_problem() is not None:
            return
        if time.monotonic() < self._next_recovery:  # (a health check a second must not reopen RocksDB each time)
            return
        self._next_recovery = time.monotonic() + RECOVERY_INTERVAL
        async with self._write_lock:
            self._writes += 2  # (reopening the store applies the journalled updates it lacked)
            if self.journal.write_error:
                await self._loop.run_in_executor(None, self.journal.probe)
            if self.store_error or self.info.get("store_fault"):
                try:
                    info = await self._ask("reopen", self.update_timeout)
                except EngineBusy:  # no engine to ask: the fault stays, the next call tries again
                    return
                if info.get("store_damaged"):
                    self.store_error = info["store_damaged"]
                    await self._replace("the store is damaged", self._generation)
                if not self.info.get("store_fault"):
                    self.store_error = None


def _write_failure_status(reason: str) -> int:
    """507 when the disk (or a file-size limit) is full, else 503."""
    text = reason.lower()
    return 507 if any(words in text for words in ("no space left", "disk quota", "file too large")) else 503


def _size(n: int) -> str:
    return f"{n / (1 << 20):.1f} MiB"
