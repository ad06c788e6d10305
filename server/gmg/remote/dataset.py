"""gmg's dataset rules, said to a remote store as SPARQL Protocol parameters.

Stores disagree on what the default graph of a query is (the Oxigraph server: its
own default graph, empty here; Virtuoso: every graph it holds, its system graphs
included; Fuseki and GraphDB: configurable). So gmg never leaves it to them: every
query goes with explicit `default-graph-uri` and `named-graph-uri` parameters,
except one whose FROM / FROM NAMED gmg's rules let decide.

  1. the client's `default-graph-uri` / `named-graph-uri`: exactly those (one list
     given and not the other: the other is empty);
  2. else the query's FROM / FROM NAMED: sent as written, no parameters;
  3. else gmg's default dataset: the default graph is the union of gmg's graphs
     except the shapes and metadata graphs; every gmg graph is there by name.

An empty list is said with a graph no store holds (the protocol has no other way:
no parameter at all would mean "the store's default").
"""

from __future__ import annotations

from ..iris import NAME_ONLY_GRAPHS
from ..query import QueryRequest

NO_GRAPH = "urn:x-gmg:no-graph"  # a graph IRI no store holds: stands for "none"


def protocol_dataset(request: QueryRequest, graphs: list[str]) -> list[tuple[str, str]]:
    """The `default-graph-uri` / `named-graph-uri` parameters of one query (none: its FROM decides)."""
    given = request.dataset
    if given.default_graph_uris is not None or given.named_graph_uris is not None:
        default, named = given.default_graph_uris or [], given.named_graph_uris or []
    elif request.has_dataset_clause:
        return []
    else:
        default, named = [g for g in graphs if g not in NAME_ONLY_GRAPHS], list(graphs)
    return ([("default-graph-uri", g) for g in default or [NO_GRAPH]]
            + [("named-graph-uri", g) for g in named or [NO_GRAPH]])


def with_base(text: str, base_iri: str | None) -> str:
    """Relative IRIs resolve against gmg's base, not the store's: say it in the query.

    (A query's own BASE comes later in its prologue and wins, as in the embedded store.)
    """
    return f"BASE <{base_iri}>\n{text}" if base_iri else text
