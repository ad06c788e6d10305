"""Which (shape, focus node) pairs could fail the shapes, found by SPARQL over pyoxigraph.

pySHACL's cost is per focus node and property shape, in Python: at a million triples
a full validation took it minutes. Here each shape is compiled into a few SPARQL
queries that find, over all its targets at once, the focus nodes that *could* fail it,
and pySHACL then validates only those (gmg.validate). The queries may find too many
(a suspect that conforms costs a little time) but never too few: every check below
either mirrors pySHACL's own test or errs towards suspicion, and what cannot be
compiled makes every target of its shape a suspect. So the report is still
pySHACL's own, which tests check against pySHACL alone: tests/test_shapes.py on every
shape fixture, tests/test_screen.py on seeded broken copies of the article.

The SPARQL constraints run in Oxigraph here and in rdflib's engine in pySHACL, and
the two differ on some malformed values (rdflib's IRI() makes an IRI of a string with
a space, Oxigraph's fails). Such a value usually breaks another rule of the same node
too (a year that is not a number), so gmg.validate has pySHACL validate each suspect
node against every shape that targets it, not only the shape that made it a suspect:
that narrows the gap rather than closing it, and the broken copies exercise it.

Two things are decided in Python rather than in SPARQL, to match pySHACL exactly:
`sh:pattern` on a shape's own values (Python's `re`, not Oxigraph's regex engine;
inside sh:or and other nested shapes only plain patterns that both engines read alike
are compiled), and literals whose value rdflib cannot read (their subjects are
suspects for every shape that targets them: `doubtful`).
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal

import pyoxigraph as ox
from pyshacl.constraints.core.value_constraints import DatatypeConstraintComponent
from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

SH = Namespace("http://www.w3.org/ns/shacl#")
SCREEN_GRAPH = "urn:x-gmg:screen"  # where the subjects of doubtful literals are marked
DOUBTFUL = "urn:x-gmg:screen#doubtful"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.target)
# Predicates of a shape that say nothing a value must meet (or that the compiler reads with another).
NOT_CONSTRAINTS = {SH.message, SH.severity, SH.name, SH.description, SH.order, SH.group, SH.defaultValue,
                   SH.path, SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint,
                   SH.flags, SH.deactivated, *TARGETS}
NODE_KINDS = {
    SH.IRI: "isIRI({0})", SH.BlankNode: "isBlank({0})", SH.Literal: "isLiteral({0})",
    SH.BlankNodeOrIRI: "(isIRI({0}) || isBlank({0}))", SH.BlankNodeOrLiteral: "(isBlank({0}) || isLiteral({0}))",
    SH.IRIOrLiteral: "(isIRI({0}) || isLiteral({0}))",
}
RANGES = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}
PAIRS = {SH.lessThan: "<", SH.lessThanOrEquals: "<="}


class _Unsupported(Exception):
    """What the compiler does not turn into SPARQL: every target of the shape is then a suspect."""


@dataclass
class _Checks:
    """One top-level shape's compiled checks."""

    shape: Node
    target: str  # a group graph pattern binding ?this to each target
    prefixes: dict = field(default_factory=dict)
    suspicions: list = field(default_factory=list)  # conditions on ?this, one true for each node that could fail
    grouped: list = field(default_factory=list)  # (WHERE body, HAVING condition), grouped by ?this
    patterns: list = field(default_factory=list)  # (path or None for the node itself, compiled regex)
    simple_paths: bool = True  # every value is the focus node or an object of its triples

    def select(self, body: str, having: str = "", also: str = "") -> str:
        prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(self.prefixes.items()))
        tail = f" GROUP BY ?this HAVING ({having})" if having else ""
        return f"{prefixes}SELECT DISTINCT ?this{also} WHERE {{ {{ {self.target} }} {body} }}{tail}"

    def values(self, path: str | None) -> str:
        """Each target with each value of `path` (None: the target itself)."""
        return self.select(f"?this {path} ?value ." if path else "BIND (?this AS ?value)", also=" ?value")

    def suspicious(self, doubtful: bool) -> str | None:
        """One query for the shape's conditions: its targets are enumerated once, each condition an index look-up."""
        suspicions = list(self.suspicions)
        if doubtful:
            suspicions.append(f"EXISTS {{ GRAPH <{SCREEN_GRAPH}> {{ ?this <{DOUBTFUL}> ?doubt }} }}"
                              if self.simple_paths else "true")
        return self.select(f"FILTER ({' || '.join(suspicions)})") if suspicions else None


