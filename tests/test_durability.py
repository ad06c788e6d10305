"""Nothing acknowledged is ever lost: kill -9 at named and random points, damaged files, a full disk.

The oracle is content (see faultkit.py): every acknowledged update present, none
half-applied, no false "not applied". Each case prints its figures; run with -s
to see them. Longer runs of the same cases: scripts/soak.py.
"""

from __future__ import annotations

import random
import shutil
import threading
import time
from pathlib import Path

import httpx
import pytest

from faultkit import Ledger, check, copy_store, engine_pid, kill9, start

SEED_UPDATES = 3


@pytest.fixture(scope="module")
def seed(tmp_path_factory) -> tuple[Path, Ledger]:
    """A store with a few acknowledged updates, its server killed with SIGKILL after them."""
    store = tmp_path_factory.mktemp("seed") / "store"
    server, _ = start(store)
    ledger = Ledger()
    try:
        for i in range(SEED_UPDATES):
            assert ledger.send(server.url, f"seed{i}") == 204, ledger.answers
        ledger.triples = httpx.get(server.url + "/health", timeout=10).json()["triples"]
    finally:
        kill9(server)
    return store, ledger


def fresh(seed, tmp_path) -> tuple[Path, Ledger]:
    store, ledger = seed
    copy = copy_store(store, tmp_path / "store")
    copied = Ledger(acknowledged=set(ledger.acknowledged))
    copied.triples = ledger.triples
    return copy, copied


# --- kill -9 at named points of one update -----------------------------------------------

@pytest.mark.parametrize("point, who", [
    ("validated", "engine"),     # checked, not yet journalled: "not applied" is the truth
    ("journalled", "server"),    # in the journal, not yet in the store
    ("applied", "engine"),       # in the journal and the store, the server not yet told
    ("acknowledged", "server"),  # everything done, the 2xx not yet sent
])
def test_kill_at_a_named_point_of_an_update(seed, tmp_path, point, who):
    store, ledger = fresh(seed, tmp_path)
    server, _ = start(store, env={"GMG_FAULT_KILL": f"{point}:1"})
    try:
        status = ledger.send(server.url, point)
        if who == "engine":  # the server lives on, replaces its engine and answers the truth
            assert status is not None, ledger.answers
            assert server.process.poll() is None
            check(f"engine killed at {point}", server.url, ledger)
            if point == "applied":
                assert point in ledger.acknowledged, ledger.answers  # applied, so never "not applied"
            else:
                assert point in ledger.not_applied, ledger.answers
        else:
            assert status is None and server.process.wait(10) is not None, ledger.answers
    finally:
        kill9(server)
    again, seconds = start(store)
    try:
        figures = check(f"server restarted after a kill at {point}", again.url, ledger, seconds)
        if point in ("journalled", "acknowledged"):  # journalled: it is replayed at the start
            assert figures["present"] == len(ledger.acknowledged)
            assert point in (set(ledger.answers) & set(_present(again.url)))
    finally:
        again.stop()


def restart_and_check(store: Path, ledger: Ledger, case: str) -> dict:
    """Start a server on the store again and check every acknowledged update is there."""
    again, seconds = start(store)
    try:
        return check(case, again.url, ledger, seconds)
    finally:
        again.stop()


def _present(url: str) -> set[str]:
    from faultkit import item_counts
    return {tag for tag, n in item_counts(url).items() if n == 3}


# --- kill -9 at random moments of a burst ----------------------------------------------

def _burst(url: str, ledger: Ledger, prefix: str, stop: threading.Event, writers: int = 2) -> list[threading.Thread]:
    def writer(w: int) -> None:
        for i in range(1000):
            if stop.is_set():
                return
            if ledger.send(url, f"{prefix}-w{w}-{i}") is None:
                return  # the server is gone
    threads = [threading.Thread(target=writer, args=(w,), daemon=True) for w in range(writers)]
    for thread in threads:
        thread.start()
    return threads


