"""SPARQL 1.1 Protocol conformance of the real server: dataset rules, formats, negotiation,
service description, HEAD/OPTIONS/CORS and the error cases."""

from __future__ import annotations

import csv
import io
import socket
import time
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

JSON = "application/sparql-results+json"
GRAPHS = "https://w3id.org/gmg/graph/"
INSTANCES, ONTOLOGY, SHAPES = GRAPHS + "instances", GRAPHS + "ontology", GRAPHS + "shapes"
GMG = "https://w3id.org/gmg/ontology#"
# one fact from each graph: an instance label, an ontology class, a shape
HAS_INSTANCE = "ASK { <https://w3id.org/gmg/id/world-bank> ?p ?o }"
HAS_ONTOLOGY = f"ASK {{ <{GMG}InternationalOrganization> ?p ?o }}"
HAS_SHAPE = "ASK { ?s a <http://www.w3.org/ns/shacl#NodeShape> }"


def ask(client, how: str, query: str, **dataset) -> bool:
    """Run an ASK by GET, form POST or direct POST with dataset parameters."""
    params = [(k.replace("_", "-"), v) for k, values in dataset.items() for v in values]
    headers = {"Accept": JSON}
    if how == "get":
        response = client.get("/sparql", params=[("query", query), *params], headers=headers)
    elif how == "form":
        response = client.post("/sparql", data={"query": query, **_group(params)}, headers=headers)
    else:
        response = client.post("/sparql", params=params, content=query.encode(),
                               headers={**headers, "Content-Type": "application/sparql-query"})
    assert response.status_code == 200, response.text
    return response.json()["boolean"]


def _group(params):
    grouped: dict[str, list[str]] = {}
    for key, value in params:
        grouped.setdefault(key, []).append(value)
    return grouped


HOW = ["get", "form", "direct"]


@pytest.mark.parametrize("how", HOW)
def test_default_dataset_is_ontology_and_instances_without_shapes(client, how):
    assert ask(client, how, HAS_INSTANCE) and ask(client, how, HAS_ONTOLOGY)
    assert not ask(client, how, HAS_SHAPE)
    assert ask(client, how, f"ASK {{ GRAPH <{SHAPES}> {{ ?s a <http://www.w3.org/ns/shacl#NodeShape> }} }}")


@pytest.mark.parametrize("how", HOW)
def test_protocol_dataset_parameters_win_over_from(client, how):
    query = f"ASK FROM <{ONTOLOGY}> {{ <https://w3id.org/gmg/id/world-bank> ?p ?o }}"
    assert ask(client, how, query, default_graph_uri=[INSTANCES])
    assert not ask(client, how, HAS_ONTOLOGY, default_graph_uri=[INSTANCES])
    # no named-graph-uri given: no named graphs
    assert not ask(client, how, "ASK { GRAPH ?g { ?s ?p ?o } }", default_graph_uri=[INSTANCES])
    # only named-graph-uri: the default graph is empty
    assert not ask(client, how, "ASK { ?s ?p ?o }", named_graph_uri=[SHAPES])
    assert ask(client, how, f"ASK {{ GRAPH <{SHAPES}> {{ ?s ?p ?o }} }}", named_graph_uri=[SHAPES])


@pytest.mark.parametrize("how", HOW)
def test_from_and_from_named_select_store_graphs(client, how):
    assert ask(client, how, f"ASK FROM <{SHAPES}> {{ ?s a <http://www.w3.org/ns/shacl#NodeShape> }}")
    assert not ask(client, how, f"ASK FROM <{SHAPES}> {{ <https://w3id.org/gmg/id/world-bank> ?p ?o }}")
    # FROM NAMED alone: empty default graph, the named graph by name
    assert not ask(client, how, f"ASK FROM NAMED <{INSTANCES}> {{ ?s ?p ?o }}")
    assert ask(client, how, f"ASK FROM NAMED <{INSTANCES}> {{ GRAPH <{INSTANCES}> {{ ?s ?p ?o }} }}")


