"""Settings given by environment variables reach the endpoint: public URL, limits, row cap, token."""

from __future__ import annotations

import csv
import io
import socket
import xml.etree.ElementTree as ET

import httpx
import pytest
from rdflib import Graph, URIRef

from conftest import Server

PUBLIC = "https://data.example.org/gmg"
TOKEN = "env-token-5f3a"
SD = "http://www.w3.org/ns/sparql-service-description#"
JSON = {"Accept": "application/sparql-results+json"}
TEN = "SELECT ?n WHERE { VALUES ?n { 1 2 3 4 5 6 7 8 9 10 } }"


@pytest.fixture(scope="module")
def configured():
    server = Server(env={"GMG_PUBLIC_URL": PUBLIC, "GMG_MAX_BODY_BYTES": "20000", "GMG_MAX_QUERY_BYTES": "8000",
                         "GMG_MAX_ROWS": "5", "GMG_UPDATE_TOKEN": TOKEN}).wait_ready()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def http(configured):
    with httpx.Client(base_url=configured.url, timeout=30) as c:
        yield c


@pytest.mark.parametrize("accept,fmt", [("text/turtle", "turtle"), ("application/rdf+xml", "xml")])
def test_service_description_names_the_public_url(http, accept, fmt):
    response = http.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200
    graph = Graph().parse(data=response.content, format=fmt)
    assert set(graph.objects(None, URIRef(SD + "endpoint"))) == {URIRef(PUBLIC + "/sparql")}


def test_dataset_description_and_ontology_links_use_the_public_url(http):
    void = Graph().parse(data=http.get("/void", headers={"Accept": "text/turtle"}).text, format="turtle")
    assert set(void.objects(None, URIRef("http://rdfs.org/ns/void#sparqlEndpoint"))) == {URIRef(PUBLIC + "/sparql")}
    assert f"<{PUBLIC}/ontology.ttl>" in http.get("/ontology", headers={"Accept": "text/turtle"}).headers["link"]


def test_settings_from_the_environment_are_printed_with_the_token_masked(configured):
    output = configured.output()
    assert f"public_url = '{PUBLIC}'" in output and "max_body_bytes = 20000" in output
    assert "max_rows = 5" in output and "update_token = '***'" in output
    assert TOKEN not in output


def test_body_limit_is_configurable(http):
    big = "ASK {} #" + "x" * 25_000
    assert http.post("/sparql", content=big, headers={"Content-Type": "application/sparql-query"}).status_code == 413
    assert http.post("/sparql", data={"query": big}).status_code == 413
    assert http.post("/validate", content=big, headers={"Content-Type": "text/turtle"}).status_code == 413
    assert http.post("/update", content=big, headers={"Content-Type": "application/sparql-update",
                                                      "Authorization": f"Bearer {TOKEN}"}).status_code == 413


def test_query_size_limit_is_configurable(http, configured):
    text = "ASK {} #" + "x" * 9000  # over 8000 bytes of text, under 20000 of body
    for response in (http.post("/sparql", content=text, headers={"Content-Type": "application/sparql-query"}),
                     http.get("/sparql", params={"query": text})):
        assert response.status_code == 400 and "8000 bytes" in response.text
    assert http.get("/sparql", params={"query": "ASK {} #" + "x" * 7000}, headers=JSON).json()["boolean"] is True
    # a URL that could not hold a query of the limit even percent-encoded: 414
    with socket.create_connection(("127.0.0.1", configured.port), timeout=10) as sock:
        sock.sendall(b"GET /sparql?query=" + b"x" * 40_000 + b" HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        assert b" 414 " in sock.makefile("rb").readline()


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml",
                                    "text/csv", "text/tab-separated-values"])
def test_rows_are_cut_at_max_rows_in_every_format(http, accept):
    response = http.get("/sparql", params={"query": TEN}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["gmg-results-truncated"] == "true"
    if accept.endswith("json"):
        rows = len(response.json()["results"]["bindings"])
    elif accept.endswith("xml"):
        rows = len(list(ET.fromstring(response.content).iter("{http://www.w3.org/2005/sparql-results#}result")))
    else:
        rows = len(list(csv.reader(io.StringIO(response.text), delimiter="," if "csv" in accept else "\t"))) - 1
    assert rows == 5
    exact = http.get("/sparql", params={"query": TEN.replace(" 6 7 8 9 10", "")}, headers={"Accept": accept})
    assert "gmg-results-truncated" not in exact.headers


def test_token_from_the_environment_enables_updates(http):
    update = {"Content-Type": "application/sparql-update"}
    assert http.post("/update", content="INSERT DATA {", headers=update).status_code == 401
    assert http.post("/update", content="INSERT DATA {", headers={**update, "Authorization": "Bearer nope"}).status_code == 403
    # the token is accepted: the update gets as far as the parser
    response = http.post("/update", content="INSERT DATA {", headers={**update, "Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 400 and "syntax" in response.text.lower()
    # and only from the header
    assert http.post("/update", params={"access_token": TOKEN}, content="INSERT DATA {", headers=update).status_code == 401


@pytest.mark.parametrize("given", [PUBLIC, PUBLIC + "/", PUBLIC + "/sparql", PUBLIC + "/sparql/"])
def test_public_url_may_be_given_as_the_root_or_as_the_endpoint(given):
    from gmg.settings import Settings
    from gmg.web.urls import public_root

    assert public_root(Settings(public_url=given), request=None) == PUBLIC
