"""gmg in front of a real Oxigraph server: `gmg publish` into it, `gmg serve --store-url` over it.

The competency questions and the endpoint's protocol, dataset and linked-data tests
run again against it (remote_suite.py) and must pass as they do on the embedded
store; a set of requests is answered the same by both; and the failures a remote
store brings: a store stopped mid-run (502, /health 503), a graph upload refused
(reported per graph), a query past the time limit (gmg's 503, the request
abandoned), wrong credentials (502 saying so; publish refused).
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from conftest import Server
from remote_stores import OxigraphServer, Proxy, built_store, comparable, publish
from remote_suite import adopt

pytestmark = pytest.mark.needs("oxigraph")

MAX_ROWS = 5000  # (no answer the adopted tests compare is longer)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return built_store(tmp_path_factory.mktemp("built"))


@pytest.fixture(scope="module")
def store(built):
    ox = OxigraphServer()
    done = publish(ox.graph_store_url, store=built)
    assert done.returncode == 0, done.stderr
    yield ox
    ox.stop()


@pytest.fixture(scope="module")
def server(store):
    srv = Server(["--store-url", store.query_url, "--max-rows", str(MAX_ROWS)]).wait_ready()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


@pytest.fixture(scope="module")
def embedded():
    srv = Server(["--max-rows", str(MAX_ROWS)]).wait_ready()
    with httpx.Client(base_url=srv.url, timeout=30) as c:
        yield c
    srv.stop()


# -- the embedded store's own tests, on the remote store ------------------------------
LEAVE_OUT = {
    # it starts an embedded server of its own (the remote update test checks the same on the remote store)
    "test_search::test_the_index_follows_an_update": "embedded only",
}
# the endpoint's protocol tests and the site's linked-data tests (pages, search, reading, pictures)
MODULES = ["test_protocol", "test_http_sparql", "test_hostile_queries", "test_dataset", "test_resource", "test_search",
           "test_entry", "test_reading", "test_bibliography", "test_pictures", "test_home"]
ADOPTED = adopt(globals(), ["test_competency", *MODULES],
                LEAVE_OUT)


# -- the same request, the same answer ---------------------------------------------------
SPARQL = "application/sparql-query"
JSON = "application/sparql-results+json"
SAME = [
    ("sparql ask", "POST", "/sparql", "ASK { ?s a <https://w3id.org/gmg/ontology#Funding> }", JSON),
    ("select csv", "POST", "/sparql", "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?s ?label LIMIT 50", "text/csv"),
    ("select tsv", "POST", "/sparql", "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?s ?label LIMIT 50", "text/tab-separated-values"),
    ("construct ttl", "POST", "/sparql", "CONSTRUCT WHERE { <id/world-bank> ?p ?o }", "text/turtle"),
    ("construct jsonld", "POST", "/sparql", "CONSTRUCT WHERE { <id/world-bank> ?p ?o }", "application/ld+json"),
    ("construct rdfxml", "POST", "/sparql", "CONSTRUCT WHERE { <id/world-bank> ?p ?o }", "application/rdf+xml"),
    ("describe nt", "POST", "/sparql", "DESCRIBE <https://w3id.org/gmg/id/world-bank>", "application/n-triples"),
    ("graphs by name", "POST", "/sparql", "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", JSON),
    ("shapes not in the default graph", "POST", "/sparql",
     "ASK { ?s a <http://www.w3.org/ns/shacl#NodeShape> }", JSON),
    ("FROM the shapes graph", "POST", "/sparql",
     "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/gmg/graph/shapes> WHERE { ?s ?p ?o }", JSON),
    ("FROM NAMED alone: an empty default graph", "POST", "/sparql",
     "SELECT (COUNT(*) AS ?n) FROM NAMED <https://w3id.org/gmg/graph/shapes> WHERE { ?s ?p ?o }", JSON),
    ("FROM an unknown graph", "POST", "/sparql",
     "SELECT (COUNT(*) AS ?n) FROM <http://example.org/nothing> WHERE { ?s ?p ?o }", JSON),
    ("default-graph-uri", "POST", "/sparql?default-graph-uri=https://w3id.org/gmg/graph/ontology",
     "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/gmg/graph/shapes> WHERE { ?s ?p ?o }", JSON),
    ("named-graph-uri alone", "POST", "/sparql?named-graph-uri=https://w3id.org/gmg/graph/metadata",
     "SELECT ?g (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } } GROUP BY ?g", JSON),
    ("relative IRIs against gmg's base", "POST", "/sparql", "SELECT ?p WHERE { <id/world-bank> ?p ?o } ORDER BY ?p LIMIT 3", JSON),
    ("a syntax error", "POST", "/sparql", "SELECT WHERE {", JSON),
    ("SERVICE refused", "POST", "/sparql", "SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }", JSON),
    ("nesting refused", "POST", "/sparql", "SELECT * WHERE " + "{" * 70 + "}" * 70, JSON),
    ("406", "POST", "/sparql", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "image/png"),
    ("resource turtle", "GET", "/id/world-bank", None, "text/turtle"),
    ("resource page", "GET", "/id/world-bank", None, "text/html"),
    # (/void is left out: it gives each dump's size in bytes, and blank node labels are the store's own)
    ("graph store get", "GET", "/graph-store?graph=https://w3id.org/gmg/graph/inferred", None, "text/turtle"),
    ("search", "GET", "/search?q=Ivakhniuk&format=json", None, "application/json"),
    ("browse", "GET", "/id/?type=gmg:Programme", None, "text/html"),
]


@pytest.mark.parametrize("name, method, path, body, accept", SAME, ids=[case[0] for case in SAME])
def test_the_same_request_gets_the_same_answer(client, embedded, name, method, path, body, accept):
    headers = {"Accept": accept, **({"Content-Type": SPARQL} if body else {})}
    remote = client.request(method, path, content=body, headers=headers)
    local = embedded.request(method, path, content=body, headers=headers)
    assert comparable(remote) == comparable(local), (remote.status_code, remote.text[:500])
    if name == "search":  # the same hits in the same order (which of a hit's labels matched may differ)
        assert [hit["iri"] for hit in remote.json()["results"]] == [hit["iri"] for hit in local.json()["results"]]


def test_the_row_cap_is_gmgs(client):
    response = client.post("/sparql", content="SELECT * WHERE { ?s ?p ?o }",
                           headers={"Content-Type": SPARQL, "Accept": "text/csv"})
    assert response.status_code == 200
    assert response.headers["gmg-results-truncated"] == "true"
    assert response.headers["gmg-results-limit"] == str(MAX_ROWS)  # (announced on every SELECT, as embedded)
    assert len(response.text.splitlines()) == MAX_ROWS + 1  # (the header line)
    ask = client.post("/sparql", content="ASK { ?s ?p ?o }", headers={"Content-Type": SPARQL, "Accept": JSON})
    assert ask.status_code == 200 and "gmg-results-limit" not in ask.headers


def test_answers_from_a_remote_store_carry_no_etag(client):
    """Other replicas may write the store, so gmg cannot tell when an answer goes stale."""
    answer = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": JSON})
    assert answer.status_code == 200 and "etag" not in answer.headers
    assert "etag" not in client.get("/id/world-bank", headers={"Accept": "text/turtle"}).headers


def test_health_names_the_store_and_says_it_answers(client, store):
    health = client.get("/health").json()
    assert health["status"] == "ok"
    assert health["store"]["kind"] == "remote" and health["store"]["query_url"] == store.query_url
    assert health["store"]["answers"] is True
    assert health["triples"] > 10000 and "https://w3id.org/gmg/graph/instances" in health["store"]["graphs"] \
        if "graphs" in health["store"] else health["triples"] > 10000


INSTANCES = "https://w3id.org/gmg/graph/instances"
WB = "https://w3id.org/gmg/id/world-bank"
ALT = "http://www.w3.org/2004/02/skos/core#altLabel"


def test_updates_are_checked_then_sent_as_their_concrete_change(built):
    """An accepted update is in the store; a WHERE update becomes its quads; a violation changes nothing."""
    ox = OxigraphServer()
    srv = replica = None
    try:
        assert publish(ox.graph_store_url, store=built).returncode == 0
        srv = Server(["--store-url", ox.query_url, "--update-token", "t0ken"]).wait_ready()
        replica = Server(["--store-url", ox.query_url]).wait_ready()  # (read-only, its own caches)
        # the writer starts its update checker with it (the first update waited seconds for it), the replica none
        assert checkers_of(srv.process.pid) == 1 and checkers_of(replica.process.pid) == 0

        def replica_finds(label):  # (a hit on that very label, not a fuzzy one on "the Bank")
            hits = httpx.get(replica.url + "/search", params={"q": label, "format": "json"}).json()["results"]
            return [hit["iri"] for hit in hits if hit["matched"] == label]

        assert replica_finds("Zebrafinch Bank (WB)") == []

        def update(text):
            return httpx.post(srv.url + "/update", content=text, timeout=120, headers={
                "Authorization": "Bearer t0ken", "Content-Type": "application/sparql-update"})

        def labels():  # asked of the store itself, not through gmg
            answer = httpx.post(ox.query_url, data={"query": f"SELECT ?l WHERE {{ GRAPH <{INSTANCES}> "
                                                             f"{{ <{WB}> <{ALT}> ?l }} }}"},
                                headers={"Accept": JSON}).json()
            return sorted(b["l"]["value"] for b in answer["results"]["bindings"])

        def triples():
            return httpx.post(ox.query_url, data={"query": "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"},
                              headers={"Accept": JSON}).json()["results"]["bindings"][0]["n"]["value"]

        before = labels()
        assert "the Bank" in before
        response = update(f'DELETE {{ GRAPH <{INSTANCES}> {{ ?s <{ALT}> "the Bank"@en }} }} '
                          f'INSERT {{ GRAPH <{INSTANCES}> {{ ?s <{ALT}> "Zebrafinch Bank (WB)"@en }} }} '
                          f'WHERE {{ GRAPH <{INSTANCES}> {{ ?s <{ALT}> "the Bank"@en }} }}')
        assert response.status_code in (200, 204), response.text
        assert labels() == sorted([label for label in before if label != "the Bank"] + ["Zebrafinch Bank (WB)"])
        search = httpx.get(srv.url + "/search", params={"q": "Zebrafinch Bank (WB)", "format": "json"}).json()
        assert search["results"][0]["iri"] == WB  # (the caches follow an update)
        deadline = time.monotonic() + 20  # a replica sees the writer's mark within seconds (CHANGES_TTL)
        while replica_finds("Zebrafinch Bank (WB)") != [WB]:
            assert time.monotonic() < deadline, "the replica's search never saw the update"
            time.sleep(0.5)
        # the merged default graph follows: a triple that stays in another graph stays, one that leaves all goes
        ontology_label = ("<https://w3id.org/gmg/ontology#ExpertAuthority> "
                          "<http://www.w3.org/2000/01/rdf-schema#label> \"expert authority\"@en")
        assert update(f"DELETE DATA {{ GRAPH <{INSTANCES}> {{ {ontology_label} }} }}").status_code in (200, 204)
        assert update(f'DELETE DATA {{ GRAPH <{INSTANCES}> {{ <{WB}> <{ALT}> "Zebrafinch Bank (WB)"@en }} }}'
                      ).status_code in (200, 204)
        ask = {"query": f"ASK {{ {ontology_label} }}"}
        assert httpx.get(srv.url + "/sparql", params=ask, headers={"Accept": JSON}).json()["boolean"] is True
        ask = {"query": f'ASK {{ <{WB}> <{ALT}> "Zebrafinch Bank (WB)"@en }}'}
        assert httpx.get(srv.url + "/sparql", params=ask, headers={"Accept": JSON}).json()["boolean"] is False
        distinct = ("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } "
                    "FILTER(?g NOT IN (<https://w3id.org/gmg/graph/shapes>, <https://w3id.org/gmg/graph/metadata>)) } }")
        plain = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        counts = [httpx.get(srv.url + "/sparql", params={"query": q}, headers={"Accept": JSON}).json()
                  ["results"]["bindings"][0]["n"]["value"] for q in (distinct, plain)]
        assert counts[0] == counts[1], counts
        count = triples()
        refused = update(f'INSERT DATA {{ GRAPH <{INSTANCES}> {{ <https://w3id.org/gmg/id/passage/s3-p90> a '
                         f'<https://w3id.org/gmg/ontology#Passage> }} }}')
        assert refused.status_code == 422, refused.text
        assert triples() == count
        # statements about a stored blank node: INSERT DATA would put them on a new one, so 501, nothing sent
        remark = update(f'INSERT {{ GRAPH <{INSTANCES}> {{ ?axiom <http://www.w3.org/2000/01/rdf-schema#comment> '
                        f'"a remark"@en }} }} WHERE {{ GRAPH <{INSTANCES}> {{ ?axiom a '
                        f'<http://www.w3.org/2002/07/owl#Axiom> }} }}')
        assert remark.status_code == 501 and "blank node the store holds" in remark.text, remark.text
        assert triples() == count
    finally:
        for server in (srv, replica):
            if server is not None:
                server.stop()
        ox.stop()


def checkers_of(pid: int) -> int:
    """How many update checkers (gmg.engine.validator processes) the process `pid` has started."""
    found = 0
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes()
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        found += parent == pid and b"gmg.engine.validator" in command
    return found


# -- failures --------------------------------------------------------------------------

def test_publishing_again_replaces_each_graph_and_changes_nothing(store, client, built):
    before = client.get("/health").json()["triples"]
    done = publish(store.graph_store_url, "--graph", "inferred", "--graph", "metadata", "--chunk-triples", "7",
                   store=built)
    assert done.returncode == 0, done.stderr
    assert "inferred: 16 triples sent and counted in the store" in done.stderr
    assert client.get("/health").json()["triples"] == before


def test_a_refused_upload_is_reported_per_graph_and_the_others_go_in(built):
    ox = OxigraphServer()
    proxy = Proxy(ox.url, refuse_graph="https://w3id.org/gmg/graph/inferred")
    try:
        done = publish(proxy.url + "/store", "--graph", "inferred", "--graph", "metadata", store=built)
        assert done.returncode == 1
        assert "inferred: FAILED: PUT " in done.stderr and "answered 403" in done.stderr
        assert "metadata: 38 triples sent and counted in the store" in done.stderr
        assert "1 of 4 graphs were not published" in done.stderr  # (inferred, metadata, merged, changes)
        assert "--graph https://w3id.org/gmg/graph/inferred" in done.stderr
        again = publish(ox.graph_store_url, "--graph", "https://w3id.org/gmg/graph/inferred", store=built)
        assert again.returncode == 0, again.stderr  # the retry the message names
    finally:
        proxy.stop()
        ox.stop()


def test_a_store_stopped_mid_run_gets_502_and_health_503(built):
    ox = OxigraphServer()
    srv = None
    try:
        assert publish(ox.graph_store_url, "--graph", "ontology", store=built).returncode == 0
        srv = Server(["--store-url", ox.query_url, "--query-timeout", "3"]).wait_ready()
        query = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}
        assert httpx.get(srv.url + "/sparql", params=query, headers={"Accept": JSON}).status_code == 200
        ox.stop()
        started = time.monotonic()
        response = httpx.get(srv.url + "/sparql", params=query, headers={"Accept": JSON}, timeout=30)
        assert response.status_code == 502, response.text
        assert ox.query_url in response.text and "cannot be reached" in response.text
        assert time.monotonic() - started < 5  # retried with backoff within the time limit, no hang
        health = httpx.get(srv.url + "/health", timeout=30)
        assert health.status_code == 503 and ox.query_url in health.json()["reason"]
    finally:
        if srv is not None:
            srv.stop()
        ox.stop()


def test_a_query_past_the_time_limit_gets_gmgs_answer_and_the_request_is_abandoned(store):
    srv = Server(["--store-url", store.query_url, "--query-timeout", "1"]).wait_ready()
    try:
        slow = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . "
                "FILTER(STR(?c) != STR(?i)) }")
        started = time.monotonic()
        response = httpx.post(srv.url + "/sparql", content=slow, headers={"Content-Type": SPARQL, "Accept": JSON},
                              timeout=30)
        elapsed = time.monotonic() - started
        assert response.status_code == 503 and "limit of 1 s" in response.text, response.text
        assert elapsed < 4  # (1 s and a margin for a busy machine)
        quick = httpx.post(srv.url + "/sparql", content="ASK {}", headers={"Content-Type": SPARQL, "Accept": JSON})
        assert quick.status_code == 200
        assert httpx.get(srv.url + "/health").json()["engine"]["timeouts"] >= 1
    finally:
        srv.stop()


def _credentials(path, kind: str, secret: str):
    path.write_text(f"GMG_STORE_AUTH={kind}\n" + (f"GMG_STORE_TOKEN={secret}\n" if kind == "bearer" else
                                                   f"GMG_STORE_USER=gmg\nGMG_STORE_PASSWORD={secret}\n"))
    return str(path)


def test_publish_with_wrong_basic_and_right_bearer_credentials(store, built, tmp_path):
    basic = Proxy(store.url, user="gmg", password="s3cret")
    bearer = Proxy(store.url, token="tok-123")
    try:
        wrong = _credentials(tmp_path / "wrong.env", "basic", "nope")
        refused = publish(basic.url + "/store", "--graph", "inferred", "--credentials", wrong, store=built)
        assert refused.returncode == 1 and "answered 401" in refused.stderr and "credentials" in refused.stderr
        sent = publish(bearer.url + "/store", "--graph", "inferred", store=built,
                       env={"GMG_STORE_TOKEN": "tok-123"})  # (from the environment this time)
        assert sent.returncode == 0, sent.stderr
    finally:
        basic.stop()
        bearer.stop()


def test_serve_with_right_and_wrong_credentials(store, tmp_path):
    proxy = Proxy(store.url, user="gmg", password="s3cret")
    servers = []
    try:
        right = _credentials(tmp_path / "right.env", "basic", "s3cret")
        good = Server(["--store-url", proxy.url + "/query", "--store-credentials", right]).wait_ready()
        servers.append(good)
        assert httpx.get(good.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"},
                         headers={"Accept": JSON}).json()["boolean"] is True
        # the environment variables, wrong: it serves, and says why nothing answers
        bad = Server(["--store-url", proxy.url + "/query"],
                     env={"GMG_STORE_USER": "gmg", "GMG_STORE_PASSWORD": "nope"})
        servers.append(bad)
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(bad.url + "/health", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, bad.output()
                time.sleep(0.2)
        assert health.status_code == 503 and "credentials" in health.json()["reason"]
        response = httpx.get(bad.url + "/sparql", params={"query": "ASK {}"}, headers={"Accept": JSON})
        assert response.status_code == 502 and "refused gmg's credentials (401" in response.text
        assert "nope" not in bad.output()  # never printed
    finally:
        for srv in servers:
            srv.stop()
        proxy.stop()
