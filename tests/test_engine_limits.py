"""Runaway queries, row caps and engine life cycle, against a real server process."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest

from conftest import Server

JSON = {"Accept": "application/sparql-results+json"}
TIMEOUT = 3.0
# every triple three times over: billions of combinations, never finishes
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z FILTER(STRLEN(CONCAT(STR(?x), STR(?y), STR(?z))) < 0) }"


@pytest.fixture(scope="module")
def limited():
    server = Server(["--query-timeout", str(TIMEOUT), "--max-rows", "1000"]).wait_ready()
    yield server
    server.stop()


def get(server: Server, query: str, timeout: float = 30) -> httpx.Response:
    return httpx.get(server.url + "/sparql", params={"query": query}, headers=JSON, timeout=timeout)


def engine(server: Server) -> dict:
    return httpx.get(server.url + "/health", timeout=10).json()["engine"]


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def test_runaway_query_is_stopped_and_others_stay_live(limited):
    before = engine(limited)
    outcome = {}

    def runaway():
        started = time.monotonic()
        outcome["response"] = get(limited, RUNAWAY)
        outcome["answered"] = time.monotonic()
        outcome["elapsed"] = outcome["answered"] - started

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.5)
    started = time.monotonic()
    trivial = get(limited, "ASK {}")
    assert trivial.status_code == 200 and trivial.json()["boolean"] is True
    assert time.monotonic() - started < 2.0, "a trivial query must answer while a runaway one runs"
    thread.join(30)

    response = outcome["response"]
    assert response.status_code == 503
    assert "limit" in response.text and f"{TIMEOUT:g} s" in response.text
    assert outcome["elapsed"] < TIMEOUT + 1.0, f"503 after {outcome['elapsed']:.2f} s"
    # the engine that ran it is gone within 2 s of the 503 ...
    while Path(f"/proc/{before['pid']}").exists() and time.monotonic() < outcome["answered"] + 2.0:
        time.sleep(0.05)
    assert not Path(f"/proc/{before['pid']}").exists(), "the runaway engine is still running"
    after = engine(limited)
    assert after["restarts"] == before["restarts"] + 1
    assert after["pid"] != before["pid"]
    # ... and neither the server nor its new engine is busy: the CPU is free again
    busy = [limited.process.pid, after["pid"]]
    ticks = sum(cpu_ticks(pid) for pid in busy)
    time.sleep(1.0)
    assert sum(cpu_ticks(pid) for pid in busy) - ticks < 20, "server and engine should be idle"
    assert get(limited, "ASK {}").json()["boolean"] is True


def slow_query(n: int) -> str:
    """A query whose cost grows with n squared, whatever the data."""
    values = " ".join(str(i) for i in range(n))
    return (f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} "
            "FILTER(STRLEN(CONCAT(STR(?a), STR(?b))) > 1) }")


def test_reads_in_flight_on_a_replaced_engine_are_retried():
    limit = 6.0  # more slack than the module's server: this test is about timing
    server = Server(["--query-timeout", str(limit)]).wait_ready()
    try:
        # calibrate a read that takes between 0.5 s and a third of the time limit on this machine
        n, duration = 200, 0.0
        while True:
            started = time.monotonic()
            baseline = get(server, slow_query(n))
            duration = time.monotonic() - started
            assert baseline.status_code == 200, baseline.text
            if duration >= 0.5 or n > 20_000:
                break
            n = int(n * 1.5)
        assert duration < limit / 3, f"calibration overshot: {duration:.2f} s"
        expected = baseline.json()["results"]["bindings"][0]["n"]["value"]

        runaway = threading.Thread(target=get, args=(server, RUNAWAY))
        runaway.start()
        # start the read so that it is still running when the runaway one hits the limit
        time.sleep(limit - duration / 2)
        before = engine(server)["retried"]
        response = get(server, slow_query(n))
        runaway.join(30)
        assert response.status_code == 200, response.text
        assert response.json()["results"]["bindings"][0]["n"]["value"] == expected
        assert engine(server)["retried"] >= before + 1
    finally:
        server.stop()


def test_select_is_cut_at_max_rows_with_a_header(limited):
    # the cap is announced before the rows; an answer cut within its first 64 KB also says it was cut
    many = get(limited, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    assert many.status_code == 200
    assert many.headers.get("gmg-results-limit") == "1000"
    assert len(many.json()["results"]["bindings"]) == 1000
    small = httpx.get(limited.url + "/sparql", params={"query": "SELECT ?x WHERE { ?s ?p ?o BIND(1 AS ?x) }"},
                      headers={"Accept": "text/csv"}, timeout=30)
    assert small.headers.get("gmg-results-truncated") == "true"
    assert small.headers.get("gmg-results-limit") == "1000"
    assert small.text.count("\r\n") == 1 + 1000
    few = get(limited, "SELECT ?x WHERE { VALUES ?x { 1 2 3 } }")
    assert "gmg-results-truncated" not in few.headers
    assert few.headers.get("gmg-results-limit") == "1000"
    assert len(few.json()["results"]["bindings"]) == 3


def peak_memory_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def test_a_long_answer_streams_as_the_engine_finds_its_rows(server):
    # 100,000 rows (the default cap) of about 700 bytes: its first bytes must reach the client
    # long before the engine has written the last row, and the engine must not hold the rows
    # (before, it gathered every row first to know whether to say the answer was cut: 73 MB)
    long = "SELECT * WHERE { ?a ?p ?x . ?b ?q ?y }"
    pid = engine(server)["pid"]
    peak = peak_memory_kb(pid)
    started = time.monotonic()
    size = 0
    with httpx.stream("GET", server.url + "/sparql", params={"query": long}, headers=JSON, timeout=60) as response:
        assert response.status_code == 200
        assert response.headers["gmg-results-limit"] == "100000"
        chunks = response.iter_bytes()
        size += len(next(chunks))
        first = time.monotonic() - started
        for chunk in chunks:
            size += len(chunk)
    whole = time.monotonic() - started
    assert size > 30_000_000, size
    # (an answer gathered before its first byte would have first ≈ whole; a long answer's rows
    # are first tried in one piece, up to 64 KB, which may cost its join's first steps twice)
    assert first < whole / 4, f"first bytes after {first:.2f} s of {whole:.2f} s"
    grown = peak_memory_kb(pid) - peak
    assert grown < 25_000, f"the engine's peak memory grew by {grown} kB"


def test_huge_select_streams_its_first_byte_quickly_and_stops_when_the_client_leaves(server):
    # about 10^12 solutions (every triple three times over); the default row cap applies
    huge = "SELECT * WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z }"
    cancelled = engine(server)["cancelled"]
    pid = engine(server)["pid"]
    started = time.monotonic()
    with httpx.stream("GET", server.url + "/sparql", params={"query": huge}, headers=JSON, timeout=30) as response:
        assert response.status_code == 200
        first = next(response.iter_bytes())
        elapsed = time.monotonic() - started
        assert first.startswith(b'{"head"')
    # leaving the block closes the connection with most of the answer unsent
    assert elapsed < 2.0, f"first byte after {elapsed:.2f} s"
    deadline = time.monotonic() + 2.0
    while engine(server)["cancelled"] == cancelled and time.monotonic() < deadline:
        time.sleep(0.05)
    # Answers are spooled, so the engine may have finished the (row-capped) answer before
    # the client left; either way it must be idle within the next second, not still working.
    assert engine(server)["cancelled"] in (cancelled, cancelled + 1)
    time.sleep(0.5)
    ticks = cpu_ticks(pid)
    time.sleep(1.0)
    assert cpu_ticks(pid) - ticks < 20, "the engine kept working for a client that left"
    assert get(server, "ASK {}").json()["boolean"] is True


def descendants(pid: int) -> set[int]:
    """Every process below `pid` (from /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its parent's wait is missing


def test_engine_dies_with_a_killed_server_and_the_store_reopens(tmp_path):
    store = tmp_path / "store"
    server = Server(["--store", str(store)]).wait_ready()
    pid = engine(server)["pid"]
    left = descendants(server.process.pid)
    assert pid in left
    # the engine is busy with a runaway query when its server dies
    def runaway():
        try:
            httpx.get(server.url + "/sparql", params={"query": RUNAWAY}, timeout=30)
        except httpx.TransportError:
            pass  # the server is killed under it

    busy = threading.Thread(target=runaway, daemon=True)
    busy.start()
    time.sleep(0.5)
    os.kill(server.process.pid, signal.SIGKILL)
    server.process.wait(10)
    deadline = time.monotonic() + 5
    while any(alive(p) for p in left) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [p for p in left if alive(p)], "a process of the server outlived it"
    again = Server(["--store", str(store)]).wait_ready()
    try:
        assert get(again, "ASK { ?s ?p ?o }").json()["boolean"] is True
    finally:
        again.stop()


def test_overload_queues_then_answers_429_never_5xx():
    server = Server(["--max-active-queries", "1", "--max-queued-queries", "2", "--queue-timeout", "0.5"]).wait_ready()
    try:
        query = slow_query(700)

        def one(_):
            return httpx.get(server.url + "/sparql", params={"query": query}, headers=JSON, timeout=60)

        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(8) as pool:
            responses = list(pool.map(one, range(8)))
        statuses = [r.status_code for r in responses]
        assert set(statuses) <= {200, 429}, statuses
        assert 200 in statuses and 429 in statuses, statuses
        refused = next(r for r in responses if r.status_code == 429)
        assert refused.headers["retry-after"].isdigit()
        assert "busy" in refused.text.lower() or "waiting" in refused.text.lower()
        assert get(server, "ASK {}").json()["boolean"] is True
    finally:
        server.stop()


def test_a_slow_client_does_not_count_against_the_time_limit(limited):
    """The limit is on the engine's work: reading a finished answer slowly is no runaway query."""
    big = "x" * 20_000  # 1000 rows of 20 KB: more than the sockets buffer
    query = f'SELECT ?s ?big WHERE {{ ?s ?p ?o BIND("{big}" AS ?big) }} LIMIT 1000'
    before = engine(limited)["restarts"]
    with httpx.stream("GET", limited.url + "/sparql", params={"query": query}, headers=JSON, timeout=30) as response:
        assert response.status_code == 200
        chunks = response.iter_bytes()
        body = next(chunks)
        time.sleep(TIMEOUT + 0.5)
        body += b"".join(chunks)
    assert len(json.loads(body)["results"]["bindings"]) == 1000
    assert engine(limited)["restarts"] == before


def test_the_sites_own_queries_are_not_cut_at_the_clients_row_cap(limited):
    """The row cap is for clients' answers: the search index, read from the store whole, holds every label
    though there are more than --max-rows of them (1,778 on the article's graph against 1000 here)."""
    labels = get(limited, "SELECT (COUNT(*) AS ?n) WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }")
    assert int(labels.json()["results"]["bindings"][0]["n"]["value"]) > 1000
    for text, iri in (("World Bank", "https://w3id.org/gmg/id/world-bank"),
                      ("Ивахнюк", "https://w3id.org/gmg/id/irina-ivakhnyuk"),
                      ("Vyacheslav Postavnin", "https://w3id.org/gmg/id/vyacheslav-postavnin"),
                      ("Kirgizstan", "https://w3id.org/gmg/id/kyrgyzstan")):
        hits = httpx.get(limited.url + "/search", params={"q": text, "format": "json"}, timeout=30).json()["results"]
        assert hits and hits[0]["iri"] == iri, (text, hits[:3])


def test_a_query_gives_up_the_turn_after_patience_and_only_once():
    """The engine answers one query at a time (the turn), but a query that has held the turn for
    PATIENCE gives it up, or the watcher takes it: a long answer that kept it made every other
    query wait PATIENCE for it. Giving it up twice (the query and the watcher) releases it once."""
    from gmg.engine.worker import PATIENCE, Holding

    turn = threading.Lock()
    assert turn.acquire(blocking=False)
    holding = Holding(turn)
    holding.give_up_if_due()
    assert turn.locked() and holding.held  # (not yet due)
    time.sleep(PATIENCE * 1.5)
    watcher = threading.Thread(target=holding.give_up_if_due)
    watcher.start()
    holding.give_up_if_due()
    watcher.join()
    assert not turn.locked() and not holding.held
    assert turn.acquire(blocking=False)  # another query takes it; the old holder cannot release it
    holding.give_up()
    assert turn.locked()
