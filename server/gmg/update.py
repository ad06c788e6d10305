"""Updates that cannot break the published data.

Every write (a SPARQL update or a Graph Store operation, which is turned into
one) is checked against the shapes and ontology read from the source files
(never from the store) before it is applied, in one `Store.update` call. Readers
never see a refused change, and the store is left exactly as it was.

The check validates the change, not the world (gmg.incremental): the nodes the
update can affect, before and after, without copying the store. Updates of a form
it does not handle (gmg.delta says which) are checked the long way (`check_full`):
applied to a copy of the store, which is validated whole. Both refuse only the
violations an update adds, and agree (tests/test_incremental_validation.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import Graph

from .iris import INFERRED_GRAPH, METADATA_GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH
from .journal import JOURNAL, Journal, JournalEntry, sequence_marker  # noqa: F401 (re-exported)
from .sources import Sources
from .store import GraphStore

if TYPE_CHECKING:
    from .validate import Report


# What checking an update reads of the source files (load_sources(..., only=CHECK_SOURCES)).
CHECK_SOURCES = (ONTOLOGY_GRAPH, SHAPES_GRAPH)

# Graphs that come from the source files (or the build): never written over HTTP.
PROTECTED_GRAPHS = frozenset(str(g) for g in (ONTOLOGY_GRAPH, SHAPES_GRAPH, INFERRED_GRAPH, METADATA_GRAPH))


class UpdateRefused(Exception):
    """The update was not applied: status (400, 403, 422), a message and, for 422, the report."""

    def __init__(self, status: int, message: str, report: Report | None = None):
        super().__init__(message)
        self.status, self.message, self.report = status, message, report


def check_and_apply(store: GraphStore, text: str, sources: Sources, *, base_iri: str | None = None,
                    seq: int | None = None) -> None:
    """Apply `text` to the store if, applied to a copy, it leaves data that conforms."""
    check(store, text, sources, base_iri=base_iri)
    apply(store, text, base_iri=base_iri, seq=seq)


REFUSED = "The update would make the data violate the shapes; nothing was changed."


def check(store: GraphStore, text: str, sources: Sources, *, base_iri: str | None = None) -> None:
    """Refuse (UpdateRefused) an update that breaks the rules, checking only what it can affect."""
    job = prepare(store, text, base_iri=base_iri)
    if job is None:
        check_full(store, text, sources, base_iri=base_iri)
    else:
        judge(job, sources)


def prepare(store: GraphStore, text: str, *, base_iri: str | None = None):
    """The incremental check's job (gmg.incremental.Job), or None for the long way; refuses 400 and 403."""
    prepared = prepare_change(store, text, base_iri=base_iri)
    return prepared[0] if prepared is not None else None


def prepare_change(store: GraphStore, text: str, *, base_iri: str | None = None):
    """`prepare`'s job and the change it checks (gmg.delta.Delta: what applying `text` now inserts
    and deletes), or None for the long way; refuses 400 and 403."""
    from . import incremental

    try:
        return incremental.prepare_in_store(store, text, base_iri=base_iri)
    except SyntaxError as err:
        raise UpdateRefused(400, f"SPARQL update syntax error: {err}") from err
    except PermissionError as err:
        raise UpdateRefused(403, protected_message(str(err))) from err
    except (incremental.NotIncremental, ValueError, OSError):
        return None


# An update that is prepared (never applied) once at the engine's start: a fresh node's label,
# in a graph of its own (not a protected one), so every step of preparing a check runs.
WARM_UP = ("INSERT DATA { GRAPH <urn:x-gmg:warm-up> { <urn:x-gmg:warm-up> "
           "<http://www.w3.org/2000/01/rdf-schema#label> \"warm-up\" } }")


def warm_up(store: GraphStore) -> None:
    """Prepare WARM_UP against the store and throw the job away (the store is only read).

    The first update after a start otherwise waited for the imports of what preparing a
    check needs: the check of a one-triple update took 60 ms the first time, and 40 ms with
    this warm-up (25 ms for the updates after it; what is left is the store's cold cache).
    """
    prepare(store, WARM_UP)


def judge(job, sources: Sources) -> None:
    """Refuse (422) a prepared update that adds violations on its affected nodes."""
    from . import incremental

    verdict = incremental.judge(job, sources)
    if verdict.added:
        raise UpdateRefused(422, REFUSED, verdict.report)


def protected_message(graphs: str) -> str:
    return ("The update would change " + graphs
            + ": the ontology, shapes, inferred and metadata graphs come from the source files "
              "and cannot be written over HTTP. Write to the instances graph or a graph of your own.")


def check_full(store: GraphStore, text: str, sources: Sources, *, base_iri: str | None = None,
               validated: Report | None = None) -> None:
    """Refuse (UpdateRefused) an update that, applied to a copy of the store, breaks the rules.

    `validated`: the store's own validation, when the caller has it already.
    """
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
        raise UpdateRefused(403, protected_message(", ".join(changed)))
    from .validate import validate_graph  # pySHACL is slow to import: only engines that write pay for it

    report = validate_graph(data_graphs(copy), sources.shapes, sources.ontology)
    if report.failed():
        # Judge the update, not the data it lands on: only violations it adds count
        # (the base can already violate a shape, e.g. when changed sources are replayed).
        before = validated or validate_graph(data_graphs(store), sources.shapes, sources.ontology)
        added = set(map(_key, report.violations)) - set(map(_key, before.violations))
        if added:
            raise UpdateRefused(422, REFUSED, report)


def apply(store: GraphStore, text: str, *, base_iri: str | None = None, seq: int | None = None,
          change=None) -> None:
    """Apply a checked update; with `seq`, record it as the last journal entry applied, atomically.

    pyoxigraph runs one `update` call in one transaction, so the update and its
    sequence number reach the store together or not at all. `change`: what the update
    changes, when known (prepare_change; the sequence number is in a graph of its own).
    """
    if seq is None:
        store.update(text, base_iri=base_iri, change=change)
        return
    marker = sequence_marker(seq)
    try:
        store.update(f"{text}\n;\n{marker}", base_iri=base_iri, change=change)
    except SyntaxError:  # the update ended with its own ';' (parsing fails before anything is written)
        store.update(f"{text}\n{marker}", base_iri=base_iri, change=change)


def _key(result) -> tuple:
    return (result.focus, result.path, result.value, result.shape, result.message)


def data_graphs(store: GraphStore) -> Graph:
    """Every graph but the protected ones, merged into one rdflib graph for validation."""
    nquads = store.dump_graphs(exclude=PROTECTED_GRAPHS)
    graph = Graph()
    graph.parse(data=nquads.decode("utf-8"), format="nt")
    return graph


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
            check_and_apply(store, entry.update, sources, base_iri=entry.base_iri, seq=entry.seq or None)
        except UpdateRefused as err:
            problems.append(ReplayProblem(entry, err.status, err.message, err.report.render() if err.report else ""))
            if entry.seq:  # skipped, and reported: the store has still dealt with it
                store.update(sequence_marker(entry.seq))
    return problems


def insert_data(triples: list[ox.Triple], graph: str | None) -> str:
    """INSERT DATA for the given triples, into `graph` or the default graph (N-Triples syntax inside)."""
    body = " .\n".join(str(t) for t in triples)
    if body:
        body += " ."
    if graph is None:
        return f"INSERT DATA {{\n{body}\n}}"
    return f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}"
