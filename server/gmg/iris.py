"""The IRIs gmg mints and the named graphs it publishes (one place, no literals elsewhere)."""

from rdflib import Namespace

BASE = "https://w3id.org/gmg/"
ONTOLOGY_IRI = BASE + "ontology"
GMG = Namespace(ONTOLOGY_IRI + "#")
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")
# the work the graph is about: its sections are dcterms:isPartOf it
ARTICLE = ID["korneev-2017"]

ONTOLOGY_GRAPH = GRAPH.ontology
INSTANCES_GRAPH = GRAPH.instances
INFERRED_GRAPH = GRAPH.inferred
SHAPES_GRAPH = GRAPH.shapes
METADATA_GRAPH = GRAPH.metadata

# Graphs reachable by name only: their labels (shape names, build facts) would
# otherwise pollute answers to ordinary queries over the default graph.
NAME_ONLY_GRAPHS = frozenset({str(SHAPES_GRAPH), str(METADATA_GRAPH)})

# In a remote store only: the query default graph kept as one graph, the RDF merge of the
# graphs above that are not name-only (stores do not merge several default-graph-uri: a
# triple two graphs hold would be two solutions). Not one of gmg's named graphs.
MERGED_GRAPH = GRAPH.merged
# In a remote store only: the time of the last change (the dataset's dcterms:modified), which
# replicas watch to learn that the data changed. Not one of gmg's named graphs either.
CHANGES_GRAPH = GRAPH.changes

# Prefixes for what gmg writes for people (Turtle answers, CURIEs on pages).
PREFIXES = {
    "gmg": str(GMG), "id": str(ID), "graph": str(GRAPH),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#", "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#", "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#", "org": "http://www.w3.org/ns/org#", "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": "http://schema.org/", "bibo": "http://purl.org/ontology/bibo/", "time": "http://www.w3.org/2006/time#",
    "oa": "http://www.w3.org/ns/oa#",
}
