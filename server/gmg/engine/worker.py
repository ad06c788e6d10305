"""The engine process: owns the store, answers requests in threads, dies with its parent.

Messages on the pipe (tuples, first item the kind):
  server -> engine: ("query", id, QueryRequest) | ("cancel", id) | ("info", id)
  engine -> server: ("ready", info) | ("head", id, kind, format name, headers) | ("chunk", id, bytes)
                    | ("end", id) | ("error", id, status, message) | ("info", id, info)
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..store import open_store
from ..formats import NotAcceptable
from ..paths import DataDir
from ..query import QueryError, QueryRequest, answer
from ..sources import SourceError


@dataclass(frozen=True)
class EngineConfig:
    store_path: str | None = None  # None: in memory, rebuilt from the sources at each start
    data_root: str | None = None  # None: the default data folders
    threads: int = 4


class Engine:
    def __init__(self, conn, config: EngineConfig):
        self.conn = conn
        self.send_lock = threading.Lock()
        self.cancelled: set[int] = set()
        data = DataDir(Path(config.data_root)) if config.data_root else None
        self.store = open_store(data, Path(config.store_path) if config.store_path else None)
        self.pool = ThreadPoolExecutor(max_workers=config.threads, thread_name_prefix="gmg-query")

    def send(self, message: tuple) -> None:
        with self.send_lock:
            self.conn.send(message)

    def info(self) -> dict:
        return {"triples": len(self.store), "named_graphs": self.store.named_graphs(),
                "default_graphs": [str(g) for g in self.store.default_dataset()], "pid": os.getpid()}

    def run(self) -> None:
        self.send(("ready", self.info()))
        while True:
            try:
                message = self.conn.recv()
            except (EOFError, OSError):
                os._exit(0)  # the server is gone: so is its engine
            kind = message[0]
            if kind == "query":
                self.pool.submit(self.query, message[1], message[2])
            elif kind == "cancel":
                self.cancelled.add(message[1])
            elif kind == "info":
                self.send(("info", message[1], self.info()))

    def query(self, request_id: int, request: QueryRequest) -> None:
        try:
            head, body = answer(self.store, request)
            self.send(("head", request_id, head.kind, head.format.name, head.headers))
            for chunk in body:
                if request_id in self.cancelled:
                    break
                self.send(("chunk", request_id, chunk))
            self.send(("end", request_id))
        except QueryError as err:
            self.send(("error", request_id, 400, str(err)))
        except NotAcceptable as err:
            self.send(("error", request_id, 406, str(err)))
        except Exception as err:  # an engine fault must not kill the engine
            self.send(("error", request_id, 500, f"Internal error while answering the query: {err}"))
        finally:
            self.cancelled.discard(request_id)


def main(conn, config: EngineConfig) -> None:
    """Entry point of the engine process."""
    try:
        engine = Engine(conn, config)
    except SourceError as err:
        conn.send(("failed", str(err)))
        return
    engine.run()
