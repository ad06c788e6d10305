"""The ontology's modules: the core (ontology/gmg.ttl), the concept schemes (gmg-schemes.ttl) and
the source-annotation terms (gmg-sources.ttl). Each term is described in exactly one module, the
core names no term of the modules except the concepts its definitions need (declared there as
individuals), and the split kept every triple of the single file it came from."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import graph_diff, to_isomorphic
from rdflib.namespace import OWL, RDF, SKOS

from conftest import ROOT

CORE_IRI = "https://w3id.org/gmg/ontology"
FILES = {"core": "gmg.ttl", "schemes": "gmg-schemes.ttl", "sources": "gmg-sources.ttl"}
# source-annotation terms the README names (the module holds these and their Web Annotation,
# DoCO and property declarations)
SOURCE_TERMS = ("Passage", "Note", "Paragraph", "Section", "Citation", "quote", "refersToNote", "inSection",
                "paragraphNumber", "noteNumber", "citingNote", "citedWork", "locator", "accessedOn")
GMG = CORE_IRI + "#"


def parse(source=None, **kw) -> Graph:
    return Graph().parse(source, format="turtle", **kw)


@pytest.fixture(scope="module")
def modules() -> dict[str, Graph]:
    return {name: parse(ROOT / "ontology" / file) for name, file in FILES.items()}


def described(graph: Graph) -> set[URIRef]:
    """The named terms a module says something about."""
    return {s for s in graph.subjects() if isinstance(s, URIRef) and not str(s).startswith(CORE_IRI + "/")
            and str(s) != CORE_IRI}


def declaration_only(graph: Graph, term: URIRef) -> bool:
    return set(graph.predicate_objects(term)) == {(RDF.type, OWL.NamedIndividual)}


def test_every_concept_scheme_and_concept_is_in_the_schemes_module(modules):
    union = modules["core"] + modules["schemes"] + modules["sources"]
    schemes = set(union.subjects(RDF.type, SKOS.ConceptScheme))
    concepts = set(union.subjects(SKOS.inScheme, None)) | set(union.subjects(SKOS.topConceptOf, None))
    assert {URIRef(GMG + "Hedges"), URIRef(GMG + "Units"), URIRef(GMG + "GovernanceMechanisms")} <= schemes
    for term in schemes | concepts:
        assert (term, RDF.type, SKOS.Concept) in modules["schemes"] or \
            (term, RDF.type, SKOS.ConceptScheme) in modules["schemes"], term
        for name in ("core", "sources"):
            assert term not in described(modules[name]) or declaration_only(modules[name], term), \
                f"{term} is described in ontology/{FILES[name]}: move it to gmg-schemes.ttl"


def test_the_source_annotation_terms_are_in_the_sources_module(modules):
    for local in SOURCE_TERMS:
        term = URIRef(GMG + local)
        assert (term, RDF.type, None) in modules["sources"], term
        assert term not in described(modules["core"]) and term not in described(modules["schemes"]), term
    oa = {t for t in described(modules["core"] + modules["schemes"]) if str(t).startswith("http://www.w3.org/ns/oa#")}
    assert oa == set(), "the Web Annotation terms belong to gmg-sources.ttl"


def test_no_term_is_described_in_two_modules(modules):
    # the only overlap: the concepts a core definition names, declared there as individuals
    for a, b in (("core", "schemes"), ("core", "sources"), ("schemes", "sources")):
        both = described(modules[a]) & described(modules[b])
        shared = {t for t in both if not (declaration_only(modules[a], t) or declaration_only(modules[b], t))}
        # annotation and property declarations of other vocabularies are repeated where the OWL API
        # needs them; gmg's own terms never are
        assert {t for t in shared if str(t).startswith(GMG)} == set(), (a, b, sorted(shared)[:5])


def test_the_core_does_not_use_the_source_annotation_terms(modules):
    own = described(modules["sources"])
    used = {t for triple in modules["core"] for t in triple if isinstance(t, URIRef)}
    assert used & own == set(), "the core may not depend on gmg-sources.ttl (it imports nothing)"


def test_the_core_declares_every_concept_its_axioms_name(modules):
    concepts = described(modules["schemes"])
    named = {t for triple in modules["core"] for t in triple if isinstance(t, URIRef)} & concepts
    assert named, "the governor and referent-IO definitions name concepts (gmg:MigrationGovernance ...)"
    for term in named:
        assert (term, RDF.type, OWL.NamedIndividual) in modules["core"], term


# ------------------------------------------------------------- the split kept every triple


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True).stdout


def without_headers(graph: Graph) -> Graph:
    for header in set(graph.subjects(RDF.type, OWL.Ontology)):
        graph.remove((header, None, None))
    return graph


def test_the_union_of_the_modules_is_the_graph_before_the_split():
    """The commit that added the modules against its parent: the same triples, ontology headers
    aside (run on a git checkout; an installed copy has no history)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the split is checked against the history")
    try:
        added = git("log", "--diff-filter=A", "--format=%H", "--", "ontology/gmg-schemes.ttl").split()
        if added:
            git("cat-file", "-e", f"{added[-1]}^")
    except subprocess.CalledProcessError:
        pytest.skip("the history before the split is not in this clone (a shallow clone?)")
    if added:
        split = added[-1]  # the first commit that has the module
        before = parse(data=git("show", f"{split}^:ontology/gmg.ttl"))
        after = Graph()
        for file in FILES.values():
            after.parse(data=git("show", f"{split}:ontology/{file}"), format="turtle")
    else:  # the split not committed yet: the working tree against HEAD
        before = parse(data=git("show", "HEAD:ontology/gmg.ttl"))
        after = Graph()
        for file in FILES.values():
            after.parse(ROOT / "ontology" / file, format="turtle")
    before, after = without_headers(before), without_headers(after)
    _, lost, gained = graph_diff(to_isomorphic(before), to_isomorphic(after))
    assert (len(lost), len(gained)) == (0, 0), (sorted(lost)[:5], sorted(gained)[:5])
