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
RUNAWAY = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z "
           "FILTER(STRLEN(CONCAT(STR(?x), STR(?y), STR(?z))) < 0) }")
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
    def instances():
        response = gsp(writable, "GET", INSTANCES, accept="application/n-triples")
        assert response.status_code == 200
        return set(response.text.splitlines())

    before, triples = instances(), count(writable)
    # adds a passage without its selector, and deletes what is said of the World Bank
    text = (BAD_PASSAGE.replace("INSERT DATA {", "DELETE { GRAPH <%s> { ?s ?p ?o } } INSERT {" % INSTANCES)
            + f" WHERE {{ GRAPH <{INSTANCES}> {{ ?s ?p ?o FILTER(?s = <https://w3id.org/gmg/id/world-bank>) }} }}")
    response = update(writable, text)
    assert response.status_code == 422, response.text
    assert "passage/s3-p90" in response.text and "oa:hasSelector" in response.text
    assert not ask(writable, "ASK { <https://w3id.org/gmg/id/passage/s3-p90> ?p ?o }")
    assert count(writable) == triples
    assert instances() == before


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


def test_the_default_graph_merges_its_graphs_right_after_an_update(writable):
    """SPARQL's default graph is the merge of gmg's graphs, so a triple two of them hold is one
    solution; the engine answers from a merged copy, which an update changes in the same write,
    so the next query counts the merge (it used to count two graphs' shared triples twice, from
    the union, until the copy was made again)."""
    plain = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    merged = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"

    def counted(query) -> int:
        response = httpx.get(writable.url + "/sparql", params={"query": query}, headers=JSON, timeout=30)
        assert response.status_code == 200, response.text
        return int(response.json()["results"]["bindings"][0]["n"]["value"])

    deadline = time.monotonic() + 60
    while counted(plain) != counted(merged):  # (at start, and after an update checked the long way)
        assert time.monotonic() < deadline, "the merged copy of the default graph was never made"
        time.sleep(0.2)
    before = counted(merged)
    assert counted(plain) == before
    response = update(writable, 'INSERT DATA { <http://example.org/merged> <http://example.org/p> "once" }')
    assert response.status_code == 204, response.text
    assert counted(plain) == counted(merged) == before + 1


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
    assert httpx.get(writable.url + "/sparql", params={"query": RUNAWAY}, timeout=30).status_code == 503
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
    args = ["--store", str(store), "--update-token", TOKEN, "--query-timeout", "2"]
    server = Server(args, env=env).wait_ready()
    try:
        assert update(server, 'INSERT DATA { <http://example.org/k> <http://example.org/p> "after-kill" }').status_code == 204
        # an engine replacement on an on-disk store loses nothing either
        assert httpx.get(server.url + "/sparql", params={"query": RUNAWAY}, timeout=30).status_code == 503
        assert ask(server, 'ASK { <http://example.org/k> <http://example.org/p> "after-kill" }')
        # valid now, invalid once the sources change below
        oa = "http://www.w3.org/ns/oa#"
        passage = ('<https://w3id.org/gmg/id/passage/s3-p1-z> a <https://w3id.org/gmg/ontology#Passage> ; '
                   '<http://www.w3.org/2000/01/rdf-schema#label> "S3, paragraph 1 (z)"@en ; '
                   '<https://w3id.org/gmg/ontology#inSection> <https://w3id.org/gmg/id/section/s3> ; '
                   f'<{oa}hasSource> <https://w3id.org/gmg/id/paragraph/s3-p1> ; '
                   f'<{oa}hasSelector> <https://w3id.org/gmg/id/selector/s3-p1-z> . '
                   f'<https://w3id.org/gmg/id/selector/s3-p1-z> a <{oa}TextQuoteSelector> , <{oa}TextPositionSelector> ; '
                   f'<{oa}exact> "The case of the World Bank is indicative." ; <{oa}start> 22798 ; <{oa}end> 22839 ; '
                   '<http://purl.org/dc/terms/rights> <https://w3id.org/gmg/id/rights/quoted-text>')
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
    # (it gives the passage its selector with other words, so the journalled words break "exactly one oa:exact")
    (data_copy / "instances" / "extra.ttl").write_text(
        "@prefix gmg: <https://w3id.org/gmg/ontology#> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix oa: <http://www.w3.org/ns/oa#> .\n"
        "<https://w3id.org/gmg/id/passage/s3-p1-z> a gmg:Passage ; rdfs:label \"S3, paragraph 1 (z)\"@en ;\n"
        "    gmg:inSection <https://w3id.org/gmg/id/section/s3> ;\n"
        "    oa:hasSource <https://w3id.org/gmg/id/paragraph/s3-p1> ;\n"
        "    oa:hasSelector <https://w3id.org/gmg/id/selector/s3-p1-z> .\n"
        "<https://w3id.org/gmg/id/selector/s3-p1-z> a oa:TextQuoteSelector , oa:TextPositionSelector ;\n"
        "    oa:exact \"The case of the World Bank\" ; oa:start 22798 ; oa:end 22824 ;\n"
        "    <http://purl.org/dc/terms/rights> <https://w3id.org/gmg/id/rights/quoted-text> .\n")
    rebuilt = Server(args, env=env).wait_ready(90)  # a rebuild parses and validates every source again
    try:
        assert ask(rebuilt, 'ASK { <http://example.org/k> <http://example.org/p> "after-kill" }')
        problems = httpx.get(rebuilt.url + "/health").json()["journal_problems"]
        assert len(problems) == 1 and problems[0]["status"] == 422
        assert "s3-p1-z" in problems[0]["update"]
    finally:
        rebuilt.stop()


