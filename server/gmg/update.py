"""Updates that cannot break the published data.

Every write (a SPARQL update or a Graph Store operation, which is turned into
one) is first applied to a copy of the store; the copy is validated against the
shapes and ontology read from the source files (never from the store); only then
is the same update applied to the store, in one `Store.update` call. Readers
never see a refused change, and the store is left exactly as it was.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import Graph

from .iris import INFERRED_GRAPH, METADATA_GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH
from .sources import Sources
from .store import GraphStore

if TYPE_CHECKING:
    from .validate import Report

JOURNAL = "journal.jsonl"  # beside the store's RocksDB folder

# Graphs that come from the source files (or the build): never written over HTTP.
PROTECTED_GRAPHS = frozenset(str(g) for g in (ONTOLOGY_GRAPH, SHAPES_GRAPH, INFERRED_GRAPH, METADATA_GRAPH))


class UpdateRefused(Exception):
    """The update was not applied: status (400, 403, 422), a message and, for 422, the report."""

    def __init__(self, status: int, message: str, report: Report | None = None):
        super().__init__(message)
        self.status, self.message, self.report = status, message, report


def check_and_apply(store: GraphStore, text: str, sources: Sources, *, base_iri: str | None = None) -> None:
    """Apply `text` to the store if, applied to a copy, it leaves data that conforms."""
    copy = store.copy()
    protected_before = copy.snapshot(PROTECTED_GRAPHS)
    try:
        copy.update(text, base_iri=base_iri)
    except SyntaxError as err:
        raise UpdateRefused(400, f"SPARQL update syntax error: {err}") from err
    except (ValueError, OSError) as err:
        raise UpdateRefused(400, f"The update failed: {err}") from err
    changed = sorted(g for g, quads in copy.snapshot(PROTECTED_GRAPHS).items() if quads != protected_before.get(g))
    if changed:
        raise UpdateRefused(403, "The update would change " + ", ".join(changed)
                            + ": the ontology, shapes, inferred and metadata graphs come from the source files "
                              "and cannot be written over HTTP. Write to the instances graph or a graph of your own.")
    from .validate import validate_graph  # pySHACL is slow to import: only engines that write pay for it

    report = validate_graph(data_graphs(copy), sources.shapes, sources.ontology)
    if report.failed():
        # Judge the update, not the data it lands on: only violations it adds count
        # (the base can already violate a shape, e.g. when changed sources are replayed).
        before = validate_graph(data_graphs(store), sources.shapes, sources.ontology)
        added = set(map(_key, report.violations)) - set(map(_key, before.violations))
        if added:
            raise UpdateRefused(422, "The update would make the data violate the shapes; nothing was changed.",
                                report)
    store.update(text, base_iri=base_iri)


def _key(result) -> tuple:
    return (result.focus, result.path, result.value, result.shape, result.message)


def data_graphs(store: GraphStore) -> Graph:
    """Every graph but the protected ones, merged into one rdflib graph for validation."""
    nquads = store.dump_graphs(exclude=PROTECTED_GRAPHS)
    graph = Graph()
    graph.parse(data=nquads.decode("utf-8"), format="nt")
    return graph


@dataclass
class JournalEntry:
    update: str
    base_iri: str | None
    time: float

    def to_json(self) -> str:
        return json.dumps({"update": self.update, "base_iri": self.base_iri, "time": self.time}, ensure_ascii=False)


class Journal:
    """The accepted updates, in order: replayed over a rebuilt store, never silently dropped.

    On disk (next to the store) every entry is flushed and fsynced before the
    update is acknowledged; in memory (no --store) it lives as long as the server.
    """

    def __init__(self, path: Path | None = None):
        self.path = path
        self._entries: list[JournalEntry] = []
        if path is not None and path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    raw = json.loads(line)
                    self._entries.append(JournalEntry(raw["update"], raw.get("base_iri"), raw.get("time", 0.0)))

    def append(self, update: str, base_iri: str | None) -> JournalEntry:
        entry = JournalEntry(update, base_iri, time.time())
        if self.path is not None:
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(entry.to_json() + "\n")
                f.flush()
                os.fsync(f.fileno())
        self._entries.append(entry)
        return entry

    def entries(self) -> list[JournalEntry]:
        return list(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


@dataclass
class ReplayProblem:
    entry: JournalEntry
    status: int
    message: str
    report: str


def replay(store: GraphStore, entries: list[JournalEntry], sources: Sources) -> list[ReplayProblem]:
    """Re-apply journal entries over a freshly built store; return the ones that no longer pass."""
    problems = []
    for entry in entries:
        try:
            check_and_apply(store, entry.update, sources, base_iri=entry.base_iri)
        except UpdateRefused as err:
            problems.append(ReplayProblem(entry, err.status, err.message, err.report.render() if err.report else ""))
    return problems


def insert_data(triples: list[ox.Triple], graph: str | None) -> str:
    """INSERT DATA for the given triples, into `graph` or the default graph (N-Triples syntax inside)."""
    body = " .\n".join(str(t) for t in triples)
    if body:
        body += " ."
    if graph is None:
        return f"INSERT DATA {{\n{body}\n}}"
    return f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}"
