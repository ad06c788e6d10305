"""Validate the change, not the world: an update is checked on the nodes it can affect.

The update's delta (gmg.delta) names the triples it adds and removes; from them
come the *affected* focus nodes, the only ones whose validation results can
differ between the store before and after the update; those nodes are validated
by pySHACL, with the same shapes, over a small subgraph holding everything a
shape reads about them (their *neighbourhood*), in the store as it is and as the
update would leave it (the store is never copied or changed: the "after" view
is the store with the delta laid over it). The verdict is the full check's: the
update is refused (422) only for violations it adds.

Why the affected nodes are enough, shape feature by shape feature (shapes/*.ttl).
A changed triple (s p o) changes:
- s's own values: every constraint on s along a plain or alternative path, the
  counts (min/max, qualified), datatypes, patterns, languages, pairs (lessThan),
  and s's targets (sh:targetClass through its types, sh:targetSubjectsOf) -> s;
- o's incoming values: sh:inversePath (^gmg:asserts), sh:targetObjectsOf
  (oa:hasSelector), SPARQL that reads `?x p $this` (gmg:statement,
  `?s rdf:type $this` of the undeclared-class shape, which targets literals too) -> o;
- p itself, the focus of the undeclared-property shape (a SPARQL target on `?s ?this ?o`) -> p;
- what other nodes read of s (`_READ_THROUGH`): the type of a value (sh:class,
  sh:or of class helpers, the funder and participant SPARQL) -> every node
  pointing at s when p is rdf:type; a citation's note number -> the citations of
  s (gmg:citingNote) when p is gmg:noteNumber; the annotated triple of an
  owl:Axiom -> the axioms of s (owl:annotatedSource), whatever p is;
- the observations compared with s (same gmg:measure, `_SIBLINGS`) -> all of them.
The class hierarchy (rdfs:subClassOf) changes what every sh:class and
sh:targetClass means: an update that touches it is checked the long way.

A test (tests/test_incremental_validation.py) runs this against full validation
on hundreds of generated updates; a new shape that reads further than the rules
above must add its rule here (and a case there).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from itertools import chain
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef

from .delta import Delta, Select, Unsupported, delta, store_select
from .iris import INFERRED_GRAPH, METADATA_GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH
from .sources import Sources
from .store import GraphStore

if TYPE_CHECKING:
    from .validate import Report

SH = Namespace("http://www.w3.org/ns/shacl#")

# Above this many changed quads, the long way is about as fast and much simpler to trust.
MAX_CHANGED = 20_000

GMG = "https://w3id.org/gmg/ontology#"
_TYPE = ox.NamedNode(str(RDF.type))
_SUBCLASS = ox.NamedNode(str(RDFS.subClassOf))
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_ONTOLOGY = ox.NamedNode(str(ONTOLOGY_GRAPH))
_PROTECTED = frozenset(ox.NamedNode(str(g)) for g in (ONTOLOGY_GRAPH, SHAPES_GRAPH, INFERRED_GRAPH, METADATA_GRAPH))

# What a shape reads of a node other than its focus, as (changed predicate or None for
# any, the predicate from the focus to that node): a change of s's `changed` matters to
# every node that points at s with `via` (None: with any predicate).
_READ_THROUGH = (
    (_TYPE, None),  # sh:class, the class helpers of sh:or, the funder / participant SPARQL
    (ox.NamedNode(GMG + "noteNumber"), ox.NamedNode(GMG + "citingNote")),  # CitationIriNoteShape
    (None, ox.NamedNode("http://www.w3.org/2002/07/owl#annotatedSource")),  # AxiomTripleShape
)
# Incoming values a shape reads of its focus: sh:inversePath, sh:targetObjectsOf, SPARQL.
_INCOMING = (
    ox.NamedNode(GMG + "asserts"),  # AssertedShape-statement: ^gmg:asserts
    ox.NamedNode("http://www.w3.org/ns/oa#hasSelector"),  # SelectorShape: sh:targetObjectsOf
    ox.NamedNode(GMG + "statement"),  # StatementShape-target: ?axiom gmg:statement $this
)
# Nodes compared with each other through a shared value (ObservationConflictShape).
_SIBLINGS = (ox.NamedNode(GMG + "measure"),)
_GMG_IRIS = "https://w3id.org/gmg/"


class NotIncremental(Exception):
    """The update cannot be checked on its affected nodes: check it the long way."""


@dataclass
class Verdict:
    """What the check found: the added violations (none: accepted) and the report to send with a 422."""

    added: set[tuple]
    report: Report | None
    affected: int  # how many focus nodes were validated
    changed: int  # how many quads the update changes


@dataclass(frozen=True)
class Job:
    """An update's affected nodes and their neighbourhoods before and after it, ready to validate.

    Made where the store is (the engine), validated where pySHACL runs (the checker): it
    pickles, blank nodes keeping the store's labels, so the two sides name the same nodes.
    """

    focus: frozenset
    before: tuple  # the data's triples only: the checker adds the ontology's part (`_ontology_part`)
    after: tuple
    changed: int
    described: frozenset  # the nodes whose statements the neighbourhoods hold (the focus nodes' values too)


def check(store: GraphStore, text: str, sources: Sources, *, base_iri: str | None = None) -> Verdict:
    """Check `text` against the store on its affected nodes; raise NotIncremental to take the long way.

    Raises SyntaxError for text that does not parse, and PermissionError naming the
    protected graphs the update would change.
    """
    return judge(prepare(store, text, base_iri=base_iri), sources)


def prepare(store: GraphStore, text: str, *, base_iri: str | None = None) -> Job:
    """The update's delta, its affected nodes and their neighbourhoods (reads the store, never changes it).

    Needs neither the sources nor pySHACL, so the engine that makes it stays light; the
    ontology's part of the neighbourhoods is added where the job is judged.
    """
    return prepare_in_store(store, text, base_iri=base_iri)[0]


def prepare_in_store(store: GraphStore, text: str, *, base_iri: str | None = None) -> tuple[Job, Delta]:
    """`prepare`'s job, and the change it checks (what applying `text` now inserts and deletes)."""
    return prepare_change(store.raw, store_select(store.raw, base_iri), text, base_iri=base_iri)


