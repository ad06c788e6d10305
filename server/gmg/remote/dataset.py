"""gmg's dataset rules, said to a remote store as SPARQL Protocol parameters.

Stores disagree on what the default graph of a query is (the Oxigraph server: its
own default graph, empty here; Virtuoso: every graph it holds, its system graphs
included; Fuseki and GraphDB: configurable). So gmg never leaves it to them: every
query goes with explicit `default-graph-uri` and `named-graph-uri` parameters,
except one whose FROM / FROM NAMED gmg's rules let decide.

  1. the client's `default-graph-uri` / `named-graph-uri`: exactly those (one list
     given and not the other: the other is empty);
  2. else the query's FROM / FROM NAMED, taken out of the text and sent as the
     parameters (FROM alone: no named graphs; FROM NAMED alone: an empty default
     graph — Virtuoso would otherwise add its own);
  3. else gmg's default dataset: the default graph is the merge of gmg's graphs
     except the shapes and metadata graphs — the merged graph `gmg publish` keeps
     (iris.MERGED_GRAPH) where the store holds it, else those graphs themselves,
     whose shared triples a store then counts once per graph; every gmg graph is
     there by name.

An empty list is said with a graph no store holds (the protocol has no other way:
no parameter at all would mean "the store's default").
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from ..iris import NAME_ONLY_GRAPHS
from ..query import QueryRequest
from .dialect import PREFIX_DECL, _code_spans

FROM_CLAUSE = re.compile(r"\bFROM\s+(NAMED\s+)?(?:<([^<>\s]*)>|([A-Za-z][\w.-]*)?:([\w.-]*))", re.IGNORECASE)

NO_GRAPH = "urn:x-gmg:no-graph"  # a graph IRI no store holds: stands for "none"


def without_from(text: str, base_iri: str | None) -> tuple[str, list[str], list[str]]:
    """The query text without its FROM and FROM NAMED clauses, and the graphs they named."""
    code = [(start, end) for start, end, is_code in _code_spans(text) if is_code]
    prefixes = {m.group(1) or "": m.group(2) for m in PREFIX_DECL.finditer(text)}
    default, named, cuts = [], [], []
    for match in FROM_CLAUSE.finditer(text):
        if not any(start <= match.start() < end for start, end in code):
            continue  # (inside a string or a comment)
        iri = match.group(2)
        if iri is None:
            if (match.group(3) or "") not in prefixes:
                continue  # (not a dataset clause gmg can read: left to the store)
            iri = prefixes[match.group(3) or ""] + match.group(4)
        iri = urljoin(base_iri, iri) if base_iri else iri
        (named if match.group(1) else default).append(iri)
        cuts.append((match.start(), match.end()))
    for start, end in reversed(cuts):
        text = text[:start] + " " + text[end:]
    return text, default, named


def protocol_dataset(request: QueryRequest, graphs: list[str], merged: str | None = None
                     ) -> tuple[str, list[tuple[str, str]]]:
    """The query text to send and its `default-graph-uri` / `named-graph-uri` parameters
    (`merged`: the merged default graph, where the store holds one)."""
    given = request.dataset
    text = request.text
    if request.has_dataset_clause:  # the parameters win over FROM, and FROM over gmg's default
        text, default, named = without_from(text, request.base_iri)
    if given.default_graph_uris is not None or given.named_graph_uris is not None:
        default, named = given.default_graph_uris or [], given.named_graph_uris or []
    elif request.has_dataset_clause:
        if not default and not named:  # (no clause gmg could read: the store's own default graph, gmg's graphs)
            named = list(graphs)
    else:
        default, named = [merged] if merged else [g for g in graphs if g not in NAME_ONLY_GRAPHS], list(graphs)
    return text, ([("default-graph-uri", g) for g in default or [NO_GRAPH]]
                  + [("named-graph-uri", g) for g in named or [NO_GRAPH]])


def with_base(text: str, base_iri: str | None) -> str:
    """Relative IRIs resolve against gmg's base, not the store's: say it in the query.

    (A query's own BASE comes later in its prologue and wins, as in the embedded store.)
    """
    return f"BASE <{base_iri}>\n{text}" if base_iri else text


def checking_query(query: str, base_iri: str | None, graphs: list[str]) -> tuple[str, list[tuple[str, str]]]:
    """A query gmg itself sends while checking an update, and its dataset parameters: it sees the
    store as an update does (gmg's graphs by name, an empty default graph) unless its FROM says."""
    text, default, named = without_from(query, base_iri)
    if not default and not named:
        named = list(graphs)
    return with_base(text, base_iri), ([("default-graph-uri", g) for g in default or [NO_GRAPH]]
                                       + [("named-graph-uri", g) for g in named or [NO_GRAPH]])
