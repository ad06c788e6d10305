"""The dataset's statistics, counted in the store, and its VoID + DCAT description.

Counts, per named graph and for the default graph: triples; entities (distinct IRI
subjects); classes (distinct objects of rdf:type); properties (distinct predicates).
Example resources are the three entities most linked to. One more subset is not a graph:
the words quoted from the source article (the triples that carry them), described with
their own rights statement, since the dataset's CC BY licence covers gmg's own triples only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from ..engine import EngineSupervisor
from ..iris import GRAPH as GRAPH_NS, ID, ONTOLOGY_IRI
from ..metadata import ARTICLE, QUOTED_TEXT, QUOTED_TEXT_RIGHTS, VOID, describe_dataset
from ..settings import Settings
from . import internal
from .dumpfiles import DEFAULT_DUMP, GRAPHS, DumpFile, dump_names, media_type

DCAT = Namespace("http://www.w3.org/ns/dcat#")
MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"


# each counted per named graph (GROUP BY ?g) and over the default graph
MEASURES = {
    "triples": "(COUNT(*) AS ?n) WHERE {{ {pattern} }}",
    "properties": "(COUNT(DISTINCT ?p) AS ?n) WHERE {{ {pattern} }}",
    "entities": "(COUNT(DISTINCT ?s) AS ?n) WHERE {{ {pattern} FILTER(isIRI(?s)) }}",
    "classes": "(COUNT(DISTINCT ?o) AS ?n) WHERE {{ {pattern} FILTER(?p = rdf:type) }}",
}
RDF_PREFIX = "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"


def measure_query(measure: str, per_graph: bool) -> str:
    if per_graph:
        return RDF_PREFIX + "SELECT ?g " + MEASURES[measure].format(pattern="GRAPH ?g { ?s ?p ?o }") + " GROUP BY ?g"
    # (the default graph is the merge of several graphs: a triple two of them hold counts once,
    # which some stores, Virtuoso 7 among them, only do when asked for distinct triples)
    pattern = "{ SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }" if measure == "triples" else "?s ?p ?o"
    return RDF_PREFIX + "SELECT " + MEASURES[measure].format(pattern=pattern)


EXAMPLES = f"""SELECT ?o (COUNT(*) AS ?n) WHERE {{ {{ SELECT DISTINCT ?s ?p ?o WHERE {{
  ?s ?p ?o FILTER(isIRI(?o) && STRSTARTS(STR(?o), "{ID}"))
  FILTER(!CONTAINS(STRAFTER(STR(?o), "{ID}"), "/"))  # entities (id/world-bank), not passages or notes
}} }} }} GROUP BY ?o ORDER BY DESC(?n) ?o LIMIT 3"""


# The triples whose object is the article's own words: what a selector quotes and the text of a note.
QUOTED_PROPERTIES = ("http://www.w3.org/ns/oa#exact", "http://www.w3.org/ns/oa#prefix",
                     "http://www.w3.org/ns/oa#suffix", "https://w3id.org/gmg/ontology#quote")
QUOTED = (f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o ; <http://purl.org/dc/terms/rights> <{QUOTED_TEXT_RIGHTS}> "
          f"FILTER(?p IN ({', '.join(f'<{p}>' for p in QUOTED_PROPERTIES)})) }}")


@dataclass
class Counts:
    triples: int = 0
    entities: int = 0
    classes: int = 0
    properties: int = 0


@dataclass
class Statistics:
    default: Counts
    graphs: dict[str, Counts] = field(default_factory=dict)  # graph IRI -> its counts
    examples: list[str] = field(default_factory=list)
    quoted: int = 0  # triples that carry words quoted from the article


async def statistics(engine: EngineSupervisor, settings: Settings) -> Statistics:
    async def rows(text: str) -> list[dict]:
        return await internal.rows(engine, settings, text)

    graphs = {str(GRAPH_NS[name]): Counts() for name in GRAPHS}
    default = Counts()
    for measure in MEASURES:
        for row in await rows(measure_query(measure, per_graph=True)):
            setattr(graphs.setdefault(row["g"]["value"], Counts()), measure, int(row["n"]["value"]))
        setattr(default, measure, int((await rows(measure_query(measure, per_graph=False)))[0]["n"]["value"]))
    examples = [row["o"]["value"] for row in await rows(EXAMPLES)]
    quoted = int((await rows(QUOTED))[0]["n"]["value"])
    return Statistics(default, graphs, examples, quoted)


def _counted(g: Graph, node, counts: Counts) -> None:
    for term, value in ((VOID.triples, counts.triples), (VOID.entities, counts.entities),
                        (VOID.classes, counts.classes), (VOID.properties, counts.properties)):
        g.add((node, term, Literal(value, datatype=XSD.integer)))


def describe(root: str, stats: Statistics, files: dict[str, DumpFile] | None) -> Graph:
    """VoID (counts, subsets, dumps, examples) and DCAT (distributions, the SPARQL service) in one graph;
    the dumps without their sizes while they are being made (`files` None)."""
    g = Graph()
    g.bind("dcat", DCAT)
    dataset = describe_dataset(g)
    g.add((dataset, RDF.type, DCAT.Dataset))
    endpoint = URIRef(root + "/sparql")
    g.add((dataset, VOID.sparqlEndpoint, endpoint))
    g.add((dataset, VOID.vocabulary, URIRef(ONTOLOGY_IRI + "#")))
    _counted(g, dataset, stats.default)
    for iri in stats.examples:
        g.add((dataset, VOID.exampleResource, URIRef(iri)))

    service = URIRef(root + "/sparql#service")
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, DCAT.endpointURL, endpoint))
    g.add((service, DCAT.servesDataset, dataset))
    g.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    g.add((dataset, DCAT.accessService, service))

    for name, file in (files or {name: None for name in dump_names()}).items():
        url = URIRef(f"{root}/dumps/{name}")
        if name.split(".")[0] == DEFAULT_DUMP and not name.endswith(".gz"):
            g.add((dataset, VOID.dataDump, url))
        distribution = BNode()
        g.add((dataset, DCAT.distribution, distribution))
        g.add((distribution, RDF.type, DCAT.Distribution))
        g.add((distribution, DCTERMS.title, Literal(name)))
        g.add((distribution, DCAT.downloadURL, url))
        if file is not None:
            g.add((distribution, DCAT.byteSize, Literal(file.size, datatype=XSD.nonNegativeInteger)))
        if name.endswith(".gz"):
            g.add((distribution, DCAT.compressFormat, URIRef(MEDIA_TYPES + "application/gzip")))
            g.add((distribution, DCAT.mediaType, URIRef(MEDIA_TYPES + media_type(name.removesuffix(".gz")))))
        else:
            g.add((distribution, DCAT.mediaType, URIRef(MEDIA_TYPES + media_type(name))))
        g.add((distribution, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))

    g.add((dataset, VOID.subset, QUOTED_TEXT))
    g.add((QUOTED_TEXT, RDF.type, VOID.Dataset))
    g.add((QUOTED_TEXT, DCTERMS.title, Literal("Words quoted from the source article", lang="en")))
    g.add((QUOTED_TEXT, DCTERMS.description, Literal(
        "The triples whose object is the article's own words: the words each passage's selector quotes "
        "(oa:exact, with oa:prefix or oa:suffix where needed) and the text of each note (gmg:quote). They "
        "belong to the article's copyright holder and are quoted for scholarly citation; the dataset's "
        "CC BY 4.0 licence covers gmg's own triples, not these words.", lang="en")))
    g.add((QUOTED_TEXT, DCTERMS.rights, QUOTED_TEXT_RIGHTS))
    g.add((QUOTED_TEXT, DCTERMS.source, ARTICLE))
    g.add((QUOTED_TEXT, VOID.triples, Literal(stats.quoted, datatype=XSD.integer)))
    for prop in QUOTED_PROPERTIES:
        g.add((QUOTED_TEXT, VOID.property, URIRef(prop)))
    g.add((dataset, DCTERMS.rights, QUOTED_TEXT_RIGHTS))

    for name in GRAPHS:
        subset = GRAPH_NS[name]
        g.add((dataset, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        _counted(g, subset, stats.graphs.get(str(subset), Counts()))
        g.add((subset, VOID.dataDump, URIRef(f"{root}/dumps/{name}.ttl")))
    return g
