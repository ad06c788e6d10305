"""Ontology quality checks in the spirit of OOPS! and FOOPS!: one SPARQL query per check.

Each tests/quality/*.rq returns the offending terms. The queries run over a dataset whose
default graph is the ontology and whose named graph <https://w3id.org/gmg/graph/instances>
holds the instance data. A check fails naming every offender.
A small faulty ontology shows that each query does catch what it is meant to catch.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import pyoxigraph as ox

from gmg.iris import GMG, INSTANCES_GRAPH
from gmg.paths import default_data_dir

QUALITY = Path(__file__).resolve().parent / "quality"
CHECKS = sorted(QUALITY.glob("*.rq"))
EXPECTED_CHECKS = {
    "labels-and-definitions", "unused-terms", "domain-and-range", "class-cycles", "naming",
    "ontology-header", "concepts", "object-and-annotation-property",
}

PREFIXES = {
    "gmg": str(GMG), "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#", "dcterms": "http://purl.org/dc/terms/",
    "vann": "http://purl.org/vocab/vann/",
}


def make_dataset(ontology: list[Path] | str, instances: list[Path] | str = "") -> ox.Store:
    """Default graph: the ontology; named graph gmg-graph:instances: the instance data."""
    store = ox.Store()
    for graph, source in ((ox.DefaultGraph(), ontology), (ox.NamedNode(str(INSTANCES_GRAPH)), instances)):
        if isinstance(source, str):
            store.load(source.encode("utf-8"), format=ox.RdfFormat.TURTLE, to_graph=graph)
        else:
            for path in source:
                store.load(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri(),
                           to_graph=graph)
    return store


def show(term) -> str:
    """A result value as a person reads it: a prefixed name, an <IRI> or the literal's text."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for prefix, namespace in PREFIXES.items():
            local = term.value[len(namespace):]
            if term.value.startswith(namespace) and local.replace("_", "a").replace("-", "a").isalnum():
                return f"{prefix}:{local}"
        return f"<{term.value}>"
    return term.value


def offenders(store: ox.Store, check: Path) -> list[str]:
    """One line per result row."""
    results = store.query(check.read_text(encoding="utf-8"))
    return [" — ".join(show(row[v]) for v in results.variables) for row in results]


@pytest.fixture(scope="module")
def gmg_dataset() -> ox.Store:
    data = default_data_dir()
    return make_dataset(data.files("ontology"), data.files("instances"))


def test_every_check_is_there():
    assert {check.stem for check in CHECKS} == EXPECTED_CHECKS


@pytest.mark.parametrize("check", CHECKS, ids=lambda path: path.stem)
def test_ontology_passes(check: Path, gmg_dataset: ox.Store):
    found = offenders(gmg_dataset, check)
    assert not found, f"quality check {check.stem} found {len(found)} offender(s):\n  " + "\n  ".join(found)


# --- the checks catch what they are meant to catch -------------------------------------

FAULTY_ONTOLOGY = """
@prefix gmg: <https://w3id.org/gmg/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<https://w3id.org/gmg/ontology> a owl:Ontology ;
    dcterms:title "A faulty ontology"@en ;
    owl:versionInfo "0.0.1" ;
    dcterms:license "" .

gmg:Thing a owl:Class ; rdfs:label "thing"@en ; skos:definition "Anything."@en .
gmg:NoLabel a owl:Class ; rdfs:subClassOf gmg:Thing ; skos:definition "No label."@en .
gmg:GermanLabel a owl:Class ; rdfs:subClassOf gmg:Thing ; rdfs:label "Ding"@de ; skos:definition "German."@en .
gmg:TwoLabels a owl:Class ; rdfs:subClassOf gmg:Thing ; rdfs:label "one"@en , "two"@en ; skos:definition "Two."@en .
gmg:NoDefinition a owl:Class ; rdfs:subClassOf gmg:Thing ; rdfs:label "no definition"@en .
gmg:Orphan a owl:Class ; rdfs:label "orphan"@en ; skos:definition "In no axiom."@en .
gmg:UsedInData a owl:Class ; rdfs:label "used in data"@en ; skos:definition "Only in data."@en .
gmg:CycleA a owl:Class ; rdfs:subClassOf gmg:CycleB ; rdfs:label "a"@en ; skos:definition "A."@en .
gmg:CycleB a owl:Class ; rdfs:subClassOf gmg:CycleA ; rdfs:label "b"@en ; skos:definition "B."@en .
gmg:lowerClass a owl:Class ; rdfs:subClassOf gmg:Thing ; rdfs:label "lower"@en ; skos:definition "L."@en .

gmg:orphanProperty a owl:ObjectProperty ; rdfs:label "orphan property"@en ; skos:definition "O."@en .
gmg:Upper_property a owl:DatatypeProperty ; rdfs:domain gmg:Thing ; rdfs:range xsd:string ;
    rdfs:label "upper"@en ; skos:definition "U."@en .
gmg:excused a owl:ObjectProperty ; rdfs:label "excused"@en ; skos:definition "E."@en ;
    skos:scopeNote "Deliberately without domain and range: used everywhere."@en .
gmg:halfExcused a owl:DatatypeProperty , owl:FunctionalProperty ;
    rdfs:label "half excused"@en ; skos:definition "H."@en ;
    skos:scopeNote "Deliberately without domain."@en .
gmg:punned a owl:ObjectProperty , owl:AnnotationProperty ; rdfs:domain gmg:Thing ; rdfs:range gmg:Thing ;
    rdfs:label "punned"@en ; skos:definition "P."@en .
gmg:citesAsEvidence a owl:ObjectProperty ; rdfs:domain gmg:Thing ; rdfs:range gmg:Thing ;
    rdfs:label "cites as evidence"@en ; skos:definition "C."@en .
gmg:seeAlsoThing a owl:ObjectProperty ; rdfs:domain gmg:Thing ; rdfs:range gmg:Thing ;
    rdfs:label "see also thing"@en ; skos:definition "S."@en .
gmg:Orphan gmg:seeAlsoThing gmg:Thing .

gmg:Scheme a skos:ConceptScheme ; rdfs:label "scheme"@en ; skos:definition "S."@en .
gmg:TopOnly a skos:Concept ; skos:topConceptOf gmg:Scheme ; rdfs:label "top only"@en .
gmg:Unlabelled a skos:Concept ; skos:inScheme gmg:Scheme .
gmg:Fine a skos:Concept ; skos:inScheme gmg:Scheme ; skos:prefLabel "fine"@en .
"""

