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
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from gmg.iris import GMG, INSTANCES_GRAPH
from gmg.paths import default_data_dir

QUALITY = Path(__file__).resolve().parent / "quality"
CHECKS = sorted(QUALITY.glob("*.rq"))
EXPECTED_CHECKS = {
    "labels-and-definitions", "unused-terms", "domain-and-range", "class-cycles", "naming",
    "ontology-header", "concepts", "object-and-annotation-property", "external-axioms",
    "unique-labels", "definitions-and-sources", "us-spelling",
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

# axioms on someone else's vocabulary
<http://www.w3.org/ns/org#Membership> rdfs:subClassOf gmg:Thing .
<http://www.w3.org/ns/org#OrganizationalUnit> rdfs:subClassOf [ a owl:Restriction ;
    owl:onProperty gmg:excused ; owl:someValuesFrom gmg:Thing ] .
<http://www.w3.org/ns/org#FormalOrganization> rdfs:subClassOf <http://www.w3.org/ns/org#Organization> .
<http://www.w3.org/ns/org#memberDuring> rdfs:range <http://www.w3.org/2006/time#Interval> .
gmg:CycleA owl:equivalentClass <http://xmlns.com/foaf/0.1/Agent> .
gmg:Upper_property owl:equivalentProperty <http://schema.org/name> .

gmg:Scheme a skos:ConceptScheme ; rdfs:label "scheme"@en ; skos:definition "S."@en .
gmg:TopOnly a skos:Concept ; skos:topConceptOf gmg:Scheme ; rdfs:label "top only"@en .
gmg:Unlabelled a skos:Concept ; skos:inScheme gmg:Scheme .
gmg:Fine a skos:Concept ; skos:inScheme gmg:Scheme ; skos:prefLabel "fine"@en .
gmg:Invented a skos:Concept ; skos:inScheme gmg:Scheme ; rdfs:label "invented"@en ; skos:definition "Made up."@en .
gmg:Quoted a skos:Concept ; skos:inScheme gmg:Scheme ; rdfs:label "quoted"@en ; skos:definition "Quoted."@en ;
    dcterms:source <https://example.org/book> .
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
    "concepts": ["gmg:TopOnly — no skos:inScheme to a concept scheme", "gmg:Unlabelled — no English label",
                 "gmg:Invented — skos:definition without dcterms:source"],
    "object-and-annotation-property": [
        "gmg:punned — declared both owl:ObjectProperty and owl:AnnotationProperty",
        "gmg:citesAsEvidence — object property used as an axiom annotation",
        "gmg:seeAlsoThing — object property used as an annotation of a class",
    ],
    "external-axioms": [
        "<http://www.w3.org/ns/org#Membership> — rdfs:subClassOf",
        "<http://www.w3.org/ns/org#OrganizationalUnit> — rdfs:subClassOf",
        "<http://www.w3.org/ns/org#memberDuring> — rdfs:range",
        "gmg:CycleA — owl:equivalentClass",
        "gmg:Upper_property — owl:equivalentProperty",
    ],
}


# Checks that would flag nearly every term of the faulty ontology above get a small faulty
# ontology of their own.
FAULT_PREFIXES = """
@prefix gmg: <https://w3id.org/gmg/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
"""
OWN_FAULTS = {
    "unique-labels": FAULT_PREFIXES + """
gmg:Funding a owl:Class ; rdfs:label "funding"@en .
gmg:funding a owl:ObjectProperty ; rdfs:label "Funding"@en .
gmg:FundingMechanism a skos:Concept ; skos:prefLabel "funding"@en .
gmg:Fine a owl:Class ; rdfs:label "fine"@en , "funding"@de .
<http://www.w3.org/ns/org#Organization> rdfs:label "fine"@en .
""",
    "definitions-and-sources": FAULT_PREFIXES + """
gmg:Good a owl:Class ; skos:definition "Good."@en ; dcterms:source <https://w3id.org/gmg/ontology> .
gmg:NoSource a owl:Class ; skos:definition "No source."@en .
gmg:EmptyDefinition a skos:Concept ; skos:definition ""@en ; dcterms:source <https://example.org/w> .
gmg:noDefinition a owl:ObjectProperty ; dcterms:source <https://example.org/w> .
<http://www.w3.org/ns/org#Organization> a owl:Class .
""",
    "us-spelling": FAULT_PREFIXES + """
gmg:Programme a owl:Class ; rdfs:label "programme"@en ;
    skos:definition "A program of an organisation, quoting its \\"Programme Document\\"."@en .
gmg:Printed a owl:Class ; rdfs:label "printed"@en ;
    skos:definition "As in \\"labour migration\\", or the UN Development Programme."@en .
""",
}
OWN_CAUGHT = {
    "unique-labels": ["funding — gmg:Funding", "funding — gmg:FundingMechanism", "funding — gmg:funding"],
    "definitions-and-sources": ["gmg:EmptyDefinition — no skos:definition", "gmg:NoSource — no dcterms:source",
                                "gmg:noDefinition — no skos:definition"],
    "us-spelling": ["gmg:Programme — organisation", "gmg:Programme — programme"],
}
CAUGHT.update(OWN_CAUGHT)


