"""The remote mode's plain functions: dataset parameters, query text, credentials, publish chunks."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from gmg.query import Dataset, QueryRequest
from gmg.remote.dataset import NO_GRAPH, protocol_dataset, without_from
from gmg.remote.dialect import canonical_row, canonical_triple, portable
from gmg.remote.endpoints import Endpoints, RemoteConfigError, read_credentials
from gmg.remote.publish import chunks, with_merged

G = "https://w3id.org/gmg/graph/"
GRAPHS = [G + n for n in ("inferred", "instances", "metadata", "ontology", "shapes")]


def params(text, dataset=Dataset(), has_from=False):
    return protocol_dataset(QueryRequest(text, dataset=dataset, has_dataset_clause=has_from,
                                         base_iri="https://w3id.org/gmg/"), GRAPHS)


def test_the_default_dataset_is_the_data_graphs_with_every_graph_by_name():
    text, sent = params("SELECT * { ?s ?p ?o }")
    assert [v for k, v in sent if k == "default-graph-uri"] == [G + "inferred", G + "instances", G + "ontology"]
    assert [v for k, v in sent if k == "named-graph-uri"] == GRAPHS


def test_the_merged_graph_stands_for_the_data_graphs_where_the_store_holds_it():
    _, sent = protocol_dataset(QueryRequest("SELECT * { ?s ?p ?o }"), GRAPHS, merged=G + "merged")
    assert [v for k, v in sent if k == "default-graph-uri"] == [G + "merged"]
    assert [v for k, v in sent if k == "named-graph-uri"] == GRAPHS  # (not itself one of gmg's graphs)
    _, sent = protocol_dataset(QueryRequest("SELECT * FROM <http://x> { ?s ?p ?o }", has_dataset_clause=True),
                               GRAPHS, merged=G + "merged")
    assert sent == [("default-graph-uri", "http://x"), ("named-graph-uri", NO_GRAPH)]  # (FROM still decides)


def test_the_merged_graph_holds_each_triple_of_the_data_graphs_once():
    a, b = ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/b")
    shared, own, rule = ox.Triple(a, a, a), ox.Triple(a, a, b), ox.Triple(b, b, b)
    graphs = with_merged({G + "ontology": [shared], G + "instances": [shared, own], G + "shapes": [rule]})
    assert list(graphs)[-1] == G + "merged" and sorted(graphs[G + "merged"], key=str) == sorted([shared, own], key=str)


def test_from_becomes_parameters_and_from_alone_means_no_named_graphs():
    text, sent = params("PREFIX g: <https://w3id.org/gmg/graph/> SELECT * FROM g:shapes WHERE { ?s ?p 'FROM <x>' }",
                        has_from=True)
    assert "g:shapes" not in text and "'FROM <x>'" in text
    assert sent == [("default-graph-uri", G + "shapes"), ("named-graph-uri", NO_GRAPH)]
    text, sent = params("SELECT * FROM NAMED <graph/shapes> { ?s ?p ?o }", has_from=True)
    assert sent == [("default-graph-uri", NO_GRAPH), ("named-graph-uri", G + "shapes")]


def test_protocol_parameters_win_over_from():
    text, sent = params("SELECT * FROM <http://x> { ?s ?p ?o }", Dataset(named_graph_uris=[G + "metadata"]),
                        has_from=True)
    assert "http://x" not in text
    assert sent == [("default-graph-uri", NO_GRAPH), ("named-graph-uri", G + "metadata")]


def test_escaped_prefixed_names_are_written_out_outside_strings_and_comments():
    assert without_from("SELECT * { }", None)[1:] == ([], [])
    text = "PREFIX id: <https://w3id.org/gmg/id/> ASK { ?s ?p id:section\\/s1 . FILTER(?o != 'id:a\\/b') } # id:c\\/d"
    assert portable(text) == ("PREFIX id: <https://w3id.org/gmg/id/> ASK { ?s ?p <https://w3id.org/gmg/id/section/s1> "
                              ". FILTER(?o != 'id:a\\/b') } # id:c\\/d")


def test_urls_are_derived_for_oxigraph_and_virtuoso():
    ox_ = Endpoints.from_query_url("http://h:7878/query")
    assert (ox_.update, ox_.graph_store) == ("http://h:7878/update", "http://h:7878/store")
    virtuoso = Endpoints.from_query_url("http://h:8890/sparql")
    assert (virtuoso.update, virtuoso.graph_store) == ("http://h:8890/sparql", "http://h:8890/sparql-graph-crud")
    assert Endpoints.from_graph_store_url("http://h:8890/sparql-graph-crud-auth").query == "http://h:8890/sparql"
    with pytest.raises(RemoteConfigError, match="--query-url"):
        Endpoints.from_graph_store_url("http://h/gsp")


def test_credentials_from_the_environment_and_a_file(tmp_path):
    assert read_credentials(environ={}).kind is None
    assert read_credentials(environ={"GMG_STORE_TOKEN": "t"}).kind == "bearer"
    file = tmp_path / "store.env"
    file.write_text("# the store\nGMG_STORE_AUTH=digest\nGMG_STORE_USER=dba\nGMG_STORE_PASSWORD=pw\n")
    creds = read_credentials(file, environ={"GMG_STORE_USER": "other"})
    assert (creds.kind, creds.user, creds.password) == ("digest", "dba", "pw")
    assert "pw" not in creds.describe()
    file.write_text("PASSWORD=x\n")
    with pytest.raises(RemoteConfigError, match="line 1"):
        read_credentials(file, environ={})
    with pytest.raises(RemoteConfigError, match="GMG_STORE_USER"):
        read_credentials(environ={"GMG_STORE_AUTH": "basic"})


def test_chunks_keep_triples_linked_by_blank_nodes_together():
    a, b, c = ox.BlankNode("a"), ox.BlankNode("b"), ox.BlankNode("c")
    p, s = ox.NamedNode("http://p"), ox.NamedNode("http://s")
    triples = [ox.Triple(s, p, a), ox.Triple(a, p, b), ox.Triple(s, p, ox.Literal("x")), ox.Triple(b, p, ox.Literal("y")),
               ox.Triple(s, p, c), ox.Triple(c, p, ox.Literal("z"))]
    parts = list(chunks(triples, 1))
    assert sorted(map(str, (t for part in parts for t in part))) == sorted(map(str, triples))
    for part in parts:
        nodes = {t.value for triple in part for t in (triple.subject, triple.object) if isinstance(t, ox.BlankNode)}
        assert nodes in (set(), {"a", "b"}, {"c"})


def test_stored_booleans_come_back_in_their_canonical_form():
    boolean = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
    one, zero = ox.Literal("1", datatype=boolean), ox.Literal("0", datatype=boolean)
    integer = ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    assert canonical_row([one, zero, integer, None]) == (ox.Literal("true", datatype=boolean),
                                                         ox.Literal("false", datatype=boolean), integer, None)
    s, p = ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p")
    assert canonical_triple(ox.Triple(s, p, one)).object == ox.Literal("true", datatype=boolean)


def local_rows(store: ox.Store, asked: list):
    """The SELECTs RemoteQuads sends, answered by pyoxigraph over `store`'s named graphs (as a
    remote store answers them), each one noted in `asked`."""
    def rows(query: str) -> list[dict]:
        asked.append(query)
        result = store.query(query)
        return [{v.value: row[v.value] for v in result.variables if row[v.value] is not None} for row in result]
    return rows


def test_prefetched_subjects_are_answered_from_one_query():
    """The update check reads the statements of a focus node's values one by one; `prefetch` reads
    them in one request, and each pattern is then answered from it, with the same quads (blank
    nodes' statements read alongside too); a subject with too many statements is asked alone."""
    from gmg.remote import view

    g, p = ox.NamedNode("http://example.org/g"), ox.NamedNode("http://example.org/p")
    store = ox.Store()
    subjects = [ox.NamedNode(f"http://example.org/s{i}") for i in range(5)]
    for i, s in enumerate(subjects):
        for j in range(i + 1):
            store.add(ox.Quad(s, p, ox.Literal(f"v{j}"), g))
    blank = ox.BlankNode()
    store.add(ox.Quad(subjects[0], p, blank, g))
    store.add(ox.Quad(blank, p, ox.Literal("inside"), g))
    many = ox.NamedNode("http://example.org/many")
    for j in range(view.PAGE + 1):
        store.add(ox.Quad(many, p, ox.Literal(f"m{j}"), g))

    asked: list = []
    quads = view.RemoteQuads(local_rows(store, asked))
    quads.prefetch(subjects)
    assert len(asked) == 1
    for s in subjects:
        assert set(quads.quads_for_pattern(s)) == set(store.quads_for_pattern(s, None, None, None))
    assert len(asked) == 1  # (answered from the one query)
    inner = next(q for q in quads.quads_for_pattern(subjects[0]) if isinstance(q.object, ox.BlankNode)).object
    assert [q.object for q in quads.quads_for_pattern(inner)] == [ox.Literal("inside")]

    asked.clear()
    quads.prefetch([many, subjects[1]])  # (PAGE statements or more: not kept as whole)
    assert len(asked) == 1
    assert len(list(quads.quads_for_pattern(many))) == view.PAGE + 1 and len(asked) > 1


def test_incoming_statements_and_narrower_patterns_are_answered_from_what_was_read():
    """`prefetch_incoming` reads the statements pointing at several objects through several
    predicates in one query; a narrower pattern (a predicate of a prefetched subject, a graph's
    part) is answered from what was read; an answer read whole is kept even if its reader
    stopped at its first quad."""
    from gmg.remote import view

    g, h = ox.NamedNode("http://example.org/g"), ox.NamedNode("http://example.org/h")
    p, q = ox.NamedNode("http://example.org/p"), ox.NamedNode("http://example.org/q")
    a, b, c = (ox.NamedNode(f"http://example.org/{n}") for n in "abc")
    store = ox.Store()
    for quad in (ox.Quad(a, p, b, g), ox.Quad(c, p, b, h), ox.Quad(a, q, b, g), ox.Quad(a, p, c, g),
                 ox.Quad(b, q, ox.Literal("x"), g)):
        store.add(quad)
    asked: list = []
    quads = view.RemoteQuads(local_rows(store, asked))
    quads.prefetch_incoming([(p, b), (q, b), (q, c)])
    assert len(asked) == 1
    for predicate, obj in [(p, b), (q, b), (q, c)]:
        assert set(quads.quads_for_pattern(None, predicate, obj)) == set(store.quads_for_pattern(None, predicate, obj))
    assert set(quads.quads_for_pattern(None, p, b, h)) == {ox.Quad(c, p, b, h)}
    assert set(quads.quads_for_pattern(a, p, b)) == {ox.Quad(a, p, b, g)}
    quads.prefetch([a])
    assert set(quads.quads_for_pattern(a, p, None)) == {ox.Quad(a, p, b, g), ox.Quad(a, p, c, g)}
    assert len(asked) == 2
    next(quads.quads_for_pattern(b, None, None))  # (read whole, though only its first quad is taken)
    assert list(quads.quads_for_pattern(b, None, None)) == [ox.Quad(b, q, ox.Literal("x"), g)]
    assert len(asked) == 3
