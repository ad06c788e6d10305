"""OWL reasoning with HermiT, through owlready2.

:func:`reason` takes rdflib graphs or RDF files (any syntax rdflib reads),
hands them to HermiT in a fresh owlready2 world and returns a
:class:`ReasoningResult`: consistency, unsatisfiable classes, and the types of
named individuals that HermiT infers beyond the asserted ones (ready to be
shipped as data with :meth:`ReasoningResult.inferred_types_graph`).

owlready2 does not read Turtle, so every input is written as N-Triples first;
``owl:imports`` triples are left out so that nothing is fetched from the
network: pass every file the reasoning needs. Needs Java (``default-jre-headless``
or ``default-jdk-headless``) and the ``owlready2`` package, imported lazily so
that this module imports without them.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections import defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Union

from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

__all__ = ["ReasonerError", "ReasonerUnavailable", "ReasoningResult", "reason"]

Source = Union[Graph, str, os.PathLike]

#: Heap for HermiT in MB; owlready2's default (2000) is more than small
#: ontologies need and than small CI machines like to give.
DEFAULT_JAVA_MEMORY_MB = 512

_LOCK = threading.Lock()  # owlready2 keeps the heap size in a module global


class ReasonerUnavailable(RuntimeError):
    """owlready2 or Java is not installed."""


class ReasonerError(RuntimeError):
    """HermiT failed for another reason than an inconsistency (e.g. an unsupported datatype)."""


@dataclass
class ReasoningResult:
    consistent: bool
    unsatisfiable_classes: list[str] = field(default_factory=list)
    #: why the ontology is inconsistent, as far as can be told (empty when consistent)
    explanation: str = ""
    #: (individual IRI, class IRI) pairs HermiT infers that were not asserted:
    #: the most specific inferred types, as HermiT's realisation reports them
    inferred_types: set[tuple[str, str]] = field(default_factory=set)

    def inferred_types_graph(self) -> Graph:
        """The inferred types as ``rdf:type`` triples."""
        g = Graph()
        g.bind("owl", OWL)
        for individual, cls in sorted(self.inferred_types):
            g.add((URIRef(individual), RDF.type, URIRef(cls)))
        return g


def inferred_types_graph(result: ReasoningResult) -> Graph:
    """Function form of :meth:`ReasoningResult.inferred_types_graph`."""
    return result.inferred_types_graph()


# ------------------------------------------------------------------ inputs


def _as_graph(source: Source) -> Graph:
    if isinstance(source, Graph):
        return source
    path = Path(source)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    g = Graph()
    g.parse(str(path))  # rdflib guesses the syntax from the suffix
    return g


def _write_ntriples(graph: Graph, target: Path) -> None:
    if (None, OWL.imports, None) in graph:
        copy = Graph()
        for triple in graph:
            if triple[1] != OWL.imports:
                copy.add(triple)
        graph = copy
    graph.serialize(destination=str(target), format="nt", encoding="utf-8")


def _owlready2():
    try:
        import owlready2
        import owlready2.reasoning
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ReasonerUnavailable(f"owlready2 is not installed ({exc}): pip install owlready2") from exc
    return owlready2


def _java_for(owlready2) -> str:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        return str(Path(home) / "bin" / "java")
    java = shutil.which(owlready2.JAVA_EXE) or shutil.which("java")
    if not java:
        raise ReasonerUnavailable(
            "no java executable found for HermiT (JAVA_HOME or PATH): install the Debian package "
            "default-jre-headless (or default-jdk-headless; scripts/install-system-deps.sh does it)"
        )
    return java


# ---------------------------------------------------------------- reasoning


def reason(
    sources: Source | Iterable[Source],
    *,
    java_memory_mb: int = DEFAULT_JAVA_MEMORY_MB,
    ignore_unsupported_datatypes: bool = False,
) -> ReasoningResult:
    """Run HermiT over the union of ``sources`` (rdflib graphs or file paths).

    Raises :class:`ReasonerError` when HermiT cannot reason at all, e.g. over a
    datatype outside the OWL 2 datatype map such as ``xsd:gYear`` (unless
    ``ignore_unsupported_datatypes``), and :class:`ReasonerUnavailable` when
    owlready2 or Java is missing.
    """
    if isinstance(sources, (Graph, str, os.PathLike)):
        sources = [sources]
    graphs = [_as_graph(s) for s in sources]
    if not graphs:
        raise ValueError("reason() needs at least one graph or file")
    owlready2 = _owlready2()
    java = _java_for(owlready2)

    with tempfile.TemporaryDirectory(prefix="gmg-reason-") as tmp:
        world = owlready2.World()  # in memory, private to this call
        try:
            for i, graph in enumerate(graphs):
                nt = Path(tmp) / f"input-{i}.nt"
                _write_ntriples(graph, nt)
                with open(nt, "rb") as fh:
                    world.get_ontology(nt.as_uri()).load(fileobj=fh, format="ntriples")
            inferred = world.get_ontology("urn:gmg:reasoner:inferred#")
            with _LOCK:
                saved = (owlready2.reasoning.JAVA_MEMORY, owlready2.JAVA_EXE)
                owlready2.reasoning.JAVA_MEMORY = int(java_memory_mb)
                owlready2.JAVA_EXE = java
                try:
                    with inferred:  # HermiT's conclusions go into this ontology
                        owlready2.sync_reasoner_hermit(
                            world,
                            infer_property_values=False,
                            debug=0,
                            ignore_unsupported_datatypes=ignore_unsupported_datatypes,
                        )
                except owlready2.OwlReadyInconsistentOntologyError as exc:
                    detail = str(exc).strip()
                    merged = _union(graphs)
                    text = "HermiT: the ontology is inconsistent."
                    if detail:
                        text += f" {detail}"
                    return ReasoningResult(consistent=False, explanation=text + "\n" + _explain(merged))
                except owlready2.OwlReadyJavaError as exc:
                    raise ReasonerError(f"HermiT failed: {_without_stack_trace(str(exc))}") from exc
                except FileNotFoundError as exc:
                    raise ReasonerUnavailable(f"cannot run java for HermiT: {exc}") from exc
                finally:
                    owlready2.reasoning.JAVA_MEMORY, owlready2.JAVA_EXE = saved

            rdf_type = world._abbreviate(str(RDF.type))
            types = set()
            for s, _p, o in inferred._get_obj_triples_spo_spo(None, rdf_type, None):
                if s < 0 or o < 0:  # blank nodes
                    continue
                individual, cls = world._unabbreviate(s), world._unabbreviate(o)
                if cls.startswith(str(OWL)) or cls.startswith(str(RDFS)) or cls.startswith(str(RDF)):
                    continue
                types.add((individual, cls))
            unsatisfiable = sorted(
                c.iri for c in world.inconsistent_classes() if getattr(c, "iri", None) and c.iri != str(OWL.Nothing)
            )
            return ReasoningResult(consistent=True, unsatisfiable_classes=unsatisfiable, inferred_types=types)
        finally:
            world.close()


def _without_stack_trace(text: str) -> str:
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith(("at ", "... "))]
    return "\n".join(lines).strip()


def _union(graphs: list[Graph]) -> Graph:
    if len(graphs) == 1:
        return graphs[0]
    merged = Graph()
    for g in graphs:
        for triple in g:
            merged.add(triple)
    return merged


# -------------------------------------------------------------- explaining

# HermiT says only "inconsistent". The usual causes in instance data are
# looked for directly: an individual that falls (through its asserted types,
# the told class hierarchy and property domains and ranges) into two disjoint
# classes or into owl:Nothing, and owl:sameAs between individuals declared
# different.


def _named(node) -> bool:
    return isinstance(node, URIRef)


def _list(graph: Graph, head) -> list:
    try:
        return list(Collection(graph, head))
    except Exception:
        return []


def _explain(graph: Graph) -> str:
    supers: dict[URIRef, set[URIRef]] = defaultdict(set)

    def add_super(sub, sup):
        if _named(sub) and _named(sup) and sub != sup:
            supers[sub].add(sup)

    def conjuncts(node) -> list:
        if _named(node):
            return [node]
        out = []
        for members in graph.objects(node, OWL.intersectionOf):
            out.extend(m for m in _list(graph, members) if _named(m))
        return out

    for sub, sup in graph.subject_objects(RDFS.subClassOf):
        for c in conjuncts(sup):
            add_super(sub, c)
    for a, b in graph.subject_objects(OWL.equivalentClass):
        for c in conjuncts(b):
            add_super(a, c)
        for c in conjuncts(a):
            add_super(b, c)
        if _named(a) and _named(b):
            add_super(b, a)

    disjoint: set[frozenset] = set()
    for a, b in graph.subject_objects(OWL.disjointWith):
        if _named(a) and _named(b):
            disjoint.add(frozenset((a, b)))
    for node in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        for members in graph.objects(node, OWL.members):
            ms = [m for m in _list(graph, members) if _named(m)]
            disjoint.update(frozenset((x, y)) for i, x in enumerate(ms) for y in ms[i + 1 :])
    for cls, members in graph.subject_objects(OWL.disjointUnionOf):
        ms = [m for m in _list(graph, members) if _named(m)]
        disjoint.update(frozenset((x, y)) for i, x in enumerate(ms) for y in ms[i + 1 :])
        for m in ms:
            add_super(m, cls)

    vocab = (str(OWL), str(RDF), str(RDFS))
    why: dict[URIRef, dict[URIRef, str]] = defaultdict(dict)  # individual -> class -> reason
    for ind, cls in graph.subject_objects(RDF.type):
        if _named(ind) and _named(cls) and (not str(cls).startswith(vocab) or cls == OWL.Nothing):
            why[ind].setdefault(cls, f"asserted type <{cls}>")
    domains = {p: [d for d in graph.objects(p, RDFS.domain) if _named(d)] for p in set(graph.subjects(RDFS.domain, None))}
    ranges = {p: [r for r in graph.objects(p, RDFS.range) if _named(r)] for p in set(graph.subjects(RDFS.range, None))}
    object_properties = set(graph.subjects(RDF.type, OWL.ObjectProperty))
    for s, p, o in graph:
        if p in domains and _named(s):
            for d in domains[p]:
                why[s].setdefault(d, f"subject of <{p}>, whose domain is <{d}>")
        if p in ranges and _named(o) and p in object_properties:
            for r in ranges[p]:
                why[o].setdefault(r, f"object of <{p}>, whose range is <{r}>")

    findings = []
    for ind, reasons in sorted(why.items()):
        reached: dict[URIRef, str] = {}
        queue = deque()
        for cls, reason in reasons.items():
            reached[cls] = reason
            queue.append(cls)
        while queue:
            c = queue.popleft()
            for sup in supers.get(c, ()):
                if sup not in reached:
                    reached[sup] = f"{reached[c]}, a subclass of <{sup}>"
                    queue.append(sup)
        if OWL.Nothing in reached:
            findings.append(f"<{ind}> is an owl:Nothing ({reached[OWL.Nothing]})")
        for pair in sorted(disjoint, key=lambda p: sorted(p)):
            a, b = sorted(pair)
            if a in reached and b in reached:
                findings.append(
                    f"<{ind}> is both a <{a}> ({reached[a]}) and a <{b}> ({reached[b]}), "
                    f"which are disjoint classes"
                )

    different: set[frozenset] = set()
    for a, b in graph.subject_objects(OWL.differentFrom):
        different.add(frozenset((a, b)))
    for node in graph.subjects(RDF.type, OWL.AllDifferent):
        for members in list(graph.objects(node, OWL.distinctMembers)) + list(graph.objects(node, OWL.members)):
            ms = _list(graph, members)
            different.update(frozenset((x, y)) for i, x in enumerate(ms) for y in ms[i + 1 :])
    for a, b in graph.subject_objects(OWL.sameAs):
        if frozenset((a, b)) in different and a != b:
            findings.append(f"<{a}> owl:sameAs <{b}>, but they are declared different")

    if not findings:
        return (
            "No simple cause found (no individual falls into two disjoint classes through its asserted types, "
            "the told class hierarchy or property domains and ranges); the clash involves other axioms "
            "(restrictions, functional or disjoint properties, cardinalities...)."
        )
    return "Likely cause" + ("s" if len(findings) > 1 else "") + ":\n" + "\n".join(f"- {f}" for f in findings)
