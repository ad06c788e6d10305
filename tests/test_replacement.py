"""A replacement engine serves the last good build, whatever has happened to the files since."""

from __future__ import annotations

import os
import shutil
import signal
import time

import httpx
import pytest

from conftest import Server
from gmg.paths import default_data_dir

JSON = {"Accept": "application/sparql-results+json"}
RUNAWAY = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z "
           "FILTER(STRLEN(CONCAT(STR(?x), STR(?y), STR(?z))) < 0) }")
WORLD_BANK = "ASK { <https://w3id.org/gmg/id/world-bank> ?p ?o }"


def ask(server, query) -> bool:
    response = httpx.get(server.url + "/sparql", params={"query": query}, headers=JSON, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["boolean"]


@pytest.fixture(params=["memory", "disk"])
def broken_after_start(request, tmp_path):
    """A server started on good files that are broken afterwards (a half-saved edit)."""
    for folder in ("ontology", "instances", "shapes", "inferred", "queries"):
        shutil.copytree(default_data_dir().folder(folder), tmp_path / folder)
    args = ["--query-timeout", "2"] + (["--store", str(tmp_path / "store")] if request.param == "disk" else [])
    server = Server(args, env={"GMG_DATA_DIR": str(tmp_path)}).wait_ready()
    actors = tmp_path / "instances" / "actors.ttl"
    actors.write_text(actors.read_text(encoding="utf-8") + "\nthis is not turtle <\n", encoding="utf-8")
    yield server
    server.stop()


def test_replacement_after_a_timeout_serves_the_last_good_build(broken_after_start):
    server = broken_after_start
    response = httpx.get(server.url + "/sparql", params={"query": RUNAWAY}, timeout=30)
    assert response.status_code == 503
    assert ask(server, WORLD_BANK), "the data of the last good build must still be served"
    health = httpx.get(server.url + "/health")
    assert health.status_code == 200 and health.json()["engine"]["restarts"] == 1
    assert "actors.ttl" not in server.output()  # the broken file was never loaded


def test_an_engine_that_cannot_start_is_reported_and_retried_not_looped(tmp_path):
    for folder in ("ontology", "instances", "shapes", "inferred", "queries"):
        shutil.copytree(default_data_dir().folder(folder), tmp_path / folder)
    store = tmp_path / "store"
    server = Server(["--store", str(store)], env={"GMG_DATA_DIR": str(tmp_path)}).wait_ready()
    try:
        actors = tmp_path / "instances" / "actors.ttl"
        good = actors.read_text(encoding="utf-8")
        # nothing left to start from: the store forgets its build, and the files are broken
        (store / "build.json").unlink()
        actors.write_text(good + "\nthis is not turtle <\n", encoding="utf-8")
        os.kill(httpx.get(server.url + "/health").json()["engine"]["pid"], signal.SIGKILL)
        deadline = time.monotonic() + 20
        while (health := httpx.get(server.url + "/health", timeout=30)).status_code == 200:
            assert time.monotonic() < deadline, "the dead engine was not noticed"
            time.sleep(0.2)
        assert health.status_code == 503 and "actors.ttl" in health.json()["reason"]
        query = httpx.get(server.url + "/sparql", params={"query": "ASK {}"}, headers=JSON, timeout=30)
        assert query.status_code == 503 and "cannot start" in query.text
        time.sleep(1)  # a restart loop would spin here
        # fixed files: the next request starts an engine again
        actors.write_text(good, encoding="utf-8")
        assert ask(server, WORLD_BANK)
        health = httpx.get(server.url + "/health")
        assert health.status_code == 200
        # one replacement when the engine died, one retry per request that met the failure
        assert health.json()["engine"]["restarts"] <= 5
    finally:
        server.stop()
