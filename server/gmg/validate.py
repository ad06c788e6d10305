"""Stage 2: SHACL validation of the instance data, with a report people can act on.

Runs without RDFS inference: the instances state each individual's most specific
type, and the ontology is mixed in only for the class hierarchy (as pySHACL's
`ont_graph` would, but prepared once per shapes and ontology). With
inference on, a range axiom would type every funder as an agent and a "funder is
an agent" shape could never fire.

A full validation has pySHACL validate only the nodes that could fail: gmg.screen
finds them by SPARQL over pyoxigraph, all targets of a shape at once. An update's
check validates the nodes gmg.targets finds among those it can affect. Either way
pySHACL runs on shapes it parsed once (`_FocusedRunner`), and the report is the same
as its own validate() (`reference=True` runs that, for the tests that say so).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain

from pyshacl import validate as shacl_validate
from rdflib.plugins.sparql import prepareQuery
from pyshacl.graph_abstraction import DataGraph
from pyshacl.rdfutil.inoculate import inoculate
from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.paths import Path
from rdflib.term import Node

from .screen import Screen
from .sources import Sources
from .targets import Targets, oxigraph_copy

SH = Namespace("http://www.w3.org/ns/shacl#")
SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass(frozen=True)
class Result:
    severity: str  # "Violation" | "Warning" | "Info"
    focus: Node
    path: Node | None
    value: Node | None
    message: str
    shape: Node | None
    constraint: Node | None = None  # the sh:SPARQLConstraint, for SPARQL-based results
    inverse: bool = False  # the path is `^path`: the property points at the focus node

    @property
    def rule(self) -> Node | None:
        """The shape or SPARQL constraint that states the rule (the constraint is the more specific)."""
        return self.constraint if self.constraint is not None else self.shape


@dataclass
class Report:
    """The outcome of one validation run."""

    conforms: bool
    results: list[Result]
    graph: Graph  # the standard sh:ValidationReport
    labels: dict[Node, str] = field(default_factory=dict)

    def count(self, severity: str) -> int:
        return sum(1 for r in self.results if r.severity == severity)

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Violation"]

    def failed(self, strict: bool = False) -> bool:
        """Violations fail; warnings fail too when strict."""
        return bool(self.violations) or (strict and self.count("Warning") > 0)

    def label(self, node: Node | None) -> str:
        if node is None:
            return "-"
        name = self.labels.get(node)
        shown = node.n3() if not isinstance(node, URIRef) else f"<{node}>"
        return f"{shown} ({name})" if name else shown

    def render(self) -> str:
        """Plain text grouped by focus node: what is wrong, where, and which shape says so."""
        if not self.results:
            return "Validation: the data conforms to the shapes."
        by_focus: dict[Node, list[Result]] = defaultdict(list)
        for result in self.results:
            by_focus[result.focus].append(result)
        lines = [
            f"Validation: {self.count('Violation')} violation(s), "
            f"{self.count('Warning')} warning(s), {self.count('Info')} info"
        ]
        for focus in sorted(by_focus, key=str):
            lines.append("")
            lines.append(self.label(focus))
            for r in sorted(by_focus[focus], key=lambda r: (r.severity, str(r.path))):
                lines.append(f"  {r.severity}: {r.message}")
                if r.path is not None:
                    inverse = "^" if r.inverse else ""
                    lines.append(f"    property: {inverse}{self.label(r.path)}")
                if r.value is not None:
                    lines.append(f"    value:    {r.value.n3() if isinstance(r.value, Literal) else self.label(r.value)}")
                lines.append(f"    shape:    {self.label(r.rule)}")
        return "\n".join(lines)


def validate(sources: Sources, extra: Graph | None = None) -> Report:
    """Validate the instances (plus any extra data) against the shapes and ontology."""
    data = sources.instances  # left unchanged: no copy (at a million triples a copy takes seconds)
    if extra is not None:
        data = Graph()
        data += sources.instances
        data += extra
    return validate_graph(data, sources.shapes, sources.ontology)


@dataclass(frozen=True)
class _Prepared:
    """What every run against the same shapes and ontology shares, made once."""

    sources: tuple[Graph, Graph]  # the shapes and ontology it was made from (kept, so their ids stay theirs)
    shapes: Graph  # our copy: pySHACL adds to the shapes graph it is given
    ontology: list  # the ontology's triples as pySHACL itself mixes them into a data graph (ont_graph)
    targets: Targets  # the shapes' targets, for validating chosen nodes only (an update's check)
    focused: "_FocusedRunner | None"  # pySHACL's parsed shapes, kept for validating chosen nodes

    @cached_property
    def screen(self) -> Screen:
        """The shapes as SPARQL that finds the nodes that could fail: made on a full validation's
        first use, so that an update's check (which never uses it) does not pay for it."""
        return Screen(self.sources[0])

    @property
    def full_screen(self) -> Screen | None:
        """The screen, where a full validation can rest on it (gmg runs the shapes on its suspects)."""
        return self.screen if self.runner is not None and self.screen.supported else None

    @property
    def runner(self) -> "_FocusedRunner | None":
        """The runner, where gmg can work out every target of the shapes and run them itself."""
        return self.focused if self.targets.supported else None