def prepare_change(raw, select: Select, text: str, *, base_iri: str | None = None) -> tuple[Job, Delta]:
    """`prepare` on any store that answers pyoxigraph's `quads_for_pattern` and `in` (a remote one:
    gmg.remote.view), with `select` for the update's WHERE; the job and the change it checks."""
    try:
        change = delta(text, base_iri, select)
    except Unsupported as err:
        raise NotIncremental(str(err)) from err
    present = raw.present(change.inserted | change.deleted) if hasattr(raw, "present") else None
    held = (lambda q: q in present) if present is not None else (lambda q: q in raw)
    inserted = frozenset(q for q in change.inserted if not held(q))
    deleted = frozenset(q for q in change.deleted if held(q))
    protected = sorted({q.graph_name.value for q in inserted | deleted if q.graph_name in _PROTECTED})
    if protected:
        raise PermissionError(", ".join(protected))
    if len(inserted) + len(deleted) > MAX_CHANGED:
        raise NotIncremental(f"the update changes more than {MAX_CHANGED} quads")
    if any(q.predicate == _SUBCLASS for q in inserted | deleted):
        raise NotIncremental("the update changes the class hierarchy")
    before = _View(raw, frozenset(), frozenset())
    after = _View(raw, inserted, deleted, reads=before.reads)
    affected = _affected(inserted | deleted, before, after)
    before_triples, before_described = _neighbourhood(affected, before)
    after_triples, after_described = _neighbourhood(affected, after)
    job = Job(frozenset(_rdflib(n) for n in affected), tuple(before_triples), tuple(after_triples),
              len(inserted) + len(deleted), frozenset(before_described | after_described))
    return job, Delta(inserted, deleted)


