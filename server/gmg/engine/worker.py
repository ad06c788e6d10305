"""The engine process: owns the store, answers requests in threads, dies with its parent.

Messages on the pipe (tuples, first item the kind):
  server -> engine: ("query", id, QueryRequest) | ("cancel", id) | ("info", id)
                    | ("update", id, text, base_iri) | ("commit", id, seq) | ("abort", id)
                    | ("keep", entry): a journalled update the store failed and the journal could
                      not give back; it is applied when the store is next opened for writing
  engine -> server: ("ready", info) | ("failed", message)
                    | ("head", id, kind, format name, headers) | ("chunk", id, bytes) | ("end", id)
                    | ("whole", id, kind, format name, headers, bytes): a small answer in one message
                    | ("error", id, status, message) | ("info", id, info)
                    | ("validated", id, sources digest) | ("updated", id) | ("apply-failed", id, message)
                    | ("refused", id, status, message, report text, report turtle)
                    | ("store-failed", id, message): the store cannot be written, nothing was done

Threads: one reads the pipe and handles each message; a query that finds no other being
answered is answered by it (Engine.read), others by a few worker threads, which take turns
(Engine.query). A reader held up by a long query hands the reading to a new thread.

An update takes two steps: the engine checks it and says "validated"; the server
writes it to the journal (fsynced) and says "commit" with its sequence number, or
"abort"; only then does the engine apply it, with that number, in one transaction.

A store write that fails (a full disk, a read-only filesystem, an I/O error)
leaves RocksDB refusing every later write until it is opened again. The engine
does not stop for it: queries go on from the store as its files hold it (opened
read-only, which needs neither a write nor the lock), and the next update opens
it for writing again and applies the journal entries it lacks first.
"""

from __future__ import annotations

import errno
import gc
import logging
import os
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .. import faults
from . import wire
from .validator import NICENESS, Checker
from ..journal import JOURNAL, JournalEntry
from ..settings import MATERIALISE_LIMIT
from ..store import (BUILD_INFO, ROCKSDB, GraphStore, StoreDamaged, StoreUnavailable,
                     open_for_writing, open_on_disk, open_store)
from ..update import CHECK_SOURCES, UpdateRefused, apply, prepare_change, replay, warm_up
from ..formats import NotAcceptable
from ..paths import DataDir
from ..query import QueryError, QueryRequest, answer
from ..sources import SourceError, load_sources

if TYPE_CHECKING:
    from ..delta import Delta  # (imported where an update is prepared, not at start)


WHOLE_ANSWER_BYTES = 64 * 1024  # answers up to this size are sent in one message
# Queries are answered one at a time unless the one running has taken this long (seconds):
# see Engine.query; and a query answered by the thread that reads the pipe hands the reading on
# to another thread once it has taken this long (Engine.read).
PATIENCE = 0.005
IDLE_WATCH = 0.05  # seconds between two looks at the reader while none answers a query

log = logging.getLogger("gmg.engine")


@dataclass(frozen=True)
class EngineConfig:
    store_path: str | None = None  # None: in memory, rebuilt from the sources at each start
    data_root: str | None = None  # None: the default data folders
    threads: int = 4
    # every accepted update: the engine applies those its store has not (all of them
    # in memory; on disk those after the last sequence number the store recorded)
    journal: tuple[JournalEntry, ...] = ()
    # the source files changed since the journal was written: check each entry again
    revalidate_journal: bool = False
    # A replacement engine serves the last good build, not whatever the files hold now
    # (they may be half-saved or broken): in memory it loads `snapshot`, the sources as
    # the last engine that started from the files loaded them; on disk it reopens the
    # store as it is. Only a first start and a reload of changed sources read the files.
    snapshot: str | None = None
    from_files: bool = True
    # updates are checked in a process of their own (validator.py), niced, within this time
    check_timeout: float = 50.0
    check_niceness: int = NICENESS
    # updates are enabled: the checker starts with the engine, so the first update does
    # not wait for it to import pySHACL and prepare the shapes
    updates: bool = False
    # the default graph of queries is kept materialised for stores of at most this many quads
    materialise_limit: int = MATERIALISE_LIMIT


