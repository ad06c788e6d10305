"""/id/<name>: published IRIs dereference on the server, as HTML for people and RDF for machines."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

WORLD_BANK = URIRef("https://w3id.org/gmg/id/world-bank")
CARMP = URIRef("https://w3id.org/gmg/id/carmp")


@pytest.mark.parametrize("accept, fmt", [("text/turtle", "turtle"), ("application/n-triples", "nt"),
                                         ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")])
def test_machines_get_the_description_in_the_format_they_ask_for(client, accept, fmt):
    response = client.get("/id/world-bank", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    assert "Accept" in response.headers["vary"]
    graph = Graph().parse(data=response.text, format=fmt)
    assert (WORLD_BANK, RDFS.label, Literal("World Bank", lang="en")) in graph
    # what points at it is part of the description too
    assert any(graph.triples((None, None, WORLD_BANK)))


def test_format_parameter_wins_and_link_header_names_every_form(client):
    response = client.get("/id/world-bank", params={"format": "nt"}, headers={"Accept": "text/html"})
    assert response.headers["content-type"].startswith("application/n-triples")
    link = response.headers["link"]
    for media in ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"):
        assert f'type="{media}"' in link


def test_browsers_get_a_page_with_labels_and_local_links(client):
    response = client.get("/id/world-bank", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "<h1>World Bank</h1>" in response.text
    assert 'href="/id/carmp"' in response.text or 'href="/id/mirpal"' in response.text
    linked = [href for href in ("/id/carmp", "/id/mirpal") if f'href="{href}"' in response.text]
    assert client.get(linked[0], headers={"Accept": "text/html"}).status_code == 200


def test_evidence_annotations_come_with_the_description(client):
    graph = Graph().parse(data=client.get("/id/mipex", headers={"Accept": "text/turtle"}).text, format="turtle")
    owl = "http://www.w3.org/2002/07/owl#"
    assert any(graph.triples((None, URIRef(owl + "annotatedSource"), URIRef("https://w3id.org/gmg/id/mipex"))))
    statements = list(graph.objects(None, URIRef("https://w3id.org/gmg/ontology#statement")))
    assert statements, "the axiom annotations point at their statements"
    derived = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
    assert all(any(graph.triples((s, derived, None))) for s in statements), "each statement with its passage"


def test_a_fact_comes_with_the_statements_that_assert_it(client):
    fact = "https://w3id.org/gmg/id/funding/world-bank-dfid-mirpal-2013"
    graph = Graph().parse(data=client.get("/id/funding/world-bank-dfid-mirpal-2013",
                                          headers={"Accept": "text/turtle"}).text, format="turtle")
    gmg = "https://w3id.org/gmg/ontology#"
    (statement,) = graph.subjects(URIRef(gmg + "asserts"), URIRef(fact))
    assert (statement, URIRef(gmg + "hedge"), URIRef(gmg + "Approximate")) in graph
    assert (statement, URIRef(gmg + "statedBy"), URIRef("https://w3id.org/gmg/id/sudharshan-canagarajah")) in graph


@pytest.mark.parametrize("name", ["no-such-thing", "world-bank>%20%3Fp%20%3Fo", "..%2F..%2Fetc"])
def test_unknown_or_malformed_names_get_404_with_a_message(client, name):
    response = client.get("/id/" + name, headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    assert "id/" in response.text


def test_unservable_accept_gets_406_listing_the_formats(client):
    response = client.get("/id/world-bank", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "text/turtle" in response.text and "text/html" in response.text


def test_head_gives_get_headers_without_a_body(client):
    for accept in ("text/turtle", "text/html"):
        get = client.get("/id/world-bank", headers={"Accept": accept})
        head = client.head("/id/world-bank", headers={"Accept": accept})
        assert head.status_code == 200 and head.content == b""
        for name in ("content-type", "vary", "link"):
            assert head.headers[name] == get.headers[name]
        # the length GET sends, or none for a streamed body; never a false 0
        assert head.headers.get("content-length") == get.headers.get("content-length")


def test_terms_on_a_resource_page_link_to_their_documentation_here(client):
    import re

    page = client.get("/id/world-bank", headers={"Accept": "text/html"}).text
    anchors = set(re.findall(r'href="/ontology#([A-Za-z0-9_]+)"', page))
    assert anchors, "no term links to /ontology#…"
    docs = client.get("/ontology", headers={"Accept": "text/html"}).text
    assert all(f'id="{a}"' in docs for a in anchors), [a for a in anchors if f'id="{a}"' not in docs]
    assert 'href="https://w3id.org/gmg/ontology#' not in page
