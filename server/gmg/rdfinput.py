"""The one function through which every RDF request body passes.

Public routes take RDF from strangers, so parsing is defensive: a size cap,
pyoxigraph's parsers only (they never fetch a JSON-LD remote context; rdflib's
do), and RDF/XML with a DOCTYPE refused before any parser sees it (both rdflib's
and pyoxigraph's RDF/XML parsers expand entity bombs). Parsing is linear in the
input, so the size cap also bounds its time.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

# media type -> format (triples only: quads have no place in a single graph)
RDF_INPUTS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


class RdfInputError(Exception):
    """A body we will not parse: status (400, 413, 415) and a message saying why."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def input_format(content_type: str | None) -> ox.RdfFormat:
    media = (content_type or "").split(";")[0].strip().lower()
    fmt = RDF_INPUTS.get(media)
    if fmt is None:
        raise RdfInputError(415, f"Unsupported Content-Type {media or '(none)'!r}: send RDF as "
                                 + ", ".join(sorted(set(RDF_INPUTS) - {"application/x-turtle", "text/plain"})) + ".")
    charset = re.search(r"charset\s*=\s*\"?([\w-]+)", content_type or "", re.IGNORECASE)
    if charset and charset.group(1).lower() not in ("utf-8", "utf8"):
        raise RdfInputError(415, f"Unsupported charset {charset.group(1)!r}: send RDF as UTF-8.")
    return fmt


def parse_rdf(body: bytes, content_type: str | None, *, max_bytes: int, base_iri: str | None = None) -> list[ox.Triple]:
    """Parse a request body into triples, or raise RdfInputError with a message a person can act on."""
    if len(body) > max_bytes:
        raise RdfInputError(413, f"The body is larger than the limit of {max_bytes} bytes.")
    fmt = input_format(content_type)
    if fmt == ox.RdfFormat.RDF_XML and DOCTYPE.search(body):
        raise RdfInputError(400, "RDF/XML with a DOCTYPE or ENTITY declaration is refused "
                                 "(entity expansion is unsafe): remove the DOCTYPE and write the IRIs out.")
    try:
        quads = list(ox.parse(body, format=fmt, base_iri=base_iri))
    except SyntaxError as err:
        where = f" (line {err.lineno}, column {err.offset})" if getattr(err, "lineno", None) else ""
        raise RdfInputError(400, f"Cannot parse the body as {fmt.name}{where}: {err}") from err
    if any(not isinstance(q.graph_name, ox.DefaultGraph) for q in quads):
        raise RdfInputError(400, "The body names graphs; send the triples of one graph.")
    return [q.triple for q in quads]


def to_rdflib(triples: list[ox.Triple]) -> Graph:
    """The same triples as an rdflib graph (for pySHACL)."""
    graph = Graph()
    for t in triples:
        graph.add((_term(t.subject), _term(t.predicate), _term(t.object)))
    return graph


def _term(term):
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise RdfInputError(400, "RDF-star triple terms are not supported here.")
