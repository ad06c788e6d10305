"""The IRIs gmg mints and the named graphs it publishes (one place, no literals elsewhere)."""

from rdflib import Namespace

BASE = "https://w3id.org/gmg/"
ONTOLOGY_IRI = BASE + "ontology"
GMG = Namespace(ONTOLOGY_IRI + "#")
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")

ONTOLOGY_GRAPH = GRAPH.ontology
INSTANCES_GRAPH = GRAPH.instances
INFERRED_GRAPH = GRAPH.inferred
SHAPES_GRAPH = GRAPH.shapes
METADATA_GRAPH = GRAPH.metadata

# Graphs reachable by name only: their labels (shape names, build facts) would
# otherwise pollute answers to ordinary queries over the default graph.
NAME_ONLY_GRAPHS = frozenset({str(SHAPES_GRAPH), str(METADATA_GRAPH)})
