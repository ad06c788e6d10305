"""The crash-and-fault harness: update bursts with a record of every answer, and the content oracle.

Each update inserts three triples about one subject, so a store that holds one or
two of them holds a half-applied update. The oracle is content, never a clean
start: every acknowledged (2xx) update present, none half-applied, none present
after an answer that said "not applied".
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from conftest import Server

TOKEN = "fault-token"
GRAPH = "urn:gmg-test:faults"
JSON = {"Accept": "application/sparql-results+json"}


def server_args(store: Path) -> list[str]:
    return ["--store", str(store), "--update-token", TOKEN, "--query-timeout", "5"]


def update_text(tag: str) -> str:
    s = f"<urn:gmg-test:item-{tag}>"
    return (f'INSERT DATA {{ GRAPH <{GRAPH}> {{ {s} <urn:gmg-test:p1> "1" . {s} <urn:gmg-test:p2> "2" . '
            f'{s} <urn:gmg-test:p3> "3" }} }}')


@dataclass
class Ledger:
    """What each update's client was told: acknowledged, refused as not applied, or no answer."""
    acknowledged: set[str] = field(default_factory=set)
    not_applied: set[str] = field(default_factory=set)
    unknown: set[str] = field(default_factory=set)  # the connection broke: either outcome is allowed
    answers: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, url: str, tag: str, timeout: float = 90) -> int | None:
        try:
            response = httpx.post(url + "/update", content=update_text(tag), timeout=timeout, headers={
                "Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
        except httpx.TransportError as err:
            with self.lock:
                self.unknown.add(tag)
                self.answers[tag] = f"no answer ({type(err).__name__})"
            return None
        with self.lock:
            self.answers[tag] = f"{response.status_code} {response.text[:200]}"
            if 200 <= response.status_code < 300:
                self.acknowledged.add(tag)
            elif "not applied" in response.text:
                self.not_applied.add(tag)
            else:
                self.unknown.add(tag)
        return response.status_code


def item_counts(url: str) -> dict[str, int]:
    query = (f"SELECT ?s (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }} GROUP BY ?s")
    response = httpx.get(url + "/sparql", params={"query": query}, headers=JSON, timeout=30)
    assert response.status_code == 200, response.text
    prefix = "urn:gmg-test:item-"
    return {row["s"]["value"][len(prefix):]: int(row["n"]["value"]) for row in response.json()["results"]["bindings"]}


def check(case: str, url: str, ledger: Ledger, recover_seconds: float | None = None) -> dict:
    """Print the case's figures and fail on any loss, half-applied update or false "not applied"."""
    counts = item_counts(url)
    present = {tag for tag, n in counts.items() if n == 3}
    half = {tag for tag, n in counts.items() if n != 3}
    lost = ledger.acknowledged - present
    false_not_applied = ledger.not_applied & set(counts)
    figures = {"acknowledged": len(ledger.acknowledged), "present": len(present & ledger.acknowledged),
               "half_applied": len(half), "lost": len(lost), "false_not_applied": len(false_not_applied),
               "unanswered": len(ledger.unknown)}
    recover = f" recover={recover_seconds:.2f}s" if recover_seconds is not None else ""
    print(f"[fault] {case}: " + " ".join(f"{k}={v}" for k, v in figures.items()) + recover)
    assert not lost, f"{case}: acknowledged updates lost: {sorted(lost)}; answers: {ledger.answers}"
    assert not half, f"{case}: half-applied updates: { {t: counts[t] for t in half} }"
    assert not false_not_applied, (f"{case}: answered 'not applied' but present: {sorted(false_not_applied)}; "
                                   f"answers: {ledger.answers}")
    return figures


def start(store: Path, env: dict | None = None) -> tuple[Server, float]:
    """A server on `store`; returns it and the seconds until /health answered 200."""
    began = time.monotonic()
    server = Server(server_args(store), env=env).wait_ready(timeout=60)
    return server, time.monotonic() - began


def kill9(server: Server) -> None:
    """SIGKILL the server (its engine exits when the server's end of the pipe closes)."""
    if server.process.poll() is None:
        os.kill(server.process.pid, signal.SIGKILL)
    server.process.wait(10)


def engine_pid(url: str) -> int:
    return httpx.get(url + "/health", timeout=10).json()["engine"]["pid"]


def file_size_limit(pid: int, limit: int | None) -> None:
    """Set, or with None lift, a running process's file-size limit (RLIMIT_FSIZE): its writes that
    would grow a file past `limit` bytes fail with EFBIG, as on a full disk. Only the soft limit
    moves, so a user who is not root can lift it again."""
    import resource

    _, hard = resource.prlimit(pid, resource.RLIMIT_FSIZE)
    soft = hard if limit is None else (limit if hard == resource.RLIM_INFINITY else min(limit, hard))
    resource.prlimit(pid, resource.RLIMIT_FSIZE, (soft, hard))


def health(url: str) -> dict:
    response = httpx.get(url + "/health", timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def quick_query(url: str) -> float:
    """Ask a small query; fail unless it answers 200 within 1 s; return the seconds it took."""
    began = time.monotonic()
    response = httpx.get(url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers=JSON, timeout=10)
    seconds = time.monotonic() - began
    assert response.status_code == 200 and response.json()["boolean"] is True, response.text
    assert seconds < 1.0, f"a small query took {seconds:.2f} s"
    return seconds


def copy_store(seed: Path, target: Path) -> Path:
    shutil.copytree(seed, target)
    return target