def judge(job: Job, sources: Sources) -> Verdict:
    """Validate the job's neighbourhoods; the violations on its focus nodes that the update adds."""
    ontology = _Ontology.of(sources)
    mixed = _ontology_part(job, ontology)
    after_report = _validate(job.after, mixed, job.focus, sources, ontology)
    after_results = [r for r in after_report.results if r.focus in job.focus]
    added = {_key(r) for r in after_results if r.severity == "Violation"}
    # Only violations the update adds count (the store may already hold some). A node that
    # appears nowhere before the update (a new one) was no shape's target: all of its are new.
    # (sh:targetNode would name nodes whatever the data holds: not used in shapes/, checked.)
    existed = {term for triple in job.before for term in triple} | {term for triple in mixed for term in triple}
    if any(key[0] in existed for key in added) or ontology.target_nodes:
        before_report = _validate(job.before, mixed, job.focus, sources, ontology)
        added -= {_key(r) for r in before_report.results if r.focus in job.focus and r.severity == "Violation"}
    report = _restricted(after_report, after_results) if added else None
    return Verdict(added, report, len(job.focus), job.changed)


def validate_in_store(store: ox.Store, nodes: set, sources: Sources) -> Report:
    """pySHACL's report on `nodes` (pyoxigraph terms) of the store's data, each node validated over its
    neighbourhood: what a validation of the whole data says of them (the rules above), without an
    rdflib graph of the whole (a full validation of large data, gmg.validate_files)."""
    triples, described = _neighbourhood(nodes, _View(store, frozenset(), frozenset()))
    focus = frozenset(_rdflib(node) for node in nodes)
    ontology = _Ontology.of(sources)
    job = Job(focus, (), tuple(triples), 0, frozenset(described))
    return _validate(job.after, _ontology_part(job, ontology), focus, sources, ontology)


def prepare_shapes(sources: Sources) -> None:
    """Make now what every judgement against these sources shares (pySHACL's parsed shapes, the
    mixed-in ontology), which the first judgement would otherwise wait for."""
    _Ontology.of(sources)


def _key(result) -> tuple:
    return (result.focus, result.path, result.value, result.shape, result.message)


class _View:
    """The data graphs (every graph but the protected ones) of the store, with a delta laid over them.

    The views of one update (before and after it) share what they read of the store
    (`reads`): their neighbourhoods hold nearly the same nodes, and each read was
    a third of the update's preparation (and, on a remote store, a request).
    """

    def __init__(self, store: ox.Store, inserted: frozenset[ox.Quad], deleted: frozenset[ox.Quad],
                 reads: dict | None = None):
        self.store, self.inserted, self.deleted = store, inserted, deleted
        self.reads = {} if reads is None else reads

    def quads(self, s=None, p=None, o=None):
        """The view's quads that match (the store's as read once, then the delta)."""
        stored = self.reads.get((s, p, o))
        if stored is None:
            stored = self.reads[(s, p, o)] = tuple(self._stored(s, p, o))
        yield from self._laid_over(stored, s, p, o)

    def each(self, s=None, p=None, o=None):
        """`quads` read as they are wanted and not kept: for a caller that stops at the first few
        of a pattern that may match most of the store (every use of rdf:type or of a property)."""
        yield from self._laid_over(self._stored(s, p, o), s, p, o)

    def ontology_values(self, node) -> tuple:
        """The values `node` has in the store's ontology graph."""
        key = (node, _ONTOLOGY)
        if key not in self.reads:
            self.reads[key] = tuple(q.object for q in self.store.quads_for_pattern(node, None, None, _ONTOLOGY))
        return self.reads[key]

    def prefetch(self, subjects) -> None:
        """Read the statements of these subjects together, where the store can (a remote store: one
        request rather than one each); the embedded store reads each from its indexes when asked."""
        prefetch = getattr(self.store, "prefetch", None)
        if prefetch is not None:
            prefetch(s for s in subjects if (s, None, None) not in self.reads)

    def prefetch_incoming(self, pairs) -> None:
        """`prefetch` of the statements that point at objects through predicates ((predicate, object) pairs)."""
        prefetch = getattr(self.store, "prefetch_incoming", None)
        if prefetch is not None:
            prefetch((p, o) for p, o in pairs if (None, p, o) not in self.reads)

    def _stored(self, s, p, o):
        return (q for q in self.store.quads_for_pattern(s, p, o) if q.graph_name not in _PROTECTED)

    def _laid_over(self, stored, s, p, o):
        deleted = self.deleted
        for q in stored:
            if not deleted or q not in deleted:
                yield q
        for q in self.inserted:
            if (s is None or q.subject == s) and (p is None or q.predicate == p) and (o is None or q.object == o):
                yield q

    def triples(self, s=None, p=None, o=None) -> set[tuple]:
        return {(q.subject, q.predicate, q.object) for q in self.quads(s, p, o)}

    def subjects(self, p, o) -> set:
        return {q.subject for q in self.quads(None, p, o)}


