"""The metadata graph: what the dataset is and which source files each graph was built from.

Written into the named graph https://w3id.org/gmg/graph/metadata at every load, so a
store says what it holds (and the name-only metadata graph is not empty). The same
description heads the live VoID document at /void.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from . import __version__
from .iris import ARTICLE, BASE, ID

VOID = Namespace("http://rdfs.org/ns/void#")
DATASET = URIRef(BASE + "dataset")
LICENCE = URIRef("https://creativecommons.org/licenses/by/4.0/")
# The rights in the article's words that the graph quotes (selectors' oa:exact, oa:prefix,
# oa:suffix; the notes' gmg:quote): the article's copyright holder's, quoted for scholarly
# citation, outside the CC BY licence of gmg's own triples. Described in instances/article.ttl.
QUOTED_TEXT_RIGHTS = ID["rights/quoted-text"]
QUOTED_TEXT = URIRef(BASE + "dataset/quoted-text")  # the subset of the dataset that is quoted text


def describe_dataset(g: Graph) -> URIRef:
    """Add the statements about the dataset that hold for every build; returns its IRI."""
    g.bind("void", VOID)
    g.bind("dcterms", DCTERMS)
    g.add((DATASET, RDF.type, VOID.Dataset))
    g.add((DATASET, DCTERMS.title, Literal("gmg — global migration governors", lang="en")))
    g.add((DATASET, DCTERMS.description, Literal(
        "What Oleg Korneev's 2017 article on the World Bank in Central Asia tells about global migration "
        "governors, as an OWL ontology, a knowledge graph with per-claim provenance, and SHACL shapes.", lang="en")))
    g.add((DATASET, DCTERMS.license, LICENCE))
    g.add((DATASET, DCTERMS.source, ARTICLE))
    g.add((DATASET, DCTERMS.hasVersion, Literal(__version__)))
    g.add((DATASET, VOID.uriSpace, Literal(str(ID))))
    return DATASET


def build_metadata(files: list[tuple[Path, str]], digest: str, triples: dict[str, int]) -> Graph:
    """The metadata graph of one load: the dataset, the source digest, each graph's files and size."""
    g = Graph()
    dataset = describe_dataset(g)
    g.add((dataset, DCTERMS.identifier, Literal(f"sha256:{digest}")))
    for path, graph in files:
        subset = URIRef(str(graph))
        g.add((dataset, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        # the path inside the data folders (instances/actors.ttl), never a machine path
        g.add((subset, DCTERMS.source, Literal(f"{path.parent.name}/{path.name}")))
    for graph, count in triples.items():
        g.add((URIRef(graph), VOID.triples, Literal(count, datatype=XSD.integer)))
    return g