class Workers:
    """A fixed set of threads taking work from one queue, in order.

    Not ThreadPoolExecutor: its submit makes a Future (a Condition and a lock) for a result
    nobody reads, and that cost a tenth of the engine's time on one-resource queries.
    """

    def __init__(self, count: int, name: str):
        self._work: queue.SimpleQueue = queue.SimpleQueue()
        for n in range(count):
            threading.Thread(target=self._run, name=f"{name}-{n}", daemon=True).start()

    def submit(self, fn, *args) -> None:
        self._work.put((fn, args))

    def _run(self) -> None:
        while True:
            fn, args = self._work.get()
            try:
                fn(*args)
            except BaseException:  # (each task reports its own failures; this one was not expected)
                log.exception("an engine task failed")


class Holding:
    """The turn as one query holds it. A query that has held it for PATIENCE gives it up (it
    goes on without it), or the engine's watcher takes it from a query still being evaluated:
    a long query that kept it made every other query wait PATIENCE for it (point queries at
    ten million triples fell from about 3,300 to 665 a second while the search index read its
    labels, 90 s; 1,370–1,590 now)."""

    __slots__ = ("_turn", "_lock", "until")

    def __init__(self, turn: threading.Lock | None):
        self._turn, self._lock = turn, threading.Lock()
        self.until = time.monotonic() + PATIENCE

    @property
    def held(self) -> bool:
        return self._turn is not None

    def give_up_if_due(self) -> None:
        if self._turn is not None and time.monotonic() >= self.until:
            self.give_up()

    def give_up(self) -> None:
        with self._lock:  # (from the query's thread or the watcher's: once)
            turn, self._turn = self._turn, None
        if turn is not None:
            turn.release()