@pytest.mark.parametrize("how", HOW)
def test_unknown_graphs_are_empty_not_errors(client, how):
    assert not ask(client, how, "ASK { ?s ?p ?o }", default_graph_uri=["http://example.org/nothing"])
    assert not ask(client, how, "ASK FROM <http://example.org/nothing> { ?s ?p ?o }")


def test_relative_iris_resolve_against_the_base(client):
    response = client.get("/sparql", params={"query": "ASK { <id/world-bank> ?p ?o }"}, headers={"Accept": JSON})
    assert response.status_code == 200, response.text
    assert response.json()["boolean"] is True


SELECT = "SELECT ?x ?l WHERE { VALUES (?x ?l) { (<http://example.org/a> \"a, \\\"quoted\\\"\"@en) (<http://example.org/b> 2) } }"


def test_select_in_every_results_format(client):
    def get(accept):
        response = client.get("/sparql", params={"query": SELECT}, headers={"Accept": accept})
        assert response.status_code == 200, response.text
        return response

    data = get(JSON).json()
    assert data["head"]["vars"] == ["x", "l"]
    assert data["results"]["bindings"][0]["l"] == {"type": "literal", "value": 'a, "quoted"', "xml:lang": "en"}
    xml = get("application/sparql-results+xml")
    assert xml.headers["content-type"].startswith("application/sparql-results+xml")
    root = ET.fromstring(xml.content)
    ns = "{http://www.w3.org/2005/sparql-results#}"
    assert [v.get("name") for v in root.iter(ns + "variable")] == ["x", "l"]
    assert len(list(root.iter(ns + "result"))) == 2
    csv_response = get("text/csv")
    assert csv_response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(csv_response.text)))
    assert rows == [["x", "l"], ["http://example.org/a", 'a, "quoted"'], ["http://example.org/b", "2"]]
    tsv = get("text/tab-separated-values")
    assert tsv.headers["content-type"] == "text/tab-separated-values; charset=utf-8"
    lines = tsv.text.splitlines()
    assert lines[0] == "?x\t?l"
    assert lines[1] == '<http://example.org/a>\t"a, \\"quoted\\""@en'
    assert lines[2] == '<http://example.org/b>\t"2"^^<http://www.w3.org/2001/XMLSchema#integer>'


