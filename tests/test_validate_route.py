"""POST /validate and GET /shapes on the real server: reports, limits, hostile bodies."""

from __future__ import annotations

import json

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from decoy import Decoy

SH = "http://www.w3.org/ns/shacl#"
PREFIXES = "@prefix gmg: <https://w3id.org/gmg/ontology#> .\n@prefix id: <https://w3id.org/gmg/id/> .\n"
OA = "http://www.w3.org/ns/oa#"
GOOD = PREFIXES + ('<https://w3id.org/gmg/id/passage/s3-p1-z> a gmg:Passage ; '
                   '<http://www.w3.org/2000/01/rdf-schema#label> "S3, paragraph 1 (z)"@en ; '
                   'gmg:inSection <https://w3id.org/gmg/id/section/s3> ; '
                   f'<{OA}hasSource> <https://w3id.org/gmg/id/paragraph/s3-p1> ; '
                   f'<{OA}hasSelector> <https://w3id.org/gmg/id/selector/s3-p1-z> .\n'
                   f'<https://w3id.org/gmg/id/selector/s3-p1-z> a <{OA}TextQuoteSelector> , <{OA}TextPositionSelector> ; '
                   f'<{OA}exact> "The case of the World Bank is indicative." ; <{OA}start> 22798 ; <{OA}end> 22839 ; '
                   '<http://purl.org/dc/terms/rights> <https://w3id.org/gmg/id/rights/quoted-text> .\n')
BAD = PREFIXES + ('<https://w3id.org/gmg/id/passage/s3-p98> a gmg:Passage ; '
                  'gmg:inSection <https://w3id.org/gmg/id/section/s3> .\n')
TURTLE = {"Content-Type": "text/turtle"}


def conforms(report: Graph) -> bool:
    (value,) = list(report.objects(None, URIRef(SH + "conforms")))
    return value.toPython()


def test_valid_data_conforms(client):
    response = client.post("/validate", content=GOOD, headers={**TURTLE, "Accept": "text/turtle"})
    assert response.status_code == 200, response.text
    assert response.headers["gmg-conforms"] == "true"
    assert conforms(Graph().parse(data=response.text, format="turtle"))


def test_violation_is_reported_and_nothing_is_stored(client):
    response = client.post("/validate", content=BAD, headers={**TURTLE, "Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["gmg-conforms"] == "false"
    report = Graph().parse(data=response.text, format="turtle")
    assert not conforms(report)
    focus = set(report.objects(None, URIRef(SH + "focusNode")))
    assert URIRef("https://w3id.org/gmg/id/passage/s3-p98") in focus
    text = client.post("/validate", content=BAD, headers={**TURTLE, "Accept": "text/plain"})
    assert "passage/s3-p98" in text.text and "oa:hasSelector" in text.text
    stored = client.get("/sparql", params={"query": "ASK { <https://w3id.org/gmg/id/passage/s3-p98> ?p ?o }"},
                        headers={"Accept": "application/sparql-results+json"})
    assert stored.json()["boolean"] is False


def test_json_ld_body_is_accepted(client):
    doc = {"@id": "https://w3id.org/gmg/id/passage/s3-p97", "@type": "https://w3id.org/gmg/ontology#Passage",
           "https://w3id.org/gmg/ontology#inSection": {"@id": "https://w3id.org/gmg/id/section/s3"}}
    response = client.post("/validate", content=json.dumps(doc), headers={"Content-Type": "application/ld+json"})
    assert response.status_code == 200
    assert response.headers["gmg-conforms"] == "false"


def test_unparseable_body_gets_400_with_position(client):
    response = client.post("/validate", content=PREFIXES + "id:x a gmg:Passage ;;; ] .\n", headers=TURTLE)
    assert response.status_code == 400
    assert "line 3" in response.text


def test_oversized_body_gets_413(client):
    response = client.post("/validate", content=b"#" * (2 * 1024 * 1024), headers=TURTLE)
    assert response.status_code == 413


def test_unknown_content_type_gets_415(client):
    response = client.post("/validate", content=GOOD, headers={"Content-Type": "application/x-unknown"})
    assert response.status_code == 415
    assert "text/turtle" in response.text


def test_rdf_xml_doctype_is_refused_before_parsing(client):
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY a "aaaaaaaaaa"> <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/x"><ex:p>&b;</ex:p></rdf:Description>
</rdf:RDF>"""
    response = client.post("/validate", content=bomb, headers={"Content-Type": "application/rdf+xml"})
    assert response.status_code == 400
    assert "DOCTYPE" in response.text


def test_json_ld_remote_context_gets_400_and_no_request(client, tmp_path):
    decoy = Decoy()
    context = tmp_path / "context.jsonld"
    context.write_text('{"@context": {"name": "http://example.org/leaked-from-a-file"}}')
    try:
        for where in (decoy.url + "/context.jsonld", context.as_uri()):
            doc = {"@context": where, "@id": "http://example.org/x", "name": "x"}
            response = client.post("/validate", content=json.dumps(doc), headers={"Content-Type": "application/ld+json"})
            assert response.status_code == 400
            assert "context" in response.text.lower() and "leaked" not in response.text
        # a context given inline is fine
        inline = {"@context": {"name": "http://example.org/name"}, "@id": "http://example.org/x", "name": "x"}
        assert client.post("/validate", content=json.dumps(inline),
                           headers={"Content-Type": "application/ld+json"}).status_code == 200
        assert decoy.requests == []
    finally:
        decoy.close()


def test_shapes_are_published(client):
    response = client.get("/shapes", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="turtle")
    assert (URIRef("https://w3id.org/gmg/shapes#PassageShape"), RDF.type, URIRef(SH + "NodeShape")) in graph
    xml = client.get("/shapes", headers={"Accept": "application/rdf+xml"})
    assert len(Graph().parse(data=xml.content, format="xml")) == len(graph)
