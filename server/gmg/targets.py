"""The shapes' targets, worked out for chosen nodes, so that pySHACL validates only those nodes.

An update's check validates a few focus nodes over their neighbourhood; left to
itself, pySHACL would find every target in that neighbourhood (running two dozen
SPARQL targets in rdflib's engine) and validate every node it found, only for
the results outside the focus nodes to be thrown away. Here each target
declaration is evaluated once for the focus nodes (the SPARQL ones by pyoxigraph,
over the same triples), and pySHACL gets the shapes with `sh:targetNode` for
exactly the nodes each shape targets. Its results on those nodes are the same.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef

SH = Namespace("http://www.w3.org/ns/shacl#")
DECLARATIONS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.target)


class Targets:
    """A shapes graph's target declarations, and a copy of the graph without them."""

    def __init__(self, shapes: Graph):
        self.declarations = [(shape, p, v) for p in DECLARATIONS for shape, v in shapes.subject_objects(p)]
        self.selects = {}
        for _, p, target in self.declarations:
            select = shapes.value(target, SH.select) if p == SH.target else None
            if select is not None:
                self.selects[target] = _prefixes(shapes, shapes.value(target, SH.prefixes)) + str(select)
        classes = {s for s in shapes.subjects(RDF.type, None) if (s, RDF.type, RDFS.Class) in shapes
                   or (s, RDF.type, OWL.Class) in shapes}
        # SPARQL target types, JavaScript targets and implicit class targets are not worked out here
        self.supported = not classes and all(v in self.selects for _, p, v in self.declarations if p == SH.target)
        self.untargeted = Graph()
        self.untargeted += shapes
        for triple in self.declarations:
            self.untargeted.remove(triple)

    def of(self, data: Graph, nodes: set) -> set[tuple]:
        """(shape, node) for each node of `nodes` that a shape targets in `data`."""
        classes = {n: {c for t in data.objects(n, RDF.type) for c in data.transitive_objects(t, RDFS.subClassOf)}
                   for n in nodes}
        outgoing = {n: set(data.predicates(n, None)) for n in nodes}
        incoming = {n: set(data.predicates(None, n)) for n in nodes}
        found = set()
        selected = {}
        for shape, p, value in self.declarations:
            if p == SH.targetNode:
                hits = {value} & nodes
            elif p == SH.targetClass:
                hits = {n for n in nodes if value in classes[n]}
            elif p == SH.targetSubjectsOf:
                hits = {n for n in nodes if value in outgoing[n]}
            elif p == SH.targetObjectsOf:
                hits = {n for n in nodes if value in incoming[n]}
            else:
                if not selected:
                    selected = self._selected(data)
                hits = selected[value] & nodes
            found.update((shape, n) for n in hits)
        return found

    def _selected(self, data: Graph) -> dict:
        store, back = _oxigraph(data)
        return {target: {back[row["this"]] for row in store.query(select) if row["this"] is not None}
                for target, select in self.selects.items()}


def _prefixes(shapes: Graph, holder) -> str:
    lines = []
    for declaration in shapes.objects(holder, SH.declare):
        lines.append(f"PREFIX {shapes.value(declaration, SH.prefix)}: <{shapes.value(declaration, SH.namespace)}>\n")
    return "".join(lines)


def _oxigraph(data: Graph) -> tuple[ox.Store, dict]:
    """`data` in a pyoxigraph store, and the way back from its terms to rdflib's."""
    back: dict = {}
    made: dict = {}

    def term(t):
        found = made.get(t)
        if found is None:
            kind = type(t)
            if kind is URIRef:
                found = ox.NamedNode(t)
            elif kind is BNode:
                found = ox.BlankNode(t)
            elif t.language:
                found = ox.Literal(t, language=t.language)
            else:
                found = ox.Literal(t, datatype=ox.NamedNode(t.datatype) if t.datatype else None)
            made[t] = found
            back[found] = t
        return found

    store = ox.Store()
    store.extend([ox.Quad(term(s), term(p), term(o)) for s, p, o in data if not isinstance(s, Literal)])
    return store, back