@pytest.mark.parametrize("accept,rdflib_format", [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"),
    ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")])
def test_construct_in_every_graph_format(client, accept, rdflib_format):
    query = "CONSTRUCT { <https://w3id.org/gmg/id/world-bank> ?p ?o } WHERE { <https://w3id.org/gmg/id/world-bank> ?p ?o }"
    response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(accept)
    assert "Accept" in response.headers["vary"]
    graph = Graph().parse(data=response.content, format=rdflib_format)
    assert (URIRef("https://w3id.org/gmg/id/world-bank"), RDF.type, None) in graph


@pytest.mark.parametrize("accept,expected", [
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ("text/*", "text/csv"),
    ("*/*", JSON),
    ("text/tab-separated-values, */*;q=0.1", "text/tab-separated-values"),
    ("application/json", JSON),
    ("", JSON),
])
def test_negotiation_honours_q_values_and_wildcards(client, accept, expected):
    response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == expected


def test_negotiation_keeps_choices_for_short_accept_headers_but_never_a_refusal():
    from gmg.formats import GRAPH, REMEMBERED_ACCEPT, RESULTS, NotAcceptable, negotiate, remembered_choice

    accept = "text/csv;q=0.5, application/sparql-results+xml;q=0.9, */*;q=0.1"
    assert negotiate(accept, RESULTS).media_type == "application/sparql-results+xml"
    hits = remembered_choice.cache_info().hits
    assert negotiate(accept, RESULTS).media_type == "application/sparql-results+xml"
    assert remembered_choice.cache_info().hits == hits + 1  # the second is the kept choice
    assert negotiate(accept, GRAPH).media_type == "text/turtle"  # (kept apart by kind)
    kept = remembered_choice.cache_info().currsize
    for _ in range(2):  # refused every time: a refusal is not kept
        with pytest.raises(NotAcceptable):
            negotiate("application/sparql-results+json", GRAPH)
    long_accept = "text/tab-separated-values, " + ", ".join(["x/y"] * (REMEMBERED_ACCEPT // 4))
    assert negotiate(long_accept, RESULTS).media_type == "text/tab-separated-values"
    assert remembered_choice.cache_info().currsize == kept  # a long header is read, never kept


def test_format_parameter_overrides_accept(client):
    response = client.get("/sparql", params={"query": "ASK {}", "format": "csv"}, headers={"Accept": "text/html"})
    assert response.headers["content-type"].startswith("text/csv")
    assert response.text.strip().splitlines()[-1] == "true"


def test_unservable_accept_gets_406_listing_formats(client):
    response = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 406
    assert "text/turtle" in response.text and "application/rdf+xml" in response.text


@pytest.mark.parametrize("accept,fmt", [("text/turtle", "turtle"), ("application/rdf+xml", "xml")])
def test_service_description(client, server, accept, fmt):
    response = client.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200
    graph = Graph().parse(data=response.content, format=fmt)
    sd = "http://www.w3.org/ns/sparql-service-description#"
    services = list(graph.subjects(RDF.type, URIRef(sd + "Service")))
    assert len(services) == 1
    assert set(graph.objects(services[0], URIRef(sd + "endpoint"))) == {URIRef(server.url + "/sparql")}
    formats = set(graph.objects(services[0], URIRef(sd + "resultFormat")))
    assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats
    assert all(str(f).startswith("http://www.w3.org/ns/formats/") for f in formats)
    named = list(graph.subjects(RDF.type, URIRef(sd + "NamedGraph")))
    names = [list(graph.objects(n, URIRef(sd + "name"))) for n in named]
    assert all(len(n) == 1 for n in names)
    assert {str(n[0]) for n in names} >= {INSTANCES, ONTOLOGY, SHAPES}


def test_browsers_get_a_query_page(client):
    response = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<textarea" in response.text and "example-international-organizations" not in response.text
    assert "Which international organizations" in response.text


def test_head_returns_get_status_and_headers_without_body(client):
    for params in ({"query": "ASK {}"}, {}, {"query": "SELEC"}):
        get = client.get("/sparql", params=params, headers={"Accept": "text/turtle, " + JSON})
        head = client.head("/sparql", params=params, headers={"Accept": "text/turtle, " + JSON})
        assert head.status_code == get.status_code
        assert head.headers["content-type"] == get.headers["content-type"]
        assert head.content == b""


def test_options_and_cors(client):
    options = client.options("/sparql")
    assert 200 <= options.status_code < 300
    assert options.headers["allow"] == "GET, HEAD, POST, OPTIONS"
    preflight = client.options("/sparql", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type, Authorization"})
    assert preflight.status_code == 200
    allowed = preflight.headers["access-control-allow-headers"].lower()
    assert "content-type" in allowed and "authorization" in allowed
    assert "access-control-allow-credentials" not in preflight.headers
    simple = client.get("/sparql", params={"query": "ASK {}"},
                        headers={"Origin": "https://example.org", "Cookie": "a=b"})
    assert simple.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in simple.headers


@pytest.mark.parametrize("params", [
    [("query", "")], [("query", "ASK {}"), ("query", "ASK {}")], [("default-graph-uri", INSTANCES)]])
def test_missing_empty_or_repeated_query_gets_400(client, params):
    response = client.get("/sparql", params=params)
    assert response.status_code == 400
    assert "query" in response.text.lower() and len(response.text.strip()) > 10


@pytest.mark.parametrize("content_type,status", [
    (None, 415), ("text/plain", 415), ("application/sparql-query; charset=latin1", 415)])
def test_wrong_content_types(client, content_type, status):
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post("/sparql", content=b"ASK {}", headers=headers)
    assert response.status_code == status
    assert "UTF-8" in response.text or "Content-Type" in response.text


def test_size_limits(client, server):
    long_get = "ASK {} #" + "x" * 6000
    assert client.get("/sparql", params={"query": long_get}).status_code == 200
    # past the 64 KB a URL parser may stop at (httptools'), within gmg's limit for a GET query
    # (sent raw: httpx refuses to build it)
    longer_get = quote("ASK {} #" + "é" * 40_000).encode("ascii")
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"GET /sparql?query=" + longer_get + b" HTTP/1.1\r\nHost: t\r\n"
                     b"Accept: application/sparql-results+json\r\nConnection: close\r\n\r\n")
        reply = sock.makefile("rb").read()
    assert reply.startswith(b"HTTP/1.1 200 ") and b'"boolean":true' in reply.replace(b" ", b""), reply[:300]
    long_post = "ASK {} #" + "x" * 60_000
    assert client.post("/sparql", content=long_post,
                       headers={"Content-Type": "application/sparql-query"}).status_code == 200
    huge = client.post("/sparql", content=b"x" * (2 * 1024 * 1024),
                       headers={"Content-Type": "application/sparql-query"})
    assert huge.status_code == 413 and "limit" in huge.text
    # a 1 MB GET URL (sent raw: HTTP clients refuse to build it)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"GET /sparql?query=" + b"x" * (1024 * 1024) + b" HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        status_line = sock.makefile("rb").readline()
    assert b" 414 " in status_line
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"GET /sparql?query=" + b"x" * (1024 * 1024) + b" HTTP/1.1\r\nHost: t\r\n"
                     b"Origin: https://example.org\r\nConnection: close\r\n\r\n")
        reply = sock.makefile("rb").read()
    assert b"access-control-allow-origin: *" in reply.lower() and b"POST" in reply
    assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200


# --- more of the protocol's edges ----------------------------------------------------

SPARQL_QUERY = {"Content-Type": "application/sparql-query"}


@pytest.mark.parametrize("how,kwargs", [
    ("form, no query", {"data": {"default-graph-uri": INSTANCES}}),
    ("form, empty query", {"data": {"query": "  "}}),
    ("form, query twice", {"data": {"query": ["ASK {}", "ASK {}"]}}),
    ("form, query in the URL and the body", {"params": {"query": "ASK {}"}, "data": {"query": "ASK {}"}}),
    ("direct, empty body", {"content": b"", "headers": SPARQL_QUERY}),
    ("direct, query in the URL and the body", {"params": {"query": "ASK {}"}, "content": b"ASK {}",
                                               "headers": SPARQL_QUERY}),
])
def test_post_without_exactly_one_query_gets_400(client, how, kwargs):
    response = client.post("/sparql", **kwargs)
    assert response.status_code == 400, how
    assert "query" in response.text.lower() and len(response.text.strip()) > 10


@pytest.mark.parametrize("content_type", [
    "application/sparql-query; charset=UTF-16", "application/sparql-query;charset=iso-8859-1",
    'application/sparql-query; charset="windows-1252"'])
def test_direct_post_in_another_charset_gets_4xx(client, content_type):
    response = client.post("/sparql", content="ASK {}".encode("utf-16" if "16" in content_type else "latin-1"),
                           headers={"Content-Type": content_type})
    assert 400 <= response.status_code < 500
    assert "UTF-8" in response.text


def test_direct_post_in_utf8_with_charset_and_bad_bytes(client):
    query = 'ASK { FILTER("é" = "\\u00E9") }'.encode("utf-8")
    ok = client.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query; charset=UTF-8",
                                                        "Accept": JSON})
    assert ok.status_code == 200 and ok.json()["boolean"] is True
    bad = client.post("/sparql", content=b'ASK { FILTER("\xe9") }', headers=SPARQL_QUERY)
    assert bad.status_code == 400 and "UTF-8" in bad.text


@pytest.mark.parametrize("how", HOW)
def test_dataset_parameters_replace_the_whole_query_dataset(client, how):
    # named-graph-uri alone: FROM is ignored too, and the default graph is empty
    assert not ask(client, how, f"ASK FROM <{INSTANCES}> {{ ?s ?p ?o }}", named_graph_uri=[SHAPES])
    # default-graph-uri alone: FROM NAMED is ignored, there are no named graphs
    assert not ask(client, how, f"ASK FROM NAMED <{INSTANCES}> {{ GRAPH ?g {{ ?s ?p ?o }} }}",
                   default_graph_uri=[ONTOLOGY])
    # several default-graph-uri: their merge
    both = [INSTANCES, ONTOLOGY]
    assert ask(client, how, HAS_INSTANCE, default_graph_uri=both)
    assert ask(client, how, HAS_ONTOLOGY, default_graph_uri=both)
    assert not ask(client, how, HAS_SHAPE, default_graph_uri=both)
    # both kinds given: exactly those graphs
    assert ask(client, how, f"ASK {{ GRAPH <{SHAPES}> {{ ?s ?p ?o }} }}",
               default_graph_uri=[INSTANCES], named_graph_uri=[SHAPES])
    assert not ask(client, how, f"ASK {{ GRAPH <{INSTANCES}> {{ ?s ?p ?o }} }}",
                   default_graph_uri=[INSTANCES], named_graph_uri=[SHAPES])


@pytest.mark.parametrize("how", HOW)
def test_from_alone_means_no_named_graphs(client, how):
    assert ask(client, how, f"ASK FROM <{INSTANCES}> {HAS_INSTANCE[4:]}")
    assert not ask(client, how, f"ASK FROM <{INSTANCES}> {{ GRAPH ?g {{ ?s ?p ?o }} }}")
    # FROM and FROM NAMED together: exactly those
    assert ask(client, how, f"ASK FROM <{ONTOLOGY}> FROM NAMED <{SHAPES}> {{ GRAPH <{SHAPES}> {{ ?s ?p ?o }} }}")
    assert not ask(client, how, f"ASK FROM <{ONTOLOGY}> FROM NAMED <{SHAPES}> {HAS_INSTANCE[4:]}")


@pytest.mark.parametrize("how", HOW)
def test_default_dataset_names_every_graph(client, how):
    # rule 3: every named graph is there by name, the shapes graph too
    for graph in (INSTANCES, ONTOLOGY, SHAPES, GRAPHS + "inferred"):
        assert ask(client, how, f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"), graph


@pytest.mark.parametrize("accept", [
    JSON, "application/sparql-results+xml", "text/csv", "text/tab-separated-values"])
def test_ask_in_every_results_format(client, accept):
    response = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept
    if accept.startswith("text/"):
        assert response.headers["content-type"] == accept + "; charset=utf-8"
    if accept == JSON:
        assert response.json()["boolean"] is True
    elif accept.endswith("xml"):
        root = ET.fromstring(response.content)
        assert root.find("{http://www.w3.org/2005/sparql-results#}boolean").text == "true"
    else:
        assert response.text.strip().splitlines()[-1] == "true"


@pytest.mark.parametrize("query,accept,expected", [
    ("ASK {}", "text/csv;q=0, */*;q=0.5", JSON),  # q=0 excludes, the wildcard picks the default
    ("ASK {}", "application/*;q=0.2, text/tab-separated-values;q=0.1", JSON),
    ("ASK {}", "text/*;q=0.9, application/sparql-results+xml;q=0.8", "text/csv"),
    ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "application/*", "application/n-triples"),
    ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "text/turtle;q=0.1, application/ld+json;q=0.7", "application/ld+json"),
    ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "*/*", "text/turtle"),
])
def test_more_negotiation(client, query, accept, expected):
    response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == expected
    assert "Accept" in response.headers["vary"]


