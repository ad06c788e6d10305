"""gmg's own SELECT writers (which stop at the row cap) say what pyoxigraph's writers say."""

import json
import threading
from dataclasses import replace

import pyoxigraph as ox
import pytest

from gmg.query import LIMIT_HEADER, LONG_ANSWERS, TRUNCATED_HEADER, Dataset, QueryRequest, TextsRemembered, answer
from gmg.store import GraphStore
from gmg.results import CHUNK, capped, chunked, rows_in_json, small_json, write_json

EX = "http://example.org/"
TRICKY = ['plain', 'quote " and backslash \\', "line\nbreak\ttab\r", "control \x01\x1f", "non-ASCII: Ташкент, ☃, 𝄞",
          "</literal> & <b>", "}},{\"x\":1", "a,{}", "[{", "x},{\"o\":{"]


@pytest.fixture(scope="module")
def store():
    store = ox.Store()
    s, p = ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p")
    objects = [ox.Literal(text) for text in TRICKY]
    objects += [ox.Literal(text, language="ru") for text in TRICKY[:3]]
    objects += [ox.Literal("42", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
                ox.Literal("forty", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
                ox.NamedNode(EX + "o?a=1&b=é"), ox.BlankNode("b1"),
                ox.Triple(ox.NamedNode(EX + "a"), p, ox.Literal("quoted \" triple"))]
    for o in objects:
        store.add(ox.Quad(s, p, o))
    return store


QUERIES = ["SELECT ?s ?p ?o WHERE { ?s ?p ?o }",
           "SELECT ?o ?unbound WHERE { ?s ?p ?o OPTIONAL { ?o ?q ?unbound } }",  # a variable never bound
           "SELECT ?x WHERE { VALUES ?x { UNDEF 1 } }",
           "SELECT ?x ?y WHERE { VALUES (?x ?y) { (UNDEF UNDEF) (UNDEF UNDEF) (1 UNDEF) } }",  # empty rows
           "SELECT ?o WHERE { ?s ?p ?o FILTER(false) }",
           "SELECT ?ä WHERE { ?s ?p ?ä }"]


@pytest.mark.parametrize("query", QUERIES)
def test_json_rows_are_pyoxigraphs(store, query):
    ours = store.query(query)
    variables = [v.value for v in ours.variables]
    written = b"".join(chunked(write_json(variables, capped(ours, 1000, lambda: None))))
    native = store.query(query).serialize(format=ox.QueryResultsFormat.JSON)
    assert written == native  # byte for byte: an answer is the same whichever writer wrote it


@pytest.mark.parametrize("query", QUERIES)
def test_a_small_json_answer_is_written_whole_by_pyoxigraph_and_its_rows_counted(store, query):
    rows = len(list(store.query(query)))
    whole = small_json(store.query(query), max_rows=1000)
    assert whole == store.query(query).serialize(format=ox.QueryResultsFormat.JSON)
    assert rows_in_json(whole) == rows == len(json.loads(whole)["results"]["bindings"])
    if rows:  # one row too many for the cap: the caller must write it row by row, and cut it
        assert small_json(store.query(query), max_rows=rows - 1) is None
    assert small_json(store.query(query), max_rows=rows) == whole
    assert small_json(store.query(query), max_rows=1000, bound=len(whole) - 1) is None  # too long


def graph_store(store: ox.Store) -> GraphStore:
    held = GraphStore()
    held.raw.extend(store)
    return held


def request(text: str, max_rows: int = 1000) -> QueryRequest:
    return QueryRequest(text=text, dataset=Dataset(), accept="application/sparql-results+json",
                        max_rows=max_rows, default_graph_only=True)


@pytest.mark.parametrize("query", ["SELECT ?o WHERE { ?s ?p ?o }", "SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o"])
def test_a_select_answer_past_the_cap_is_cut_and_says_so_either_way(store, query):
    total = len(list(store.query(query)))
    head, body = answer(graph_store(store), request(query, max_rows=3))
    data = b"".join(body)
    assert rows_in_json(data) == 3 and head.truncated and head.headers[TRUNCATED_HEADER]
    head, body = answer(graph_store(store), request(query, max_rows=total))
    data = b"".join(body)
    assert rows_in_json(data) == total and not head.truncated and head.headers[LIMIT_HEADER] == str(total)


def test_a_long_answer_is_tried_in_one_piece_unless_the_query_sorts_or_groups():
    """The lexer says whether a query sorts or groups (QueryRequest.sorts_or_groups); where it has
    not said, the words anywhere in the text count, and the answer is written row by row at once."""
    store = ox.Store()
    p = ox.NamedNode(EX + "p")
    store.extend([ox.Quad(ox.NamedNode(f"{EX}s{i}"), p, ox.Literal("y" * 50 + str(i))) for i in range(3000)])
    held = graph_store(store)

    def tried_whole(text: str, sorts: bool | None) -> bool:
        head, body = answer(held, replace(request(text, max_rows=10**6), sorts_or_groups=sorts))
        assert len(list(body)) > 1 and not head.truncated
        return text in LONG_ANSWERS  # (remembered once tried in one piece and found too long)

    assert tried_whole('SELECT ?s ?o WHERE { ?s ?p ?o FILTER (?o != "order by") }', False)
    assert not tried_whole('SELECT ?s ?o WHERE { ?s ?p ?o FILTER (?o != "group by") }', None)
    assert not tried_whole("SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY DESC(?s)", True)


def test_a_long_select_answer_is_written_row_by_row_and_whole():
    store = ox.Store()
    p = ox.NamedNode(EX + "p")
    store.extend([ox.Quad(ox.NamedNode(f"{EX}s{i}"), p, ox.Literal("x" * 50 + str(i))) for i in range(3000)])
    query = "SELECT ?s ?o WHERE { ?s ?p ?o } # long answer test"
    assert small_json(store.query(query), max_rows=10**6) is None  # (about 300 KB: past the bound)
    assert query not in LONG_ANSWERS
    head, body = answer(graph_store(store), request(query, max_rows=10**6))
    chunks = list(body)
    assert len(chunks) > 1 and not head.truncated
    assert query in LONG_ANSWERS  # not tried in one piece again
    native = json.loads(store.query(query).serialize(format=ox.QueryResultsFormat.JSON))
    written = json.loads(b"".join(chunks))
    assert written["head"] == native["head"]
    key = json.dumps
    assert sorted(map(key, written["results"]["bindings"])) == sorted(map(key, native["results"]["bindings"]))


def test_json_rows_stop_at_the_cap_and_say_so(store):
    cut = []
    result = store.query("SELECT ?o WHERE { ?s ?p ?o }")
    written = b"".join(chunked(write_json(["o"], capped(result, 3, lambda: cut.append(True)))))
    assert len(json.loads(written)["results"]["bindings"]) == 3 and cut == [True]


def test_long_answers_come_in_chunks_of_about_chunk_bytes():
    rows = [[ox.Literal("x" * 100)] for _ in range(3 * CHUNK // 100)]
    chunks = list(chunked(write_json(["v"], rows)))
    assert len(chunks) >= 3 and all(len(c) < 2 * CHUNK for c in chunks)
    assert len(json.loads(b"".join(chunks))["results"]["bindings"]) == len(rows)


@pytest.mark.parametrize("fmt", [ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE])
def test_a_large_graph_answer_streams_as_the_engine_finds_it(fmt):
    """A dump of ten million triples as N-Triples was written whole (1.5 GB) before its first byte
    went out; now the first chunk goes out after one batch, and the whole is the same graph (in
    Turtle with one block of prefixes, at the top)."""
    from gmg.results import BATCH, serialize_native

    taken = 0

    def triples(n: int):
        nonlocal taken
        for i in range(n):
            taken += 1
            yield ox.Triple(ox.NamedNode(f"https://w3id.org/gmg/id/s{i}"), ox.NamedNode("https://w3id.org/gmg/ontology#p"),
                            ox.BlankNode(f"b{i % 7}") if i % 2 else ox.Literal(f"value {i}", language="en"))

    chunks = serialize_native(triples(3 * BATCH), fmt)
    first = next(chunks)
    assert taken <= BATCH and len(first) <= CHUNK
    whole = first + b"".join(chunks)
    assert taken == 3 * BATCH
    parsed = {(q.subject, q.predicate, q.object) for q in ox.parse(whole, format=fmt)}
    expected = {(t.subject, t.predicate, t.object) for t in triples(3 * BATCH)}
    assert len(parsed) == len(expected)
    literal = {t for t in expected if isinstance(t[2], ox.Literal)}
    assert {t for t in parsed if isinstance(t[2], ox.Literal)} == literal
    assert len({t[2] for t in parsed if isinstance(t[2], ox.BlankNode)}) == 7  # (a blank node is one node throughout)
    if fmt == ox.RdfFormat.TURTLE:
        assert whole.count(b"@prefix gmg:") == 1 and whole.startswith(b"@prefix ")


def graph_triples(n: int, taken: list | None = None):
    """n triples of a graph answer (counting in `taken` those read)."""
    for i in range(n):
        if taken is not None:
            taken.append(i)
        yield ox.Triple(ox.NamedNode(f"https://w3id.org/gmg/id/s{i // 2}"), ox.NamedNode("https://w3id.org/gmg/ontology#p"),
                        ox.Literal(f"value {i} " + "x" * 40, language="en"))


@pytest.mark.parametrize("fmt", [ox.RdfFormat.JSON_LD, ox.RdfFormat.RDF_XML])
def test_a_large_document_streams_as_the_engine_finds_it_and_is_one_document(fmt):
    """JSON-LD and RDF/XML were written whole before their first byte went out; now the first
    chunk goes out after the first batch of triples, and the document is byte for byte the one
    pyoxigraph writes in one call (one document, not one per batch)."""
    from gmg.results import BATCH, PREFIXED, PREFIXES, serialize_native

    prefixes = PREFIXES if fmt in PREFIXED else None
    taken: list = []
    chunks = serialize_native(graph_triples(3 * BATCH + 5, taken), fmt)
    first = next(chunks)
    assert len(taken) <= 2 * BATCH and len(first) <= CHUNK
    whole = first + b"".join(chunks)
    assert len(taken) == 3 * BATCH + 5
    assert whole == ox.serialize(list(graph_triples(3 * BATCH + 5)), format=fmt, prefixes=prefixes)
    assert len(list(ox.parse(whole, format=fmt))) == 3 * BATCH + 5


@pytest.mark.parametrize("fmt", [ox.RdfFormat.JSON_LD, ox.RdfFormat.RDF_XML])
def test_a_document_stopped_early_ends_its_writer(fmt):
    """A client that goes away stops the answer: the thread writing the document ends too."""
    from gmg.results import BATCH, serialize_native

    chunks = serialize_native(graph_triples(5 * BATCH), fmt)
    next(chunks)
    assert [t for t in threading.enumerate() if t.name == "gmg-document"]
    chunks.close()
    for thread in [t for t in threading.enumerate() if t.name == "gmg-document"]:
        thread.join(10)
        assert not thread.is_alive()


@pytest.mark.parametrize("fmt", [ox.RdfFormat.JSON_LD, ox.RdfFormat.RDF_XML])
def test_a_small_document_is_written_without_a_thread(fmt):
    from gmg.results import serialize_native

    before = threading.active_count()
    whole = b"".join(serialize_native(graph_triples(10), fmt))
    assert threading.active_count() == before
    assert len(list(ox.parse(whole, format=fmt))) == 10


def test_the_texts_remembered_are_bounded_and_short():
    texts = TextsRemembered(size=3, longest=10)
    for text in ["a", "b", "c", "d"]:
        texts.add(text)
    assert "a" not in texts and all(t in texts for t in "bcd")  # the oldest is forgotten
    texts.add("x" * 11)
    assert "x" * 11 not in texts
