"""/ontology through the real server: content negotiation, suffix forms, the versioned IRI."""

from __future__ import annotations

import re

import pytest
from rdflib import OWL, RDF, Graph, URIRef
from rdflib.compare import isomorphic

from gmg.iris import ONTOLOGY_IRI
from gmg.paths import default_data_dir

# rdflib's own JSON-LD parser uses its deprecated ConjunctiveGraph
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
FORMS = {  # suffix -> (media type, rdflib parser or None for HTML)
    "ttl": ("text/turtle", "turtle"),
    "rdf": ("application/rdf+xml", "xml"),
    "jsonld": ("application/ld+json", "json-ld"),
    "html": ("text/html", None),
}


@pytest.fixture(scope="module")
def turtle() -> bytes:
    return (default_data_dir().folder("ontology") / "gmg.ttl").read_bytes()


@pytest.fixture(scope="module")
def graph(turtle) -> Graph:
    return Graph().parse(data=turtle, format="turtle")


@pytest.fixture(scope="module")
def version(graph) -> str:
    version_iri = graph.value(URIRef(ONTOLOGY_IRI), OWL.versionIRI)
    assert version_iri is not None, "the ontology header has no owl:versionIRI"
    return str(version_iri).rstrip("/").rsplit("/", 1)[-1]


def media_type(response) -> str:
    return response.headers["content-type"].split(";")[0].strip()


def same_graph(body: bytes, parser: str, expected: Graph) -> None:
    got = Graph().parse(data=body, format=parser)
    assert len(got) == len(expected)
    assert isomorphic(got, expected)