class Screen:
    """A shapes graph compiled into SPARQL that finds every focus node that could fail it."""

    def __init__(self, shapes: Graph):
        self.shapes = shapes
        self.checks: list[_Checks] = []
        self.unsupported: dict[Node, str] = {}  # shape -> why its targets are all suspects
        self.supported = True  # False when some shape's targets cannot be written as SPARQL
        tops = {shape for p in TARGETS for shape in shapes.subjects(p, None)}
        for shape in sorted(tops, key=str):
            if _true(shapes.value(shape, SH.deactivated)):
                continue
            checks = self._compile(shape)
            if checks is None:
                self.supported = False
            else:
                self.checks.append(checks)

    def suspects(self, store: ox.Store, doubtful: set = frozenset()) -> set[tuple[Node, object]]:
        """(shape, pyoxigraph focus node) for every target that could fail its shape.

        `doubtful`: subjects of literals that rdflib cannot read (see the module's docstring).
        """
        if doubtful:
            store.extend([ox.Quad(node, ox.NamedNode(DOUBTFUL), ox.Literal(True), ox.NamedNode(SCREEN_GRAPH))
                          for node in doubtful])
        found: set = set()
        try:
            # pyoxigraph lets go of the GIL while it evaluates, so the shapes' queries share the cores
            with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
                nodes = pool.map(lambda checks: self._suspects(store, checks, bool(doubtful)), self.checks)
                for checks, suspects in zip(self.checks, nodes):
                    found.update((checks.shape, node) for node in suspects)
        finally:
            if doubtful:
                store.remove_graph(ox.NamedNode(SCREEN_GRAPH))
        return found

    def _suspects(self, store: ox.Store, checks: _Checks, doubtful: bool) -> set:
        queries = [checks.select(body, having) for body, having in checks.grouped]
        suspicious = checks.suspicious(doubtful)
        if suspicious:
            queries.append(suspicious)
        found = {row[0] for query in queries for row in store.query(query)}
        for path, regex in checks.patterns:
            for this, value in store.query(checks.values(path)):
                if isinstance(value, ox.BlankNode) or not regex.search(value.value):
                    found.add(this)
        return found

    # -- compiling ---------------------------------------------------------------------------

    def _compile(self, shape: Node) -> _Checks | None:
        """The shape's checks; None when its targets cannot be written as a SPARQL pattern."""
        prefixes: dict = {}
        try:
            everything = _Checks(shape, self._target(shape, prefixes), prefixes, suspicions=["true"])
            _parses(everything)
        except (_Unsupported, SyntaxError) as why:
            self.unsupported[shape] = f"its targets: {why}"
            return None
        checks = _Checks(shape, everything.target, dict(prefixes))
        self._deep = False
        try:
            self._constraints(shape, checks)
            # a nested shape reads the values' own properties: a doubtful literal there is not the focus's
            checks.simple_paths = checks.simple_paths and not self._deep
            _parses(checks)
        except (_Unsupported, SyntaxError) as why:
            self.unsupported[shape] = str(why)
            return everything  # every target is a suspect
        return checks

    def _target(self, shape: Node, prefixes: dict) -> str:
        g = self.shapes
        branches = []
        for c in g.objects(shape, SH.targetClass):
            branches.append(f"?this <{RDF.type}>/<{RDFS.subClassOf}>* {_term(c)} .")
        for p in g.objects(shape, SH.targetSubjectsOf):
            branches.append(f"?this {_term(p)} [] .")
        for p in g.objects(shape, SH.targetObjectsOf):
            branches.append(f"[] {_term(p)} ?this .")
        nodes = list(g.objects(shape, SH.targetNode))
        if nodes:
            branches.append("VALUES ?this { " + " ".join(_term(n) for n in nodes) + " }")
        for t in g.objects(shape, SH.target):
            select = g.value(t, SH.select)
            if select is None:
                raise _Unsupported("a target that is not a SPARQL SELECT")
            _add_prefixes(prefixes, self._prefixes(g.value(t, SH.prefixes)))
            branches.append("{ " + str(select).replace("$this", "?this") + " }")
        return " UNION ".join("{ " + b + " }" for b in branches)

    def _prefixes(self, holder) -> dict:
        found: dict = {}
        if holder is None:
            return found
        for declaration in self.shapes.objects(holder, SH.declare):
            _add_prefixes(found, {str(self.shapes.value(declaration, SH.prefix)):
                                  str(self.shapes.value(declaration, SH.namespace))})
        return found

    def _constraints(self, shape: Node, checks: _Checks) -> None:
        """Compile a top-level shape's constraints, with ?this its focus node."""
        g = self.shapes
        path = g.value(shape, SH.path)
        if path is not None:
            self._property(shape, self._path(path, checks), checks)
            return
        values = []
        for p, o in self._parameters(shape):
            if p == SH.property:
                if not _true(g.value(o, SH.deactivated)):
                    self._property(o, self._path(g.value(o, SH.path), checks), checks)
            elif p == SH.sparql:
                if not _true(g.value(o, SH.deactivated)):
                    checks.suspicions.append(f"EXISTS {{ {self._sparql(o, checks)} }}")
            elif p == SH.pattern:
                checks.patterns.append((None, self._regex(shape, o)))
            else:
                values.append(self._value(p, o, "?this"))
        if values:
            checks.suspicions.append(f"!({' && '.join(values)})")

    def _property(self, shape: Node, path: str, checks: _Checks) -> None:
        """A property shape's constraints on the values of `path` from ?this."""
        values = []
        for p, o in self._parameters(shape):
            if p == SH.minCount:
                n = int(o)
                if n == 1:
                    checks.suspicions.append(f"NOT EXISTS {{ ?this {path} ?value }}")
                elif n > 1:
                    checks.grouped.append((f"OPTIONAL {{ ?this {path} ?value }}", f"COUNT(DISTINCT ?value) < {n}"))
            elif p == SH.maxCount and int(o) == 0:
                checks.suspicions.append(f"EXISTS {{ ?this {path} ?value }}")
            elif p == SH.maxCount and int(o) == 1:
                checks.suspicions.append(
                    f"EXISTS {{ ?this {path} ?value , ?other . FILTER (!sameTerm(?value, ?other)) }}")
            elif p == SH.maxCount:
                checks.grouped.append((f"?this {path} ?value .", f"COUNT(DISTINCT ?value) > {int(o)}"))
            elif p == SH.hasValue:
                checks.suspicions.append(f"NOT EXISTS {{ ?this {path} {_term(o)} }}")
            elif p == SH.qualifiedValueShape:
                checks.suspicions.append(self._qualified(shape, o, path))
            elif p == SH.uniqueLang:
                if _true(o):
                    checks.suspicions.append(
                        f"EXISTS {{ ?this {path} ?value , ?other . FILTER (!sameTerm(?value, ?other)"
                        f" && lang(?value) != \"\" && LCASE(lang(?value)) = LCASE(lang(?other))) }}")
            elif p in PAIRS:
                checks.suspicions.append(
                    f"EXISTS {{ ?this {path} ?value . ?this {_term(o)} ?other . FILTER (!COALESCE(("
                    f"(isNumeric(?value) && isNumeric(?other)) || datatype(?value) = datatype(?other))"
                    f" && ?value {PAIRS[p]} ?other, false)) }}")
            elif p == SH.pattern:
                checks.patterns.append((path, self._regex(shape, o)))
            else:
                values.append(self._value(p, o, "?value"))
        if values:
            checks.suspicions.append(f"EXISTS {{ ?this {path} ?value . FILTER (!({' && '.join(values)})) }}")

    def _parameters(self, shape: Node):
        """The shape's constraint parameters (SHACL predicates that say something a value must meet)."""
        return ((p, o) for p, o in self.shapes.predicate_objects(shape)
                if p not in NOT_CONSTRAINTS and str(p).startswith(str(SH)))

    def _qualified(self, shape: Node, qualified: Node, path: str) -> str:
        g = self.shapes
        if g.value(shape, SH.qualifiedMaxCount) is not None or _true(g.value(shape, SH.qualifiedValueShapesDisjoint)):
            raise _Unsupported("sh:qualifiedMaxCount or disjoint qualified shapes")
        least = int(g.value(shape, SH.qualifiedMinCount) or 0)
        if least == 0:
            return "false"
        if least > 1:
            raise _Unsupported("sh:qualifiedMinCount above 1")
        return f"NOT EXISTS {{ ?this {path} ?value . FILTER ({self._conforms(qualified, '?value')}) }}"

    def _sparql(self, constraint: Node, checks: _Checks) -> str:
        """A SPARQL constraint's WHERE body, with ?this bound by the target pattern before it."""
        g = self.shapes
        select = g.value(constraint, SH.select)
        if select is None:
            raise _Unsupported("a SPARQL constraint without sh:select")
        text = str(select)
        start, end = text.find("{"), text.rfind("}")
        body = text[start + 1:end]
        unquoted = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)
        if start < 0 or text[end + 1:].strip() or re.search(r"\bSELECT\b", body, re.I) or re.search(
                r"\$(?!this\b)\w", unquoted):
            raise _Unsupported("a SPARQL constraint with solution modifiers, a subquery or other pre-bound variables")
        _add_prefixes(checks.prefixes, self._prefixes(g.value(constraint, SH.prefixes)))
        return body.replace("$this", "?this")

    def _regex(self, shape: Node, pattern: Node) -> re.Pattern:
        """sh:pattern as pySHACL compiles it (with sh:flags i and m)."""
        flags = str(self.shapes.value(shape, SH.flags) or "").lower()
        return re.compile(str(pattern), (re.I if "i" in flags else 0) | (re.M if "m" in flags else 0))

    def _path(self, path: Node | None, checks: _Checks) -> str:
        g = self.shapes
        if isinstance(path, URIRef):
            return _term(path)
        if path is None or not isinstance(path, BNode):
            raise _Unsupported("a property shape without a usable sh:path")
        inverse = g.value(path, SH.inversePath)
        if inverse is not None:
            checks.simple_paths = False
            return f"^({self._path(inverse, checks)})"
        alternatives = g.value(path, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(self._path(p, checks) for p in Collection(g, alternatives)) + ")"
        for kind, suffix in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
            inner = g.value(path, kind)
            if inner is not None:
                checks.simple_paths = False
                return f"({self._path(inner, checks)}){suffix}"
        if g.value(path, RDF.first) is not None:
            checks.simple_paths = False
            return "(" + "/".join(self._path(p, checks) for p in Collection(g, path)) + ")"
        raise _Unsupported("a path the compiler does not know")

    # -- conditions that, when true, guarantee conformance -------------------------------------

    def _value(self, p: Node, o: Node, var: str) -> str:
        """A condition that holds only if the value `var` meets the constraint (p, o)."""
        g = self.shapes
        if p == SH["class"]:
            return f"EXISTS {{ {var} <{RDF.type}>/<{RDFS.subClassOf}>* {_term(o)} }}"
        if p == SH.datatype:
            if o == RDFS.Literal:
                return f"isLiteral({var})"
            return f"(isLiteral({var}) && datatype({var}) = {_term(o)})"
        if p == SH.nodeKind and o in NODE_KINDS:
            return NODE_KINDS[o].format(var)
        if p == SH["in"]:
            return "(" + " || ".join(f"sameTerm({var}, {_term(v)})" for v in Collection(g, o)) + " || false)"
        if p == SH.hasValue:
            return f"sameTerm({var}, {_term(o)})"
        if p in RANGES:
            if not (isinstance(o, Literal) and isinstance(o.value, (int, float, Decimal)) and not isinstance(o.value, bool)):
                raise _Unsupported(f"{p.n3()} with a bound that is not a number")
            return f"COALESCE(isNumeric({var}) && {var} {RANGES[p]} {_term(o)}, false)"
        if p in (SH.minLength, SH.maxLength):
            compare = ">=" if p == SH.minLength else "<="
            return f"(!isBlank({var}) && STRLEN(STR({var})) {compare} {int(o)})"
        if p == SH.languageIn:
            # pySHACL's test: the tag, or its first part, is one of the list (case-insensitively)
            wanted = [str(v).lower() for v in Collection(g, o)]
            if "*" in wanted:
                return f"(isLiteral({var}) && lang({var}) != \"\")"
            listed = ", ".join(_string(w) for w in wanted)
            return (f"(isLiteral({var}) && lang({var}) != \"\" && (LCASE(lang({var})) IN ({listed})"
                    f" || LCASE(STRBEFORE(CONCAT(lang({var}), \"-\"), \"-\")) IN ({listed})))")
        if p in (SH["or"], SH["and"], SH.node):
            if p == SH.node:
                return self._conforms(o, var)
            parts = [self._conforms(s, var) for s in Collection(g, o)]
            return "(" + (" || " if p == SH["or"] else " && ").join(parts) + ")"
        raise _Unsupported(f"the constraint {p.n3()}")

    def _conforms(self, shape: Node, var: str) -> str:
        """A condition that holds only if `var` conforms to `shape` (used inside or, and, node, qualified)."""
        g = self.shapes
        if _true(g.value(shape, SH.deactivated)):
            return "true"
        path = g.value(shape, SH.path)
        parts = []
        checks = _Checks(shape, "")  # only for the path's bookkeeping
        walk = self._path(path, checks) if path is not None else None
        self._deep = self._deep or (walk is not None and var != "?this")
        for p, o in self._parameters(shape):
            if p == SH.pattern and _plain_regex(str(o)) and g.value(shape, SH.flags) is None:
                parts.append(f"(!isBlank({var}) && REGEX(STR({var}), {_string(str(o))}))")
                continue
            if p in (SH.sparql, SH.pattern, SH["not"], SH.xone, SH.closed, SH.uniqueLang, SH.qualifiedValueShape,
                     SH.equals, SH.disjoint, *PAIRS):
                raise _Unsupported(f"{p.n3()} inside a logical or nested shape")
            if p == SH.property:
                parts.append(self._conforms(o, var))
            elif walk is None:
                parts.append(self._value(p, o, var))
            elif p == SH.minCount:
                if int(o) > 1:
                    raise _Unsupported("sh:minCount above 1 inside a nested shape")
                if int(o) == 1:
                    parts.append(f"EXISTS {{ {var} {walk} ?nested }}")
            elif p == SH.maxCount:
                if int(o) > 1:
                    raise _Unsupported("sh:maxCount above 1 inside a nested shape")
                both = f"{var} {walk} ?nested . {var} {walk} ?nested2 . FILTER (!sameTerm(?nested, ?nested2))"
                parts.append(f"NOT EXISTS {{ {var} {walk} ?nested }}" if int(o) == 0 else f"NOT EXISTS {{ {both} }}")
            elif p == SH.hasValue:
                parts.append(f"EXISTS {{ {var} {walk} {_term(o)} }}")
            else:
                inner = self._value(p, o, "?nested")
                parts.append(f"NOT EXISTS {{ {var} {walk} ?nested . FILTER (!({inner})) }}")
        if var == "?nested":
            raise _Unsupported("shapes nested two deep")
        return "(" + " && ".join(parts or ["true"]) + ")"


def _parses(checks: _Checks) -> None:
    """Raise SyntaxError unless Oxigraph reads every query of `checks` (run once on an empty store)."""
    empty = ox.Store()
    queries = [checks.select(body, having) for body, having in checks.grouped]
    queries += [q for q in (checks.suspicious(False), checks.suspicious(True)) if q]
    queries += [checks.values(path) for path, _ in checks.patterns]
    for query in queries:
        list(empty.query(query))


def doubtful_literal(literal: Literal) -> bool:
    """Whether rdflib cannot read this literal as its datatype (pySHACL's sh:datatype would then fail it)."""
    if literal.datatype is None:
        return False
    if getattr(literal, "ill_typed", None) is True:
        return True
    return not DatatypeConstraintComponent._assert_actual_datatype(None, literal, literal.datatype)


def doubtful_subjects(store: ox.Store) -> set:
    """The subjects of the store's literals that rdflib cannot read as their datatype (pyoxigraph terms)."""
    typed = store.query(f"SELECT DISTINCT ?o WHERE {{ ?s ?p ?o FILTER (isLiteral(?o) && lang(?o) = '' "
                        f"&& datatype(?o) != <{XSD_STRING}>) }}")
    odd = [row[0] for row in typed if doubtful_literal(Literal(row[0].value, datatype=URIRef(row[0].datatype.value)))]
    return {q.subject for literal in odd for q in store.quads_for_pattern(None, None, literal)}


# Regular expressions that Python's re and Oxigraph's engine read alike: literal characters,
# escaped punctuation, anchors, groups, alternatives, classes and quantifiers (no \\w, \\d, \\b ...).
_PLAIN_REGEX = re.compile(r"(?:[A-Za-z0-9 /:#_,.^|()\[\]{}*+?-]|\\[./#:?*+()\[\]{}|^$-])*")


def _plain_regex(pattern: str) -> bool:
    """Whether a match by Oxigraph's REGEX means a match by Python's re (so conformance may rest on it).

    Character classes hold no nested class or `--` (which Oxigraph's engine reads as set operations).
    """
    if _PLAIN_REGEX.fullmatch(pattern) is None or "--" in pattern:
        return False
    in_class = False
    for char in re.sub(r"\\.", "", pattern):
        if char == "[" and in_class:
            return False
        in_class = (in_class or char == "[") and char != "]"
    return True


def _add_prefixes(into: dict, more: dict) -> None:
    for prefix, namespace in more.items():
        if into.setdefault(prefix, namespace) != namespace:
            raise _Unsupported(f"the prefix {prefix}: bound to two namespaces")


def _term(node: Node) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return node.n3()
    raise _Unsupported("a blank node as a constraint's value")


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _true(node) -> bool:
    return isinstance(node, Literal) and node.value is True