@pytest.fixture(scope="module")
def faulty_dataset() -> ox.Store:
    return make_dataset(FAULTY_ONTOLOGY, FAULTY_INSTANCES)


def test_every_check_has_a_faulty_case():
    assert set(CAUGHT) == EXPECTED_CHECKS


@pytest.mark.parametrize("check", CHECKS, ids=lambda path: path.stem)
def test_check_catches_exactly_the_faults(check: Path, faulty_dataset: ox.Store):
    dataset = make_dataset(OWN_FAULTS[check.stem]) if check.stem in OWN_FAULTS else faulty_dataset
    found = offenders(dataset, check)
    assert sorted(found) == sorted(CAUGHT[check.stem])


def test_missing_ontology_header_is_reported():
    no_header = make_dataset("<https://example.org/a> <https://example.org/b> 1 .")
    found = offenders(no_header, QUALITY / "ontology-header.rq")
    assert found == [" — owl:Ontology"]


# --- the patterns issue 3 asks for, checked on the ontology and the data ----------------

G = Namespace(str(GMG))
ID = Namespace("https://w3id.org/gmg/id/")
PROV = Namespace("http://www.w3.org/ns/prov#")
TIME = Namespace("http://www.w3.org/2006/time#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")  # rdflib's closed XSD namespace warns under pytest
AFS_BOOK = ID["work/avant-finnemore-sell-who-governs"]


@pytest.fixture(scope="module")
def onto() -> Graph:
    graph = Graph()
    for path in default_data_dir().files("ontology"):
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def data() -> Graph:
    graph = Graph()
    for path in default_data_dir().files("instances"):
        graph.parse(path, format="turtle")
    return graph


def in_scheme(onto: Graph, scheme: URIRef) -> set[URIRef]:
    return set(onto.subjects(SKOS.inScheme, scheme))


def superclasses(onto: Graph, cls: URIRef) -> set[URIRef]:
    return set(onto.transitive_objects(cls, RDFS.subClassOf))


def evidence_subjects(data: Graph) -> set[URIRef]:
    """What the instance data points at passages for: gmg:mentionedIn and axiom annotations."""
    found = set(data.subjects(G.mentionedIn, None))
    for axiom in data.subjects(RDF.type, OWL.Axiom):
        if (axiom, G.evidence, None) in data:
            found.update(data.objects(axiom, OWL.annotatedSource))
    return found


def test_the_five_authority_types_come_from_avant_finnemore_and_sell(onto, data):
    five = {G.InstitutionalAuthority, G.DelegatedAuthority, G.ExpertAuthority, G.PrincipledAuthority,
            G.CapacityBasedAuthority}
    assert in_scheme(onto, G.AuthorityTypes) == five
    assert (G.AuthorityTypes, DCTERMS.source, AFS_BOOK) in onto
    for concept in five:
        assert (concept, RDF.type, G.AuthorityType) in onto, concept
        assert (concept, DCTERMS.source, AFS_BOOK) in onto, f"{concept} is not sourced to Who Governs the Globe?"
    # every type is defined; no invented definitions: the article's own words for expert
    # authority, and for the four types the article does not use, the book they come from
    assert {c for c in five if (c, SKOS.definition, None) in onto} == five
    assert (G.ExpertAuthority, SKOS.definition, Literal("authority based on expertise", lang="en")) in onto
    assert ID["passage/s1-p4-f"] in set(onto.objects(G.ExpertAuthority, DCTERMS.source))
    for concept in five - {G.ExpertAuthority}:
        assert set(onto.objects(concept, DCTERMS.source)) == {AFS_BOOK}, concept
        definition = str(onto.value(concept, SKOS.definition))
        assert "Avant, Finnemore and Sell" in definition and "does not use" in definition, concept
    # only expert authority is named in the article, so only it has passages
    assert evidence_subjects(data) & five == {G.ExpertAuthority}
    # and no governor is given a type the article does not support
    assert set(data.objects(None, G.authorityType)) == {G.ExpertAuthority}


