"""Nothing acknowledged is ever lost: kill -9 at named and random points, damaged files, a full disk.

The oracle is content (see faultkit.py): every acknowledged update present, none
half-applied, no false "not applied". Each case prints its figures; run with -s
to see them. Longer runs of the same cases: scripts/soak.py.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import threading
import time
from pathlib import Path

import httpx
import pytest

from faultkit import (Ledger, check, copy_store, engine_pid, file_size_limit, health, kill9, quick_query,
                      start)

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
    # the store is a cache: whatever is lost of it is rebuilt from the sources and the journal;
    # a RocksDB folder that cannot be opened is moved aside (kept, named in a warning), not deleted
    "build.json: truncated": (lambda s: _cut(s / "build.json", 20), "recovers"),
    "build.json: deleted": (lambda s: (s / "build.json").unlink(), "recovers"),
    "oxigraph/: deleted": (lambda s: shutil.rmtree(s / "oxigraph"), "recovers"),
    "RocksDB CURRENT: overwritten": (lambda s: _overwrite(s / "oxigraph" / "CURRENT"), "moved aside"),
    "RocksDB CURRENT: deleted": (lambda s: (s / "oxigraph" / "CURRENT").unlink(), "moved aside"),
    # (RocksDB may or may not open a MANIFEST cut in half: either way nothing is lost)
    "RocksDB MANIFEST: truncated": (lambda s: [_cut(p, p.stat().st_size // 2) for p in _rocksdb(s, "MANIFEST-*")],
                                    "recovers"),
    "RocksDB write-ahead log: cut in half": (lambda s: [_cut(p, p.stat().st_size // 2) for p in _rocksdb(s, "*.log")],
                                             "recovers"),
    "RocksDB write-ahead log: deleted": (lambda s: [p.unlink() for p in _rocksdb(s, "*.log")], "recovers"),
    "RocksDB table files: deleted": (lambda s: [p.unlink() for p in _rocksdb(s, "*.sst")], "moved aside"),
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
        if expected in ("recovers", "moved aside"):
            server.wait_ready(timeout=60)
            check(f"damaged {case}", server.url, ledger, time.monotonic() - began)
            # and the rest of the data (the sources) is whole too
            assert httpx.get(server.url + "/health", timeout=10).json()["triples"] == ledger.triples
            asides = sorted(store.glob("oxigraph.damaged-*"))
            if expected == "moved aside":  # kept for a post-mortem, and the warning says where
                assert len(asides) == 1 and (asides[0] / "IDENTITY").exists(), asides
                assert re.fullmatch(r"oxigraph\.damaged-\d{8}T\d{6}Z", asides[0].name), asides
                assert f"moved it to {asides[0]}" in server.output(), server.output()
            for aside in asides:  # (whenever RocksDB could not open it)
                assert f"moved it to {aside}" in server.output(), server.output()
        else:
            code = server.process.wait(60)
            output = server.output()
            print(f"[fault] damaged {case}: refused to start (exit {code}) in {time.monotonic() - began:.2f}s")
            assert code != 0 and expected in output, output
            assert "Traceback" not in output, output  # a message, not a bare traceback
    finally:
        server.stop()


# --- a full disk, a read-only folder, I/O errors: the update fails truthfully, then works again ---
# (no restart: the engine that answered before the fault answers after it)

@pytest.fixture
def small_filesystem(tmp_path):
    """A 96 MB tmpfs where the tests may mount one (root, as in CI), unmounted afterwards; otherwise
    None, and the test fills "the disk" with a file-size limit (RLIMIT_FSIZE) instead."""
    import subprocess

    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96m", "tmpfs", str(mount)],
                          capture_output=True, text=True) if os.geteuid() == 0 else None
    if done is None or done.returncode != 0:
        print(f"[fault] no tmpfs ({done.stderr.strip() if done else 'not root'}): a file-size limit instead")
        yield None
        return
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


def _same_engine(url: str, pid: int) -> None:
    body = health(url)
    assert body["engine"]["pid"] == pid and body["engine"]["restarts"] == 0, body["engine"]


def test_full_disk_fails_updates_truthfully_and_recovers_without_restart(seed, small_filesystem, tmp_path):
    store = copy_store(seed[0], (small_filesystem or tmp_path) / "store")
    ledger = Ledger(acknowledged=set(seed[1].acknowledged))
    server, _ = start(store)
    try:
        pid = engine_pid(server.url)
        if small_filesystem is not None:
            filler = _fill(small_filesystem)
            free = filler.unlink
        else:  # not root: the server may not grow any file (the journal first)
            file_size_limit(server.process.pid, 0)
            free = lambda: file_size_limit(server.process.pid, None)  # noqa: E731
        statuses = [ledger.send(server.url, "full"), ledger.send(server.url, "full-again")]
        degraded = health(server.url)
        assert set(statuses) <= {503, 507} and {"full", "full-again"} <= ledger.not_applied, ledger.answers
        assert degraded["status"] == "degraded" and degraded["reasons"], degraded
        quick_query(server.url)  # queries go on
        free()  # the disk is freed: the next update works, no restart
        began = time.monotonic()
        assert ledger.send(server.url, "freed") == 204, ledger.answers
        recovered = time.monotonic() - began
        assert health(server.url)["status"] == "ok"
        _same_engine(server.url, pid)
        print(f"[fault] full disk: updates answered {statuses} then 204 after freeing; /health was "
              f"degraded: {degraded['reasons']}")
        check("full disk, then freed", server.url, ledger, recovered)
    finally:
        kill9(server)
    restart_and_check(store, ledger, "full disk: restarted")


def test_a_store_write_failing_after_the_journal_is_taken_back_and_the_store_reopened(seed, tmp_path):
    """The journal takes the entry, then RocksDB fails the write (a file-size limit on the engine
    alone, EFBIG): the entry is taken back, the answer is "not applied", RocksDB (which refuses
    every write after a failed one) is opened again by the next update, and no engine restarts."""
    store, ledger = fresh(seed, tmp_path)
    server, _ = start(store, env={"GMG_MIN_FREE_DISK_MB": "0"})
    try:
        pid = engine_pid(server.url)
        file_size_limit(pid, 1)
        statuses = [ledger.send(server.url, "store-full")]
        degraded = health(server.url)
        assert statuses == [507] and "store-full" in ledger.not_applied, ledger.answers
        assert degraded["status"] == "degraded" and "File too large" in " ".join(degraded["reasons"]), degraded
        assert degraded["updates"]["journal"] == degraded["updates"]["last_applied"], degraded["updates"]
        quick_query(server.url)
        statuses.append(ledger.send(server.url, "still-full"))  # opening the store for writing fails too
        assert statuses[-1] == 507 and "still-full" in ledger.not_applied, ledger.answers
        quick_query(server.url)
        check("store write failing", server.url, ledger)
        file_size_limit(pid, None)
        began = time.monotonic()
        healthy, _ = _health_recovers(server.url)  # no update needed to find the store writable
        assert healthy["status"] == "ok" and healthy["updates"]["store_state"] == "ok", healthy
        assert ledger.send(server.url, "store-freed") == 204, ledger.answers
        recovered = time.monotonic() - began
        assert health(server.url)["status"] == "ok"
        _same_engine(server.url, pid)
        print(f"[fault] store write failing after the journal: answered {statuses}, then 204")
        check("store write failing, then freed", server.url, ledger, recovered)
    finally:
        kill9(server)
    restart_and_check(store, ledger, "store write failing: restarted")


def _modes_bind(folder: Path) -> bool:
    """Whether file modes stop this user's writes (not for root, who may override them)."""
    probe = folder / "mode-probe"
    probe.touch(mode=0o444)
    try:
        with open(probe, "ab"):
            return False
    except PermissionError:
        return True
    finally:
        probe.unlink()


