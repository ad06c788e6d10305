"""The SPARQL 1.1 Service Description of the endpoint."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS

from .formats import FORMATS
from .iris import NAME_ONLY_GRAPHS

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")


def service_description(endpoint: str, named_graphs: list[str], format: str = "turtle") -> bytes:
    """The description as `format` (an rdflib serialiser name)."""
    return describe(endpoint, named_graphs).serialize(format=format, encoding="utf-8")


def describe(endpoint: str, named_graphs: list[str]) -> Graph:
    g = Graph()
    g.bind("sd", SD)
    service = URIRef(endpoint)
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, URIRef(endpoint)))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    for fmt in FORMATS:
        g.add((service, SD.resultFormat, URIRef(fmt.w3c)))
    dataset, default = BNode(), BNode()
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, RDFS.comment,
           Literal("The union of the store's default graph and every named graph except "
                   + ", ".join(sorted(NAME_ONLY_GRAPHS)) + ".", lang="en")))
    for name in named_graphs:
        node = BNode()
        g.add((dataset, SD.namedGraph, node))
        g.add((node, RDF.type, SD.NamedGraph))
        g.add((node, SD.name, URIRef(name)))
    return g
