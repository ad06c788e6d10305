"""Run one SPARQL query against the store and serialise the answer (no HTTP here)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from .formats import GRAPH, RESULTS, Format, negotiate
from .store import GraphStore


class QueryError(ValueError):
    """The query cannot be run as written; str() is the parser's or engine's message."""


@dataclass(frozen=True)
class Dataset:
    """The SPARQL Protocol's dataset parameters (None: not given)."""

    default_graph_uris: list[str] | None = None
    named_graph_uris: list[str] | None = None


@dataclass
class Answer:
    kind: str  # RESULTS or GRAPH
    format: Format
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def kind_of(result) -> str:
    return GRAPH if isinstance(result, ox.QueryTriples) else RESULTS


def execute(
    store: GraphStore,
    text: str,
    *,
    dataset: Dataset = Dataset(),
    base_iri: str | None = None,
    accept: str | None = None,
    format: str | None = None,
    has_dataset_clause: bool = False,
) -> Answer:
    """Parse, evaluate and serialise in one call.

    pyoxigraph's result iterators are bound to the thread that made them, so the
    serialisation happens here, in the caller's (worker) thread.
    """
    try:
        result = store.query(
            text,
            default_graph_uris=dataset.default_graph_uris,
            named_graph_uris=dataset.named_graph_uris,
            use_query_dataset=has_dataset_clause,
            base_iri=base_iri,
        )
    except SyntaxError as err:
        raise QueryError(f"SPARQL syntax error: {err}") from err
    except (ValueError, OSError) as err:
        raise QueryError(f"Query failed: {err}") from err
    kind = kind_of(result)
    fmt = negotiate(accept, kind, format)  # NotAcceptable propagates (406)
    try:
        body = result.serialize(format=fmt.oxigraph)
    except (ValueError, OSError) as err:
        raise QueryError(f"Query failed during evaluation: {err}") from err
    return Answer(kind=kind, format=fmt, body=body)
