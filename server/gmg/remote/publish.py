"""`gmg publish`: push the named graphs of a built store into a remote store (Graph Store Protocol).

Besides gmg's named graphs, two graphs gmg keeps in a store are sent after them: the
merged default graph (iris.MERGED_GRAPH), so that queries over the default graph see
each triple once, as on the embedded store (sent again whenever a graph it merges is),
and last the mark of this change (iris.CHANGES_GRAPH), which tells replicas to rebuild
their caches.

Each graph is replaced: its first chunk is PUT (which empties the graph first),
the others POSTed (added). Then its triples are counted through the store's SPARQL
query endpoint and compared with the local count. Re-running replaces each graph
again, so it is idempotent, and a graph that failed can be sent again alone
(`--graph NAME`). Triples that share a blank node always travel in the same chunk:
a store gives every request's blank nodes fresh identities.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

import httpx
import pyoxigraph as ox

from ..iris import GRAPH, MERGED_GRAPH, NAME_ONLY_GRAPHS
from .endpoints import Credentials, Endpoints
from .updates import DATASET, MODIFIED, modified_now

CHUNK_TRIPLES = 50_000
ATTEMPTS = 3  # per request, for failures that may pass (no connection, 5xx)
TURTLE = "text/turtle; charset=utf-8"  # N-Triples lines are Turtle too, and every store reads Turtle


@dataclass
class GraphResult:
    graph: str
    expected: int
    found: int | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.found == self.expected


def graphs_of(store) -> dict[str, list]:
    """The triples of each named graph of a GraphStore (quads in its default graph are left out)."""
    graphs: dict[str, list] = {}
    for quad in ox.parse(store.dump(), format=ox.RdfFormat.N_QUADS):
        if isinstance(quad.graph_name, ox.DefaultGraph):
            continue
        graphs.setdefault(quad.graph_name.value, []).append(quad.triple)
    return dict(sorted(graphs.items()))


def with_merged(graphs: dict[str, list]) -> dict[str, list]:
    """The graphs and, last, the merged default graph of those that are not name-only (iris.MERGED_GRAPH)."""
    merged = {t for graph, triples in graphs.items() if graph not in NAME_ONLY_GRAPHS for t in triples}
    return {**graphs, str(MERGED_GRAPH): sorted(merged, key=str)}


def changes_graph() -> list:
    """The graph of the store's mark of its last change, set to now (updates.py): sent last, so that
    replicas that see the new mark find the rest in place."""
    return [ox.Triple(ox.NamedNode(DATASET), ox.NamedNode(MODIFIED), modified_now())]


def graph_name(name: str) -> str:
    """`instances` -> https://w3id.org/gmg/graph/instances; an IRI stays as it is."""
    return name if ":" in name else str(GRAPH[name])


def _blank_nodes(triple) -> list[str]:
    return [t.value for t in (triple.subject, triple.object) if isinstance(t, ox.BlankNode)]


def chunks(triples: list, size: int) -> Iterator[list]:
    """Groups of about `size` triples; triples linked through blank nodes stay together."""
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for triple in triples:
        nodes = _blank_nodes(triple)
        for other in nodes[1:]:
            parent[root(other)] = root(nodes[0])
    groups: dict[str, list] = {}
    chunk: list = []
    for triple in triples:
        nodes = _blank_nodes(triple)
        if nodes:
            groups.setdefault(root(nodes[0]), []).append(triple)
            continue
        chunk.append(triple)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    for group in groups.values():
        chunk.extend(group)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def ntriples(triples: Iterable) -> bytes:
    return "".join(f"{t} .\n" for t in triples).encode("utf-8")


