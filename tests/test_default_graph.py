"""The query default graph materialised as one graph: the same answers as the union, never stale."""

from __future__ import annotations

import json
import random
import time

import pytest
from pyoxigraph import BlankNode as ox_blank, Literal, NamedNode as ox_graph, Quad

from gmg.delta import Delta
from gmg.paths import default_data_dir
from gmg.query import QueryRequest, execute
from gmg.querytext import inspect
from gmg.store import open_store
from gmg.update import UpdateRefused, apply, prepare_change
from test_incremental_validation import COUNT, SEED, _updates, world  # noqa: F401 (world: a fixture)

JSON = "application/sparql-results+json"
INSTANCES = "https://w3id.org/gmg/graph/instances"


def rows(store, text: str, **kwargs) -> list[str]:
    _, body = execute(store, QueryRequest(text, accept=JSON, **kwargs))
    answer = json.loads(body)
    if "boolean" in answer:
        return [str(answer["boolean"])]
    return sorted(json.dumps(row, sort_keys=True) for row in answer["results"]["bindings"])


def materialised(store, timeout: float = 30.0):
    store.materialise_default_graph()
    deadline = time.monotonic() + timeout
    while store._default_view.current() is None:
        assert time.monotonic() < deadline, "the default graph was not materialised"
        time.sleep(0.02)
    return store._default_view.current()


@pytest.fixture(scope="module")
def queries() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in default_data_dir().files("queries", "*.rq")}


def test_every_query_answers_the_same_from_the_materialised_graph(queries):
    store = open_store(default_data_dir())
    union = {name: rows(store, text, default_graph_only=False) for name, text in queries.items()}
    materialised(store)
    for name, text in queries.items():
        assert rows(store, text, default_graph_only=not inspect(text).names_graphs) == union[name], name


def test_the_first_copy_does_not_wait_for_the_store_to_be_quiet(monkeypatch):
    """The quiet wait is for streams of updates: at start the copy is made at once, even though the
    store was loaded a moment ago (`gmg serve` without --store builds it in memory), so the first
    queries read the merge, not the union."""
    monkeypatch.setattr("gmg.defaultgraph.QUIET", 3600.0)
    store = open_store(default_data_dir())
    assert time.monotonic() - store.last_write < 3600.0  # (the load counts as a write)
    assert {q.triple for q in materialised(store)} == merge_of(store)


def test_an_update_is_seen_by_the_next_query_at_once_and_the_copy_follows():
    store = open_store(default_data_dir())
    before = materialised(store)
    ask = "ASK { <https://w3id.org/gmg/id/world-bank> <http://www.w3.org/2004/02/skos/core#altLabel> 'a label only this test gives'@en }"
    assert rows(store, ask) == ["False"]
    store.update(f"INSERT DATA {{ GRAPH <{INSTANCES}> {{ <https://w3id.org/gmg/id/world-bank> "
                 "<http://www.w3.org/2004/02/skos/core#altLabel> 'a label only this test gives'@en } }")
    assert rows(store, ask) == ["True"]  # no wait: the stale copy is not used
    after = materialised(store)
    assert after is not before
    assert rows(store, ask) == ["True"]


def test_the_copy_is_not_used_during_a_write():
    store = open_store(default_data_dir())
    materialised(store)
    with store._writing():
        assert store._default_view.current() is None


def test_queries_that_name_a_graph_see_the_named_graphs():
    store = open_store(default_data_dir())
    materialised(store)
    text = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{INSTANCES}> {{ ?s ?p ?o }} }}"
    assert inspect(text).names_graphs
    assert rows(store, text) != [json.dumps({"n": {"datatype": "http://www.w3.org/2001/XMLSchema#integer",
                                                   "type": "literal", "value": "0"}}, sort_keys=True)]
    # a text with the word only in a comment reads the default graph alone
    assert not inspect("SELECT * WHERE { ?s ?p ?o } # not a graph").names_graphs
    assert inspect("SELECT * WHERE { ?s ?p ?o }GRAPH:x{}").names_graphs  # glued: counted


def test_a_store_above_the_limit_answers_from_the_union():
    """Past --materialise-limit quads no copy is made (it would cost minutes of CPU at ten million),
    and queries read the union, which counts the three triples two graphs both hold twice."""
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    small = open_store(default_data_dir())
    materialised(small)
    copied = rows(small, count, default_graph_only=True)
    large = open_store(default_data_dir())
    large.materialise_default_graph(limit=len(large) - 1)
    time.sleep(0.5)  # (a copy would be under way by now)
    assert large._default_view is None
    union = rows(large, count, default_graph_only=True)
    assert union != copied
    assert union == rows(large, count, default_graph_only=False)


def merge_of(store) -> set:
    """The query default graph as it should be: the set of triples of the graphs it merges."""
    return {q.triple for g in store.default_dataset() for q in store.raw.quads_for_pattern(None, None, None, g)}