def test_relationship_kinds_have_the_four_named_top_concepts_and_sourced_further_kinds(onto, data):
    four = {G.DivisionOfLabour, G.Delegation, G.Competition, G.Cooperation}
    assert set(onto.subjects(SKOS.topConceptOf, G.RelationshipKinds)) == four
    passages = set(data.subjects(RDF.type, G.Passage))
    kinds = in_scheme(onto, G.RelationshipKinds)
    assert {G.FundingRelationship, G.CoImplementation, G.LobbyingRelationship, G.Endorsement} <= kinds
    for kind in kinds:
        sources = set(onto.objects(kind, DCTERMS.source))
        assert sources and sources <= passages, f"{kind}: no passage of the article as dcterms:source"
        if kind not in four:
            broader = set(onto.objects(kind, SKOS.broader))
            assert broader <= kinds and (broader or (kind, SKOS.scopeNote, None) in onto), kind


def test_mechanisms_qualifiers_and_fields_are_the_schemes_the_issue_names(onto):
    def current(scheme):
        return {c for c in in_scheme(onto, scheme) if (c, OWL.deprecated, None) not in onto}

    def labels(scheme):
        return {str(label) for c in current(scheme) for label in onto.objects(c, RDFS.label)}
    assert labels(G.GovernanceMechanisms) == {
        "strategic partnership with other governors", "network of local experts",
        "knowledge production and dissemination", "policy transfer", "capacity building"}
    # the article never calls funding or lobbying a mechanism: retired, pointing to the relationship kinds
    retired = in_scheme(onto, G.GovernanceMechanisms) - current(G.GovernanceMechanisms)
    assert {(c, onto.value(c, DCTERMS.isReplacedBy)) for c in retired} == {
        (G.FundingMechanism, G.FundingRelationship), (G.LobbyingMechanism, G.LobbyingRelationship)}
    # qualifiers are manners of a fact; the article's hedges are a scheme of their own, on statements
    assert labels(G.Qualifiers) == {"closely", "regularly"}
    assert {"approximate", "estimate", "lower bound", "range", "predominantly", "rarely", "reportedly",
            "potentially", "to a lesser extent"} <= labels(G.Hedges)
    assert not labels(G.Hedges) & labels(G.Qualifiers)
    assert labels(G.GovernanceFields) == {
        "migration governance", "migration and development", "refugee protection", "global economic governance",
        "migrant health care", "border management"}


def test_referent_and_nonreferent_migration_ios_are_defined_and_disjoint(onto):
    for cls in (G.ReferentMigrationIO, G.NonreferentMigrationIO):
        assert (cls, OWL.equivalentClass, None) in onto, cls
    assert (G.NonreferentMigrationIO, OWL.disjointWith, G.ReferentMigrationIO) in onto
    assert (G.hasStatus, OWL.inverseOf, G.statusOf) in onto


def test_knowledge_products_are_entities_and_knowledge_activities_are_activities(onto):
    assert PROV.Entity in superclasses(onto, G.KnowledgeProduct)
    assert PROV.Activity in superclasses(onto, G.KnowledgeActivity)
    assert (PROV.Activity, OWL.disjointWith, PROV.Entity) in onto
    for product in (G.PolicyBrief, G.Index, G.CountryProfile, G.SurveyModule, G.EvaluationReport):
        assert G.KnowledgeProduct in superclasses(onto, product), product
    for activity in (G.Training, G.Seminar, G.VideoConference):
        assert G.KnowledgeActivity in superclasses(onto, activity), activity