FAULTY_INSTANCES = """
@prefix gmg: <https://w3id.org/gmg/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .

<https://example.org/x> a gmg:UsedInData ; gmg:excused <https://example.org/y> .
[] a owl:Axiom ; owl:annotatedSource <https://example.org/x> ; owl:annotatedProperty rdf:type ;
   owl:annotatedTarget gmg:UsedInData ; gmg:citesAsEvidence <https://example.org/z> .
"""

CAUGHT = {
    "labels-and-definitions": [
        "gmg:NoLabel — 0 English rdfs:label (exactly one wanted)",
        "gmg:GermanLabel — 0 English rdfs:label (exactly one wanted)",
        "gmg:TwoLabels — 2 English rdfs:label (exactly one wanted)",
        "gmg:NoDefinition — no skos:definition",
    ],
    "unused-terms": ["gmg:Orphan — class", "gmg:orphanProperty — object property"],
    "domain-and-range": [
        "gmg:orphanProperty — rdfs:domain", "gmg:orphanProperty — rdfs:range", "gmg:halfExcused — rdfs:range",
    ],
    "class-cycles": ["gmg:CycleA", "gmg:CycleB"],
    "naming": ["gmg:lowerClass — UpperCamelCase (a class)", "gmg:Upper_property — lowerCamelCase (a property)"],
    "ontology-header": [
        f"<https://w3id.org/gmg/ontology> — {p}" for p in (
            "dcterms:license", "owl:versionIRI", "dcterms:description", "dcterms:creator", "dcterms:created",
            "dcterms:modified", "vann:preferredNamespacePrefix", "vann:preferredNamespaceUri",
            "dcterms:bibliographicCitation")
    ],
    "concepts": ["gmg:TopOnly — no skos:inScheme to a concept scheme", "gmg:Unlabelled — no English label"],
    "object-and-annotation-property": [
        "gmg:punned — declared both owl:ObjectProperty and owl:AnnotationProperty",
        "gmg:citesAsEvidence — object property used as an axiom annotation",
        "gmg:seeAlsoThing — object property used as an annotation of a class",
    ],
}


@pytest.fixture(scope="module")
def faulty_dataset() -> ox.Store:
    return make_dataset(FAULTY_ONTOLOGY, FAULTY_INSTANCES)


def test_every_check_has_a_faulty_case():
    assert set(CAUGHT) == EXPECTED_CHECKS


@pytest.mark.parametrize("check", CHECKS, ids=lambda path: path.stem)
def test_check_catches_exactly_the_faults(check: Path, faulty_dataset: ox.Store):
    found = offenders(faulty_dataset, check)
    assert sorted(found) == sorted(CAUGHT[check.stem])


def test_missing_ontology_header_is_reported():
    no_header = make_dataset("<https://example.org/a> <https://example.org/b> 1 .")
    found = offenders(no_header, QUALITY / "ontology-header.rq")
    assert found == [" — owl:Ontology"]
