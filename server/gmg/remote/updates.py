"""Updates on a remote store: checked by gmg, sent as one concrete change.

The short way, as on the embedded store: the update's change is computed through
SELECT queries to the store (gmg.delta: a WHERE is run remotely and its rows fill
the templates), and checked against the shapes on the nodes it affects, whose
neighbourhoods are read through queries too (gmg.incremental over
gmg.remote.view), by the same checker process as the embedded store's (so a
violation is the same 422 with the same report).

The long way, for what the short one does not take (see gmg.incremental and
gmg.delta: LOAD, several operations with a WHERE, class-hierarchy edits, blank
nodes nested in blank nodes): gmg's graphs are read into a copy in memory, the
update is checked and applied there, and the difference is the change.

Either way the change — the quads inserted and deleted, whatever a WHERE matched —
goes to the store as one `DELETE DATA` / `INSERT DATA` request, which a store
applies whole or not at all; a refused or failed update leaves the store as it
was. Writes are serialised by the one gmg instance that takes them (replicas are
read-only).
"""

from __future__ import annotations

from datetime import datetime, timezone

import pyoxigraph as ox

from ..engine.supervisor import UpdateFailure
from ..iris import CHANGES_GRAPH
from ..metadata import DATASET as DATASET_IRI
from ..store import GraphStore


def dump_quads(graph_triples: dict[str, list]) -> bytes:
    quads = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g))
             for g, triples in graph_triples.items() for t in triples]
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""


def concrete_change(nquads: bytes, text: str, base_iri: str | None) -> tuple[set, set]:
    """The quads the update inserts and deletes, found by applying it to a copy of the store."""
    copy = GraphStore.from_nquads(nquads)
    before = set(ox.parse(copy.dump(), format=ox.RdfFormat.N_QUADS))  # (the copy's own blank nodes)
    copy.update(text, base_iri=base_iri)
    after = set(ox.parse(copy.dump(), format=ox.RdfFormat.N_QUADS))
    inserted = after - before
    refuse_stored_blank_nodes(inserted, {t.value for q in before for t in blank_nodes(q)})
    return inserted, before - after


def refuse_stored_blank_nodes(inserted, stored: set[str]) -> None:
    """501 for an update that adds statements about a blank node the store holds: sent as INSERT DATA,
    they would be about a new blank node instead (SPARQL cannot name a stored one)."""
    if any(t.value in stored for q in inserted for t in blank_nodes(q)):
        raise UpdateFailure(501, "This update adds statements about a blank node the store holds, which a remote "
                                 "store cannot be told exactly (SPARQL cannot name a stored blank node); it was "
                                 "not applied.")


def blank_nodes(quad) -> list:
    """The quad's subject and object where they are blank nodes."""
    return [t for t in (quad.subject, quad.object) if isinstance(t, ox.BlankNode)]


def _quad_text(quad) -> str:
    graph = quad.graph_name
    triple = f"{quad.subject} {quad.predicate} {quad.object} ."
    return triple if isinstance(graph, ox.DefaultGraph) else f"GRAPH {graph} {{ {triple} }}"


def change_text(inserted: set, deleted: set) -> str:
    """One update request: DELETE DATA then INSERT DATA (either left out when empty)."""
    if any(blank_nodes(q) for q in deleted):
        raise UpdateFailure(501, "This update deletes triples of blank nodes, which a remote store cannot be told "
                                 "to delete exactly (SPARQL cannot name a stored blank node); it was not applied.")
    parts = []
    if deleted:
        parts.append("DELETE DATA {\n" + "\n".join(sorted(map(_quad_text, deleted))) + "\n}")
    if inserted:
        parts.append("INSERT DATA {\n" + "\n".join(sorted(map(_quad_text, inserted))) + "\n}")
    return " ;\n".join(parts)


# The writer's mark on the store: the time of its last change, in a graph of its own
# (iris.CHANGES_GRAPH), which replicas read every few seconds to learn that the data changed
# (and rebuild their caches); `gmg publish` sets it too.
DATASET = str(DATASET_IRI)
MODIFIED = "http://purl.org/dc/terms/modified"


def modified_now() -> ox.Literal:
    return ox.Literal(datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                      datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime"))


def stamp_text(value: ox.Literal) -> str:
    """The update operations that set the dataset's dcterms:modified to `value`."""
    graph = f"<{CHANGES_GRAPH}>"
    return (f"DELETE WHERE {{ GRAPH {graph} {{ <{DATASET}> <{MODIFIED}> ?modified }} }} ;\n"
            f"INSERT DATA {{ GRAPH {graph} {{ <{DATASET}> <{MODIFIED}> {value} }} }}")


STAMP_QUERY = (f"SELECT ?modified WHERE {{ GRAPH <{CHANGES_GRAPH}> {{ <{DATASET}> <{MODIFIED}> ?modified }} }} "
               "ORDER BY DESC(STR(?modified)) LIMIT 1")
