"""The engine process: owns the store, answers requests in threads, dies with its parent.

Messages on the pipe (tuples, first item the kind):
  server -> engine: ("query", id, QueryRequest) | ("cancel", id) | ("info", id)
                    | ("update", id, text, base_iri)
  engine -> server: ("ready", info) | ("failed", message)
                    | ("head", id, kind, format name, headers) | ("chunk", id, bytes) | ("end", id)
                    | ("whole", id, kind, format name, headers, bytes): a small answer in one message
                    | ("error", id, status, message) | ("info", id, info)
                    | ("updated", id) | ("refused", id, status, message, report text, report turtle)
"""

from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..store import GraphStore, open_store
from ..update import JOURNAL, Journal, JournalEntry, UpdateRefused, check_and_apply, replay
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
    # accepted updates to apply at start: in memory, all of them (already validated
    # against the same files); on disk, the journal is replayed only over a rebuilt store
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
        store_path = Path(config.store_path) if config.store_path else None
        digest_before = GraphStore.stored_digest(store_path)
        self.store = self.open(config, store_path)
        rebuilt = digest_before != self.store.build_info().get("digest")
        if store_path is None and config.revalidate_journal:
            self.replay(list(config.journal))
        elif store_path is None:
            for entry in config.journal:
                self.store.update(entry.update, base_iri=entry.base_iri)
        elif rebuilt:
            self.replay(Journal(store_path / JOURNAL).entries())
        self.pool = ThreadPoolExecutor(max_workers=config.threads, thread_name_prefix="gmg-query")

    def open(self, config: EngineConfig, store_path: Path | None) -> GraphStore:
        snapshot = Path(config.snapshot) if config.snapshot else None
        if not config.from_files:
            if store_path is not None and GraphStore.stored_digest(store_path):
                return GraphStore(store_path)
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
                "pid": os.getpid(), "journal_problems": self.journal_problems}

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
                self.pool.submit(self.update, message[1], message[2], message[3])

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
                check_and_apply(self.store, text, self.sources(), base_iri=base_iri)
            self.send(("updated", request_id))
        except UpdateRefused as err:
            report = err.report
            self.send(("refused", request_id, err.status, err.message,
                       report.render() if report else "",
                       report.graph.serialize(format="turtle") if report else ""))
        except Exception as err:
            self.send(("refused", request_id, 500, f"Internal error while applying the update: {err}", "", ""))


def main(conn, config: EngineConfig) -> None:
    """Entry point of the engine process."""
    try:
        engine = Engine(conn, config)
    except SourceError as err:
        conn.send(("failed", str(err)))
        return
    engine.run()
