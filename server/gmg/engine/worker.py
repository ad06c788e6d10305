"""The engine process: owns the store, answers requests in threads, dies with its parent.

Messages on the pipe (tuples, first item the kind):
  server -> engine: ("query", id, QueryRequest) | ("cancel", id) | ("info", id)
                    | ("update", id, text, base_iri) | ("commit", id, seq) | ("abort", id)
  engine -> server: ("ready", info) | ("failed", message)
                    | ("head", id, kind, format name, headers) | ("chunk", id, bytes) | ("end", id)
                    | ("whole", id, kind, format name, headers, bytes): a small answer in one message
                    | ("error", id, status, message) | ("info", id, info)
                    | ("validated", id, sources digest) | ("updated", id) | ("apply-failed", id, message)
                    | ("refused", id, status, message, report text, report turtle)

An update takes two steps: the engine checks it and says "validated"; the server
writes it to the journal (fsynced) and says "commit" with its sequence number, or
"abort"; only then does the engine apply it, with that number, in one transaction.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .. import faults
from ..journal import JOURNAL, JournalEntry
from ..store import BUILD_INFO, ROCKSDB, GraphStore, open_on_disk, open_store
from ..update import UpdateRefused, apply, check, replay
from ..formats import NotAcceptable
from ..paths import DataDir
from ..query import QueryError, QueryRequest, answer
from ..sources import SourceError, load_sources


WHOLE_ANSWER_BYTES = 64 * 1024  # answers up to this size are sent in one message

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


class Engine:
    def __init__(self, conn, config: EngineConfig):
        self.conn = conn
        self.send_lock = threading.Lock()
        self.cancelled: set[int] = set()
        self.active: set[int] = set()  # queries being answered
        self.data = DataDir(Path(config.data_root)) if config.data_root else None
        self.sources_cache = None
        self.write_lock = threading.Lock()
        self.journal_problems: list[dict] = []
        self.decisions: dict[int, list] = {}  # update id -> [event, "commit"/"abort" message]
        store_path = Path(config.store_path) if config.store_path else None
        started = time.monotonic()
        digest_before = GraphStore.stored_digest(store_path)
        self.store = self.open(config, store_path)
        rebuilt = store_path is not None and digest_before != self.store.build_info().get("digest")
        self.recovery = self.catch_up(config, store_path, rebuilt)
        self.recovery["seconds"] = round(time.monotonic() - started, 3)
        self.pool = ThreadPoolExecutor(max_workers=config.threads, thread_name_prefix="gmg-query")

    def catch_up(self, config: EngineConfig, store_path: Path | None, rebuilt: bool) -> dict:
        """Apply the journal entries the store has not applied yet; refuse a store ahead of its journal."""
        entries = list(config.journal)
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
                store = open_on_disk(store_path)
                if GraphStore.stored_digest(store_path):  # (not removed as damaged)
                    return store
                del store
            if store_path is None and snapshot is not None and snapshot.exists():
                return GraphStore.from_snapshot(snapshot)
        store = open_store(self.data, store_path)
        if store_path is None and snapshot is not None:
            store.write_snapshot(snapshot)
        return store

    def sources(self):
        """The source files parsed with rdflib, for validating updates (loaded on first use)."""
        if self.sources_cache is None:
            self.sources_cache = load_sources(self.data)
        return self.sources_cache

    def replay(self, entries) -> None:
        """Re-apply the journal over a rebuilt store; entries that no longer pass are reported, kept in the journal."""
        for problem in replay(self.store, entries, self.sources()):
            record = {"update": problem.entry.update, "status": problem.status, "message": problem.message,
                      "report": problem.report}
            self.journal_problems.append(record)
            log.warning("journal entry no longer applies (%s): %s", problem.status, problem.message)

    def send(self, message: tuple) -> None:
        with self.send_lock:
            self.conn.send(message)

    def info(self) -> dict:
        return {"triples": len(self.store), "named_graphs": self.store.named_graphs(),
                "pid": os.getpid(), "journal_problems": self.journal_problems,
                "applied_sequence": self.store.applied_sequence(), "recovery": self.recovery}

    def run(self) -> None:
        self.send(("ready", self.info()))
        while True:
            try:
                message = self.conn.recv()
            except (EOFError, OSError):
                os._exit(0)  # the server is gone: so is its engine
            kind = message[0]
            if kind == "query":
                self.active.add(message[1])
                self.pool.submit(self.query, message[1], message[2])
            elif kind == "cancel":
                if message[1] in self.active:  # (a late cancel of a finished answer is dropped)
                    self.cancelled.add(message[1])
            elif kind == "info":
                self.send(("info", message[1], self.info()))
            elif kind == "update":
                self.decisions[message[1]] = [threading.Event(), None]
                self.pool.submit(self.update, message[1], message[2], message[3])
            elif kind in ("commit", "abort"):
                decision = self.decisions.get(message[1])
                if decision is not None:
                    decision[1] = message
                    decision[0].set()

    def query(self, request_id: int, request: QueryRequest) -> None:
        try:
            head, body = answer(self.store, request)
            # Most answers are small: they go in one message (one pipe write, one wake-up
            # of the server) instead of a head, chunks and an end.
            first, size = [], 0
            for chunk in body:
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
                try:
                    check(self.store, text, self.sources(), base_iri=base_iri)
                except UpdateRefused as err:
                    report = err.report
                    self.send(("refused", request_id, err.status, err.message,
                               report.render() if report else "",
                               report.graph.serialize(format="turtle") if report else ""))
                    return
                except Exception as err:
                    self.send(("refused", request_id, 500, f"Internal error while checking the update: {err}",
                               "", ""))
                    return
                faults.point("validated")
                self.send(("validated", request_id, self.sources().digest))
                event, _ = self.decisions[request_id]
                event.wait()  # the server journals it (a server that dies takes this process with it)
                decision = self.decisions[request_id][1]
                if decision[0] != "commit":
                    return
                try:
                    apply(self.store, text, base_iri=base_iri, seq=decision[2])
                except Exception as err:
                    self.send(("apply-failed", request_id, f"{type(err).__name__}: {err}"))
                    return
                faults.point("applied")
                self.send(("updated", request_id))
        finally:
            self.decisions.pop(request_id, None)


class JournalBehind(Exception):
    """The store holds updates the journal does not: the journal lost acknowledged entries."""


def main(conn, config: EngineConfig) -> None:
    """Entry point of the engine process."""
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