def _make_read_only(store: Path, flag: Path) -> tuple:
    """Make the store's folder unwritable; return the function that makes it writable again. With
    file modes (EACCES) where they bind; else (root) through the test-only hook GMG_FAULT_READONLY,
    which fails the server's and the engine's writes there with EROFS."""
    if not _modes_bind(flag.parent):
        flag.touch()
        return flag.unlink
    paths = [store / "journal.jsonl", store / "oxigraph", store]
    modes = {path: path.stat().st_mode for path in paths}
    for path in paths:
        path.chmod(0o555 if path.is_dir() else 0o444)
    return lambda: [path.chmod(mode) for path, mode in modes.items()]


def test_a_read_only_store_folder_fails_updates_truthfully_and_recovers_without_restart(seed, tmp_path):
    store, ledger = fresh(seed, tmp_path)
    flag = tmp_path / "read-only"
    server, _ = start(store, env={"GMG_FAULT_READONLY": str(flag)})
    stop = threading.Event()
    try:
        pid = engine_pid(server.url)
        threads = _burst(server.url, ledger, "ro", stop)
        time.sleep(1.0)  # (an update is being checked: the folder turns read-only under it)
        writable = _make_read_only(store, flag)
        refused_before = len(ledger.not_applied)
        _wait_for(lambda: len(ledger.not_applied) > refused_before, 60, ledger)
        degraded = health(server.url)
        quick_query(server.url)
        writable()
        acknowledged = len(ledger.acknowledged)
        _wait_for(lambda: len(ledger.acknowledged) > acknowledged, 60, ledger)
        stop.set()
        for thread in threads:
            thread.join(60)
        assert degraded["status"] == "degraded" and degraded["reasons"], degraded
        assert not ledger.unknown, ledger.answers  # every update had a clear answer
        refusals = {ledger.answers[tag][:3] for tag in ledger.not_applied}
        assert refusals == {"503"}, ledger.answers
        assert health(server.url)["status"] == "ok"
        _same_engine(server.url, pid)
        print(f"[fault] read-only folder during a burst: {len(ledger.not_applied)} refused (503), /health was "
              f"degraded: {degraded['reasons']}")
        check("read-only folder, then writable", server.url, ledger)
    finally:
        stop.set()
        kill9(server)
    restart_and_check(store, ledger, "read-only folder: restarted")