def test_406_lists_what_the_answer_can_be_served_as(client):
    response = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "text/turtle"})
    assert response.status_code == 406
    for media in (JSON, "application/sparql-results+xml", "text/csv", "text/tab-separated-values"):
        assert media in response.text
    assert client.get("/sparql", params={"query": "ASK {}", "format": "ttl"}).status_code == 406


def test_service_description_lists_exactly_the_store_graphs(client):
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.content, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    names = [str(o) for o in graph.objects(None, URIRef(sd + "name"))]
    stored = client.get("/sparql", params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
                        headers={"Accept": JSON}).json()["results"]["bindings"]
    assert sorted(names) == sorted(b["g"]["value"] for b in stored)
    # the formats of every kind of answer
    formats = {str(f) for f in graph.objects(None, URIRef(sd + "resultFormat"))}
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                 "Turtle", "N-Triples", "JSON-LD", "RDF_XML"):
        assert "http://www.w3.org/ns/formats/" + name in formats


def test_head_frees_what_it_started(client):
    """HEAD with a query runs it and drops the body: more HEADs than the engine has slots must all answer."""
    for _ in range(12):  # the engine works on 8 at once
        started = time.monotonic()
        head = client.head("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 10"})
        assert head.status_code == 200 and head.content == b""
        assert time.monotonic() - started < 2.0
    get = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": JSON})
    head = client.head("/sparql", params={"query": "ASK {}"}, headers={"Accept": JSON})
    assert get.status_code == head.status_code == 200
    for name in ("content-type", "vary", "access-control-allow-origin"):
        assert head.headers.get(name) == get.headers.get(name)