def test_top_level_kinds_are_pairwise_disjoint(onto):
    (members,) = [m for node in onto.subjects(RDF.type, OWL.AllDisjointClasses)
                  for m in [set(onto.items(onto.value(node, OWL.members)))] if PROV.Agent in m]
    assert {PROV.Agent, G.Place, PROV.Activity, G.Document, G.Passage, G.Claim, G.Fact, G.Statement,
            G.Period} <= members
    # a status is a fact about the world; what the article says about it is a statement apart
    assert G.Fact in superclasses(onto, G.Status)
    assert G.Claim not in superclasses(onto, G.Status)


def test_periods_are_proper_intervals_with_integer_years(onto, data):
    assert TIME.ProperInterval in superclasses(onto, G.Period)
    for prop in (G.startYear, G.endYear, G.startMonth, G.endMonth, G.startDay, G.endDay,
                 G.earliestStartYear, G.latestStartYear, G.earliestEndYear, G.latestEndYear):
        assert (prop, RDFS.range, XSD.integer) in onto, prop
        assert (prop, RDFS.domain, G.Period) in onto, prop
    outside_dl = {XSD.gYear, XSD.date, XSD.gYearMonth, XSD.time}
    used = {o.datatype for graph in (onto, data) for o in graph.objects() if isinstance(o, Literal)}
    assert not used & outside_dl


def test_money_has_an_iso_4217_code_and_keeps_the_printed_sign(onto, data):
    assert (G.currency, RDFS.range, XSD.string) in onto
    assert "$" in str(onto.value(G.currency, SKOS.scopeNote))
    for amount in data.subjects(RDF.type, G.MonetaryAmount):
        code = str(data.value(amount, G.currency))
        assert len(code) == 3 and code.isupper(), amount
        if data.value(amount, G.currencySymbol) is not None or code == "USD":
            assert "assumed" in str(data.value(amount, RDFS.comment)), f"{amount}: say the currency is assumed"


def test_evidence_is_an_annotation_subproperty_of_dcterms_source(onto):
    assert (G.evidence, RDF.type, OWL.AnnotationProperty) in onto
    assert (G.evidence, RDFS.subPropertyOf, DCTERMS.source) in onto
    assert not set(onto.objects(G.evidence, RDF.type)) - {OWL.AnnotationProperty}


def test_wikidata_links_are_entity_iris_through_one_schema_org_namespace(onto, data):
    schema_same_as = URIRef("http://schema.org/sameAs")
    assert (schema_same_as, RDF.type, OWL.AnnotationProperty) in onto
    links = set(data.objects(None, schema_same_as))
    assert links and all(str(link).startswith("http://www.wikidata.org/entity/Q") for link in links)
    for graph in (onto, data):
        iris = {term for triple in graph for term in triple if isinstance(term, URIRef)}
        assert not {iri for iri in iris if str(iri).startswith("https://schema.org/")}
        assert not {iri for iri in iris if "wikidata.org/wiki/" in str(iri) or str(iri).startswith("https://www.wikidata")}
    assert not [s for s, o in data.subject_objects(OWL.sameAs) if "wikidata" in str(o)]


def test_ontology_header(onto):
    ontology = URIRef("https://w3id.org/gmg/ontology")
    assert onto.value(ontology, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    version = str(onto.value(ontology, OWL.versionInfo))
    assert onto.value(ontology, OWL.versionIRI) == URIRef(f"https://w3id.org/gmg/ontology/{version}")
    assert str(onto.value(ontology, URIRef("http://purl.org/vocab/vann/preferredNamespaceUri"))) == str(GMG)
    assert "Korneev" in str(onto.value(ontology, DCTERMS.bibliographicCitation))
    assert onto.value(ontology, DCTERMS.source) == ID["korneev-2017"]
    assert not list(onto.objects(ontology, OWL.imports))


def test_every_concept_of_a_flat_scheme_is_one_of_its_top_concepts(onto):
    """SKOS browsers start a scheme at its top concepts: in a scheme without hierarchy, that is every one.

    (The hierarchical relationship kinds have the article's four as top concepts; the scope
    note of the one further kind that fits under none of them says why.)"""
    hierarchical = {scheme for c, scheme in onto.subject_objects(SKOS.inScheme) if (c, SKOS.broader, None) in onto}
    orphans = sorted(str(c) for c, scheme in onto.subject_objects(SKOS.inScheme)
                     if scheme not in hierarchical and (c, SKOS.topConceptOf, scheme) not in onto)
    assert not orphans, "concepts that are neither top concepts nor narrower ones:\n" + "\n".join(orphans)
