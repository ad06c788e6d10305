"""gmg in front of Virtuoso Open Source 7: the same tests as in front of the Oxigraph server.

Virtuoso is started with a database folder of its own on free ports; the graphs go
in through its Digest-protected graph store (`dba`), gmg reads through `/sparql`
(and, with Digest credentials, `/sparql-auth`). Virtuoso's own default graph is
every graph it holds, its system graphs included: gmg's dataset parameters make
the answers the embedded store's all the same.

Every competency question and every page gets the embedded store's answer: gmg's queries
are written in SPARQL that Virtuoso 7.2 evaluates as the embedded store does (no computed
xsd:boolean in an answer, no class path such as rdfs:subClassOf*, no FILTER NOT EXISTS nested
in another, no lone BIND as a UNION branch, no GROUP BY over `?s ?p ?o` without DISTINCT;
see the comments of queries/cq-06.rq, cq-19.rq, cq-34.rq and gmg/sitequeries.py).
"""

from __future__ import annotations

import httpx
import pytest

import test_competency
from conftest import Server
from remote_stores import VirtuosoServer, publish
from remote_suite import adopt
import test_remote_oxigraph
from test_remote_oxigraph import MAX_ROWS, test_health_names_the_store_and_says_it_answers, test_the_row_cap_is_gmgs  # noqa: F401
# the same gmg in front of its own `store` (below), and the same embedded server to compare with
from test_remote_oxigraph import built, client, embedded, server  # noqa: F401

pytestmark = pytest.mark.needs("virtuoso")

DIGEST = {"GMG_STORE_AUTH": "digest", "GMG_STORE_USER": "dba", "GMG_STORE_PASSWORD": "dba"}


@pytest.fixture(scope="module")
def store(built):
    virtuoso = VirtuosoServer()
    done = publish(virtuoso.graph_store_auth_url, store=built, env=DIGEST)
    assert done.returncode == 0, done.stderr
    yield virtuoso
    virtuoso.stop()


# DESCRIBE's answer is the store's to choose (SPARQL 1.1, 16.4): Virtuoso's differs from Oxigraph's.
SAME = [case for case in test_remote_oxigraph.SAME if not case[0].startswith("describe")]


@pytest.mark.parametrize("name, method, path, body, accept", SAME, ids=[case[0] for case in SAME])
def test_the_same_request_gets_the_same_answer(client, embedded, name, method, path, body, accept):
    test_remote_oxigraph.test_the_same_request_gets_the_same_answer(client, embedded, name, method, path, body, accept)


QUERIES = test_competency.QUERIES


@pytest.mark.parametrize("query", QUERIES, ids=[q.stem for q in QUERIES])
def test_competency_question(client, query):
    test_competency.test_competency_question(client, query)


LEAVE_OUT = {
    **test_remote_oxigraph.LEAVE_OUT,
    # the regular expressions are the store's: Virtuoso's backtracking engine gives up on "^(a+)+$"
    # against 34 a's and a "!" at once, and calls it a match (README, "Running on a bigger store")
    "test_hostile_queries::test_regex_and_replace_run_in_linear_time": "Virtuoso's regex engine answers wrongly",
}
ADOPTED = adopt(globals(), test_remote_oxigraph.MODULES, LEAVE_OUT)


def test_digest_credentials_right_and_wrong(store, built, tmp_path):
    wrong = tmp_path / "wrong.env"
    wrong.write_text("GMG_STORE_AUTH=digest\nGMG_STORE_USER=dba\nGMG_STORE_PASSWORD=nope\n")
    refused = publish(store.graph_store_auth_url, "--graph", "inferred", "--credentials", str(wrong), store=built)
    assert refused.returncode == 1 and "answered 401" in refused.stderr and "credentials" in refused.stderr
    srv = Server(["--store-url", store.url + "/sparql-auth"], env=DIGEST).wait_ready()
    try:
        answer = httpx.get(srv.url + "/sparql", params={"query": "ASK { ?s a <https://w3id.org/gmg/ontology#Funding> }"},
                           headers={"Accept": "application/sparql-results+json"}, timeout=30)
        assert answer.status_code == 200 and answer.json()["boolean"] is True
    finally:
        srv.stop()
