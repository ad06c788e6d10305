"""Streaming serialisers for SELECT solutions, with a row cap.

pyoxigraph serialises a whole solution sequence at once and cannot stop at a
limit, so SELECT answers are written here, row by row as the engine finds them
(nothing is held but the chunk being written), in the four SPARQL results
formats; ASK and graph answers use pyoxigraph's own serialisers. A small SELECT
answer in JSON is tried with pyoxigraph's writer first (`small_json`): the same
bytes, in half the time.
"""

from __future__ import annotations

import itertools
import json
import queue
import re
import threading
from typing import Callable, Iterable, Iterator
from json.encoder import encode_basestring as quoted  # (C: a JSON string, non-ASCII kept)
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from .iris import PREFIXES

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
CHUNK = 64 * 1024
TERM_CACHE = 4096  # terms whose JSON text one answer keeps
PREFIXED = (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML)  # formats where prefixes make output readable
# graph answers written a batch at a time: statements one after another, blank nodes by label
BATCHED_FORMATS = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS, ox.RdfFormat.TURTLE)
BATCH = 10_000  # triples


def json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": json_term(term.subject),
                                            "predicate": json_term(term.predicate),
                                            "object": json_term(term.object)}}
    raise TypeError(f"unexpected term {term!r}")


def xml_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        return ("<triple><subject>" + xml_term(term.subject) + "</subject><predicate>"
                + xml_term(term.predicate) + "</predicate><object>" + xml_term(term.object) + "</object></triple>")
    raise TypeError(f"unexpected term {term!r}")


