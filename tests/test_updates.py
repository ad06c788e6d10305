"""SPARQL Update and the Graph Store Protocol, gated by a token and by the shapes; durability."""

from __future__ import annotations

import os
import shutil
import signal
import time

import httpx
import pytest

from conftest import Server
from decoy import Decoy
from gmg.paths import default_data_dir

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
JSON = {"Accept": "application/sparql-results+json"}
INSTANCES = "https://w3id.org/gmg/graph/instances"
ONTOLOGY = "https://w3id.org/gmg/graph/ontology"
UNTARGETED = 'INSERT DATA { <http://example.org/x> <http://example.org/p> "v" }'
BAD_PASSAGE = ('INSERT DATA { GRAPH <%s> { <https://w3id.org/gmg/id/passage/s3-p90> a '
               '<https://w3id.org/gmg/ontology#Passage> } }' % INSTANCES)


@pytest.fixture(scope="module")
def writable():
    server = Server(["--update-token", TOKEN, "--query-timeout", "3"]).wait_ready()
    yield server
    server.stop()


def update(server, text, headers=AUTH, params=None):
    return httpx.post(server.url + "/update", content=text, params=params,
                      headers={"Content-Type": "application/sparql-update", **headers}, timeout=60)


def ask(server, query) -> bool:
    response = httpx.get(server.url + "/sparql", params={"query": query}, headers=JSON, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["boolean"]


def count(server) -> int:
    return httpx.get(server.url + "/health", timeout=10).json()["triples"]


def test_read_only_server_refuses_updates(client):
    response = client.post("/update", content=UNTARGETED, headers={"Content-Type": "application/sparql-update"})
    assert response.status_code == 403
    assert "read-only" in response.text


def test_token_is_required_and_checked(writable):
    missing = update(writable, UNTARGETED, headers={})
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert update(writable, UNTARGETED, headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert update(writable, UNTARGETED, headers={"Authorization": f"Basic {TOKEN}"}).status_code == 401
    assert httpx.get(writable.url + "/update").status_code == 405


def test_update_is_applied_and_seen_by_the_next_query(writable):
    response = update(writable, 'INSERT DATA { <http://example.org/a1> <http://example.org/p> "v1" }')
    assert response.status_code == 204, response.text
    assert ask(writable, 'ASK { <http://example.org/a1> <http://example.org/p> "v1" }')


def test_update_that_violates_a_shape_is_refused_and_changes_nothing(writable):
    before = count(writable)
    response = update(writable, BAD_PASSAGE)
    assert response.status_code == 422
    assert "passage/s3-p90" in response.text and "gmg:quote" in response.text
    assert not ask(writable, "ASK { <https://w3id.org/gmg/id/passage/s3-p90> ?p ?o }")
    assert count(writable) == before


def test_source_graphs_cannot_be_written(writable):
    before = count(writable)
    response = update(writable, f"INSERT DATA {{ GRAPH <{ONTOLOGY}> {{ <http://example.org/c> a <http://www.w3.org/2002/07/owl#Class> }} }}")
    assert response.status_code == 403
    assert count(writable) == before
    assert update(writable, f"DROP GRAPH <{ONTOLOGY}>").status_code == 403
    assert ask(writable, "ASK { <https://w3id.org/gmg/ontology#Passage> ?p ?o }")


def test_load_and_service_in_updates_are_refused_and_fetch_nothing(writable):
    decoy = Decoy()
    try:
        for text in (f"LOAD <{decoy.url}/data.ttl>",
                     f"LOAD SILENT <{decoy.url}/data.ttl> INTO GRAPH <http://example.org/g>",
                     f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{decoy.url}/sparql> {{ ?s ?p ?o }} }}"):
            response = update(writable, text)
            assert response.status_code == 400, text
        time.sleep(0.2)
        assert decoy.requests == []
    finally:
        decoy.close()


def test_using_graph_uri_parameters(writable):
    # The copies are the example.org namesakes of the IOs: statements about gmg's
    # own resources must use gmg's vocabulary (the shapes say so), these need not.
    text = ("INSERT { GRAPH <http://example.org/io-copy> { ?copy a <http://example.org/IO> } } "
            "WHERE { ?io a <https://w3id.org/gmg/ontology#InternationalOrganization> "
            "BIND (IRI(CONCAT(\"http://example.org/\", STRAFTER(STR(?io), \"/id/\"))) AS ?copy) }")
    # with the ontology graph as the only USING graph there are no IOs to copy
    assert update(writable, text, params={"using-graph-uri": ONTOLOGY}).status_code == 204
    assert not ask(writable, "ASK { GRAPH <http://example.org/io-copy> { ?s ?p ?o } }")
    assert update(writable, text, params={"using-graph-uri": INSTANCES}).status_code == 204
    assert ask(writable, "ASK { GRAPH <http://example.org/io-copy> { <http://example.org/world-bank> a <http://example.org/IO> } }")
    with_using = text.replace(" WHERE", f" USING <{INSTANCES}> WHERE")
    before = count(writable)
    response = update(writable, with_using, params={"using-graph-uri": INSTANCES})
    assert response.status_code == 400 and "USING" in response.text
    assert count(writable) == before


def gsp(server, method, graph=None, body=None, content_type="text/turtle", accept=None, auth=True):
    params = {"graph": graph} if graph else {"default": ""}
    headers = {**(AUTH if auth else {})}
    if body is not None:
        headers["Content-Type"] = content_type
    if accept:
        headers["Accept"] = accept
    return httpx.request(method, server.url + "/graph-store", params=params, content=body, headers=headers, timeout=60)


def test_graph_store_protocol(writable):
    g = "http://example.org/graphs/one"
    assert gsp(writable, "GET", g).status_code == 404
    assert gsp(writable, "HEAD", g).status_code == 404
    assert gsp(writable, "DELETE", g).status_code == 404
    created = gsp(writable, "PUT", g, '<http://example.org/s> <http://example.org/p> "one" .')
    assert created.status_code == 201, created.text
    got = gsp(writable, "GET", g, accept="application/n-triples")
    assert got.status_code == 200 and '"one"' in got.text
    for accept in ("text/turtle", "application/rdf+xml", "application/ld+json"):
        assert gsp(writable, "GET", g, accept=accept).headers["content-type"].startswith(accept)
    replaced = gsp(writable, "PUT", g, '<http://example.org/s> <http://example.org/p> "two" .')
    assert replaced.status_code in (200, 204)
    assert '"one"' not in gsp(writable, "GET", g).text
    merged = gsp(writable, "POST", g, '<http://example.org/s> <http://example.org/p> "three" .')
    assert merged.status_code in (200, 204)
    text = gsp(writable, "GET", g, accept="application/n-triples").text
    assert '"two"' in text and '"three"' in text
    bad = gsp(writable, "PUT", g, "this is not turtle <")
    assert bad.status_code == 400
    assert '"two"' in gsp(writable, "GET", g, accept="application/n-triples").text
    assert gsp(writable, "PUT", g, "<a> <b> <c> .", content_type="application/x-nonsense").status_code == 415
    assert gsp(writable, "PUT", g, "<a> <b> <c> .", auth=False).status_code == 401
    assert gsp(writable, "PUT", ONTOLOGY, "<http://example.org/a> <http://example.org/b> <http://example.org/c> .").status_code == 403
    assert gsp(writable, "DELETE", g).status_code == 204
    assert gsp(writable, "GET", g).status_code == 404


def test_acknowledged_updates_survive_an_engine_replacement(writable):
    assert update(writable, 'INSERT DATA { <http://example.org/durable> <http://example.org/p> "kept" }').status_code == 204
    restarts = httpx.get(writable.url + "/health").json()["engine"]["restarts"]
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z FILTER(STRLEN(CONCAT(STR(?x), STR(?y), STR(?z))) < 0) }"
    assert httpx.get(writable.url + "/sparql", params={"query": runaway}, timeout=30).status_code == 503
    assert httpx.get(writable.url + "/health").json()["engine"]["restarts"] >= restarts + 1
    assert ask(writable, 'ASK { <http://example.org/durable> <http://example.org/p> "kept" }')