class Engine:
    def __init__(self, conn, config: EngineConfig):
        self.conn = conn
        self.cancelled: set[int] = set()
        self.active: set[int] = set()  # queries being answered
        self.data = DataDir(Path(config.data_root)) if config.data_root else None
        self.sources_cache = None
        self.write_lock = threading.Lock()
        self.journal_problems: list[dict] = []
        self.decisions: dict[int, list] = {}  # update id -> [event, "commit"/"abort" message]
        # the whole journal as this engine knows it: what it was given and what it applied since
        self.entries: list[JournalEntry] = list(config.journal)
        # Why the store cannot take a write now (None: it can). Set by a failed write or a start
        # on a store that could be opened only for reading; the next update opens it again.
        self.store_fault: str | None = None
        self.store_lock = threading.Lock()  # guards `store` and `readers`
        self.readers: dict[GraphStore, int] = {}  # queries reading each store
        store_path = self.store_path = Path(config.store_path) if config.store_path else None
        started = time.monotonic()
        digest_before = GraphStore.stored_digest(store_path)
        self.store = self.open(config, store_path)
        rebuilt = store_path is not None and digest_before != self.store.build_info().get("digest")
        self.recovery = self.catch_up(config, store_path, rebuilt)
        self.recovery["seconds"] = round(time.monotonic() - started, 3)
        self.pool = Workers(config.threads, "gmg-query")
        self.turn = threading.Lock()  # held by the query being answered (Engine.query), for PATIENCE at most
        self.holding = Holding(None)  # how the query answered last holds the turn
        self.reading = threading.Lock()  # held while a message is read from the pipe and handled
        self.reader = 0  # the number of the thread that reads the pipe (Engine.read)
        self.answering: dict[int, float] = {}  # reader number -> when it began answering a query
        self.config = config
        self.checker = Checker(config.data_root, config.check_niceness)

    def catch_up(self, config: EngineConfig, store_path: Path | None, rebuilt: bool) -> dict:
        """Apply the journal entries the store has not applied yet; refuse a store ahead of its journal."""
        entries = self.entries
        last = entries[-1].seq if entries else 0
        applied = self.store.applied_sequence()
        if applied > last:
            rocksdb = store_path / ROCKSDB if store_path else "the store"
            raise JournalBehind(
                f"The store {rocksdb} has applied the updates up to number {applied}, but the journal "
                f"{store_path / JOURNAL if store_path else ''} ends at number {last}: acknowledged updates are "
                "missing from the journal (deleted, cut or replaced). Restore it from a backup. To serve "
                f"without them instead, delete {rocksdb} and {BUILD_INFO} beside it: the store is then rebuilt "
                "from the sources and the journal as it is.")
        missing = [e for e in entries if e.seq > applied]
        if missing and self.store.read_only:  # (opened read-only: the entries go on a copy in memory)
            self.store = self.store.in_memory_copy()
        digest = self.store.build_info().get("digest")
        # an entry checked against the same sources is applied as it is (fast); after the
        # sources changed, each is checked again and those that no longer pass are reported
        for entry in missing:
            # (in memory the store is the last good build, which every entry was checked against)
            checked = store_path is None or entry.digest == digest
            if checked and not config.revalidate_journal:
                apply(self.store, entry.update, base_iri=entry.base_iri, seq=entry.seq)
            else:
                self.replay([entry])
        if missing:
            log.warning("replayed %d journal entries (%d to %d) the store had not applied",
                        len(missing), missing[0].seq, missing[-1].seq)
        return {"store_sequence_at_start": applied, "replayed": len(missing), "rebuilt": rebuilt}

    def open(self, config: EngineConfig, store_path: Path | None) -> GraphStore:
        snapshot = Path(config.snapshot) if config.snapshot else None
        if not config.from_files:
            if store_path is not None and GraphStore.stored_digest(store_path):
                try:
                    store = open_on_disk(store_path)
                except StoreUnavailable as err:  # a full disk, a read-only filesystem: serve it as it is
                    return self.read_only(store_path, err)
                if GraphStore.stored_digest(store_path):  # (not moved aside as damaged)
                    return store
                del store
            if store_path is None and snapshot is not None and snapshot.exists():
                return GraphStore.from_snapshot(snapshot)
        try:
            store = open_store(self.data, store_path)
        except StoreUnavailable as err:
            if store_path is not None and self.holds_current_sources(store_path):
                return self.read_only(store_path, err)
            raise
        if store_path is None and snapshot is not None:
            store.write_snapshot(snapshot)
        return store

    def holds_current_sources(self, store_path: Path) -> bool:
        from ..sources import digest_files, source_files

        digest = GraphStore.stored_digest(store_path)
        return bool(digest) and digest == digest_files([path for path, _ in source_files(self.data)])

    def read_only(self, store_path: Path, err: Exception) -> GraphStore:
        """The store opened for reading only: queries are answered, updates wait until it can be written."""
        store = GraphStore.open_read_only(store_path)
        self.store_fault = str(err)
        log.warning("%s; answering queries from it read-only until it can be written again", err)
        return store

    # -- the store readers use, and opening it again after a failed write -------------
    def borrow(self) -> GraphStore:
        with self.store_lock:
            store = self.store
            self.readers[store] = self.readers.get(store, 0) + 1
        # queries of the default graph alone are answered from it materialised (built in the
        # background the first time a store is read: at start, and after a store is swapped)
        store.materialise_default_graph(self.config.materialise_limit)
        return store

    def give_back(self, store: GraphStore) -> None:
        with self.store_lock:
            self.readers[store] -= 1
            if not self.readers[store]:
                del self.readers[store]

    def swap(self, store: GraphStore) -> None:
        """Serve `store` from now on; close the one it replaces once no query reads it."""
        with self.store_lock:
            old, self.store = self.store, store
        if old is store:
            return
        deadline = time.monotonic() + 60  # (a query past the time limit has its engine replaced)
        while time.monotonic() < deadline:
            with self.store_lock:
                if not self.readers.get(old):
                    break
            time.sleep(0.01)
        old.close()
        gc.collect()  # (RocksDB closes, and frees its lock, when the last reference goes)

    def store_failed(self, reason: str) -> GraphStore | None:
        """A write failed: read from the store's files from now on (read-only), and return that store."""
        if self.store_path is None:
            return None
        self.store_fault = reason
        if self.store.read_only:
            return None
        try:
            files = GraphStore.open_read_only(self.store_path)
        except Exception as err:  # the sticky writer keeps answering reads meanwhile
            log.error("the store cannot be opened read-only either: %s", err)
            return None
        if files.applied_sequence() < self.store.applied_sequence():  # (never seen: keep what readers have)
            files = self.store.in_memory_copy()
        self.swap(files)
        return files

    def reopen(self) -> None:
        """Open the store for writing again, then apply the journal entries it lacks."""
        if not self.store.read_only and self.store_failed(self.store_fault) is None:
            raise StoreUnavailable(f"The store {self.store_path / ROCKSDB} cannot be opened again: "
                                   f"{self.store_fault}")
        # (StoreUnavailable: queries go on read-only; StoreDamaged: the supervisor starts an
        # engine that moves the damaged store aside and rebuilds it)
        store = open_for_writing(self.store_path)
        try:
            applied = store.applied_sequence()
            for entry in [e for e in self.entries if e.seq > applied]:
                apply(store, entry.update, base_iri=entry.base_iri, seq=entry.seq)
        except Exception:
            store.close()
            raise
        self.swap(store)
        log.info("the store %s is written again (the failed write: %s)", self.store_path / ROCKSDB, self.store_fault)
        self.store_fault = None

    def sources(self):
        """The shapes and ontology parsed with rdflib, for validating updates (loaded on first use)."""
        if self.sources_cache is None:
            self.sources_cache = load_sources(self.data, only=CHECK_SOURCES)
        return self.sources_cache

    def replay(self, entries) -> None:
        """Re-apply the journal over a rebuilt store; entries that no longer pass are reported, kept in the journal."""
        for problem in replay(self.store, entries, self.sources()):
            record = {"update": problem.entry.update, "status": problem.status, "message": problem.message,
                      "report": problem.report}
            self.journal_problems.append(record)
            log.warning("journal entry no longer applies (%s): %s", problem.status, problem.message)

    def send(self, message: tuple) -> None:
        self.conn.send(message)  # (from any thread: the channel takes turns)

    def info(self, count: bool = True) -> dict:
        """The engine's facts; without `count`, the number of triples only if it is known (else None)."""
        store = self.borrow()
        try:
            return {"triples": len(store) if count else store.known_len(), "named_graphs": store.named_graphs(),
                    "pid": os.getpid(), "journal_problems": self.journal_problems,
                    "applied_sequence": store.applied_sequence(), "recovery": self.recovery,
                    "store_fault": self.store_fault}
        finally:
            self.give_back(store)

    def run(self) -> None:
        # Ready without counting the store (after updates it is not known: ten million quads take
        # seconds); it is counted meanwhile, in the background, for the first /health to find.
        info = self.info(count=False)
        self.send(("ready", info))
        if info["triples"] is None and not self.store.read_only:  # (a read-only store's count is never kept)
            threading.Thread(target=self.count, name="gmg-count", daemon=True).start()
        if self.config.updates:
            self.checker.start()
            self.pool.submit(self.warm_up)
        self.promote()  # the first reader
        self.watch_reader()  # (this thread, from now on)

    def answer_info(self, request_id: int) -> None:
        self.send(("info", request_id, self.info()))

    def count(self) -> None:
        store = self.borrow()
        try:
            len(store)  # (kept by the store until its next write)
        except Exception:  # a store closed meanwhile (swapped, the engine stopping): nothing to keep
            log.debug("counting the store's quads failed", exc_info=True)
        finally:
            self.give_back(store)

    def warm_up(self) -> None:
        """Prepare a made-up update once, in the background, so the first real one does not wait for
        the imports (gmg.update.warm_up); a failure here is only logged (the update path reports its own)."""
        store = self.borrow()
        try:
            warm_up(store)
        except Exception:
            log.exception("warming up the update check failed")
        finally:
            self.give_back(store)

    def promote(self) -> None:
        """Start a thread that reads the pipe; the one that read it until now stops after its query."""
        self.reader += 1
        threading.Thread(target=self.read, args=(self.reader,), name=f"gmg-reader-{self.reader}",
                         daemon=True).start()

    def watch_reader(self) -> None:
        """When the reader has been answering one query for PATIENCE, another thread becomes the
        reader, so that cancels, updates and other queries are not held up by it. Looked at every
        PATIENCE while a reader answers, every IDLE_WATCH otherwise (an idle engine stays idle)."""
        while True:
            holding = self.holding
            time.sleep(PATIENCE if self.answering or holding.held else IDLE_WATCH)
            holding.give_up_if_due()  # (a query still being evaluated, before its first chunk)
            reader = self.reader
            since = self.answering.get(reader)
            if since is not None and time.monotonic() - since >= PATIENCE and reader == self.reader:
                self.promote()

    def read(self, number: int) -> None:
        """Read the pipe and handle its messages while this thread is the reader (`number`).

        A query that finds no other being answered is answered here, in the reading thread:
        handing each to another thread (a wake-up, and the GIL passed back and forth) was a
        third of the engine's time on point queries. If it takes PATIENCE, `watch_reader`
        makes another thread the reader, and this one ends with its query.
        """
        try:
            self._read(number)
        except BaseException:  # a reader that fails would leave the pipe unread: the server must know
            log.exception("the engine's reader failed")
            os._exit(1)  # (its end of the pipe closes, and it starts another engine)

    def _read(self, number: int) -> None:
        while number == self.reader:
            with self.reading:  # (while two threads read, for a moment: one message at a time, in order)
                try:
                    message = self.conn.recv()
                except (EOFError, OSError):
                    os._exit(0)  # the server is gone: so is its engine
                alone = self.handle(message)
            if alone:
                self.answering[number] = time.monotonic()
                try:
                    self.answer_holding_turn(message[1], message[2])
                finally:
                    del self.answering[number]

    def handle(self, message: tuple) -> bool:
        """Act on one message; True for a query this thread must answer now (it holds the turn)."""
        kind = message[0]
        if kind == "query":
            self.active.add(message[1])
            if self.turn.acquire(blocking=False):
                return True
            self.pool.submit(self.query, message[1], message[2])
        elif kind == "cancel":
            if message[1] in self.active:  # (a late cancel of a finished answer is dropped)
                self.cancelled.add(message[1])
        elif kind == "info":
            if self.store.known_len() is None:  # (counting takes seconds at ten million: not on the reader)
                self.pool.submit(self.answer_info, message[1])
            else:
                self.answer_info(message[1])
        elif kind == "update":
            self.decisions[message[1]] = [threading.Event(), None]
            self.pool.submit(self.update, message[1], message[2], message[3])
        elif kind in ("commit", "abort"):
            decision = self.decisions.get(message[1])
            if decision is not None:
                decision[1] = message
                decision[0].set()
        elif kind == "keep":
            self.pool.submit(self.keep, message[1])
        elif kind == "reopen":
            self.pool.submit(self.try_reopen, message[1])
        return False

    def query(self, request_id: int, request: QueryRequest) -> None:
        """Answer a query (in a worker thread) when no other is being answered, or when the one
        that is has run for PATIENCE: two Python threads answering small queries at once spend
        more time passing the GIL to each other than answering (a one-resource query took 0.11 ms
        of CPU alone, 0.23 ms two at a time, 0.32 ms four at a time), while a long query must not
        hold up a short one for longer than that."""
        if self.turn.acquire(timeout=PATIENCE):
            self.answer_holding_turn(request_id, request)
        else:
            self.answer_from_store(request_id, request)

    def answer_holding_turn(self, request_id: int, request: QueryRequest) -> None:
        self.holding = holding = Holding(self.turn)
        try:
            self.answer_from_store(request_id, request, holding)
        finally:
            holding.give_up()

    def answer_from_store(self, request_id: int, request: QueryRequest, holding: "Holding | None" = None) -> None:
        store = self.borrow()
        try:
            self.answer(store, request_id, request, holding)
        finally:
            self.give_back(store)  # (after answer() returned: none of its iterators holds the store)

    def answer(self, store: GraphStore, request_id: int, request: QueryRequest,
               holding: "Holding | None" = None) -> None:
        try:
            head, body = answer(store, request)
            # Most answers are small: they go in one message (one pipe write, one wake-up
            # of the server) instead of a head, chunks and an end.
            first, size = [], 0
            for chunk in body:
                if holding is not None:
                    holding.give_up_if_due()
                if request_id in self.cancelled:
                    break
                if first is None:
                    self.send(("chunk", request_id, chunk))
                    continue
                first.append(chunk)
                size += len(chunk)
                if size >= WHOLE_ANSWER_BYTES:
                    self.send(("head", request_id, head.kind, head.format.name, head.headers))
                    self.send(("chunk", request_id, b"".join(first)))
                    first = None
            if first is None:
                self.send(("end", request_id))
            else:
                self.send(("whole", request_id, head.kind, head.format.name, head.headers, b"".join(first)))
        except QueryError as err:
            self.send(("error", request_id, 400, str(err)))
        except NotAcceptable as err:
            self.send(("error", request_id, 406, str(err)))
        except Exception as err:  # an engine fault must not kill the engine
            self.send(("error", request_id, 500, f"Internal error while answering the query: {err}"))
        finally:
            self.active.discard(request_id)
            self.cancelled.discard(request_id)


    def update(self, request_id: int, text: str, base_iri: str | None) -> None:
        try:
            with self.write_lock:  # writes are serialised
                if self.store_fault and self.store_path is not None:
                    try:
                        self.reopen()
                    except StoreDamaged as err:
                        self.send(("store-failed", request_id, f"{err}: {err.__cause__}", "damaged"))
                        return
                    except Exception as err:  # a full disk, a read-only filesystem, the lock still held
                        self.send(("store-failed", request_id, str(err), "unavailable"))
                        return
                # checked against the store as it is now (no write comes between: the lock is ours)
                verdict, change = self.verdict(text, base_iri)
                if verdict[0] != "ok":
                    self.send(("refused", request_id, *verdict[1:]))
                    return
                faults.point("validated")
                digest = verdict[1]  # the sources the update was checked against
                self.send(("validated", request_id, digest))
                event, _ = self.decisions[request_id]
                event.wait()  # the server journals it (a server that dies takes this process with it)
                decision = self.decisions[request_id][1]
                if decision[0] != "commit":
                    return
                entry = JournalEntry(text, base_iri, time.time(), decision[2], digest)
                try:
                    self.write(entry, change)
                except Exception as err:
                    reason = f"{type(err).__name__}: {err}"
                    log.error("the store failed to apply update %d: %s", entry.seq, reason)
                    files = self.store_failed(reason)
                    # The truth is what the store's files hold: a write reported failed that
                    # reached them anyway is applied, and said to be.
                    if (files or self.store).applied_sequence() < entry.seq:
                        self.send(("apply-failed", request_id, reason))
                        return
                    self.entries.append(entry)
                else:
                    self.entries.append(entry)
                faults.point("applied")
                self.send(("updated", request_id))
        finally:
            self.decisions.pop(request_id, None)

    def try_reopen(self, request_id: int) -> None:
        """After a failed write, once the server sees the disk fit again: open the store for writing
        (applying any journalled update it lacks), and answer with fresh info either way."""
        damaged = None
        with self.write_lock:
            if self.store_fault and self.store_path is not None:
                try:
                    self.reopen()
                except StoreDamaged as err:
                    damaged = f"{err}: {err.__cause__}"
                except Exception as err:  # the cause is not gone after all: the fault stays
                    log.info("the store cannot be written yet: %s", err)
        self.send(("info", request_id, {**self.info(), "store_damaged": damaged}))

    def verdict(self, text: str, base_iri: str | None) -> tuple[tuple, Delta | None]:
        """The checker's verdict: on the update's affected nodes, read here, or the long way; and
        the change the short way worked out (None the long way), for the write to pass on."""
        try:
            job, change = prepare_change(self.store, text, base_iri=base_iri) or (None, None)
        except UpdateRefused as err:  # a syntax error, or a protected graph
            return ("refused", err.status, err.message, "", ""), None
        except Exception:  # a fault of the short way must not refuse a good update: take the long one
            log.exception("preparing the check of an update failed; checking it the long way")
            job = None
        if job is None:
            return self.checker.check(self.store.dump(), text, base_iri, self.config.check_timeout), None
        return self.checker.judge(job, self.config.check_timeout), change

    def write(self, entry: JournalEntry, change: Delta | None = None) -> None:
        faults.io_error("store-write")
        if faults.read_only() and self.store_path is not None:
            raise OSError(errno.EROFS, "Read-only file system (injected)")
        if self.store.read_only:
            raise OSError(errno.EROFS, f"the store is open for reading only ({self.store_fault})")
        apply(self.store, entry.update, base_iri=entry.base_iri, seq=entry.seq, change=change)

    def keep(self, entry: JournalEntry) -> None:
        """A journalled update the store failed and the journal kept: applied when the store is reopened."""
        with self.write_lock:
            if not any(e.seq == entry.seq for e in self.entries):
                self.entries.append(entry)
                self.entries.sort(key=lambda e: e.seq)
            self.store_fault = self.store_fault or "a journalled update is waiting to be applied"


class JournalBehind(Exception):
    """The store holds updates the journal does not: the journal lost acknowledged entries."""


def main(sock, config: EngineConfig) -> None:
    """Entry point of the engine process; `sock` is its end of the pipe (wire.py)."""
    conn = wire.Channel(sock)
    try:
        engine = Engine(conn, config)
    except (SourceError, JournalBehind) as err:
        conn.send(("failed", str(err)))
        return
    except Exception as err:  # say why, rather than die with a traceback nobody reads
        log.exception("the engine cannot start")
        conn.send(("failed", f"{type(err).__name__}: {err}"))
        return
    engine.run()