_prepared: dict[tuple, _Prepared] = {}  # for the last shapes and ontology only
_lock = threading.Lock()  # one run at a time: pySHACL writes to the shared shapes copy


def _prepare(shapes: Graph, ontology: Graph) -> _Prepared:
    key = (id(shapes), len(shapes), id(ontology), len(ontology))
    if key not in _prepared:
        shapes_copy = Graph()
        shapes_copy += shapes
        mixed = inoculate(DataGraph.from_rdflib(Graph()), ontology)
        _prepared.clear()
        targets = Targets(shapes)
        _prepared[key] = _Prepared((shapes, ontology), shapes_copy, list(mixed.triples((None, None, None))),
                                   targets, _FocusedRunner.make(shapes))
    return _prepared[key]


class _PreparedQueries(Graph):
    """A graph whose SPARQL queries are parsed once per text, not at every call.

    pySHACL hands the same few dozen query texts (SPARQL targets and constraints) to
    rdflib at every run, and rdflib's parser takes about 0.1 s for each: over a small
    graph that was nearly all of a run's time.
    """

    _cache: dict[str, object] = {}

    def query(self, query_object, *args, **kwargs):
        if isinstance(query_object, str):
            prepared = self._cache.get(query_object)
            if prepared is None:
                prepared = self._cache[query_object] = prepareQuery(query_object, initNs=dict(self.namespaces()))
            query_object = prepared
        return super().query(query_object, *args, **kwargs)


def validate_graph(data: Graph, shapes: Graph, ontology: Graph, *, reference: bool = False) -> Report:
    """Validate `data` (left unchanged) against the shapes, with the ontology for the class hierarchy.

    `reference`: let pySHACL find the shapes' targets itself, as its validate() does (slower:
    it runs the SPARQL targets in rdflib): what the usual way is tested against.
    """
    return validate_mixed(data, shapes, ontology, mixed=mixed_ontology(shapes, ontology), reference=reference)


def mixed_ontology(shapes: Graph, ontology: Graph) -> list:
    """The ontology's triples as pySHACL itself would mix them into a data graph (made once)."""
    with _lock:
        return _prepare(shapes, ontology).ontology


def screen_of(shapes: Graph, ontology: Graph) -> Screen | None:
    """The shapes' screen, or None where a full validation cannot rest on it (pySHACL must then
    see every target: shapes the screen or gmg.targets cannot write as queries, SHACL rules)."""
    with _lock:
        return _prepare(shapes, ontology).full_screen