def test_kill_the_server_at_a_random_moment_of_a_burst(seed, tmp_path):
    rng = random.Random()
    store, ledger = fresh(seed, tmp_path)
    server, _ = start(store)
    stop = threading.Event()
    threads = _burst(server.url, ledger, "burst", stop)
    time.sleep(rng.uniform(3.0, 8.0))
    kill9(server)
    stop.set()
    for thread in threads:
        thread.join(30)
    restart_and_check(store, ledger, "server killed during a burst of 2 writers")


def test_kill_the_engine_at_a_random_moment_of_a_burst(seed, tmp_path):
    import os
    import signal

    rng = random.Random()
    store, ledger = fresh(seed, tmp_path)
    server, _ = start(store)
    try:
        stop = threading.Event()
        threads = _burst(server.url, ledger, "engine", stop)
        time.sleep(rng.uniform(2.0, 6.0))
        os.kill(engine_pid(server.url), signal.SIGKILL)
        began = time.monotonic()
        while True:  # the server replaces its engine; the burst goes on
            try:
                if httpx.get(server.url + "/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() - began < 30
            time.sleep(0.05)
        recovered = time.monotonic() - began
        time.sleep(2.0)
        stop.set()
        for thread in threads:
            thread.join(60)
        assert server.process.poll() is None
        check("engine killed during a burst of 2 writers", server.url, ledger, recovered)
        assert not ledger.unknown, ledger.answers  # the server lived: every client had its answer
    finally:
        kill9(server)
    restart_and_check(store, ledger, "server restarted after the engine kill")


# --- damaged files ----------------------------------------------------------------------

def _cut(path: Path, count: int) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:max(0, len(data) - count)])


def _garbage_line(path: Path) -> None:
    lines = path.read_bytes().split(b"\n")
    lines.insert(1, b"this is not a journal entry")
    path.write_bytes(b"\n".join(lines))


