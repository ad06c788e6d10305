"""Runaway queries, row caps and engine life cycle, against a real server process."""

from __future__ import annotations

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
        outcome["elapsed"] = time.monotonic() - started

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
    assert outcome["elapsed"] < TIMEOUT + 1.0
    after = engine(limited)
    assert after["restarts"] == before["restarts"] + 1
    assert after["pid"] != before["pid"]
    # the old engine is gone and the new one is idle: the CPU is free again
    deadline = time.monotonic() + 2.0
    while Path(f"/proc/{before['pid']}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(f"/proc/{before['pid']}").exists()
    ticks = cpu_ticks(after["pid"])
    time.sleep(1.0)
    assert cpu_ticks(after["pid"]) - ticks < 20, "the new engine should be idle"
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
    many = get(limited, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    assert many.status_code == 200
    assert many.headers.get("gmg-results-truncated") == "true"
    assert len(many.json()["results"]["bindings"]) == 1000
    few = get(limited, "SELECT ?x WHERE { VALUES ?x { 1 2 3 } }")
    assert "gmg-results-truncated" not in few.headers
    assert len(few.json()["results"]["bindings"]) == 3


def test_huge_select_streams_its_first_byte_quickly(server):
    huge = "SELECT * WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z }"
    started = time.monotonic()
    with httpx.stream("GET", server.url + "/sparql", params={"query": huge}, headers=JSON, timeout=30) as response:
        assert response.status_code == 200
        first = next(response.iter_bytes())
        assert time.monotonic() - started < 2.0
        assert first.startswith(b'{"head"')
    assert get(server, "ASK {}").json()["boolean"] is True


def test_engine_dies_with_a_killed_server_and_the_store_reopens(tmp_path):
    store = tmp_path / "store"
    server = Server(["--store", str(store)]).wait_ready()
    pid = engine(server)["pid"]
    os.kill(server.process.pid, signal.SIGKILL)
    server.process.wait(10)
    deadline = time.monotonic() + 5
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(f"/proc/{pid}").exists(), "the engine outlived its server"
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