def test_cors_answers_do_not_vary_by_origin(client):
    """Every answer allows every origin, asked or not: a cache keeps one copy, not one per site."""
    for headers in ({}, {"Origin": "https://example.org"}, {"Origin": "https://other.example"}):
        answer = client.get("/sparql", params={"query": "ASK {}"}, headers=headers)
        assert answer.headers["access-control-allow-origin"] == "*"
        assert "Gmg-Results-Truncated" in answer.headers["access-control-expose-headers"]
        assert "origin" not in answer.headers["vary"].lower()
    page = client.get("/id/world-bank", headers={"Accept": "text/turtle"})
    assert page.headers["access-control-allow-origin"] == "*" and "origin" not in page.headers["vary"].lower()


@pytest.mark.parametrize("asked,refused", [
    ({"Access-Control-Request-Method": "PATCH"}, "method"),
    ({"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type, x-secret"}, "headers")])
def test_cors_preflight_says_what_it_refuses(client, asked, refused):
    preflight = client.options("/sparql", headers={"Origin": "https://example.org", **asked})
    assert preflight.status_code == 400 and preflight.text == f"Disallowed CORS {refused}"


@pytest.mark.parametrize("path,allow", [
    ("/sparql", "GET, HEAD, POST, OPTIONS"), ("/update", "POST, OPTIONS"),
    ("/graph-store", "GET, HEAD, PUT, POST, DELETE, OPTIONS")])