@pytest.fixture
def data_copy(tmp_path):
    source = default_data_dir()
    for folder in ("ontology", "instances", "shapes", "inferred", "queries"):
        shutil.copytree(source.folder(folder), tmp_path / "data" / folder)
    return tmp_path / "data"


def test_updates_survive_sigkill_and_a_rebuild_from_changed_sources(tmp_path, data_copy):
    store = tmp_path / "store"
    env = {"GMG_DATA_DIR": str(data_copy)}
    args = ["--store", str(store), "--update-token", TOKEN]
    server = Server(args, env=env).wait_ready()
    try:
        assert update(server, 'INSERT DATA { <http://example.org/k> <http://example.org/p> "after-kill" }').status_code == 204
        # valid now, invalid once the sources change below
        passage = ('<https://w3id.org/gmg/id/passage/s3-p91> a <https://w3id.org/gmg/ontology#Passage> ; '
                   '<http://www.w3.org/2000/01/rdf-schema#label> "S3, paragraph 91"@en ; '
                   '<https://w3id.org/gmg/ontology#inSection> <https://w3id.org/gmg/id/section/s3> ; '
                   '<https://w3id.org/gmg/ontology#quote> "The case of the World Bank is indicative."')
        assert update(server, 'INSERT DATA { GRAPH <%s> { %s } }' % (INSTANCES, passage)).status_code == 204
    finally:
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait(10)
    again = Server(args, env=env).wait_ready()
    try:
        assert ask(again, 'ASK { <http://example.org/k> <http://example.org/p> "after-kill" }')
    finally:
        again.stop()
    # a source file changes: the store is rebuilt and the journal replayed over it
    # (it gives the passage its own quote, so the journalled second quote breaks "exactly one quote")
    (data_copy / "instances" / "extra.ttl").write_text(
        "@prefix gmg: <https://w3id.org/gmg/ontology#> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<https://w3id.org/gmg/id/passage/s3-p91> a gmg:Passage ; rdfs:label \"S3, paragraph 91\"@en ;\n"
        "    gmg:quote \"Explaining the scarceness of research on the World Bank\" ;\n"
        "    gmg:inSection <https://w3id.org/gmg/id/section/s3> .\n")
    rebuilt = Server(args, env=env).wait_ready()
    try:
        assert ask(rebuilt, 'ASK { <http://example.org/k> <http://example.org/p> "after-kill" }')
        problems = httpx.get(rebuilt.url + "/health").json()["journal_problems"]
        assert len(problems) == 1 and problems[0]["status"] == 422
        assert "s3-p91" in problems[0]["update"]
    finally:
        rebuilt.stop()