def test_an_engine_is_ready_before_it_counts_a_store_that_took_updates(tmp_path):
    """After updates the number of quads is not known at start (the build's is stale): the engine
    says it is ready without counting them (ten million take seconds), and /health still gives
    the right number, counted meanwhile."""
    store = tmp_path / "store"
    args = ["--store", str(store), "--update-token", TOKEN]
    server = Server(args).wait_ready()
    try:
        built = count(server)
        assert "counting its triples" not in server.output()  # (as built: the build's count is kept)
        assert update(server, 'INSERT DATA { <http://example.org/c> <http://example.org/p> "1", "2" }').status_code == 204
    finally:
        server.stop()
    again = Server(args).wait_ready()
    try:
        assert "counting its triples" in again.output()
        assert count(again) == built + 3  # the two triples and the store's record of the update applied
    finally:
        again.stop()


# --- more of the update protocol ------------------------------------------------------

def test_read_only_server_refuses_graph_store_writes(client):
    for method in ("PUT", "POST", "DELETE"):
        response = client.request(method, "/graph-store", params={"graph": "http://example.org/g"},
                                  content=b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .",
                                  headers={"Content-Type": "application/n-triples", **AUTH})
        assert response.status_code == 403 and "read-only" in response.text
    assert client.get("/graph-store", params={"graph": INSTANCES}, headers={"Accept": "text/turtle"}).status_code == 200


@pytest.mark.parametrize("name,text", [
    ("3000 nested braces", "INSERT DATA " + "{" * 3000 + "}" * 3000),
    ("10000 nested parentheses", "INSERT { ?s ?p ?o } WHERE { FILTER(" + "(" * 10000 + "1" + ")" * 10000 + ") }"),
    ("20000 negations", "DELETE WHERE { ?s ?p ?o FILTER(" + "!" * 20000 + "true) }"),
    ("400-deep list", "INSERT DATA { <http://example.org/s> <http://example.org/p> " + "(" * 400 + "1" + ")" * 400 + " }"),
    ("over the size limit", "INSERT DATA { <http://example.org/s> <http://example.org/p> 1 } #" + "x" * 300_000),
])
def test_crashing_or_stalling_updates_are_refused_fast(writable, name, text):
    started = time.monotonic()
    response = update(writable, text)
    assert time.monotonic() - started < 1.0, name
    assert response.status_code == 400, name
    assert any(words in response.text for words in ("deeper than 64", "More than 32 unary", "262144 bytes")), response.text
    assert ask(writable, "ASK {}")


def test_load_of_a_local_file_is_refused(writable, tmp_path):
    secret = tmp_path / "secret.ttl"
    secret.write_text('<http://example.org/secret> <http://example.org/p> "secret" .\n')
    response = update(writable, f"LOAD <{secret.as_uri()}> INTO GRAPH <http://example.org/secret-graph>")
    assert response.status_code == 400 and "LOAD" in response.text
    assert not ask(writable, "ASK { GRAPH ?g { <http://example.org/secret> ?p ?o } }")


def test_relative_iris_in_updates_resolve_against_the_base(writable):
    response = update(writable, "INSERT DATA { <http://example.org/rel> <http://example.org/p> <id/world-bank> }")
    assert response.status_code == 204, response.text
    assert ask(writable, "ASK { <http://example.org/rel> <http://example.org/p> <https://w3id.org/gmg/id/world-bank> }")


def test_using_named_graph_uri_and_the_form(writable):
    text = ("INSERT { GRAPH <http://example.org/named-copy> { ?copy <http://example.org/from> ?g } } "
            "WHERE { GRAPH ?g { ?io a <https://w3id.org/gmg/ontology#InternationalOrganization> } "
            "BIND (IRI(CONCAT(\"http://example.org/\", STRAFTER(STR(?io), \"/id/\"))) AS ?copy) }")
    response = httpx.post(writable.url + "/update", data={"update": text, "using-named-graph-uri": INSTANCES},
                          headers=AUTH, timeout=60)
    assert response.status_code == 204, response.text
    found = httpx.get(writable.url + "/sparql", headers=JSON, params={
        "query": "SELECT DISTINCT ?g WHERE { GRAPH <http://example.org/named-copy> { ?s <http://example.org/from> ?g } }"})
    assert [b["g"]["value"] for b in found.json()["results"]["bindings"]] == [INSTANCES]
    # with WITH in the update the parameters cannot apply: 400, nothing changes
    before = count(writable)
    with_with = f"WITH <{INSTANCES}> " + text
    for params in ({"using-named-graph-uri": INSTANCES}, {"using-graph-uri": INSTANCES}):
        response = httpx.post(writable.url + "/update", data={"update": with_with, **params}, headers=AUTH, timeout=60)
        assert response.status_code == 400 and "WITH" in response.text
    assert count(writable) == before