def test_the_copy_follows_each_update_whose_change_is_known(monkeypatch):
    """The change the update's check works out is made to the copy inside the write: the copy
    is current at once (not made again) and holds the merge, also where two graphs share a
    triple and one of them lets it go."""
    store = open_store(default_data_dir())
    copy = materialised(store)
    shared = next(q.triple for q in store.raw.quads_for_pattern(None, None, None, ox_graph(INSTANCES))
                  if not isinstance(q.subject, ox_blank) and not isinstance(q.object, ox_blank))
    other = "http://example.org/another-graph"
    label = "<https://w3id.org/gmg/id/world-bank> <http://www.w3.org/2000/01/rdf-schema#label> 'followed'@en"
    updates = [
        f"INSERT DATA {{ GRAPH <{INSTANCES}> {{ {label} }} }}",
        f"INSERT DATA {{ GRAPH <{other}> {{ {shared} }} }}",  # now held by two graphs
        f"DELETE DATA {{ GRAPH <{INSTANCES}> {{ {shared} }} }}",  # still in the merge: the other holds it
        "DELETE { GRAPH ?g { ?s ?p 'followed'@en } } INSERT { GRAPH ?g { ?s ?p 'followed again'@en } } "
        "WHERE { GRAPH ?g { ?s ?p 'followed'@en } }",
        f"DELETE DATA {{ GRAPH <{other}> {{ {shared} }} }}",  # gone from the merge
    ]
    for text in updates:
        _, change = prepare_change(store, text)
        apply(store, text, change=change)
        assert store._default_view.current() is copy, text  # current at once, the same copy
        assert {q.triple for q in copy} == merge_of(store), text
    assert shared not in merge_of(store)
    # A copy asked for meanwhile (a reader during a write) finds the copy current, and makes none.
    monkeypatch.setattr("gmg.defaultgraph.QUIET", 0.0)
    store._default_view.refresh()
    deadline = time.monotonic() + 10
    while store._default_view._building:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert store._default_view.current() is copy


def test_the_copy_follows_an_update_that_deletes_a_stored_blank_node():
    """The blank nodes an update deletes are the store's own (found by its WHERE), with the labels
    the copy shares: such a change is made to the copy too."""
    store = open_store(default_data_dir())
    copy = materialised(store)
    text = (f"DELETE {{ GRAPH <{INSTANCES}> {{ ?axiom ?p ?o }} }} WHERE {{ GRAPH <{INSTANCES}> {{ ?axiom "
            "<https://w3id.org/gmg/ontology#statement> "
            "<https://w3id.org/gmg/id/statement/mirpal-video-conferences-audience-migration-practitioners-1> ; "
            "?p ?o FILTER (isBlank(?axiom)) } }")
    _, change = prepare_change(store, text)
    assert change.deleted and all(isinstance(q.subject, ox_blank) for q in change.deleted)
    apply(store, text, change=change)
    assert store._default_view.current() is copy
    assert {q.triple for q in copy} == merge_of(store)


def test_a_change_the_store_does_not_hold_as_said_leaves_the_copy_to_be_made_again():
    store = open_store(default_data_dir())
    materialised(store)
    text = f"INSERT DATA {{ GRAPH <{INSTANCES}> {{ <http://example.org/a> <http://example.org/p> 'said' }} }}"
    _, change = prepare_change(store, text)
    wrong = Delta(frozenset(Quad(q.subject, q.predicate, Literal("not said"), q.graph_name) for q in change.inserted),
                  frozenset())
    apply(store, text, change=wrong)
    assert store._default_view.current() is None
    assert {q.triple for q in materialised(store)} == merge_of(store)


def test_an_update_that_makes_a_blank_node_leaves_the_copy_to_be_made_again():
    store = open_store(default_data_dir())
    before = materialised(store)
    text = f"INSERT DATA {{ GRAPH <{INSTANCES}> {{ _:made <http://www.w3.org/2000/01/rdf-schema#label> 'b' }} }}"
    _, change = prepare_change(store, text)
    apply(store, text, change=change)
    assert store._default_view.current() is None  # (its label is the store's to choose)
    after = materialised(store)
    assert after is not before and {q.triple for q in after} == merge_of(store)


def test_the_copy_stays_the_merge_through_the_differential_tests_updates(world, monkeypatch):
    """The seeded updates of tests/test_incremental_validation.py (data, WHERE templates over
    several graphs, sequences, DROP, the long way, blank nodes), applied one after another: after
    each, the copy answers at once where the change was known, and holds the merge either way."""
    monkeypatch.setattr("gmg.defaultgraph.QUIET", 0.0)  # (a copy left behind is made again at once)
    _, fixture_store, base, _, fixtures = world
    store = fixture_store.copy()
    materialised(store)
    followed = 0
    for kind, text in _updates(base, fixtures, random.Random(SEED)):
        try:
            prepared = prepare_change(store, text)
        except UpdateRefused:  # a protected graph: refused before anything is written
            continue
        apply(store, text, change=prepared[1] if prepared else None)
        copy = store._default_view.current()
        followed += copy is not None
        assert {q.triple for q in (copy or materialised(store))} == merge_of(store), (kind, text)
    assert followed > COUNT // 2
