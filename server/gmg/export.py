"""One Turtle file with everything for Protégé: the ontology, the instances and the inferred types."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF

from .iris import ID, ONTOLOGY_IRI
from .sources import Sources


#: the IRI of the merged export (not the core's, which it contains)
EXPORT_IRI = URIRef("https://w3id.org/gmg/all")


def merged_graph(sources: Sources) -> Graph:
    """Ontology + instances + inferred types, each individual declared as Protégé would save it.

    The instance files do not repeat `a owl:NamedIndividual` for every node; the OWL
    API and Protégé add those declarations on save, so the export states them up front
    and a Protégé round trip of the exported file adds nothing.
    """
    merged = sources.ontology + sources.instances + sources.inferred
    # One ontology header of its own, so that the export can be open beside the core (and the
    # instances ontology) in Protégé: the core's IRI and version IRI stay the core's.
    for header in set(merged.subjects(RDF.type, OWL.Ontology)):
        if str(header) != ONTOLOGY_IRI:
            merged.remove((header, None, None))
    core = URIRef(ONTOLOGY_IRI)
    for p, o in list(merged.predicate_objects(core)):
        merged.remove((core, p, o))
        if p not in (OWL.versionIRI, OWL.priorVersion, OWL.imports, DCTERMS.title):
            merged.add((EXPORT_IRI, p, o))
    merged.add((EXPORT_IRI, DCTERMS.title, Literal("Global Migration Governors: ontology, instances and inferred types in one file", lang="en")))
    merged.add((EXPORT_IRI, DCTERMS.source, core))
    for prefix, namespace in sources.ontology.namespaces():
        merged.bind(prefix, namespace, override=True)
    merged.bind("id", str(ID))
    classes = set(merged.subjects(RDF.type, OWL.Class))
    individuals = {s for s, c in merged.subject_objects(RDF.type) if c in classes and str(s).startswith(str(ID))}
    for individual in individuals:
        merged.add((individual, RDF.type, OWL.NamedIndividual))
    return merged