def validate_mixed(data: Graph, shapes: Graph, ontology: Graph, *, mixed: list, reference: bool = False) -> Report:
    """Validate `data` plus the `mixed` triples of the ontology (the class hierarchy, at least).

    gmg.screen finds the targets that could fail and pySHACL validates those;
    `reference`: pySHACL validates every target, found by itself (see validate_graph).
    """
    with _lock:
        prepared = _prepare(shapes, ontology)
        if not reference and prepared.full_screen is not None:
            suspects = _suspects(prepared.full_screen, chain(mixed, data))
            # pySHACL gets its copy only when there is something for it to validate; a suspect is
            # validated against every shape that targets it (see gmg.screen on the two SPARQL engines)
            target = _mixed_copy(mixed, data) if suspects else _PreparedQueries()
            conforms, report_graph = prepared.runner.run(target, prepared.targets.of(target, suspects))
        elif prepared.runner is not None and not reference:  # every target, as gmg.targets finds them
            target = _mixed_copy(mixed, data)
            conforms, report_graph = prepared.runner.run(target, prepared.targets.all(target))
        else:
            conforms, report_graph = _pyshacl(_mixed_copy(mixed, data), prepared.shapes)
    return _report(conforms, report_graph, data, shapes, ontology)


def validate_nodes(data: Iterable, shapes: Graph, ontology: Graph, *, mixed: list, nodes: set) -> Report | None:
    """Like validate_mixed, but only the `nodes` that the shapes target are validated; `data` may be
    any triples (an update's neighbourhood: copied once, with the `mixed` triples, not twice).

    None when the shapes use a kind of target that gmg.targets does not work out, or SHACL
    functions or rules (which gmg does not run itself).
    """
    with _lock:
        prepared = _prepare(shapes, ontology)
        if prepared.runner is None:
            return None
        target = _mixed_copy(mixed, data)
        conforms, report_graph = prepared.runner.run(target, prepared.targets.of(target, set(nodes)))
    # (labels looked up in the copy: what it adds to the data is the ontology's, looked in next anyway)
    return _report(conforms, report_graph, target, shapes, ontology)


def _mixed_copy(mixed: list, data: Iterable) -> Graph:
    """The data with the ontology mixed in, once per run, instead of by pySHACL (ont_graph), which
    would copy the data graph again; the copy is ours, so pySHACL may work in place."""
    target = _PreparedQueries()
    target += mixed
    target += data
    return target


def _suspects(screen: Screen, triples: Iterable) -> set:
    """The nodes among `triples` that could fail a shape that targets them (gmg.screen)."""
    doubtful: set = set()
    store, back = oxigraph_copy(triples, doubtful)
    return {back[node] for _, node in screen.suspects(store, doubtful)}


def _pyshacl(target: Graph, shapes: Graph) -> tuple[bool, Graph]:
    """pySHACL as gmg runs it: no inference (see the module's docstring), in place on our own copy."""
    conforms, report_graph, _ = shacl_validate(target, shacl_graph=shapes, inference="none", advanced=True,
                                               allow_warnings=True, inplace=True)
    return conforms, report_graph


class _FocusedRunner:
    """pySHACL's own shape objects, parsed once, run on chosen (shape, focus node) pairs.

    What pySHACL's validate() does for a shapes graph whose shapes target exactly
    those nodes, without parsing the shapes again at every call (a third of an
    update's check on the article's graph).
    """

    def __init__(self, validator, executor):
        self.validator, self.executor = validator, executor

    @classmethod
    def make(cls, shapes: Graph) -> "_FocusedRunner | None":
        """None when the shapes use what this runner does not do (SHACL functions or rules)."""
        from pyshacl import Validator
        from pyshacl.functions import gather_functions
        from pyshacl.monkey import apply_patches
        from pyshacl.rules import gather_rules

        apply_patches()  # as pySHACL's validate() does first
        validator = Validator(DataGraph.from_rdflib(Graph()), shacl_graph=_RememberingGraph(shapes), options={
            "inference": "none", "advanced": True, "allow_warnings": True, "inplace": True})
        executor = validator.make_executor()
        if gather_functions(executor, validator.shacl_graph) or gather_rules(executor, validator.shacl_graph):
            return None
        for shape in validator.shacl_graph.shapes:
            shape.set_advanced(True)
        return cls(validator, executor)

    def run(self, target: Graph, chosen) -> tuple[bool, Graph]:
        by_shape: dict = defaultdict(list)
        for shape, node in chosen:
            by_shape[shape].append(node)
        data = DataGraph.from_rdflib(target)
        conforms, reports = True, []
        for node, focus in by_shape.items():
            shape = self.validator.shacl_graph.lookup_shape_from_node(node)
            shape_conforms, shape_reports = shape.validate(self.executor, data, focus=focus)
            conforms = conforms and shape_conforms
            reports.extend(shape_reports)
        report_graph, _ = self.validator.create_validation_report(self.validator.shacl_graph, conforms, reports)
        return conforms, report_graph


