"""The shapes' targets, worked out by gmg, so that pySHACL validates exactly those nodes.

Left to itself, pySHACL finds every target by running the shapes' two dozen
SPARQL targets in rdflib's engine, which is most of a full validation's time,
and in an update's check (a few focus nodes over their neighbourhood) it would
validate every node of the neighbourhood, only for the results outside the focus
nodes to be thrown away. Here each target declaration is evaluated once, for
chosen nodes (`of`) or for all (`all`), the SPARQL ones by pyoxigraph over the
same triples, and pySHACL validates the nodes found against their shapes
(gmg.validate). Its results are the same (tests/test_shapes.py,
tests/test_incremental_validation.py).
"""

from __future__ import annotations

import gc
from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef

from .screen import doubtful_literal

SH = Namespace("http://www.w3.org/ns/shacl#")
DECLARATIONS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.target)


class Targets:
    """A shapes graph's target declarations, indexed."""

    def __init__(self, shapes: Graph):
        self.declarations = [(shape, p, v) for p in DECLARATIONS for shape, v in shapes.subject_objects(p)]
        self.by_kind = {p: [(shape, v) for shape, kind, v in self.declarations if kind == p] for p in DECLARATIONS}
        self.shapes_of: dict = {p: {} for p in DECLARATIONS}  # kind -> class or property -> shapes
        for shape, p, v in self.declarations:
            self.shapes_of[p].setdefault(v, []).append(shape)
        self.selects = {}
        for _, p, target in self.declarations:
            select = shapes.value(target, SH.select) if p == SH.target else None
            if select is not None:
                self.selects[target] = _prefixes(shapes, shapes.value(target, SH.prefixes)) + str(select)
        classes = {s for s in shapes.subjects(RDF.type, None) if (s, RDF.type, RDFS.Class) in shapes
                   or (s, RDF.type, OWL.Class) in shapes}
        # SPARQL target types, JavaScript targets and implicit class targets are not worked out here
        self.supported = not classes and all(v in self.selects for _, p, v in self.declarations if p == SH.target)

    def of(self, data: Graph, nodes: set) -> set[tuple]:
        """(shape, node) for each node of `nodes` that a shape targets in `data`."""
        found = {(shape, value) for shape, value in self.by_kind[SH.targetNode] if value in nodes}
        if self.selects:
            selected = self._selected(data)
            found.update((shape, n) for shape, target in self.by_kind[SH.target] for n in selected[target] & nodes)
        superclasses: dict = {}  # per type: itself and its superclasses (types repeat across nodes)
        for n in nodes:
            for t in data.objects(n, RDF.type):
                if t not in superclasses:
                    superclasses[t] = set(data.transitive_objects(t, RDFS.subClassOf))
                for c in superclasses[t]:
                    found.update((shape, n) for shape in self.shapes_of[SH.targetClass].get(c, ()))
            for p in set(data.predicates(n, None)):
                found.update((shape, n) for shape in self.shapes_of[SH.targetSubjectsOf].get(p, ()))
            for p in set(data.predicates(None, n)):
                found.update((shape, n) for shape in self.shapes_of[SH.targetObjectsOf].get(p, ()))
        return found

    def all(self, data: Graph) -> set[tuple]:
        """(shape, node) for every node a shape targets in `data` (what pySHACL finds, found faster)."""
        found = {(shape, value) for shape, value in self.by_kind[SH.targetNode]}
        for shape, c in self.by_kind[SH.targetClass]:
            for cls in data.transitive_subjects(RDFS.subClassOf, c):
                found.update((shape, n) for n in data.subjects(RDF.type, cls))
        for shape, p in self.by_kind[SH.targetSubjectsOf]:
            found.update((shape, n) for n in set(data.subjects(p, None)))
        for shape, p in self.by_kind[SH.targetObjectsOf]:
            found.update((shape, n) for n in set(data.objects(None, p)))
        if self.selects:
            selected = self._selected(data)
            found.update((shape, n) for shape, target in self.by_kind[SH.target] for n in selected[target])
        return found

    def _selected(self, data: Graph) -> dict:
        store, back = oxigraph_copy(data)
        return {target: {back[row["this"]] for row in store.query(select) if row["this"] is not None}
                for target, select in self.selects.items()}


def _prefixes(shapes: Graph, holder) -> str:
    lines = []
    for declaration in shapes.objects(holder, SH.declare):
        lines.append(f"PREFIX {shapes.value(declaration, SH.prefix)}: <{shapes.value(declaration, SH.namespace)}>\n")
    return "".join(lines)


_NAMED: dict = {}  # rdflib IRI -> pyoxigraph's, across calls: the shapes' and ontology's IRIs recur in every check


def oxigraph_copy(data: Iterable, doubtful: set | None = None) -> tuple[ox.Store, dict]:
    """`data` (a graph, or any triples) in a pyoxigraph store, and the way back from its terms to rdflib's.

    `doubtful`, if given, receives the subjects of literals rdflib cannot read (gmg.screen).
    """
    if len(_NAMED) > 100_000:
        _NAMED.clear()
    back: dict = {}
    made: dict = {}

    def term(t):
        if type(t) is URIRef:
            found = _NAMED.get(t)
            if found is None:
                found = _NAMED[t] = ox.NamedNode(t)
                back[found] = t
            elif found not in back:
                back[found] = t
            return found
        found = made.get(t)
        if found is None:
            if type(t) is BNode:
                found = ox.BlankNode(t)
            elif t.language:
                found = ox.Literal(t, language=t.language)
            else:
                found = ox.Literal(t, datatype=ox.NamedNode(t.datatype) if t.datatype else None)
            made[t] = found
            back[found] = t
        return found

    store = ox.Store()
    collecting = gc.isenabled()
    gc.disable()  # the new objects would set off full collections over rdflib's graph: half the time at 1 M
    try:
        store.extend([ox.Quad(term(s), term(p), term(o)) for s, p, o in data if not isinstance(s, Literal)])
    finally:
        if collecting:
            gc.enable()
    if doubtful is not None:
        odd = [made[t] for t in made if type(t) is Literal and doubtful_literal(t)]
        doubtful.update(q.subject for lit in odd for q in store.quads_for_pattern(None, None, lit))
    return store, back
