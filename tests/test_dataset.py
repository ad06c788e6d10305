"""/void and /dumps: the dataset described in VoID and downloadable graph by graph."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

VOID = "http://rdfs.org/ns/void#"
DATASET = URIRef("https://w3id.org/gmg/dataset")
INSTANCES = URIRef("https://w3id.org/gmg/graph/instances")


def count(client, query: str) -> int:
    response = client.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_void_describes_the_dataset_with_true_counts(client, server):
    response = client.get("/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    void = Graph().parse(data=response.text, format="turtle")
    assert (DATASET, RDF.type, URIRef(VOID + "Dataset")) in void
    assert (DATASET, URIRef(VOID + "sparqlEndpoint"), URIRef(server.url + "/sparql")) in void
    assert void.value(DATASET, URIRef("http://purl.org/dc/terms/license")) is not None
    total = int(void.value(DATASET, URIRef(VOID + "triples")))
    assert total == count(client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    instances = int(void.value(INSTANCES, URIRef(VOID + "triples")))
    assert instances == count(client, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{INSTANCES}> {{ ?s ?p ?o }} }}")
    assert 0 < instances < total
    # every dump it names can be downloaded
    for dump in void.objects(None, URIRef(VOID + "dataDump")):
        assert client.head(str(dump).removeprefix(server.url)).status_code == 200, dump


@pytest.mark.parametrize("ext, fmt", [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("rdf", "xml")])
def test_instances_dump_holds_the_instances_graph(client, ext, fmt):
    response = client.get(f"/dumps/instances.{ext}")
    assert response.status_code == 200
    graph = Graph().parse(data=response.content, format=fmt)
    assert len(graph) == count(client, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{INSTANCES}> {{ ?s ?p ?o }} }}")
    assert (URIRef("https://w3id.org/gmg/id/world-bank"), RDFS.label, None) in graph


def test_shapes_are_dumped_though_not_in_the_default_graph(client):
    gmg = Graph().parse(data=client.get("/dumps/gmg.nt").content, format="nt")
    shapes = Graph().parse(data=client.get("/dumps/shapes.nt").content, format="nt")
    shape = URIRef("https://w3id.org/gmg/shapes#PassageShape")
    assert (shape, RDF.type, URIRef("http://www.w3.org/ns/shacl#NodeShape")) in shapes
    assert not any(gmg.triples((shape, None, None)))
    assert len(gmg) > len(shapes)


@pytest.mark.parametrize("path", ["/dumps/nothing.ttl", "/dumps/instances.png", "/dumps/instances"])
def test_unknown_dumps_get_404_naming_the_real_ones(client, path):
    response = client.get(path)
    assert response.status_code == 404 and "instances.ttl" in response.text


def test_dumps_page_links_every_dump(client):
    page = client.get("/dumps").text
    for name in ("gmg", "ontology", "instances", "inferred", "shapes", "metadata"):
        assert f'href="/dumps/{name}.ttl"' in page


def test_metadata_graph_says_which_files_each_graph_comes_from(client):
    metadata = Graph().parse(data=client.get("/dumps/metadata.nt").content, format="nt")
    sources = {str(o) for o in metadata.objects(INSTANCES, URIRef("http://purl.org/dc/terms/source"))}
    assert "instances/actors.ttl" in sources and "instances/world-bank.ttl" in sources
    loaded = int(metadata.value(INSTANCES, URIRef(VOID + "triples")))
    assert loaded == count(client, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{INSTANCES}> {{ ?s ?p ?o }} }}")
    # reachable by name only: its statements stay out of ordinary answers
    assert count(client, "SELECT (COUNT(*) AS ?n) WHERE { ?g <http://rdfs.org/ns/void#triples> ?t }") == 0
