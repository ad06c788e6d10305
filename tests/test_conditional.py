"""Conditional GET on the real server: ETags on the data's answers, 304 while the data is unchanged."""

from __future__ import annotations

import httpx
import pytest

from conftest import Server

TOKEN = "etag-token"
JSON = "application/sparql-results+json"
LABEL = "SELECT ?label WHERE { <https://w3id.org/gmg/id/world-bank> <http://www.w3.org/2000/01/rdf-schema#label> ?label }"
WORLD_BANK = "/id/world-bank"
ALT_LABEL = "<https://w3id.org/gmg/id/world-bank> <http://www.w3.org/2004/02/skos/core#altLabel> \"WB-etag\"@en"
ALT_LABELS = "SELECT ?alt WHERE { <https://w3id.org/gmg/id/world-bank> <http://www.w3.org/2004/02/skos/core#altLabel> ?alt }"


@pytest.fixture(scope="module")
def writable():
    server = Server(["--update-token", TOKEN]).wait_ready()
    yield server
    server.stop()


def get(server, path, etag=None, accept=JSON, **params) -> httpx.Response:
    headers = {"accept": accept, **({"if-none-match": etag} if etag else {})}
    return httpx.get(server.url + path, params=params, headers=headers, timeout=30)


def update(server, text: str) -> None:
    answer = httpx.post(server.url + "/update", data={"update": text},
                        headers={"authorization": f"Bearer {TOKEN}"}, timeout=60)
    assert answer.status_code in (200, 204), answer.text


def test_an_unchanged_answer_is_revalidated_with_a_304(writable):
    first = get(writable, "/sparql", query=LABEL)
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert etag.startswith('W/"') and first.headers["cache-control"] == "no-cache"
    again = get(writable, "/sparql", etag, query=LABEL)
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    assert get(writable, "/sparql", f'W/"other", {etag}', query=LABEL).status_code == 304  # a list of tags
    assert get(writable, "/sparql", '"something-else"', query=LABEL).status_code == 200
    head = httpx.head(writable.url + "/sparql", params={"query": LABEL},
                      headers={"accept": JSON, "if-none-match": etag}, timeout=30)
    assert head.status_code == 304


def test_the_tag_names_the_query_and_the_format(writable):
    label = get(writable, "/sparql", query=LABEL).headers["etag"]
    assert get(writable, "/sparql", query=LABEL + " LIMIT 1").headers["etag"] != label
    csv = get(writable, "/sparql", accept="text/csv", query=LABEL)
    assert csv.headers["etag"] != label
    assert get(writable, "/sparql", label, accept="text/csv", query=LABEL).status_code == 200


def test_an_update_makes_every_tag_stale(writable):
    before = get(writable, "/sparql", query=ALT_LABELS)
    page = get(writable, WORLD_BANK, accept="text/turtle")
    assert page.status_code == 200 and page.headers["etag"]
    assert get(writable, WORLD_BANK, page.headers["etag"], accept="text/turtle").status_code == 304
    update(writable, f"INSERT DATA {{ GRAPH <https://w3id.org/gmg/graph/instances> {{ {ALT_LABEL} }} }}")
    try:
        after = get(writable, "/sparql", before.headers["etag"], query=ALT_LABELS)
        assert after.status_code == 200 and after.headers["etag"] != before.headers["etag"]
        assert "WB-etag" in after.text and "WB-etag" not in before.text
        described = get(writable, WORLD_BANK, page.headers["etag"], accept="text/turtle")
        assert described.status_code == 200 and "WB-etag" in described.text
    finally:
        update(writable, f"DELETE DATA {{ GRAPH <https://w3id.org/gmg/graph/instances> {{ {ALT_LABEL} }} }}")


def test_answers_that_change_by_themselves_get_no_tag(writable):
    for query in ("SELECT (NOW() AS ?t) WHERE {}", "SELECT (rand ( ) AS ?r) WHERE {}", "SELECT (STRUUID() AS ?u) WHERE {}"):
        answer = get(writable, "/sparql", query=query)
        assert answer.status_code == 200 and "etag" not in answer.headers, query
    posted = httpx.post(writable.url + "/sparql", data={"query": LABEL}, headers={"accept": JSON}, timeout=30)
    assert posted.status_code == 200 and "etag" not in posted.headers
    assert "etag" not in httpx.get(writable.url + "/health", timeout=30).headers


def test_a_restart_makes_every_tag_stale():
    server = Server().wait_ready()
    try:
        etag = get(server, "/sparql", query=LABEL).headers["etag"]
    finally:
        server.stop()
    server = Server().wait_ready()
    try:
        assert get(server, "/sparql", etag, query=LABEL).status_code == 200
    finally:
        server.stop()
