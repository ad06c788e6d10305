"""The checker: an update's SHACL validation, in a process of its own at a low CPU priority.

Validating is pure Python (rdflib and pySHACL). Done in the engine, it held the
interpreter lock that the engine's query threads need to serialise their answers,
and two busy writers cut read throughput by half or more (scripts/soak.py throughput).
Here it holds no lock of the engine's, and runs niced, so when the CPU is short
the readers are served first and a writer waits longer (never the reverse).

The engine reads the store: it sends ("job", job), the update's affected nodes
and their neighbourhoods before and after it (gmg.incremental.Job, a few hundred
triples), or, for an update only the long way can check, ("full", N-Quads of the
whole store, text, base IRI); the checker keeps no copy of the store, so it can
never check against stale data. It answers ("ok", digest of the sources it
checked against) or ("refused", status, message, report text, report Turtle),
and exits when the engine's end of the socket closes.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import os
import signal
import socket
import subprocess
import sys
from multiprocessing.connection import Connection
from pathlib import Path

log = logging.getLogger("gmg.engine")

PR_SET_PDEATHSIG = 1  # prctl(2): the signal this process gets when its parent ends
NICENESS = 10  # readers first: under a full CPU the checker gets a small share, not none


class Checker:
    """The engine's handle on its checker process (started at the first update, restarted if it dies)."""

    def __init__(self, data_root: str | None, niceness: int = NICENESS):
        self.data_root, self.niceness = data_root, niceness
        self.process: subprocess.Popen | None = None
        self.conn: Connection | None = None

    def judge(self, job, timeout: float) -> tuple:
        """The verdict on a prepared update (gmg.incremental.Job)."""
        return self.ask(("job", job), timeout)

    def check(self, nquads: bytes, text: str, base_iri: str | None, timeout: float) -> tuple:
        """The verdict on an update checked the long way, against the whole store's content."""
        return self.ask(("full", nquads, text, base_iri), timeout)

    def ask(self, message: tuple, timeout: float) -> tuple:
        if self.process is None or self.process.poll() is not None:
            self.start()
        try:
            self.conn.send(message)
            if not self.conn.poll(timeout):
                self.stop()
                return ("refused", 503, f"The update could not be checked within {timeout:g} s (the server is "
                                        "busy); it was not applied. Please retry.", "", "")
            return self.conn.recv()
        except (EOFError, OSError) as err:
            self.stop()
            return ("refused", 500, f"Internal error while checking the update: the checker stopped ({err}).",
                    "", "")

    def start(self) -> None:
        ours, theirs = socket.socketpair()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gmg.engine.validator", str(theirs.fileno()), self.data_root or "",
             str(self.niceness), str(os.getpid())], pass_fds=[theirs.fileno()], env=env)
        theirs.close()
        self.conn = Connection(ours.detach())

    def stop(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)
        self.process = None


def _die_with(engine_pid: int) -> None:
    """End this process when the engine ends, even in the middle of a long check (Linux).

    Otherwise a check the long way over a large store would go on for minutes after
    its server was stopped, the end of the socket noticed only when it is done. (Linux
    sends the signal when the thread that started this process ends: the engine's main
    thread or one of its pool's, which live as long as the engine.)
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the closed socket ends it, after the check
        return
    if os.getppid() != engine_pid:  # the engine ended before the call above
        os._exit(0)


def main() -> None:
    fd, data_root, niceness = int(sys.argv[1]), sys.argv[2] or None, int(sys.argv[3])
    _die_with(int(sys.argv[4]))
    os.nice(niceness)
    from ..paths import DataDir
    from ..sources import load_sources
    from ..store import GraphStore
    from ..incremental import prepare_shapes
    from ..update import CHECK_SOURCES, UpdateRefused, check_full, judge

    conn = Connection(fd)
    sources = load_sources(DataDir(Path(data_root)) if data_root else None, only=CHECK_SOURCES)
    prepare_shapes(sources)  # before the first update asks, not while it waits
    # The sources (rdflib graphs of the shapes and ontology, pySHACL's parsed shapes) are kept
    # for good: frozen, a full collection no longer walks them (it took about 110 ms, every
    # 20-odd updates: most of an update's 95th percentile).
    gc.freeze()
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return  # the engine is gone
        try:
            if message[0] == "job":
                judge(message[1], sources)
            else:
                _, nquads, text, base_iri = message
                check_full(GraphStore.from_nquads(nquads), text, sources, base_iri=base_iri)
            verdict = ("ok", sources.digest)
        except UpdateRefused as err:
            report = err.report
            verdict = ("refused", err.status, err.message, report.render() if report else "",
                       report.graph.serialize(format="turtle") if report else "")
        except Exception as err:  # a fault of the checker must not take it down
            log.exception("checking an update failed")
            verdict = ("refused", 500, f"Internal error while checking the update: {err}", "", "")
        try:
            conn.send(verdict)
        except OSError:
            return


if __name__ == "__main__":
    main()