def _overwrite(path: Path) -> None:
    path.write_bytes(b"\x00garbage\xff" * max(1, path.stat().st_size // 10))


def _rocksdb(store: Path, pattern: str) -> list[Path]:
    return sorted((store / "oxigraph").glob(pattern))


DAMAGE = {
    # the journal: a torn last write is dropped (never acknowledged); any other damage refuses
    "journal: a torn last write": (lambda s: (s / "journal.jsonl").open("ab").write(b'{"seq": 99, "upd'),
                                   "recovers"),
    "journal: cut by 40 bytes": (lambda s: _cut(s / "journal.jsonl", 40), "journal.jsonl"),
    "journal: a garbage line": (lambda s: _garbage_line(s / "journal.jsonl"), "journal.jsonl"),
    "journal: deleted": (lambda s: (s / "journal.jsonl").unlink(), "journal.jsonl"),
    "journal: overwritten": (lambda s: _overwrite(s / "journal.jsonl"), "journal.jsonl"),
    # the store is a cache: whatever is lost of it is rebuilt from the sources and the journal
    "build.json: truncated": (lambda s: _cut(s / "build.json", 20), "recovers"),
    "build.json: deleted": (lambda s: (s / "build.json").unlink(), "recovers"),
    "oxigraph/: deleted": (lambda s: shutil.rmtree(s / "oxigraph"), "recovers"),
    "RocksDB CURRENT: overwritten": (lambda s: _overwrite(s / "oxigraph" / "CURRENT"), "recovers"),
    "RocksDB CURRENT: deleted": (lambda s: (s / "oxigraph" / "CURRENT").unlink(), "recovers"),
    "RocksDB MANIFEST: truncated": (lambda s: [_cut(p, p.stat().st_size // 2) for p in _rocksdb(s, "MANIFEST-*")],
                                    "recovers"),
    "RocksDB write-ahead log: cut in half": (lambda s: [_cut(p, p.stat().st_size // 2) for p in _rocksdb(s, "*.log")],
                                             "recovers"),
    "RocksDB write-ahead log: deleted": (lambda s: [p.unlink() for p in _rocksdb(s, "*.log")], "recovers"),
    "RocksDB table files: deleted": (lambda s: [p.unlink() for p in _rocksdb(s, "*.sst")], "recovers"),
}


@pytest.mark.parametrize("case", list(DAMAGE))
def test_damaged_file_recovers_or_refuses_naming_it(seed, tmp_path, case):
    from conftest import Server
    from faultkit import server_args

    store, ledger = fresh(seed, tmp_path)
    damage, expected = DAMAGE[case]
    damage(store)
    began = time.monotonic()
    server = Server(server_args(store))
    try:
        if expected == "recovers":
            server.wait_ready(timeout=60)
            check(f"damaged {case}", server.url, ledger, time.monotonic() - began)
            # and the rest of the data (the sources) is whole too
            assert httpx.get(server.url + "/health", timeout=10).json()["triples"] == ledger.triples
        else:
            code = server.process.wait(60)
            output = server.output()
            print(f"[fault] damaged {case}: refused to start (exit {code}) in {time.monotonic() - began:.2f}s")
            assert code != 0 and expected in output, output
            assert "Traceback" not in output, output  # a message, not a bare traceback
    finally:
        server.stop()


# --- a full disk, and I/O errors: the update fails truthfully, then works again without a restart ---

@pytest.fixture
def small_filesystem(tmp_path):
    """A 96 MB tmpfs (the tests run as root in CI); unmounted afterwards."""
    import subprocess

    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    assert done.returncode == 0, f"this test needs root to mount a small tmpfs: {done.stderr}"
    yield mount
    subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _fill(folder: Path) -> Path:
    """Fill the filesystem to the last byte."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * (1 << 20))

        except OSError:
            pass
        try:
            while True:
                f.write(b"\0" * 512)

        except OSError:
            pass
    return filler


def _health(url: str) -> dict:
    response = httpx.get(url + "/health", timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def test_full_disk_fails_updates_truthfully_and_recovers_without_restart(seed, small_filesystem):
    store, ledger = seed[0], Ledger(acknowledged=set(seed[1].acknowledged))
    store = copy_store(store, small_filesystem / "store")
    server, _ = start(store)
    try:
        filler = _fill(small_filesystem)
        statuses = [ledger.send(server.url, "full")]
        health = _health(server.url)
        assert statuses[0] in (503, 507) and "full" in ledger.not_applied, ledger.answers
        assert health["status"] == "degraded" and health["reasons"], health
        assert httpx.get(server.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=10,
                         headers={"Accept": "application/sparql-results+json"}).status_code == 200
        filler.unlink()  # the disk is freed: the next update works, no restart
        began = time.monotonic()
        assert ledger.send(server.url, "freed") == 204, ledger.answers
        recovered = time.monotonic() - began
        assert _health(server.url)["status"] == "ok"
        print(f"[fault] full disk: updates answered {statuses} then 204 after freeing; /health was "
              f"degraded: {health['reasons']}")
        check("full disk, then freed", server.url, ledger, recovered)
    finally:
        kill9(server)
    restart_and_check(store, ledger, "full disk: restarted")


def test_an_io_error_on_the_journal_fails_one_update_truthfully(seed, tmp_path):
    store, ledger = fresh(seed, tmp_path)
    server, _ = start(store, env={"GMG_FAULT_IO": "journal-write:1"})
    try:
        assert ledger.send(server.url, "io-error") == 503, ledger.answers
        assert "io-error" in ledger.not_applied
        health = _health(server.url)
        assert health["status"] == "degraded" and "journal" in health["reasons"][0], health
        assert ledger.send(server.url, "after") == 204, ledger.answers
        assert _health(server.url)["status"] == "ok"
        check("I/O error on the journal, then fine", server.url, ledger)
    finally:
        kill9(server)
    restart_and_check(store, ledger, "I/O error: restarted")