class _RememberingGraph(Graph):
    """A copy of a shapes graph whose look-ups are each answered once (a change forgets the answers).

    pySHACL reads a shape's parameters from the shapes graph every time it
    validates the shape, at every focus node; the shapes change only while
    pySHACL prepares them (it adds its own few triples).
    """

    def __init__(self, source: Graph):
        super().__init__(store="SimpleMemory")  # without named graphs' bookkeeping
        self._answers: dict = {}
        self += source

    def triples(self, triple):
        if isinstance(triple[1], Path):
            yield from super().triples(triple)
            return
        found = self._answers.get(triple)
        if found is None:
            found = self._answers[triple] = tuple(super().triples(triple))
        yield from found

    def add(self, triple):
        self._answers.clear()
        return super().add(triple)

    def addN(self, quads):
        self._answers.clear()
        return super().addN(quads)

    def remove(self, triple):
        self._answers.clear()
        return super().remove(triple)


class _ParameterList(list):
    """pySHACL's list of constraint parameters, with a set's membership test.

    pySHACL looks up every predicate of a shape in this list (of about forty
    IRIs, compared one by one in Python) each time it validates the shape: a
    quarter of a validation's time. The list holds the same items; only `in` is faster.
    """

    def __init__(self, items=()):
        super().__init__(items)
        self._members = set(self)

    def __contains__(self, item) -> bool:
        return item in self._members

    def copy(self) -> "_ParameterList":
        return _ParameterList(self)

    def append(self, item) -> None:
        super().append(item)
        self._members.add(item)


def _speed_up_pyshacl() -> None:
    """Give pySHACL's shape module its parameter list (which it caches on the module) as a _ParameterList."""
    import pyshacl.shape
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP

    if not isinstance(getattr(pyshacl.shape, "CONSTRAINT_PARAMS", (None,))[0], _ParameterList):
        pyshacl.shape.CONSTRAINT_PARAMS = (_ParameterList(ALL_CONSTRAINT_PARAMETERS), CONSTRAINT_PARAMETERS_MAP)


_speed_up_pyshacl()


def _report(conforms, report_graph: Graph, data: Graph, shapes: Graph, ontology: Graph) -> Report:
    results = [_result(report_graph, node) for node in report_graph.subjects(RDF.type, SH.ValidationResult)]
    labels = _labels(results, data, ontology, shapes)
    return Report(conforms=bool(conforms), results=results, graph=report_graph, labels=labels)


def _result(g: Graph, node: Node) -> Result:
    message = g.value(node, SH.resultMessage)
    path = g.value(node, SH.resultPath)
    inverted = g.value(path, SH.inversePath) if isinstance(path, BNode) else None
    return Result(
        severity=SEVERITIES.get(g.value(node, SH.resultSeverity), "Violation"),
        focus=g.value(node, SH.focusNode),
        path=inverted if inverted is not None else path,
        inverse=inverted is not None,
        value=g.value(node, SH.value),
        message=str(message) if message is not None else "constraint not met",
        shape=g.value(node, SH.sourceShape),
        constraint=g.value(node, SH.sourceConstraint),
    )


def _labels(results: list[Result], *graphs: Graph) -> dict[Node, str]:
    """English (or any) labels of the nodes a report names, for readable output."""
    wanted = {n for r in results for n in (r.focus, r.path, r.value, r.shape, r.constraint) if isinstance(n, URIRef)}
    labels: dict[Node, str] = {}
    for node in wanted:
        for graph in graphs:
            found = sorted(graph.objects(node, RDFS.label), key=lambda l: getattr(l, "language", None) != "en")
            if found:
                labels[node] = str(found[0])
                break
    return labels
