"""Run one SPARQL query against a store and produce the answer as a head and body chunks.

No HTTP here: the engine worker, the CLI and tests call `answer()`. pyoxigraph's
result iterators are bound to the thread that made them, so evaluation and
serialisation both happen in the caller's thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

import pyoxigraph as ox

from .formats import GRAPH, RESULTS, Format, negotiate
from .results import WRITERS, chunked, serialize_native, solutions
from .store import GraphStore

TRUNCATED_HEADER = "Gmg-Results-Truncated"


class QueryError(ValueError):
    """The query cannot be run as written; str() is the parser's or engine's message."""


@dataclass(frozen=True)
class Dataset:
    """The SPARQL Protocol's dataset parameters (None: not given)."""

    default_graph_uris: list[str] | None = None
    named_graph_uris: list[str] | None = None


@dataclass(frozen=True)
class QueryRequest:
    text: str
    dataset: Dataset = Dataset()
    base_iri: str | None = None
    accept: str | None = None
    format: str | None = None
    has_dataset_clause: bool = False
    max_rows: int = 100_000


@dataclass
class Head:
    """What is known before the body: the kind, the format and whether rows were cut."""

    kind: str  # RESULTS or GRAPH
    format: Format
    truncated: bool = False
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        if self.truncated:
            self.headers[TRUNCATED_HEADER] = "true"


def kind_of(result) -> str:
    return GRAPH if isinstance(result, ox.QueryTriples) else RESULTS


def answer(store: GraphStore, request: QueryRequest) -> tuple[Head, Iterator[bytes]]:
    """Evaluate and start serialising; the body iterator must be consumed in this thread."""
    try:
        result = store.query(
            request.text,
            default_graph_uris=request.dataset.default_graph_uris,
            named_graph_uris=request.dataset.named_graph_uris,
            use_query_dataset=request.has_dataset_clause,
            base_iri=request.base_iri,
        )
        fmt = negotiate(request.accept, kind_of(result), request.format)  # NotAcceptable -> 406
        if isinstance(result, ox.QuerySolutions):
            variables, rows, truncated = solutions(result, request.max_rows)
            body = chunked(WRITERS[fmt.name](variables, rows))
            return Head(RESULTS, fmt, truncated), body
        return Head(kind_of(result), fmt), serialize_native(result, fmt.oxigraph)
    except SyntaxError as err:
        raise QueryError(f"SPARQL syntax error: {err}") from err
    except (ValueError, OSError) as err:
        raise QueryError(f"Query failed: {err}") from err


def execute(store: GraphStore, request: QueryRequest) -> tuple[Head, bytes]:
    """The whole answer at once (CLI, tests)."""
    head, body = answer(store, request)
    return head, b"".join(body)
