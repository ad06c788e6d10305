"""Updates on a remote store: checked by gmg, sent as one concrete change.

The long way, for now: gmg's graphs are read from the store into a copy in memory;
the update is checked against the shapes on that copy by the same checker process
as the embedded store's (so a violation is the same 422 with the same report);
it is applied to the copy, and the difference — the quads it inserts and deletes,
whatever WHERE produced them — goes to the store as one `DELETE DATA` /
`INSERT DATA` request, which a store applies whole or not at all. A refused or
failed update leaves the store as it was. Writes are serialised by the one gmg
instance that takes them (replicas are read-only). Reading the whole dataset per
update is fine at this size and slow at a large one: the delta API (an update's
quads computed through SELECT queries, gmg.delta) is the way to drop the copy.
"""

from __future__ import annotations

import pyoxigraph as ox

from ..engine.supervisor import UpdateFailure
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
    return after - before, before - after


def _quad_text(quad) -> str:
    graph = quad.graph_name
    triple = f"{quad.subject} {quad.predicate} {quad.object} ."
    return triple if isinstance(graph, ox.DefaultGraph) else f"GRAPH {graph} {{ {triple} }}"


def change_text(inserted: set, deleted: set) -> str:
    """One update request: DELETE DATA then INSERT DATA (either left out when empty)."""
    if any(isinstance(t, ox.BlankNode) for q in deleted for t in (q.subject, q.object)):
        raise UpdateFailure(501, "This update deletes triples of blank nodes, which a remote store cannot be told "
                                 "to delete exactly (SPARQL cannot name a stored blank node); it was not applied.")
    parts = []
    if deleted:
        parts.append("DELETE DATA {\n" + "\n".join(sorted(map(_quad_text, deleted))) + "\n}")
    if inserted:
        parts.append("INSERT DATA {\n" + "\n".join(sorted(map(_quad_text, inserted))) + "\n}")
    return " ;\n".join(parts)