def test_options_everywhere(client, path, allow):
    options = client.options(path)
    assert 200 <= options.status_code < 300 and options.headers["allow"] == allow
    method = "PUT" if path == "/graph-store" else "POST"
    preflight = client.options(path, headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "content-type,authorization"})
    assert preflight.status_code == 200
    assert method in preflight.headers["access-control-allow-methods"]
    allowed = preflight.headers["access-control-allow-headers"].lower()
    assert "content-type" in allowed and "authorization" in allowed
    assert "access-control-allow-credentials" not in preflight.headers


def test_cors_never_allows_credentials(client):
    origin = {"Origin": "https://example.org", "Cookie": "session=1", "Authorization": "Bearer x"}
    for response in (client.get("/sparql", params={"query": "SELEC"}, headers=origin),
                     client.get("/sparql", headers={**origin, "Accept": "text/turtle"}),
                     client.post("/update", content="CLEAR ALL", headers={**origin, "Content-Type": "application/sparql-update"}),
                     client.get("/health", headers=origin)):
        assert response.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in response.headers


def test_query_text_over_the_size_limit_gets_400_naming_it(client, server):
    text = "ASK {} #" + "x" * (256 * 1024)  # over 256 KB of text, well under 1 MB of body
    for response in (client.post("/sparql", content=text, headers=SPARQL_QUERY),
                     client.post("/sparql", data={"query": text})):
        assert response.status_code == 400
        assert "262144 bytes" in response.text
    # by GET: the URL is short enough to be read, the text too long to be run
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"GET /sparql?query=ASK%7B%7D%23" + b"x" * (256 * 1024) + b" HTTP/1.1\r\nHost: t\r\n"
                     b"Connection: close\r\n\r\n")
        reply = sock.makefile("rb").read()
    assert reply.startswith(b"HTTP/1.1 400 ") and b"262144 bytes" in reply


def test_form_body_over_the_limit_gets_413(client):
    response = client.post("/sparql", content=b"query=" + b"x" * (1024 * 1024 + 10),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413 and "limit" in response.text