@pytest.mark.parametrize("graph", ["shapes", "inferred", "metadata"])
def test_every_source_graph_is_protected(writable, graph):
    iri = "https://w3id.org/gmg/graph/" + graph
    assert update(writable, f"INSERT DATA {{ GRAPH <{iri}> {{ <http://example.org/a> <http://example.org/b> 1 }} }}").status_code == 403
    assert update(writable, f"DROP GRAPH <{iri}>").status_code == 403
    put = gsp(writable, "PUT", iri, "<http://example.org/a> <http://example.org/b> <http://example.org/c> .")
    assert put.status_code == 403


def test_hostile_and_oversized_graph_store_bodies(writable):
    g = "http://example.org/graphs/hostile"
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY a "aaaaaaaaaa"> <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/x"><ex:p>&b;</ex:p></rdf:Description>
</rdf:RDF>"""
    response = gsp(writable, "PUT", g, bomb, content_type="application/rdf+xml")
    assert response.status_code == 400 and "DOCTYPE" in response.text
    decoy = Decoy()
    try:
        doc = '{"@context": "%s/context.jsonld", "@id": "http://example.org/x", "name": "x"}' % decoy.url
        response = gsp(writable, "POST", g, doc, content_type="application/ld+json")
        assert response.status_code == 400 and "context" in response.text.lower()
        time.sleep(0.2)
        assert decoy.requests == []
    finally:
        decoy.close()
    big = b"#" * (1024 * 1024 + 1)
    assert gsp(writable, "PUT", g, big, content_type="text/turtle").status_code == 413
    assert update(writable, big).status_code == 413
    assert gsp(writable, "GET", g).status_code == 404  # nothing was created


def test_default_graph_by_graph_store(writable):
    response = gsp(writable, "GET", accept="application/n-triples")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/n-triples")
    assert gsp(writable, "PUT", None, "not turtle <").status_code == 400


def test_token_is_masked_in_the_settings_printed_at_start(writable):
    output = writable.output()
    assert "update_token = '***'" in output
    assert TOKEN not in output
    assert "in memory they last until the server stops" in output


def test_concurrent_writes_are_serialised_and_all_kept(writable):
    from concurrent.futures import ThreadPoolExecutor

    journal = httpx.get(writable.url + "/health").json()["updates"]["journal"]
    texts = [f'INSERT DATA {{ <http://example.org/c{i}> <http://example.org/p> "concurrent" }}' for i in range(2)]
    with ThreadPoolExecutor(2) as pool:
        statuses = [r.status_code for r in pool.map(lambda t: update(writable, t), texts)]
    assert statuses == [204, 204]
    found = httpx.get(writable.url + "/sparql", headers=JSON, params={
        "query": 'SELECT (COUNT(?s) AS ?n) WHERE { ?s <http://example.org/p> "concurrent" }'}).json()
    assert found["results"]["bindings"][0]["n"]["value"] == "2"
    assert httpx.get(writable.url + "/health").json()["updates"]["journal"] == journal + 2


def test_graph_iris_in_parameters_cannot_smuggle_sparql(writable):
    """?graph= and using-graph-uri are IRIs: text that closes the IRI and adds a LOAD is refused."""
    decoy = Decoy()
    try:
        load = f"LOAD <{decoy.url}/data.ttl>"
        response = gsp(writable, "POST", f"http://example.org/x> {{ }} }} ; {load} ; INSERT DATA {{ GRAPH <http://example.org/y",
                       "<http://example.org/a> <http://example.org/b> <http://example.org/c> .")
        assert response.status_code == 400, response.text
        assert "IRI" in response.text
        text = "INSERT { <http://example.org/a> <http://example.org/b> ?o } WHERE { ?s ?p ?o } "
        evil = f"http://example.org/x> WHERE {{ }} ; {load} ; INSERT {{ <http://example.org/a> <http://example.org/b> 1 }} USING <http://example.org/y"
        for name in ("using-graph-uri", "using-named-graph-uri"):
            response = update(writable, text, params={name: evil})
            assert response.status_code == 400, response.text
            assert "IRI" in response.text
        time.sleep(0.2)
        assert decoy.requests == []
    finally:
        decoy.close()
