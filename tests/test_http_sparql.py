"""The SPARQL endpoint of a real `gmg serve` process, over HTTP."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

JSON = "application/sparql-results+json"
WORLD_BANK = "https://w3id.org/gmg/id/world-bank"
LABEL_QUERY = f'SELECT ?label WHERE {{ <{WORLD_BANK}> <{RDFS.label}> ?label }}'


def labels(response) -> set[str]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(JSON)
    return {b["label"]["value"] for b in response.json()["results"]["bindings"]}


def test_select_by_get_returns_known_binding(client):
    assert labels(client.get("/sparql", params={"query": LABEL_QUERY}, headers={"Accept": JSON})) == {"World Bank"}


def test_select_by_form_post(client):
    assert labels(client.post("/sparql", data={"query": LABEL_QUERY}, headers={"Accept": JSON})) == {"World Bank"}


def test_select_by_direct_post(client):
    response = client.post("/sparql", content=LABEL_QUERY.encode(),
                           headers={"Content-Type": "application/sparql-query", "Accept": JSON})
    assert labels(response) == {"World Bank"}


def test_ask_true_and_false(client):
    yes = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": JSON})
    assert yes.status_code == 200
    assert yes.json() == {"head": {}, "boolean": True}
    no = client.get("/sparql", params={"query": "ASK { <http://example.org/nothing> ?p ?o }"},
                    headers={"Accept": JSON})
    assert no.json()["boolean"] is False


def test_construct_returns_parseable_turtle(client):
    query = f"CONSTRUCT {{ <{WORLD_BANK}> ?p ?o }} WHERE {{ <{WORLD_BANK}> ?p ?o }}"
    response = client.get("/sparql", params={"query": query}, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    assert (URIRef(WORLD_BANK), RDFS.label, Literal("World Bank", lang="en")) in graph


def test_describe_returns_graph(client):
    response = client.get("/sparql", params={"query": f"DESCRIBE <{WORLD_BANK}>"},
                          headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="nt")
    assert len(graph) > 0


@pytest.mark.parametrize("how", ["get", "form", "direct"])
def test_malformed_query_gets_400_with_parser_message(client, how):
    bad = "SELEC ?x WHERE { ?x ?p ?o }"
    if how == "get":
        response = client.get("/sparql", params={"query": bad})
    elif how == "form":
        response = client.post("/sparql", data={"query": bad})
    else:
        response = client.post("/sparql", content=bad, headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 400
    assert "SPARQL syntax error" in response.text
    assert "1:1" in response.text  # the parser's position


def test_missing_query_gets_400(client):
    response = client.get("/sparql", params={"default-graph-uri": "http://example.org/g"})
    assert response.status_code == 400
    assert "query" in response.text


def test_unacceptable_accept_gets_406_listing_formats(client):
    response = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.text


def test_shapes_graph_is_reachable_by_name_only(client):
    shapes = "https://w3id.org/gmg/graph/shapes"
    query = "ASK { ?s a <http://www.w3.org/ns/shacl#NodeShape> }"
    assert client.get("/sparql", params={"query": query}, headers={"Accept": JSON}).json()["boolean"] is False
    by_name = f"ASK {{ GRAPH <{shapes}> {{ ?s a <http://www.w3.org/ns/shacl#NodeShape> }} }}"
    assert client.get("/sparql", params={"query": by_name}, headers={"Accept": JSON}).json()["boolean"] is True


def test_bare_get_returns_service_description(client, server):
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoints = set(graph.objects(None, URIRef(sd + "endpoint")))
    assert endpoints == {URIRef(server.url + "/sparql")}


def test_health(client):
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["triples"] > 0