def csv_cell(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        text = "_:" + term.value
    elif isinstance(term, ox.Triple):
        text = str(term)
    else:
        text = term.value
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def tsv_cell(term) -> str:
    if term is None:
        return ""
    # N-Triples syntax (pyoxigraph's str()) escapes tabs and newlines in literals
    return str(term)


def json_text(term) -> str:
    """A term as SPARQL JSON results write it, as text: json_term without building a dict."""
    kind = type(term)
    if kind is ox.NamedNode:
        return '{"type":"uri","value":' + quoted(term.value) + "}"
    if kind is ox.Literal:
        if term.language:
            return '{"type":"literal","value":' + quoted(term.value) + ',"xml:lang":' + quoted(term.language) + "}"
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return '{"type":"literal","value":' + quoted(term.value) + "}"
        return '{"type":"literal","value":' + quoted(term.value) + ',"datatype":' + quoted(datatype) + "}"
    return json.dumps(json_term(term), ensure_ascii=False, separators=(",", ":"))


def write_json(variables: list[str], rows: Iterable[list]) -> Iterator[str]:
    """SPARQL JSON results, byte for byte as pyoxigraph's writer has them (see small_json)."""
    yield '{"head":{"vars":[' + ",".join(map(quoted, variables)) + ']},"results":{"bindings":['
    keys = [quoted(v) + ":" for v in variables]
    # A term seen once is often seen again (the predicates of a resource, a class, a
    # graph): its text is kept, up to a bound, and not written again.
    texts: dict = {}
    separator = ""
    for row in rows:
        cells = []
        for key, term in zip(keys, row):
            if term is None:
                continue
            text = texts.get(term)
            if text is None:
                text = json_text(term)
                if len(texts) < TERM_CACHE:
                    texts[term] = text
            cells.append(key + text)
        yield separator + "{" + ",".join(cells) + "}"
        separator = ","
    yield "]}}"


def write_xml(variables: list[str], rows: Iterable[list]) -> Iterator[str]:
    yield '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>'
    yield "".join(f"<variable name={quoteattr(v)}/>" for v in variables) + "</head><results>"
    for row in rows:
        cells = "".join(f"<binding name={quoteattr(v)}>{xml_term(t)}</binding>"
                        for v, t in zip(variables, row) if t is not None)
        yield f"<result>{cells}</result>"
    yield "</results></sparql>\n"


def write_csv(variables: list[str], rows: Iterable[list]) -> Iterator[str]:
    yield ",".join(csv_cell(ox.Literal(v)) for v in variables) + "\r\n"
    for row in rows:
        yield ",".join(csv_cell(t) for t in row) + "\r\n"


def write_tsv(variables: list[str], rows: Iterable[list]) -> Iterator[str]:
    yield "\t".join("?" + v for v in variables) + "\n"
    for row in rows:
        yield "\t".join(tsv_cell(t) for t in row) + "\n"


WRITERS = {"json": write_json, "xml": write_xml, "csv": write_csv, "tsv": write_tsv}


def chunked(pieces: Iterable[str]) -> Iterator[bytes]:
    """Join small strings into chunks of about CHUNK bytes."""
    buffer: list[str] = []
    size = 0
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size >= CHUNK:
            yield "".join(buffer).encode("utf-8")
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode("utf-8")


def solutions(result: ox.QuerySolutions, max_rows: int) -> tuple[list[str], list, bool]:
    """Up to max_rows rows of a SELECT gathered whole, and whether more were left (the answer
    is truncated): for a caller that holds the whole answer anyway before its head (the remote
    mode spools it). The engine streams instead (capped)."""
    variables = [v.value for v in result.variables]
    truncated: list[bool] = []
    rows = list(capped(result, max_rows, lambda: truncated.append(True)))
    return variables, rows, bool(truncated)


def capped(result: ox.QuerySolutions, max_rows: int, cut: Callable[[], None]) -> Iterator:
    """The rows of a SELECT as the engine finds them, up to max_rows; `cut()` is called if
    there was another one (the answer is truncated).

    Rows stay QuerySolution objects (iterating one yields its terms in variable
    order): taking terms out by name costs ten times more.
    """
    count = 0
    for solution in result:
        if count == max_rows:
            cut()
            return
        count += 1
        yield solution


SMALL_ANSWER = 64 * 1024  # bytes: the largest answer small_json writes


class _AnswerTooLong(Exception):
    pass


class _BoundedFile:
    """Where pyoxigraph writes a small answer: it refuses to hold more than `bound` bytes."""

    def __init__(self, bound: int):
        self.parts: list[bytes] = []
        self.size, self.bound = 0, bound

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.bound:
            raise _AnswerTooLong()  # (pyoxigraph stops writing, and passes it on)
        self.parts.append(data)
        return len(data)

    def flush(self) -> None:
        pass


def small_json(result: ox.QuerySolutions, max_rows: int, bound: int = SMALL_ANSWER) -> bytes | None:
    """The whole SELECT answer in SPARQL JSON results by pyoxigraph's own writer (in Rust, with
    the GIL released: 54 µs against 103 µs for a resource's 27 rows), if it is at most `bound`
    bytes and at most `max_rows` rows; None if not, and then the rows it read are gone (the
    caller asks again, and writes them row by row, stopping at the cap)."""
    out = _BoundedFile(bound)
    try:
        result.serialize(out, format=ox.QueryResultsFormat.JSON)
    except _AnswerTooLong:
        return None
    data = b"".join(out.parts)
    # (a row takes 3 bytes at least, "{}," : most answers are too short to hold more than the cap)
    if (len(data) + 1) // 3 > max_rows and rows_in_json(data) > max_rows:
        return None
    return data


STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"')


def rows_in_json(document: bytes) -> int:
    """How many rows a SPARQL JSON results document (as pyoxigraph writes it: no spaces) holds.

    Outside its strings, a row and nothing else begins with "[{" or ",{" (a term object
    follows a ":", the variables are strings), and a string holds no bare quote.
    """
    bare = STRING.sub(b"", document)
    return bare.count(b"[{") + bare.count(b",{")


def without_prefixes(turtle: bytes) -> bytes:
    """Turtle without the @prefix lines pyoxigraph writes at its top."""
    start = 0
    while turtle.startswith(b"@prefix ", start):
        start = turtle.index(b"\n", start) + 1
    return turtle[start:]


def serialize_native(result, fmt) -> Iterator[bytes]:
    """ASK and graph answers through pyoxigraph's serialisers, in chunks, a batch of triples at a
    time as the engine finds them (a dump of ten million triples held 1.5 GB as N-Triples). N-Triples,
    N-Quads and Turtle are written batch by batch; a JSON-LD or RDF/XML document, which one call
    must write whole, by a writer thread fed batch by batch (`one_document`)."""
    if isinstance(result, ox.QueryBoolean):  # (an ASK answer: a few bytes)
        yield result.serialize(format=fmt)
        return
    prefixes = PREFIXES if fmt in PREFIXED else None  # readable: gmg:Funding, not <https://…>
    triples = iter(result)
    if fmt not in BATCHED_FORMATS:
        yield from one_document(triples, fmt, prefixes)
        return
    first = True
    while batch := list(itertools.islice(triples, BATCH)):
        data = ox.serialize(batch, format=fmt, prefixes=prefixes)
        if prefixes and not first:
            data = without_prefixes(data)  # (one block of them, at the top)
        first = False
        yield from pieces(data)


def pieces(data: bytes) -> Iterator[bytes]:
    for start in range(0, len(data), CHUNK):
        yield data[start:start + CHUNK]


_MORE = object()  # (the writer thread asks for the next batch)
_DONE = object()  # (the writer thread has ended the document)


class _Handed:
    """The writer thread's file: what pyoxigraph writes (8 KB at a time) handed over a CHUNK at a time."""

    def __init__(self, to: queue.SimpleQueue):
        self.to, self.held = to, bytearray()

    def write(self, data) -> int:
        self.held += data
        if len(self.held) >= CHUNK:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self.held:
            self.to.put(bytes(self.held))
            self.held.clear()


def one_document(triples: Iterator, fmt, prefixes) -> Iterator[bytes]:
    """One JSON-LD or RDF/XML document of `triples`, in chunks, written as the triples are found.

    pyoxigraph writes a document in one call, and a query's answer may only be read in the
    thread that asked it (the engine's). So the triples are read here, a batch at a time, and
    handed to a thread that writes the document; the bytes of each batch come back here before
    the next batch is read: the first bytes go out after the first batch, not after the whole
    document, and no more than a batch and its bytes is held. An answer of one batch is written
    here, without the thread.
    """
    batch = list(itertools.islice(triples, BATCH))
    if len(batch) < BATCH:
        yield from pieces(ox.serialize(batch, format=fmt, prefixes=prefixes))
        return
    batches: queue.SimpleQueue = queue.SimpleQueue()  # to the writer: lists of triples; None: no more
    written: queue.SimpleQueue = queue.SimpleQueue()  # from it: bytes, _MORE, then _DONE or its error
    batches.put(batch)

    output = _Handed(written)

    def fed():
        while (batch := batches.get()) is not None:
            yield from batch
            output.flush()
            written.put(_MORE)

    def write() -> None:
        try:
            ox.serialize(fed(), output, format=fmt, prefixes=prefixes)
            output.flush()
            written.put(_DONE)
        except BaseException as err:  # (handed to the reader, which raises it)
            written.put(err)

    threading.Thread(target=write, name="gmg-document", daemon=True).start()
    try:
        while (item := written.get()) is not _DONE:
            if item is _MORE:
                batches.put(list(itertools.islice(triples, BATCH)) or None)
            elif isinstance(item, BaseException):
                raise item
            else:
                yield from pieces(item)
    finally:
        batches.put(None)  # (stopped early: the writer ends its document and its thread)