def _affected(changed: frozenset[ox.Quad], before: _View, after: _View) -> set:
    """The focus nodes whose results the change can alter (the module docstring says why)."""
    nodes = set()
    before.prefetch(t for q in changed for t in (q.subject, q.predicate, q.object))  # (the views share reads)
    before.prefetch_incoming((via, q.subject) for q in changed for changed_predicate, via in _READ_THROUGH
                             if via is not None and changed_predicate in (None, q.predicate))
    for q in changed:
        s, p, o = q.subject, q.predicate, q.object
        nodes.update((s, p, o))  # (a literal too: a value of rdf:type or oa:hasSelector is a focus node)
        for view in (before, after):
            for changed_predicate, via in _READ_THROUGH:
                if changed_predicate is None or changed_predicate == p:
                    nodes.update(x.subject for x in view.quads(None, via, s))
            for sibling in _SIBLINGS:
                for shared in {x.object for x in view.quads(s, sibling, None)}:
                    nodes.update(view.subjects(sibling, shared))
    return nodes


@dataclass(frozen=True)
class _Ontology:
    """The mixed-in ontology, indexed: its class hierarchy always, its other triples where they are read."""

    graph: Graph
    hierarchy: list
    target_nodes: bool  # some shape has sh:targetNode

    _cache = {}

    @classmethod
    def of(cls, sources: Sources) -> "_Ontology":
        key = (id(sources.shapes), id(sources.ontology))
        if key not in cls._cache:
            from .validate import mixed_ontology  # pySHACL: only the checker imports it

            mixed = mixed_ontology(sources.shapes, sources.ontology)
            graph = Graph()
            graph += mixed
            cls._cache.clear()
            cls._cache[key] = cls(graph, list(graph.triples((None, RDFS.subClassOf, None))),
                                  (None, SH.targetNode, None) in sources.shapes)
        return cls._cache[key]


def _neighbourhood(nodes: set, view: _View) -> tuple[set[tuple], set]:
    """Everything the shapes read about `nodes` in `view`'s data (rdflib triples), and the nodes described.

    The values a focus node has in the ontology are followed too (to their statements in
    the data), found in the store's ontology graph; the ontology's own statements are
    added by `_ontology_part`, from the sources, as full validation mixes them in.
    """
    found: set[tuple] = set()
    described: dict = {}

    def out(node) -> set:
        if node not in described:
            triples = view.triples(s=node)
            found.update(tuple(map(_rdflib, t)) for t in triples)
            values = {o for _, _, o in triples}
            values.update(view.ontology_values(node))
            described[node] = {v for v in values if not isinstance(v, ox.Literal)}
        return described[node]

    # (on a remote store, what is read below is asked for together: a request for each pattern
    # was most of an update's time there; the embedded store has nothing to fetch)
    view.prefetch(nodes)
    view.prefetch_incoming((predicate, node) for node in nodes for predicate in _INCOMING)
    view.prefetch({value for node in nodes if not isinstance(node, ox.Literal) for value in out(node)}
                  - described.keys())
    for node in nodes:
        if isinstance(node, ox.Literal):  # only the undeclared-class shape reads about a literal: its uses as a type
            found.update(_sample(view.each(None, _TYPE, node)))
            continue
        for value in out(node):  # the values' own statements: their types, note numbers, triples
            out(value)
        for predicate in _INCOMING:
            found.update(tuple(map(_rdflib, t)) for t in view.triples(p=predicate, o=node))
        for sibling in _SIBLINGS:
            for shared in {q.object for q in view.quads(node, sibling, None)}:
                others = view.subjects(sibling, shared)
                view.prefetch(others - described.keys())
                for other in others:
                    out(other)
        # The undeclared-class and undeclared-property shapes ask whether a node is used as a
        # type or a property at all, and by a gmg: (or blank) subject: one use of each kind answers.
        if isinstance(node, ox.NamedNode):
            found.update(_sample(view.each(None, _TYPE, node)))
            found.update(_sample(view.each(None, node, None)))
    return found, {_rdflib(n) for n in described}