class Progress:
    """A progress bar on a terminal; one line per graph otherwise."""

    def __init__(self, stream=sys.stderr):
        self.stream = stream
        self.live = hasattr(stream, "isatty") and stream.isatty()

    def update(self, graph: str, done: int, total: int) -> None:
        if not self.live:
            return
        width = 30
        filled = width * done // max(total, 1)
        self.stream.write(f"\r{_short(graph)} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} triples")
        self.stream.flush()

    def finish(self, result: GraphResult) -> None:
        if self.live:
            self.stream.write("\r\033[K")
        if result.ok:
            line = f"{_short(result.graph)}: {result.expected} triples sent and counted in the store"
        else:
            line = f"{_short(result.graph)}: FAILED: {result.error}"
        self.stream.write(line + "\n")
        self.stream.flush()


def _short(graph: str) -> str:
    return graph.removeprefix(str(GRAPH))


class PublishError(Exception):
    pass


def _send(client: httpx.Client, method: str, url: str, graph: str, body: bytes) -> None:
    """One request, tried again after a failure that may pass; PublishError with what to do otherwise."""
    for attempt in range(ATTEMPTS):
        try:
            response = client.request(method, url, params={"graph": graph}, content=body,
                                      headers={"Content-Type": TURTLE})
        except httpx.TransportError as err:
            problem = f"{url} cannot be reached ({type(err).__name__}: {err})"
        else:
            if response.status_code < 300:
                return
            problem = f"{method} {url} answered {response.status_code}: {_excerpt(response.text)}"
            if response.status_code in (401, 403):
                raise PublishError(problem + " — check the credentials (GMG_STORE_USER, GMG_STORE_PASSWORD, "
                                             "GMG_STORE_TOKEN, GMG_STORE_AUTH or --credentials FILE)")
            if response.status_code < 500:
                raise PublishError(problem)
        if attempt + 1 < ATTEMPTS:
            time.sleep(0.5 * 2 ** attempt)
    raise PublishError(problem)


def _excerpt(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def count(client: httpx.Client, query_url: str, graph: str) -> int:
    """The triples of one named graph, counted by the store."""
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    try:
        response = client.post(query_url, data={"query": query},
                               headers={"Accept": "application/sparql-results+json"})
    except httpx.TransportError as err:
        raise PublishError(f"{query_url} cannot be reached to count the triples ({err})") from None
    if response.status_code >= 300:
        raise PublishError(f"counting the triples at {query_url} failed ({response.status_code}): "
                           f"{_excerpt(response.text)}")
    bindings = response.json()["results"]["bindings"]
    return int(bindings[0]["n"]["value"]) if bindings else 0


def publish_graph(client: httpx.Client, endpoints: Endpoints, graph: str, triples: list,
                  chunk_triples: int = CHUNK_TRIPLES,
                  progress: Callable[[str, int, int], None] = lambda *_: None) -> GraphResult:
    result = GraphResult(graph, len(set(triples)))
    done = 0
    try:
        parts = list(chunks(triples, chunk_triples)) or [[]]  # an empty graph is PUT empty
        for index, part in enumerate(parts):
            _send(client, "PUT" if index == 0 else "POST", endpoints.graph_store, graph, ntriples(part))
            done += len(part)
            progress(graph, done, len(triples))
        result.found = count(client, endpoints.query, graph)
        if result.found != result.expected:
            result.error = (f"the store holds {result.found} triples in the graph after the upload, "
                            f"not {result.expected}")
    except PublishError as err:
        result.error = str(err)
    return result


def publish(graphs: dict[str, list], endpoints: Endpoints, credentials: Credentials = Credentials(), *,
            chunk_triples: int = CHUNK_TRIPLES, timeout: float = 300.0,
            progress: Progress | None = None) -> list[GraphResult]:
    """Replace each graph in the remote store and count it there; one result per graph."""
    progress = progress or Progress()
    results = []
    with httpx.Client(auth=credentials.auth(), timeout=timeout) as client:
        for graph, triples in graphs.items():
            result = publish_graph(client, endpoints, graph, triples, chunk_triples, progress.update)
            progress.finish(result)
            results.append(result)
    return results
