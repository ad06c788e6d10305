"""`gmg serve --watch`: a saved change is served; a broken one is shown and the last good build kept."""

from __future__ import annotations

import shutil
import time

import httpx
import pytest

from conftest import Server
from gmg.paths import default_data_dir

JSON = {"Accept": "application/sparql-results+json"}
NEW_ORG = """@prefix gmg: <https://w3id.org/gmg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/gmg/id/watched-org> a gmg:InternationalOrganization ; rdfs:label "Watched Organisation"@en .
"""


def ask(server, query) -> bool:
    return httpx.get(server.url + "/sparql", params={"query": query}, headers=JSON, timeout=30).json()["boolean"]


def wait_until(predicate, timeout=20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


@pytest.fixture
def watched(tmp_path):
    source = default_data_dir()
    for folder in ("ontology", "instances", "shapes", "inferred", "queries"):
        shutil.copytree(source.folder(folder), tmp_path / folder)
    server = Server(["--watch"], env={"GMG_DATA_DIR": str(tmp_path)}).wait_ready()
    yield server, tmp_path
    server.stop()


def test_changes_are_served_and_broken_ones_reported(watched):
    server, data = watched
    query = "ASK { <https://w3id.org/gmg/id/watched-org> ?p ?o }"
    assert not ask(server, query)
    (data / "instances" / "watched.ttl").write_text(NEW_ORG)
    assert wait_until(lambda: ask(server, query)), "the new file was not picked up"

    (data / "instances" / "watched.ttl").write_text(NEW_ORG + "this is not turtle <\n")
    assert wait_until(lambda: httpx.get(server.url + "/health").json()["build_errors"])
    errors = httpx.get(server.url + "/health").json()["build_errors"]
    assert "watched.ttl:4" in errors[0]
    home = httpx.get(server.url + "/")
    assert home.status_code == 200 and "not served" in home.text and "watched.ttl:4" in home.text
    assert ask(server, query), "the last good build must still be served"
    assert "watched.ttl" in server.output()

    (data / "instances" / "watched.ttl").write_text(NEW_ORG.replace("Watched Organisation", "Renamed"))
    assert wait_until(lambda: not httpx.get(server.url + "/health").json()["build_errors"])
    assert "not served" not in httpx.get(server.url + "/").text
    assert wait_until(lambda: ask(server, 'ASK { ?s <http://www.w3.org/2000/01/rdf-schema#label> "Renamed"@en }'))
