"""Run one SPARQL query against a store and produce the answer as a head and body chunks.

No HTTP here: the engine worker, the CLI and tests call `answer()`. pyoxigraph's
result iterators are bound to the thread that made them, so evaluation and
serialisation both happen in the caller's thread.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Iterator

import pyoxigraph as ox

from .formats import GRAPH, RESULTS, Format, negotiate
from .results import WRITERS, capped, chunked, serialize_native, small_json
from .store import GraphStore

TRUNCATED_HEADER = "Gmg-Results-Truncated"
LIMIT_HEADER = "Gmg-Results-Limit"  # on every SELECT answer: the row cap, announced before the rows


class QueryError(ValueError):
    """The query cannot be run as written; str() is the parser's or engine's message."""


@dataclass(frozen=True)
class Dataset:
    """The SPARQL Protocol's dataset parameters (None: not given)."""

    default_graph_uris: list[str] | None = None
    named_graph_uris: list[str] | None = None

    def __reduce__(self):  # (see QueryRequest.__reduce__)
        return Dataset, (self.default_graph_uris, self.named_graph_uris)


@dataclass(frozen=True)
class QueryRequest:
    text: str
    dataset: Dataset = Dataset()
    base_iri: str | None = None
    accept: str | None = None
    format: str | None = None
    has_dataset_clause: bool = False
    max_rows: int = 100_000
    # the text names no graph (no GRAPH keyword): True or False from the lexer; None: not
    # known, and the engine looks for the word "graph" anywhere in the text (comments too)
    default_graph_only: bool | None = None
    # the query sorts or groups (ORDER BY, GROUP BY), from the lexer's keywords; None: not known
    sorts_or_groups: bool | None = None

    def __reduce__(self):
        """Pickled as its fields, in order: the generic way for dataclasses costs ten times as
        much, and every query crosses the engine's pipe this way."""
        return QueryRequest, (self.text, self.dataset, self.base_iri, self.accept, self.format,
                              self.has_dataset_clause, self.max_rows, self.default_graph_only, self.sorts_or_groups)

    def reads_default_graph_only(self) -> bool:
        if self.default_graph_only is not None:
            return self.default_graph_only
        return "GRAPH" not in self.text.upper()

    def finds_all_rows_first(self) -> bool:
        """Whether the query may sort or group: its first row comes only once every row is found,
        so a long answer is not tried in one piece first (finding them all again would double its
        time). Where the lexer has not said (None), the words count anywhere in the text, in a
        string or a comment too: such an answer is merely written the slower way."""
        if self.sorts_or_groups is not None:
            return self.sorts_or_groups
        upper = self.text.upper()
        return "ORDER" in upper or "GROUP" in upper


@dataclass
class Head:
    """What is known before the body: the kind, the format and whether rows were cut.

    A SELECT answer streams: whether it was cut is known only when the row past the
    cap is reached. The engine holds back the head until the first part of the body
    is written (engine/worker.py), so an answer cut within that part says so in its
    headers; a longer one carries only the cap (LIMIT_HEADER).
    """

    kind: str  # RESULTS or GRAPH
    format: Format
    truncated: bool = False
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        if self.truncated:
            self.mark_truncated()

    def mark_truncated(self) -> None:
        self.truncated = True
        self.headers[TRUNCATED_HEADER] = "true"


def kind_of(result) -> str:
    return GRAPH if isinstance(result, ox.QueryTriples) else RESULTS


def answer(store: GraphStore, request: QueryRequest) -> tuple[Head, Iterator[bytes]]:
    """Evaluate and start serialising; the body iterator must be consumed in this thread."""
    try:
        result = evaluate(store, request)
        fmt = negotiate(request.accept, kind_of(result), request.format)  # NotAcceptable -> 406
        if isinstance(result, ox.QuerySolutions):
            head = Head(RESULTS, fmt, headers={LIMIT_HEADER: str(request.max_rows)})
            if fmt.name == "json" and not request.finds_all_rows_first() and request.text not in LONG_ANSWERS:
                whole = small_json(result, request.max_rows)
                if whole is not None:
                    return head, iter((whole,))
                LONG_ANSWERS.add(request.text)
                result = evaluate(store, request)  # (too long for one piece: again, row by row)
            variables = [v.value for v in result.variables]
            rows = capped(result, request.max_rows, head.mark_truncated)
            return head, chunked(WRITERS[fmt.name](variables, rows))
        return Head(kind_of(result), fmt), serialize_native(result, fmt.oxigraph)
    except SyntaxError as err:
        raise QueryError(f"SPARQL syntax error: {err}") from err
    except (ValueError, OSError) as err:
        raise QueryError(f"Query failed: {err}") from err


def evaluate(store: GraphStore, request: QueryRequest):
    return store.query(
        request.text,
        default_graph_uris=request.dataset.default_graph_uris,
        named_graph_uris=request.dataset.named_graph_uris,
        use_query_dataset=request.has_dataset_clause,
        base_iri=request.base_iri,
        default_graph_only=request.reads_default_graph_only(),
    )


class TextsRemembered:
    """A bounded set of short query texts (from any thread): past `size`, the oldest is forgotten."""

    def __init__(self, size: int, longest: int):
        self._texts: dict[str, None] = {}
        self._size, self._longest = size, longest
        self._lock = threading.Lock()

    def __contains__(self, text: str) -> bool:
        return text in self._texts

    def add(self, text: str) -> None:
        if len(text) > self._longest:
            return
        with self._lock:
            self._texts[text] = None
            while len(self._texts) > self._size:
                del self._texts[next(iter(self._texts))]


# The texts whose answers were too long for one piece (small_json): each is tried so once, and
# then written row by row from the start, so a long answer's rows are found twice once at most.
LONG_ANSWERS = TextsRemembered(size=1024, longest=4096)


def execute(store: GraphStore, request: QueryRequest) -> tuple[Head, bytes]:
    """The whole answer at once (CLI, tests)."""
    head, body = answer(store, request)
    return head, b"".join(body)