def _ontology_part(job: Job, ontology: _Ontology) -> set[tuple]:
    """The mixed-in ontology's statements about the described nodes, their values (blank nodes of
    class expressions among them), and the incoming values the shapes read of the focus nodes."""
    found: set[tuple] = set()
    for node in job.described:
        for triple in ontology.graph.triples((node, None, None)):
            found.add(triple)
            if node in job.focus and isinstance(triple[2], BNode):
                found.update(ontology.graph.triples((triple[2], None, None)))
    for node in job.focus:
        for predicate in _INCOMING:
            found.update(ontology.graph.triples((None, _rdflib(predicate), node)))
    return found


def _sample(quads) -> set[tuple]:
    """One use, and one by a gmg: or blank subject, of a type or property."""
    any_use, gmg_use = None, None
    for q in quads:
        any_use = any_use or q
        if isinstance(q.subject, ox.BlankNode) or q.subject.value.startswith(_GMG_IRIS):
            gmg_use = q
            break
    return {tuple(map(_rdflib, (q.subject, q.predicate, q.object))) for q in (any_use, gmg_use) if q is not None}


def _validate(triples, mixed, focus, sources: Sources, ontology: _Ontology) -> Report:
    from .validate import validate_mixed, validate_nodes

    report = validate_nodes(chain(triples, mixed), sources.shapes, sources.ontology, mixed=ontology.hierarchy,
                            nodes=focus)
    if report is None:  # targets of a kind gmg.targets leaves to pySHACL: it validates the whole neighbourhood
        graph = Graph()
        graph += chain(triples, mixed)
        report = validate_mixed(graph, sources.shapes, sources.ontology, mixed=ontology.hierarchy)
    return report


def _restricted(report: Report, results: list) -> Report:
    """The report of the affected nodes only: results elsewhere in a neighbourhood may be partial."""
    from .validate import Report

    kept = {node for node in report.graph.subjects(RDF.type, SH.ValidationResult)
            if report.graph.value(node, SH.focusNode) in {r.focus for r in results}}
    graph = Graph(namespace_manager=report.graph.namespace_manager)
    for top in report.graph.subjects(RDF.type, SH.ValidationReport):
        graph.add((top, RDF.type, SH.ValidationReport))
        graph.add((top, SH.conforms, Literal(False)))
        for node in kept:
            graph.add((top, SH.result, node))
    todo = list(kept)
    while todo:
        node = todo.pop()
        for s, p, o in report.graph.triples((node, None, None)):
            if (s, p, o) not in graph:
                graph.add((s, p, o))
                if isinstance(o, BNode):
                    todo.append(o)
    return Report(conforms=False, results=results, graph=graph, labels=report.labels)


@functools.lru_cache(maxsize=1 << 16)
def _rdflib(term):
    """A pyoxigraph term as rdflib's (kept for the 65,536 met most lately: an update's two
    neighbourhoods, before and after, hold the same few hundred terms, and rdflib checks each
    IRI and reads each typed literal's value as it makes it, a fifth of an update's preparation)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return Literal(term.value, datatype=None if datatype == _XSD_STRING else URIRef(datatype))