@pytest.mark.parametrize("accept", [None, "*/*", "text/turtle", "text/*", "application/x-turtle"])
def test_machines_get_the_committed_turtle_file(client, turtle, accept):
    response = client.get("/ontology", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    assert response.content == turtle
    assert "accept" in response.headers["vary"].lower()


@pytest.mark.parametrize("accept, form", [
    ("application/rdf+xml", "rdf"),
    ("application/ld+json", "jsonld"),
    ("application/json", "jsonld"),
    ("application/xml", "rdf"),
    ("application/ld+json;q=0.5, application/rdf+xml;q=0.9", "rdf"),
    ("text/turtle;q=0.2, application/ld+json", "jsonld"),
])
def test_accept_selects_rdf_xml_or_json_ld(client, accept, form):
    response = client.get("/ontology", headers={"Accept": accept})
    assert response.status_code == 200
    assert media_type(response) == FORMS[form][0]
    assert response.headers["content-location"].endswith(f"/ontology.{form}")
    assert response.content == client.get(f"/ontology.{form}").content  # its graph: checked below


@pytest.mark.parametrize("name, form", [("rdf", "rdf"), ("jsonld", "jsonld"), ("ttl", "ttl"),
                                        ("turtle", "ttl"), ("application/ld+json", "jsonld"), ("html", "html")])
def test_format_parameter_wins_over_accept(client, name, form):
    response = client.get("/ontology", params={"format": name}, headers={"Accept": "image/png"})
    assert response.status_code == 200
    assert media_type(response) == FORMS[form][0]


def test_browsers_get_the_documentation(client, graph):
    response = client.get("/ontology", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert media_type(response) == "text/html"
    assert "accept" in response.headers["vary"].lower()
    page = response.text
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert str(graph.value(URIRef(ONTOLOGY_IRI), URIRef("http://purl.org/dc/terms/title"))) in page
    assert "https://w3id.org/gmg/ontology#Organization" in page


def test_a_browser_can_still_ask_for_turtle(client, turtle):
    response = client.get("/ontology?format=ttl", headers={"Accept": BROWSER})
    assert response.content == turtle


@pytest.mark.parametrize("suffix", FORMS)
def test_suffix_forms_ignore_accept(client, turtle, graph, suffix):
    media, parser = FORMS[suffix]
    response = client.get(f"/ontology.{suffix}", headers={"Accept": "image/png"})
    assert response.status_code == 200
    assert media_type(response) == media
    if suffix == "ttl":
        assert response.content == turtle
    elif parser:
        same_graph(response.content, parser, graph)
    else:
        assert "<html" in response.text.lower()


def test_link_header_names_every_form(client, server):
    for path in ("/ontology", "/ontology.ttl", "/ontology.html"):
        link = client.get(path).headers["link"]
        for suffix, (media, _) in FORMS.items():
            assert f'<{server.url}/ontology.{suffix}>; rel="alternate"; type="{media}"' in link


def test_versioned_iri_resolves(client, turtle, version):
    response = client.get(f"/ontology/{version}", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.content == turtle
    assert "accept" in response.headers["vary"].lower()
    page = client.get(f"/ontology/{version}", headers={"Accept": BROWSER})
    assert page.status_code == 200 and media_type(page) == "text/html"
    assert media_type(client.get(f"/ontology/{version}?format=jsonld")) == "application/ld+json"


def test_unknown_version_is_404_naming_the_current_one(client, version):
    response = client.get("/ontology/0.0.0-unknown", headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    assert "0.0.0-unknown" in response.text
    assert f"current version is {version}" in response.text


@pytest.mark.parametrize("path, params, accept", [
    ("/ontology", {}, "image/png"),
    ("/ontology", {}, "application/n-triples"),
    ("/ontology", {"format": "csv"}, None),
    ("/ontology/{version}", {}, "text/csv"),
])
def test_406_lists_the_formats(client, version, path, params, accept):
    response = client.get(path.format(version=version), params=params,
                          headers={"Accept": accept} if accept else {})
    assert response.status_code == 406
    for media, _ in FORMS.values():
        assert media in response.text
    assert "accept" in response.headers["vary"].lower()


@pytest.mark.parametrize("path, accept, form", [
    ("/ontology", "text/turtle", "ttl"),
    ("/ontology", "application/ld+json", "jsonld"),
    ("/ontology", BROWSER, "html"),
    ("/ontology.rdf", None, "rdf"),
    ("/ontology/{version}", "text/turtle", "ttl"),
])
def test_head_gives_get_headers_without_a_body(client, version, path, accept, form):
    path = path.format(version=version)
    headers = {"Accept": accept} if accept else {}
    got = client.get(path, headers=headers)
    head = client.head(path, headers=headers)
    assert head.status_code == 200
    assert head.content == b""
    assert media_type(head) == FORMS[form][0]
    assert int(head.headers["content-length"]) == len(got.content)
    assert head.headers["link"] == got.headers["link"]
    assert head.headers.get("vary") == got.headers.get("vary")


def test_head_of_an_unknown_version_is_404(client):
    assert client.head("/ontology/9.9.9").status_code == 404


def test_the_prior_release_still_resolves(client):
    response = client.get("/ontology/0.1.0", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="turtle")
    version = graph.value(URIRef("https://w3id.org/gmg/ontology"), OWL.versionIRI)
    assert str(version) == "https://w3id.org/gmg/ontology/0.1.0"
    assert client.get("/ontology/0.1.0?format=rdf").status_code == 200
    assert client.get("/ontology/0.0.9", headers={"Accept": "text/turtle"}).status_code == 404


@pytest.mark.parametrize("module", ["", "/actors", "/world-bank"])
def test_instance_module_iris_dereference(client, module):
    response = client.get(f"/instances{module}", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="turtle")
    assert (URIRef(f"https://w3id.org/gmg/instances{module}"), RDF.type, OWL.Ontology) in graph


@pytest.mark.parametrize("module", ["/nothing", "/gmg-instances", "/..%2Fontology%2Fgmg"])
def test_unknown_instance_modules_are_not_found(client, module):
    assert client.get(f"/instances{module}", headers={"Accept": "text/turtle"}).status_code == 404


MODULES = {"schemes": "gmg-schemes.ttl", "sources": "gmg-sources.ttl"}


@pytest.mark.parametrize("name", MODULES)
def test_module_iris_dereference_to_their_files(client, name):
    # <https://w3id.org/gmg/ontology/schemes> ... : the module's own file, not the core's
    module_turtle = (default_data_dir().folder("ontology") / MODULES[name]).read_bytes()
    expected = Graph().parse(data=module_turtle, format="turtle")
    iri = URIRef(f"{ONTOLOGY_IRI}/{name}")
    assert (iri, RDF.type, OWL.Ontology) in expected and (iri, OWL.imports, URIRef(ONTOLOGY_IRI)) in expected
    for accept in (None, "*/*", "text/turtle"):
        response = client.get(f"/ontology/{name}", headers={"Accept": accept} if accept else {})
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/turtle; charset=utf-8"
        assert response.content == module_turtle
        assert "accept" in response.headers["vary"].lower()
    for form in ("rdf", "jsonld"):
        media, parser = FORMS[form]
        response = client.get(f"/ontology/{name}", headers={"Accept": media})
        assert media_type(response) == media
        same_graph(response.content, parser, expected)
    head = client.head(f"/ontology/{name}", headers={"Accept": "text/turtle"})
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) == len(module_turtle)


@pytest.mark.parametrize("name", MODULES)
def test_browsers_get_the_documentation_for_a_module(client, name):
    response = client.get(f"/ontology/{name}", headers={"Accept": BROWSER})
    assert response.status_code == 200 and media_type(response) == "text/html"
    assert f"{ONTOLOGY_IRI}/{name}" in response.text  # the page's header lists the module


@pytest.mark.parametrize("name", MODULES)
def test_module_version_iris_resolve(client, name, version):
    module_turtle = (default_data_dir().folder("ontology") / MODULES[name]).read_bytes()
    graph = Graph().parse(data=module_turtle, format="turtle")
    version_iri = graph.value(URIRef(f"{ONTOLOGY_IRI}/{name}"), OWL.versionIRI)
    assert str(version_iri) == f"{ONTOLOGY_IRI}/{name}/{version}"  # the modules are versioned with the core
    response = client.get(f"/ontology/{name}/{version}", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.content == module_turtle
    missing = client.get(f"/ontology/{name}/0.0.9", headers={"Accept": "text/turtle"})
    assert missing.status_code == 404 and f"current version is {version}" in missing.text


@pytest.mark.parametrize("path", ["/ontology/nothing", "/ontology/gmg", "/ontology/nothing/0.2.0",
                                  "/ontology/releases", "/ontology/..%2Finstances%2Fgmg-instances"])
def test_unknown_ontology_modules_are_not_found(client, path):
    assert client.get(path, headers={"Accept": "text/turtle"}).status_code == 404


def test_the_core_lists_its_modules(client):
    # follow-your-nose: the document at the namespace IRI points at the modules that hold
    # the concepts and the source-annotation terms (in its Link header: the header of the core
    # cannot name them without making pySHACL copy the modules with every term)
    response = client.get("/ontology", headers={"Accept": "text/turtle"})
    related = set(re.findall(r'<([^>]+)>; rel="related"', response.headers["link"]))
    assert related == {f"{ONTOLOGY_IRI}/{name}" for name in MODULES}
    for iri in related:
        module = client.get(iri.replace(ONTOLOGY_IRI, "/ontology"), headers={"Accept": "text/turtle"})
        assert module.status_code == 200 and f"<{iri}>" in module.text
