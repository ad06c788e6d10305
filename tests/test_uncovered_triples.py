"""Provenance at the level of the fact: every asserted instance triple is covered.

A triple of instances/*.ttl is *covered* when one of these holds:

1. **It belongs to a fact or claim node that a statement asserts**: its subject is an
   instance of ``gmg:Fact`` or ``gmg:Claim`` (or a subclass: relationship, status,
   observation, funding, grant, evaluation, membership, adoption, authority attribution,
   knowledge production, mechanism use, programme result, ...), and some ``gmg:Statement``
   ``gmg:asserts`` it and has ``prov:wasDerivedFrom`` at least one passage node (a
   ``gmg:Passage``, of which ``gmg:Note`` is a subclass). Whether a class is a fact class
   is read from the ontology (``rdfs:subClassOf*``), not from a list kept here.
2. **It belongs to a record derived from a passage** directly (``prov:wasDerivedFrom``):
   - the records of the article's own research, each described wholly by the note or
     passage that reports it: ``gmg:Interview``, ``gmg:FieldObservation``,
     ``gmg:Fieldwork``;
   - citations (``gmg:Citation``: note *n* cites work *w*, a fact about the source itself)
     and bibliographic records: every work a citation cites (``gmg:citedWork``) and every
     journal or volume such a work is part of (``dcterms:isPartOf``) — their titles,
     names, years and pages are transcribed from the note they are derived from.
3. **It carries an OWL 2 axiom annotation** ``gmg:statement`` pointing to a statement
   derived from a passage node: an ``owl:Axiom`` with
   ``owl:annotatedSource``/``Property``/``Target`` equal to the triple.
4. **It is the inverse of a covered triple**: its predicate is declared ``owl:inverseOf``
   a property ``q`` and ``(o q s)`` is covered (``gmg:hasStatus`` backlinks of statuses).

Not subject to the rule (they are not claims of the article about the world):

- ``rdf:type``, labels (``rdfs:label``, ``skos:prefLabel``, ``skos:altLabel``) and the
  mention links ``gmg:mentionedIn``;
- an international organization's ``gmg:partOfCollective`` link to a collective agent (the
  IOs the article speaks of together): it follows from the IO's type, as ``rdf:type`` does;
- the statements (``gmg:Statement``: what they assert, where, in whose voice, how surely)
  and the provenance links themselves (``prov:wasDerivedFrom``, ``gmg:statement``), and the
  editors' remarks (``rdfs:comment``, ``skos:note``, ``skos:scopeNote``,
  ``skos:editorialNote``), which say where a statement comes from or how the article
  words it, not what is the case;
- the reification triples of the ``owl:Axiom`` nodes;
- the ontology headers of the instance modules (``owl:Ontology``: title, imports, licence),
  which describe the files, not the world;
- triples about the source itself, which are the evidence: the article record (the
  document that the sections are part of), its ``gmg:Section``s, ``gmg:Paragraph``s,
  ``gmg:Passage``s and ``gmg:Note``s (section, paragraph number, source, note number, note
  markers, a note's text), the selectors of the passages (``oa:Selector``: the words quoted
  and their offsets) and the rights statement of the quoted words — the quoted words and
  their offsets are checked against the article text by test_provenance.py;
- value nodes, whose triples define the value rather than state a fact: ``gmg:Period``
  (years, months, days, precision) and ``gmg:MonetaryAmount`` (value, currency);
- vocabulary nodes (``skos:Concept``s of gmg's concept schemes, such as measures and
  units): their scheme and definition are the editors' vocabulary;
- identity links to external datasets (``schema:sameAs`` to Wikidata), which come from
  outside the article by design and are documented as such.
"""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Namespace, URIRef

from gmg.iris import GMG
from gmg.sources import load_sources

