"""The query default graph materialised as one graph: the same answers as the union, never stale."""

from __future__ import annotations

import json
import time

import pytest

from gmg.paths import default_data_dir
from gmg.query import QueryRequest, execute
from gmg.querytext import inspect
from gmg.store import open_store

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
