"""`gmg docs`: the HTML documentation lists every gmg: class and property with its definition."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, URIRef

from gmg.docs import build_docs, cmd_docs, docs_html
from gmg.iris import GMG
from gmg.paths import default_data_dir

TERM_TYPES = (OWL.Class, RDFS.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)
ENTITY = re.compile(r'<div class="[^"]*\bentity\b[^"]*" id="[^"]*">')


def ontology() -> Graph:
    graph = Graph()
    for path in default_data_dir().files("ontology"):
        graph.parse(path, format="turtle")
    return graph


def gmg_terms(graph: Graph) -> list[URIRef]:
    return sorted({term for kind in TERM_TYPES for term in graph.subjects(RDF.type, kind)
                   if isinstance(term, URIRef) and term.startswith(str(GMG))})


def text(fragment: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def entities(page: str) -> dict[str, list[tuple[str, str]]]:
    """IRI -> [(heading, text)] of each entity block of the page."""
    found: dict[str, list[tuple[str, str]]] = {}
    for block in ENTITY.split(page)[1:]:
        iri = re.search(r"<th>IRI</th>\s*<td>\s*<code>([^<]*)</code>", block)
        heading = re.search(r"<h3>(.*?)<sup", block, re.S)
        if iri:
            found.setdefault(html.unescape(iri.group(1)), []).append(
                (text(heading.group(1)) if heading else "", text(block)))
    return found


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("docs") / "site"  # a folder that does not exist yet
    path = build_docs(out)
    return path, path.read_text(encoding="utf-8")


def test_build_docs_writes_one_page(page):
    path, content = page
    assert path.name == "index.html" and path.is_file()
    assert content.lstrip().lower().startswith("<!doctype html>")
    assert "Global Migration Governors ontology" in content


def test_every_class_and_property_is_documented_with_its_label_and_definition(page):
    graph = ontology()
    terms = gmg_terms(graph)
    assert len(terms) > 50
    blocks = entities(page[1])
    problems = []
    for term in terms:
        label = next((str(o) for o in graph.objects(term, RDFS.label) if o.language == "en"), None)
        definitions = [" ".join(str(d).split()) for d in graph.objects(term, SKOS.definition)]
        shown = blocks.get(str(term))
        if not shown:
            problems.append(f"{term}: no entry")
            continue
        if not any((label is None or heading == " ".join(label.split()))
                   and all(d in body for d in definitions) for heading, body in shown):
            problems.append(f"{term}: entry without its label {label!r} or definition {definitions!r}")
    assert not problems, f"{len(problems)} term(s) badly documented:\n  " + "\n  ".join(problems)


def test_page_is_self_contained(page):
    content = page[1]
    assert not re.search(r'<link[^>]+rel="stylesheet"[^>]+href="https?:', content)
    assert not re.search(r"<script[^>]+src=", content)


def test_docs_html_is_cached():
    assert docs_html() is docs_html()


def test_generating_docs_leaves_logging_alone():
    """Generating the page writes nothing to stderr and leaves the logging set-up as it was."""
    probe = ("import logging\n"
             "from gmg.docs import docs_html\n"
             "docs_html()\n"
             "root = logging.getLogger()\n"
             "print(len(root.handlers), logging.getLevelName(root.level), logging.getLogger('httpcore').level)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "WARNING", "0"]
    assert done.stderr == ""


def test_cmd_docs_writes_to_docs_by_default(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cmd_docs(None) == 0
    written = Path(capsys.readouterr().out.strip())
    assert (tmp_path / written).resolve() == (tmp_path / "docs" / "index.html").resolve()
    assert (tmp_path / "docs" / "index.html").stat().st_size > 10_000

    assert cmd_docs(tmp_path / "elsewhere") == 0
    assert Path(capsys.readouterr().out.strip()) == tmp_path / "elsewhere" / "index.html"


def test_cmd_docs_reports_an_unwritable_folder(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert cmd_docs(blocker) == 2
    assert "gmg:" in capsys.readouterr().err


# --- one header, gmg's own terms, one anchor per term, a section per concept scheme ----------------

from collections import Counter  # noqa: E402

from rdflib import Literal  # noqa: E402
from rdflib.namespace import DCTERMS  # noqa: E402

from gmg.docs import render_html  # noqa: E402
from gmg.iris import ONTOLOGY_IRI  # noqa: E402


def main_sections(content: str) -> str:
    return content.split("<main>", 1)[1].split('<section id="external">')[0]


def test_one_header_names_the_ontology(page):
    content, graph = page[1], ontology()
    onto = URIRef(ONTOLOGY_IRI)
    title = str(graph.value(onto, DCTERMS.title))
    assert re.search(r"<title>(.*?)</title>", content).group(1) == html.escape(title)
    assert content.count("<h1>") == 1 and f"<h1>{html.escape(title)}</h1>" in content
    header = re.search(r"<header>(.*?)</header>", content, re.S).group(1)
    assert f"<code>{ONTOLOGY_IRI}</code>" in header
    for term in (OWL.versionIRI, OWL.versionInfo, DCTERMS.license):
        assert str(graph.value(onto, term)) in header, term
    citation = " ".join(str(graph.value(onto, DCTERMS.bibliographicCitation)).split())
    assert html.escape(citation) in header
    for scheme in graph.subjects(RDF.type, SKOS.ConceptScheme):  # no scheme's title in the header
        label = graph.value(scheme, RDFS.label)
        assert label is None or f">{html.escape(str(label))}<" not in header.split("</h1>")[0]


def test_one_anchor_per_term_and_only_gmg_terms_in_the_main_sections(page):
    content = page[1]
    ids = Counter(re.findall(r' id="([^"]+)"', content))
    assert [i for i, n in ids.items() if n > 1] == []
    main = main_sections(content)
    iris = re.findall(r"<th>IRI</th><td><code>([^<]+)</code>", main)
    assert iris and all(i.startswith(str(GMG)) for i in iris), [i for i in iris if not i.startswith(str(GMG))][:5]
    for term in gmg_terms(ontology()):
        assert f'id="{term[len(str(GMG)):]}"' in main, term
    external = content.split('<section id="external">')[1]
    assert "<h2>Terms of other vocabularies</h2>" in external and "foaf:Person" in external


def test_each_concept_scheme_is_a_section_with_its_concepts(page):
    content, graph = page[1], ontology()
    schemes = [s for s in graph.subjects(RDF.type, SKOS.ConceptScheme) if str(s).startswith(str(GMG))]
    assert schemes
    for scheme in schemes:
        local = scheme[len(str(GMG)):]
        section = re.search(rf'<section class="scheme" id="{local}">(.*?)</section>', content, re.S)
        assert section, scheme
        for concept in graph.subjects(SKOS.inScheme, scheme):
            assert f'id="{concept[len(str(GMG)):]}"' in section.group(1) or f'href="#{concept[len(str(GMG)):]}"' \
                in content, concept


def test_a_graph_of_several_modules_gets_one_header_listing_the_modules():
    graph = ontology()
    module = URIRef(ONTOLOGY_IRI + "/module/extra")
    graph.add((module, RDF.type, OWL.Ontology))
    graph.add((module, DCTERMS.title, Literal("An extra module", lang="en")))
    graph.add((GMG.ExtraThing, RDF.type, OWL.Class))
    graph.add((GMG.ExtraThing, RDFS.label, Literal("extra thing", lang="en")))
    content = render_html(graph)
    assert content.count("<h1>") == 1
    header = re.search(r"<header>(.*?)</header>", content, re.S).group(1)
    assert "An extra module" in header and f"<code>{ONTOLOGY_IRI}</code>" in header
    assert 'id="ExtraThing"' in main_sections(content)


README_SPARQL = re.findall(r"```sparql\n(.*?)```", (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8"), re.S)


@pytest.mark.parametrize("query", README_SPARQL, ids=[f"block-{i + 1}" for i in range(len(README_SPARQL))])
def test_every_sparql_example_of_the_readme_answers(client, query):
    response = client.post("/sparql", content=query.encode(),
                           headers={"Content-Type": "application/sparql-query",
                                    "Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"], "the README shows a query that answers nothing"


def test_the_readme_shows_a_query_for_facts_statements_attributions_and_hedges():
    assert len(README_SPARQL) >= 6
    text = "\n".join(README_SPARQL)
    for term in ("gmg:MigrationFlow", "gmg:asserts", "gmg:attribution", "gmg:hedge"):
        assert term in text, term
