"""One Turtle file with everything for Protégé: the ontology, the instances and the inferred types."""

from __future__ import annotations

from rdflib import Graph
from rdflib.namespace import OWL, RDF

from .iris import ID
from .sources import Sources


def merged_graph(sources: Sources) -> Graph:
    """Ontology + instances + inferred types, each individual declared as Protégé would save it.

    The instance files do not repeat `a owl:NamedIndividual` for every node; the OWL
    API and Protégé add those declarations on save, so the export states them up front
    and a Protégé round trip of the exported file adds nothing.
    """
    merged = sources.ontology + sources.instances + sources.inferred
    for prefix, namespace in sources.ontology.namespaces():
        merged.bind(prefix, namespace, override=True)
    merged.bind("id", str(ID))
    classes = set(merged.subjects(RDF.type, OWL.Class))
    individuals = {s for s, c in merged.subject_objects(RDF.type) if c in classes and str(s).startswith(str(ID))}
    for individual in individuals:
        merged.add((individual, RDF.type, OWL.NamedIndividual))
    return merged
