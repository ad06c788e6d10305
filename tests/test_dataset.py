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
    # (distinct triples: three of the article's are in two graphs, and the default graph is their
    # merge; a store answering from the union of its graphs would count them twice in COUNT(*))
    assert total == count(client, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")
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


# --- /.well-known/void, the dump files, the pages for browsers ----------------------------------

import gzip  # noqa: E402
import re  # noqa: E402

from rdflib import Dataset  # noqa: E402
from rdflib.compare import isomorphic  # noqa: E402

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
GRAPH_NAMES = ("ontology", "instances", "inferred", "shapes", "metadata")


def graph_count(client, graph: str, select: str, where: str = "") -> int:
    return count(client, f"PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> SELECT ({select} AS ?n) "
                         f"WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o {where} }} }}")


def test_well_known_void_counts_every_graph_as_the_store_does(client, server):
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    void = Graph().parse(data=response.text, format="turtle")
    v = lambda term: URIRef(VOID + term)  # noqa: E731
    for name in GRAPH_NAMES:
        graph = URIRef(f"https://w3id.org/gmg/graph/{name}")
        assert (DATASET, v("subset"), graph) in void
        assert int(void.value(graph, v("triples"))) == graph_count(client, graph, "COUNT(*)")
        assert int(void.value(graph, v("entities"))) == graph_count(client, graph, "COUNT(DISTINCT ?s)", "FILTER(isIRI(?s))")
        assert int(void.value(graph, v("properties"))) == graph_count(client, graph, "COUNT(DISTINCT ?p)")
        assert int(void.value(graph, v("classes"))) == graph_count(client, graph, "COUNT(DISTINCT ?o)", "FILTER(?p = rdf:type)")
    dcat = "http://www.w3.org/ns/dcat#"
    assert (DATASET, RDF.type, URIRef(dcat + "Dataset")) in void
    service = void.value(DATASET, URIRef(dcat + "accessService"))
    assert void.value(service, URIRef(dcat + "endpointURL")) == URIRef(server.url + "/sparql")
    downloads = {str(void.value(d, URIRef(dcat + "downloadURL"))): int(void.value(d, URIRef(dcat + "byteSize")))
                 for d in void.objects(DATASET, URIRef(dcat + "distribution"))}
    trig = server.url + "/dumps/gmg.trig"
    assert downloads[trig] == len(client.get("/dumps/gmg.trig").content)
    examples = list(void.objects(DATASET, v("exampleResource")))
    assert examples and all(client.get(str(e).replace("https://w3id.org/gmg", ""), headers={"Accept": "text/turtle"})
                            .status_code == 200 for e in examples)


def test_the_trig_dump_is_the_store_graph_by_graph(client):
    response = client.get("/dumps/gmg.trig")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/trig")
    assert response.headers["content-disposition"] == 'attachment; filename="gmg.trig"'
    dumped = Dataset().parse(data=response.content, format="trig")
    for name in GRAPH_NAMES:
        iri = f"https://w3id.org/gmg/graph/{name}"
        construct = client.get("/sparql", params={"query": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}"},
                               headers={"Accept": "application/n-triples"})
        stored = Graph().parse(data=construct.text, format="nt")
        assert isomorphic(dumped.graph(URIRef(iri)), stored), name
    quads = client.get("/dumps/gmg.nq")
    assert len(Dataset().parse(data=quads.content, format="nquads")) == len(dumped)


def test_gzip_variants_hold_the_same_bytes(client):
    plain = client.get("/dumps/instances.ttl").content
    zipped = client.get("/dumps/instances.ttl.gz")
    assert zipped.headers["content-type"] == "application/gzip"
    assert zipped.headers["content-disposition"] == 'attachment; filename="instances.ttl.gz"'
    assert gzip.decompress(zipped.content) == plain


def test_dumps_page_gives_sizes_and_triple_counts_in_the_site_style(client):
    page = client.get("/dumps", headers=BROWSER).text
    assert '<header class="site">' in page
    row = re.search(r'<a href="/dumps/instances.nt" download>instances.nt</a></td><td>[^<]*</td><td>([\d,]+)</td>'
                    r'<td>([^<]+)</td>', page)
    triples = graph_count(client, "https://w3id.org/gmg/graph/instances", "COUNT(*)")
    assert int(row.group(1).replace(",", "")) == triples
    size = re.fullmatch(r"([\d.]+) (B|KiB|MiB)", row.group(2).strip())
    assert size, row.group(2)
    shown = float(size.group(1)) * {"B": 1, "KiB": 1024, "MiB": 1024 ** 2}[size.group(2)]
    actual = len(client.get("/dumps/instances.nt").content)
    assert abs(shown - actual) <= 0.06 * actual, (row.group(2), actual)
    assert 'href="/dumps/gmg.trig"' in page and 'href="/dumps/gmg.nq.gz"' in page
    assert client.get("/dumps/nothing.trig").status_code == 404


@pytest.mark.parametrize("path", ["/void", "/.well-known/void", "/shapes"])
def test_browsers_get_pages_and_machines_keep_rdf(client, path):
    page = client.get(path, headers=BROWSER)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<header class="site">' in page.text and "<h1>" in page.text
    rdf = client.get(path, headers={"Accept": "application/rdf+xml"})
    assert rdf.headers["content-type"].startswith("application/rdf+xml")
    Graph().parse(data=rdf.content, format="xml")


def test_shapes_page_shows_each_shape_with_its_message(client):
    page = client.get("/shapes", headers=BROWSER).text
    assert "Facts and claims are asserted by statements" in page and "A statement needs prov:wasDerivedFrom" in page


# --- the words quoted from the article: their own rights, in VoID and on the dumps ---------

QUOTED_TEXT = URIRef("https://w3id.org/gmg/dataset/quoted-text")
RIGHTS = URIRef("https://w3id.org/gmg/id/rights/quoted-text")
DCT = "http://purl.org/dc/terms/"


def test_void_has_a_subset_for_the_quoted_text_with_its_rights(client):
    void = Graph().parse(data=client.get("/void", headers={"Accept": "text/turtle"}).text, format="turtle")
    assert (DATASET, URIRef(VOID + "subset"), QUOTED_TEXT) in void
    assert void.value(QUOTED_TEXT, URIRef(DCT + "rights")) == RIGHTS
    quoted = count(client, f"""SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o ; <{DCT}rights> <{RIGHTS}>
        FILTER(?p IN (<http://www.w3.org/ns/oa#exact>, <http://www.w3.org/ns/oa#prefix>,
                      <http://www.w3.org/ns/oa#suffix>, <https://w3id.org/gmg/ontology#quote>)) }}""")
    assert int(void.value(QUOTED_TEXT, URIRef(VOID + "triples"))) == quoted > 200
    # the rights statement is a resource of the graph that says whose the words are
    rights = Graph().parse(data=client.get("/id/rights/quoted-text", headers={"Accept": "text/turtle"}).text,
                           format="turtle")
    assert "copyright holder" in str(rights.value(RIGHTS, RDFS.comment))


def test_dumps_link_their_licence_and_the_rights_of_the_quoted_text(client):
    for name in ("instances.ttl", "gmg.trig", "instances.nt.gz"):
        link = client.head(f"/dumps/{name}").headers["link"]
        assert '<https://creativecommons.org/licenses/by/4.0/>; rel="license"' in link
        assert f'<{RIGHTS}>; rel="{DCT}rights"' in link, name
    assert str(RIGHTS) not in client.head("/dumps/shapes.ttl").headers["link"]


def test_a_dump_download_can_be_resumed(client):
    """The dumps are files: a client that lost a large download asks for the rest (Range)."""
    whole = client.get("/dumps/instances.ttl")
    part = client.get("/dumps/instances.ttl", headers={"Range": "bytes=1000-"})
    assert part.status_code == 206 and part.content == whole.content[1000:]
    assert part.headers["content-range"] == f"bytes 1000-{len(whole.content) - 1}/{len(whole.content)}"


def test_void_names_the_dumps_while_they_are_made():
    """On a large store the dumps take minutes to make: meanwhile the description names every dump
    with its media type, and gives its size once it is made."""
    from gmg.web.dumpfiles import dump_names
    from gmg.web.void import Counts, Statistics, describe

    void = describe("http://example.org", Statistics(Counts(10, 2, 1, 3)), None)
    titles = {str(t) for t in void.objects(None, URIRef("http://purl.org/dc/terms/title"))}
    assert set(dump_names()) <= titles
    dcat = "http://www.w3.org/ns/dcat#"
    assert not list(void.objects(None, URIRef(dcat + "byteSize")))
    assert (None, URIRef(dcat + "mediaType"), URIRef("https://www.iana.org/assignments/media-types/application/trig")) in void


def test_dumps_left_by_a_killed_server_are_removed_by_the_next(tmp_path, monkeypatch):
    """A server's dump files live in a folder named by its process id; a server killed before it
    could remove them (a million triples' dumps are a gigabyte) has them removed by the next."""
    import os
    import subprocess
    import sys
    import tempfile

    from gmg.web import dumpfiles

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    left = tmp_path / f"{dumpfiles.SCRATCH_PREFIX}{int(gone.stdout)}-abc"
    (left / "v1").mkdir(parents=True)
    (left / "v1" / "gmg.nt").write_text("<a> <b> <c> .\n")
    alive = tmp_path / f"{dumpfiles.SCRATCH_PREFIX}{os.getppid()}-def"  # (a process that is running)
    alive.mkdir()
    mine = dumpfiles.scratch_folder()
    assert not left.exists() and alive.exists()
    assert mine.parent == tmp_path and mine.name.startswith(f"{dumpfiles.SCRATCH_PREFIX}{os.getpid()}-")