def test_a_store_that_cannot_be_written_at_start_is_served_read_only(seed, tmp_path):
    """A start on a read-only folder whose RocksDB lost its write-ahead log: the store opens read-only,
    the journal's missing entries are applied on a copy in memory, so every acknowledged update
    is answered; updates are refused until the folder is writable, then work with no restart."""
    store, ledger = fresh(seed, tmp_path)
    for log in _rocksdb(store, "*.log"):
        log.unlink()
    flag = tmp_path / "read-only"
    flag.touch()
    server, seconds = start(store, env={"GMG_FAULT_READONLY": str(flag)})
    try:
        pid = engine_pid(server.url)
        check("read-only at start", server.url, ledger, seconds)
        degraded = health(server.url)
        assert degraded["status"] == "degraded" and degraded["updates"]["store_state"] == "write failing", degraded
        assert ledger.send(server.url, "ro-start") == 503 and "ro-start" in ledger.not_applied, ledger.answers
        flag.unlink()
        assert ledger.send(server.url, "writable") == 204, ledger.answers
        assert health(server.url)["status"] == "ok"
        _same_engine(server.url, pid)
        check("read-only at start, then writable", server.url, ledger)
    finally:
        kill9(server)
    restart_and_check(store, ledger, "read-only at start: restarted")


def _wait_for(condition, seconds: float, ledger: Ledger) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out; answers: {ledger.answers}"
        time.sleep(0.05)


def _health_recovers(url: str, seconds: float = 10) -> tuple[dict, float]:
    """/health until it says "ok" with no update sent meanwhile (it looks whether the cause has gone)."""
    began = time.monotonic()
    while True:
        body = health(url)
        if body["status"] == "ok" or time.monotonic() - began > seconds:
            return body, time.monotonic() - began
        time.sleep(0.2)


def test_an_io_error_on_the_journal_fails_updates_truthfully_and_health_sees_it_gone(seed, tmp_path):
    """I/O errors on the journal while a flag file exists: updates are "not applied" and /health
    degraded; once the errors stop, /health says "ok" before any update succeeds, and the next
    update is applied."""
    store, ledger = fresh(seed, tmp_path)
    flag = tmp_path / "io-errors"
    flag.touch()
    server, _ = start(store, env={"GMG_FAULT_IO": f"journal-write@{flag}"})
    try:
        assert ledger.send(server.url, "io-error") == 503, ledger.answers
        assert "io-error" in ledger.not_applied
        degraded = health(server.url)
        time.sleep(1.2)  # (past the interval between two looks at the disk)
        still = health(server.url)
        for body in (degraded, still):
            assert body["status"] == "degraded" and "journal" in " ".join(body["reasons"]), body
            assert body["updates"]["journal_state"] == "write failing", body["updates"]
        flag.unlink()
        healthy, seconds = _health_recovers(server.url)
        assert healthy["status"] == "ok" and healthy["updates"]["journal_state"] == "ok", healthy
        assert ledger.send(server.url, "after") == 204, ledger.answers
        print(f"[fault] journal I/O errors: /health degraded while they lasted, ok {seconds:.2f}s after they stopped")
        check("I/O errors on the journal, then fine", server.url, ledger)
    finally:
        kill9(server)
    restart_and_check(store, ledger, "I/O error: restarted")


def test_a_store_found_damaged_when_reopened_after_a_failed_write_is_rebuilt(seed, tmp_path):
    """A store write fails (a file-size limit on the engine); while the store is read-only its
    RocksDB CURRENT file is overwritten; once writes are possible again, /health's look at the
    store finds it damaged: a new engine moves it aside and rebuilds it from the sources and the
    journal, every acknowledged update is there, and updates work again."""
    store, ledger = fresh(seed, tmp_path)
    server, _ = start(store, env={"GMG_MIN_FREE_DISK_MB": "0"})
    try:
        pid = engine_pid(server.url)
        file_size_limit(pid, 1)
        assert ledger.send(server.url, "store-full") == 507, ledger.answers
        _overwrite(store / "oxigraph" / "CURRENT")
        quick_query(server.url)  # the read-only store goes on answering
        file_size_limit(pid, None)
        began = time.monotonic()
        healthy, _ = _health_recovers(server.url, 60)
        recovered = time.monotonic() - began
        assert healthy["status"] == "ok" and healthy["engine"]["restarts"] == 1, healthy
        asides = sorted(store.glob("oxigraph.damaged-*"))
        assert len(asides) == 1, asides
        assert f"moved it to {asides[0]}" in server.output(), server.output()
        check("store damaged while read-only, rebuilt", server.url, ledger, recovered)
        assert ledger.send(server.url, "after-rebuild") == 204, ledger.answers
        check("store damaged while read-only, then updated", server.url, ledger)
    finally:
        kill9(server)
    restart_and_check(store, ledger, "store damaged when reopened: restarted")