PROV = Namespace("http://www.w3.org/ns/prov#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCT = Namespace("http://purl.org/dc/terms/")
SCHEMA = Namespace("http://schema.org/")
OA = Namespace("http://www.w3.org/ns/oa#")

EXEMPT_PREDICATES = {
    RDF.type, RDFS.label, SKOS.prefLabel, SKOS.altLabel, GMG.mentionedIn,
    PROV.wasDerivedFrom, GMG.statement,
    RDFS.comment, SKOS.note, SKOS.scopeNote, SKOS.editorialNote,
    SCHEMA.sameAs,
}
RECORD_CLASSES = {GMG.Interview, GMG.FieldObservation, GMG.Fieldwork, GMG.Citation}


def subclasses(ontology: Graph, cls: URIRef) -> set[URIRef]:
    found, todo = {cls}, [cls]
    while todo:
        for sub in ontology.subjects(RDFS.subClassOf, todo.pop()):
            if isinstance(sub, URIRef) and sub not in found:
                found.add(sub)
                todo.append(sub)
    return found


def uncovered_triples(instances: Graph, ontology: Graph) -> list[tuple]:
    fact_classes = subclasses(ontology, GMG.Fact) | subclasses(ontology, GMG.Claim)
    record_classes = set().union(*(subclasses(ontology, c) for c in RECORD_CLASSES))
    passage_classes = subclasses(ontology, GMG.Passage)
    source_classes = (passage_classes | subclasses(ontology, GMG.Section) | subclasses(ontology, GMG.Statement)
                      | subclasses(ontology, GMG.Paragraph) | subclasses(ontology, OA.Selector)
                      | subclasses(ontology, DCT.RightsStatement))
    value_classes = subclasses(ontology, GMG.Period) | subclasses(ontology, GMG.MonetaryAmount)
    vocabulary_classes = subclasses(ontology, SKOS.Concept)

    types: dict = {}
    for s, o in instances.subject_objects(RDF.type):
        types.setdefault(s, set()).add(o)
    passages = {s for s, t in types.items() if t & passage_classes}
    sections = {s for s, t in types.items() if t & subclasses(ontology, GMG.Section)}
    source_documents = {o for s in sections for o in instances.objects(s, DCT.isPartOf)}
    cited = set(instances.objects(None, GMG.citedWork))
    bibliographic = cited | {o for w in cited for o in instances.objects(w, DCT.isPartOf)}

    def has_evidence(node) -> bool:
        return any(p in passages for p in instances.objects(node, PROV.wasDerivedFrom))

    def is_stated(node) -> bool:
        return any(has_evidence(st) for st in instances.subjects(GMG.asserts, node))

    claim_nodes = {s for s, t in types.items()
                   if (t & fact_classes and is_stated(s))
                   or ((t & record_classes or s in bibliographic) and has_evidence(s))}

    annotated = set()
    for axiom in instances.subjects(RDF.type, OWL.Axiom):
        if any(has_evidence(st) for st in instances.objects(axiom, GMG.statement)):
            annotated.add((instances.value(axiom, OWL.annotatedSource),
                           instances.value(axiom, OWL.annotatedProperty),
                           instances.value(axiom, OWL.annotatedTarget)))
    inverses = {}
    for p, q in ontology.subject_objects(OWL.inverseOf):
        inverses.setdefault(p, set()).add(q)
        inverses.setdefault(q, set()).add(p)

    def covered(s, p, o) -> bool:
        return s in claim_nodes or (s, p, o) in annotated

    misses = []
    for s, p, o in instances:
        t = types.get(s, set())
        if p in EXEMPT_PREDICATES or OWL.Axiom in t or OWL.Ontology in t:
            continue
        if s in source_documents or t & (source_classes | value_classes | vocabulary_classes):
            continue
        if covered(s, p, o):
            continue
        if (p == GMG.partOfCollective and GMG.InternationalOrganization in t
                and GMG.CollectiveAgent in types.get(o, set())):
            continue
        if any(covered(o, q, s) for q in inverses.get(p, ())):
            continue
        misses.append((s, p, o))
    return sorted(misses)


@pytest.fixture(scope="module")
def sources():
    return load_sources()


def test_every_instance_triple_is_covered_by_a_claim_or_an_evidence_annotation(sources):
    instances = sources.instances
    misses = uncovered_triples(instances, sources.ontology)
    lines = [" ".join(term.n3(instances.namespace_manager) for term in triple) for triple in misses]
    assert not misses, f"{len(misses)} uncovered triples:\n" + "\n".join(lines)


def test_every_fact_and_record_has_evidence(sources):
    """A fact no statement asserts, or a record without prov:wasDerivedFrom, is not a cover:
    it must be caught too."""
    instances, ontology = sources.instances, sources.ontology
    passages = {s for c in subclasses(ontology, GMG.Passage) for s in instances.subjects(RDF.type, c)}

    def derived(node) -> bool:
        return any(p in passages for p in instances.objects(node, PROV.wasDerivedFrom))

    facts = {s for c in subclasses(ontology, GMG.Fact) | subclasses(ontology, GMG.Claim)
             for s in instances.subjects(RDF.type, c)}
    records = {s for c in RECORD_CLASSES for s in instances.subjects(RDF.type, c)}
    bare = sorted({f for f in facts if not any(derived(st) for st in instances.subjects(GMG.asserts, f))}
                  | {r for r in records if not derived(r)})
    assert not bare, "facts or records without a passage as evidence:\n" + "\n".join(map(str, bare))


def test_evidence_annotations_annotate_asserted_triples(sources):
    """An axiom annotation whose triple is not asserted covers nothing (a typo would hide)."""
    instances = sources.instances
    dangling = []
    for axiom in instances.subjects(RDF.type, OWL.Axiom):
        triple = (instances.value(axiom, OWL.annotatedSource),
                  instances.value(axiom, OWL.annotatedProperty),
                  instances.value(axiom, OWL.annotatedTarget))
        if triple not in instances:
            dangling.append(" ".join(str(t) for t in triple))
    assert not dangling, "axiom annotations on triples that are not asserted:\n" + "\n".join(dangling)


def test_the_check_catches_an_uncovered_triple(sources):
    """The test can fail: a plain fact without evidence is reported."""
    instances = Graph()
    for triple in sources.instances:
        instances.add(triple)
    bad = (URIRef("https://w3id.org/gmg/id/world-bank"), GMG.basedIn,
           URIRef("https://w3id.org/gmg/id/moscow"))
    instances.add(bad)
    assert bad in uncovered_triples(instances, sources.ontology)
