"""One registry of the formats gmg speaks, and one pure content-negotiation function."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pyoxigraph as ox

RESULTS = "results"  # SELECT / ASK
GRAPH = "graph"  # CONSTRUCT / DESCRIBE, dumps, resource descriptions


@dataclass(frozen=True)
class Format:
    name: str  # the value of ?format= and the file extension
    media_type: str
    kind: str
    oxigraph: ox.QueryResultsFormat | ox.RdfFormat
    w3c: str  # the http://www.w3.org/ns/formats/ IRI, for service descriptions
    aliases: tuple[str, ...] = ()  # further media types that select this format
    text: bool = False  # labelled "; charset=utf-8"
    rdflib: str | None = None  # rdflib's name for the format, for graphs built with rdflib

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8" if self.text else self.media_type


FORMATS: tuple[Format, ...] = (
    # First of each kind is the default for clients that accept anything.
    Format("json", "application/sparql-results+json", RESULTS, ox.QueryResultsFormat.JSON,
           "http://www.w3.org/ns/formats/SPARQL_Results_JSON", ("application/json",)),
    Format("xml", "application/sparql-results+xml", RESULTS, ox.QueryResultsFormat.XML,
           "http://www.w3.org/ns/formats/SPARQL_Results_XML", ("application/xml", "text/xml")),
    Format("csv", "text/csv", RESULTS, ox.QueryResultsFormat.CSV,
           "http://www.w3.org/ns/formats/SPARQL_Results_CSV", text=True),
    Format("tsv", "text/tab-separated-values", RESULTS, ox.QueryResultsFormat.TSV,
           "http://www.w3.org/ns/formats/SPARQL_Results_TSV", text=True),
    Format("ttl", "text/turtle", GRAPH, ox.RdfFormat.TURTLE,
           "http://www.w3.org/ns/formats/Turtle", ("application/x-turtle",), text=True, rdflib="turtle"),
    Format("nt", "application/n-triples", GRAPH, ox.RdfFormat.N_TRIPLES,
           "http://www.w3.org/ns/formats/N-Triples", ("text/plain",), rdflib="nt"),
    Format("jsonld", "application/ld+json", GRAPH, ox.RdfFormat.JSON_LD,
           "http://www.w3.org/ns/formats/JSON-LD", ("application/json",), rdflib="json-ld"),
    Format("rdf", "application/rdf+xml", GRAPH, ox.RdfFormat.RDF_XML,
           "http://www.w3.org/ns/formats/RDF_XML", ("application/xml", "text/xml"), rdflib="xml"),
)

# ?format= also accepts these spellings
FORMAT_ALIASES = {"turtle": "ttl", "ntriples": "nt", "n-triples": "nt", "json-ld": "jsonld",
                  "rdfxml": "rdf", "rdf+xml": "rdf", "tab": "tsv"}


class NotAcceptable(Exception):
    """No format of the wanted kind matches; `offered` lists what could be served."""

    def __init__(self, kind: str, offered: list[str]):
        self.kind, self.offered = kind, offered
        super().__init__("Not acceptable. This response can be served as: " + ", ".join(offered))


def prefers_html(accept: str | None, kind: str) -> bool:
    """True when the client (a browser) ranks text/html above every format of `kind`."""
    ranges = parse_accept(accept)
    html = Format("html", "text/html", "page", None, "")
    html_q = quality(html, ranges)
    return html_q > 0 and all(html_q > quality(f, ranges) for f in formats_of(kind))


def formats_of(kind: str) -> list[Format]:
    return [f for f in FORMATS if f.kind == kind]


def negotiate(accept: str | None, kind: str, override: str | None = None) -> Format:
    """Choose the format for a response of `kind`: the choice for a short Accept header is kept
    for the 256 asked most lately (clients send the same few, and reading one was 4 % of the
    engine's work on a point query); a refusal raises, and is not kept."""
    if len(accept or "") > REMEMBERED_ACCEPT or len(override or "") > REMEMBERED_ACCEPT:
        return choose(accept, kind, override)
    return remembered_choice(accept, kind, override)


REMEMBERED_ACCEPT = 1024  # characters (of the Accept header, and of a ?format=)


def choose(accept: str | None, kind: str, override: str | None = None) -> Format:
    """The format for a response of `kind`.

    `override` (the ?format= parameter, by name or media type) wins over Accept.
    Accept is honoured with q-values, specificity (type/sub beats type/* beats */*)
    and server preference (registry order) to break ties; q=0 excludes.
    """
    candidates = formats_of(kind)
    offered = [f.media_type for f in candidates]
    if override:
        wanted = FORMAT_ALIASES.get(override.lower(), override.lower())
        for fmt in candidates:
            if wanted == fmt.name or wanted == fmt.media_type or wanted in fmt.aliases:
                return fmt
        raise NotAcceptable(kind, offered)
    ranges = parse_accept(accept)
    if not ranges:
        return candidates[0]
    best: tuple[float, int] | None = None
    chosen: Format | None = None
    for order, fmt in enumerate(candidates):
        q = quality(fmt, ranges)
        if q > 0 and (best is None or (q, -order) > best):
            best, chosen = (q, -order), fmt
    if chosen is None:
        raise NotAcceptable(kind, offered)
    return chosen


remembered_choice = functools.lru_cache(maxsize=256)(choose)


def parse_accept(accept: str | None) -> list[tuple[str, str, float]]:
    """[(type, subtype, q)] from an Accept header; malformed entries are skipped."""
    ranges = []
    for part in (accept or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if "/" not in media:
            continue
        main, sub = media.split("/", 1)
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append((main, sub, q))
    return ranges


def quality(fmt: Format, ranges: list[tuple[str, str, float]]) -> float:
    """The q of the most specific Accept range matching any media type of `fmt`."""
    best_specificity, best_q = -1, 0.0
    for media in (fmt.media_type, *fmt.aliases):
        main, sub = media.split("/", 1)
        alias = media != fmt.media_type
        for r_main, r_sub, q in ranges:
            if (r_main, r_sub) == (main, sub):
                specificity = 2
            elif alias:
                continue  # wildcards select by the format's own media type only
            elif r_main == main and r_sub == "*":
                specificity = 1
            elif (r_main, r_sub) == ("*", "*"):
                specificity = 0
            else:
                continue
            if specificity > best_specificity or (specificity == best_specificity and q > best_q):
                best_specificity, best_q = specificity, q
    return best_q
