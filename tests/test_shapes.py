"""The shapes catch the mistakes they are written for, and nothing else.

Every file in tests/fixtures/shapes/ (but _base.ttl) makes one mistake and names
what must be reported in header lines

    # expect: gmgsh:PercentShape-range id:observation/fx-percent-above-100

- the shape (sh:sourceShape) or, for a SPARQL-based rule, the sh:SPARQLConstraint
(sh:sourceConstraint) and the focus node (`_:` for a blank node of the fixture).

A fixture is validated with _base.ttl (a small valid world that alone reports
nothing) and the ontology, not with the real data: then whatever is reported is
what the fixture introduces, and the real data can change without breaking the
fixtures. For speed the fixtures are validated in batches, one pySHACL run for
many. That reports what one run each would: a fixture states triples only about
nodes of its own, no two fixtures in a batch share a node, and each result is
credited to the fixture whose node is its focus. A rule that compares nodes
across the graph (conflicting observations) would credit a fixture with an
extra result, so the test would fail rather than pass by accident; the failure
message also gives what the fixture reports on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from conftest import ROOT
from gmg.sources import load_sources, parse_turtle
from gmg.validate import Report, validate, validate_graph

FIXTURES = ROOT / "tests" / "fixtures" / "shapes"
SH = Namespace("http://www.w3.org/ns/shacl#")
GMGSH = Namespace("https://w3id.org/gmg/shapes#")
GMG = Namespace("https://w3id.org/gmg/ontology#")
PROV = Namespace("http://www.w3.org/ns/prov#")
ORG = Namespace("http://www.w3.org/ns/org#")
OA = Namespace("http://www.w3.org/ns/oa#")
BLANK = "_:"  # the focus of an expectation that names a blank node of the fixture

# Parameters that make a node shape report results of its own (besides its sh:property
# and sh:sparql children, which report as themselves).
NOT_CONSTRAINTS = {SH.property, SH.sparql, SH.severity, SH.message, SH.deactivated, SH.name,
                   SH.description, SH.target, SH.targetClass, SH.targetNode, SH.targetSubjectsOf,
                   SH.targetObjectsOf, SH.prefixes, SH.declare, SH.order, SH.group}
# Shape-valued parameters: a shape used there reports through the shape that uses it.
SHAPE_PARAMETERS = (SH["or"], SH["and"], SH.xone, SH["not"], SH.node, SH.qualifiedValueShape)


@pytest.fixture(scope="module")
def sources():
    return load_sources()


# --- fixtures --------------------------------------------------------------------


@dataclass
class Fixture:
    path: Path
    graph: Graph
    expected: set[tuple[Node, Node | str]]
    nodes: set[Node] = field(default_factory=set)  # the nodes it introduces (not in _base.ttl or the ontology)

    @property
    def name(self) -> str:
        return self.path.name


def _term(text: str, graph: Graph) -> Node | str:
    if text == BLANK:
        return BLANK
    if text.startswith("<") and text.endswith(">"):
        return URIRef(text[1:-1])
    prefix, _, local = text.partition(":")
    namespaces = {"gmgsh": str(GMGSH), **{p: str(n) for p, n in graph.namespaces()}}
    assert prefix in namespaces, f"unknown prefix in {text!r}"
    return URIRef(namespaces[prefix] + local)


def _load_fixture(path: Path, known: set[Node]) -> Fixture:
    graph = parse_turtle(path)
    expected = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# expect:"):
            rule, focus = line.split()[2:4]
            expected.add((_term(rule, graph), _term(focus, graph)))
    nodes = {n for triple in graph for n in triple if not isinstance(n, Literal)} - known
    return Fixture(path, graph, expected, nodes)


def _focus_key(node: Node) -> Node | str:
    return BLANK if isinstance(node, BNode) else node


def _reported(report: Report) -> set[tuple[Node, Node | str]]:
    return {(r.rule, _focus_key(r.focus)) for r in report.results}


@pytest.fixture(scope="module")
def base() -> Graph:
    return parse_turtle(FIXTURES / "_base.ttl")


@pytest.fixture(scope="module")
def fixtures(sources, base) -> list[Fixture]:
    known = {n for g in (base, sources.ontology) for triple in g for n in triple}
    return [_load_fixture(path, known) for path in sorted(FIXTURES.glob("*.ttl")) if path.name != "_base.ttl"]


def _batches(fixtures: list[Fixture]) -> list[list[Fixture]]:
    """Fixtures grouped so that no two in a group share a node (first fit)."""
    batches: list[tuple[list[Fixture], set[Node]]] = []
    for fixture in fixtures:
        for members, nodes in batches:
            if not nodes & fixture.nodes:
                members.append(fixture)
                nodes |= fixture.nodes
                break
        else:
            batches.append(([fixture], set(fixture.nodes)))
    return [members for members, _ in batches]


@pytest.fixture(scope="module")
def batch_results(sources, base, fixtures):
    """Per fixture, what the batch run credits to it; and the results credited to no fixture."""
    credited: dict[str, set] = {}
    uncredited: list[str] = []
    for batch in _batches(fixtures):
        data = Graph()
        data += base
        for fixture in batch:
            data += fixture.graph
            credited[fixture.name] = set()
        owner = {node: fixture.name for fixture in batch for node in fixture.nodes}
        for result in validate_graph(data, sources.shapes, sources.ontology).results:
            if result.focus in owner:
                credited[owner[result.focus]].add((result.rule, _focus_key(result.focus)))
            else:
                uncredited.append(f"{result.focus.n3()} {result.rule.n3()}: {result.message}")
    return credited, uncredited


def test_gmg_finds_the_targets_pyshacl_would(sources, base, fixtures):
    """gmg screens the shapes' targets itself (gmg.screen: SPARQL over pyoxigraph) and has
    pySHACL validate the nodes that could fail; on every fixture, that reports exactly what
    pySHACL validating every target, found by itself, reports."""
    def results(report):
        return {(r.severity, r.focus, r.path, r.inverse, r.value, r.shape, r.constraint, r.message)
                for r in report.results}

    for batch in _batches(fixtures):
        data = Graph()
        data += base
        for fixture in batch:
            data += fixture.graph
        ours = results(validate_graph(data, sources.shapes, sources.ontology))
        reference = results(validate_graph(data, sources.shapes, sources.ontology, reference=True))
        assert ours, "the fixtures report violations: an empty report means nothing was validated"
        assert ours == reference, (f"only gmg: {sorted(map(str, ours - reference))[:5]}\n"
                                   f"only pySHACL: {sorted(map(str, reference - ours))[:5]}")


def test_base_alone_reports_nothing(sources, base):
    report = validate_graph(base, sources.shapes, sources.ontology)
    assert not report.results, report.render()


def test_fixtures_only_describe_nodes_of_their_own(fixtures, base):
    """What makes batching sound: no fixture adds statements about _base.ttl or ontology nodes."""
    wrong = [f"{f.name}: {s.n3()}" for f in fixtures for s in sorted(set(f.graph.subjects()) - f.nodes, key=str)]
    assert not wrong, "fixtures that add statements about shared nodes (mint a node of their own):\n" + "\n".join(wrong)


def test_every_fixture_expects_something(fixtures):
    assert fixtures
    empty = [f.name for f in fixtures if not f.expected]
    assert not empty, f"fixtures without an `# expect:` line: {empty}"


def test_no_result_outside_the_fixtures(batch_results):
    _, uncredited = batch_results
    assert not uncredited, "results whose focus node no fixture introduces:\n" + "\n".join(uncredited)


def _fixture_names() -> list[str]:
    return sorted(p.name for p in FIXTURES.glob("*.ttl") if p.name != "_base.ttl")


def _show(pairs) -> str:
    return "\n".join(f"    {rule.n3() if isinstance(rule, URIRef) else rule} {focus if focus == BLANK else focus.n3()}"
                     for rule, focus in sorted(pairs, key=str)) or "    (nothing)"


@pytest.mark.parametrize("name", _fixture_names())
def test_fixture_reports_exactly_what_it_expects(name, fixtures, batch_results, sources, base):
    fixture = next(f for f in fixtures if f.name == name)
    credited, _ = batch_results
    got = credited[name]
    if got != fixture.expected:
        alone = Graph()
        alone += base
        alone += fixture.graph
        alone_got = _reported(validate_graph(alone, sources.shapes, sources.ontology))
        pytest.fail(f"{name}:\n  expected\n{_show(fixture.expected)}\n  reported\n{_show(got)}\n"
                    f"  reported when validated alone with _base.ttl\n{_show(alone_got)}\n"
                    f"  missing\n{_show(fixture.expected - got)}\n  unexpected\n{_show(got - fixture.expected)}")


# --- every shape has a fixture, a label, a message and a severity ---------------------


def _helpers(shapes: Graph) -> set[Node]:
    """Shapes used only inside other constraints (sh:or lists, sh:node ...)."""
    used = set()
    for parameter in SHAPE_PARAMETERS:
        for value in shapes.objects(None, parameter):
            used.update(shapes.items(value) if (value, RDF.first, None) in shapes else [value])
    return used


def _reportable(shapes: Graph) -> set[Node]:
    """Every shape or SPARQL constraint that reports results as itself."""
    found = set(shapes.objects(None, SH.property)) | set(shapes.objects(None, SH.sparql))
    helpers = _helpers(shapes)
    for shape in set(shapes.subjects(RDF.type, SH.NodeShape)) - helpers:
        if any(p.startswith(str(SH)) and p not in NOT_CONSTRAINTS for p in shapes.predicates(shape)):
            found.add(shape)
    return found


def test_every_shape_has_a_fixture_that_makes_it_fire(sources, fixtures):
    expected = {rule for f in fixtures for rule, _ in f.expected}
    reportable = _reportable(sources.shapes)
    missing = sorted(str(s) for s in reportable - expected)
    assert not missing, ("shapes and constraints that no fixture under tests/fixtures/shapes/ makes fire "
                         "(add a fixture with `# expect: <shape> <focus>`):\n" + "\n".join(missing))
    unknown = sorted(str(s) for s in expected - reportable)
    assert not unknown, "fixtures expect shapes that are not in shapes/ (or report nothing of their own):\n" + \
        "\n".join(unknown)


def _all_shapes(shapes: Graph) -> set[Node]:
    return (set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
            | set(shapes.objects(None, SH.property)) | set(shapes.objects(None, SH.sparql)))


def test_every_shape_has_a_label_a_message_and_a_severity(sources):
    shapes = sources.shapes
    problems = []
    for shape in sorted(_all_shapes(shapes), key=str):
        for prop in (RDFS.label, SH.message):
            if not any(getattr(v, "language", None) == "en" and str(v).strip() for v in shapes.objects(shape, prop)):
                problems.append(f"{shape}: no English {prop.n3(shapes.namespace_manager)}")
        if shapes.value(shape, SH.severity) not in (SH.Violation, SH.Warning, SH.Info):
            problems.append(f"{shape}: no sh:severity (state sh:Violation, sh:Warning or sh:Info)")
    assert not problems, "\n".join(problems)


def test_typed_subject_targets_are_the_ontology_properties(sources):
    """gmgsh:TypedSubjectShape targets the subjects of every declared property (and rdfs:label, rdfs:comment)."""
    ontology = sources.ontology
    declared = {p for kind in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)
                for p in ontology.subjects(RDF.type, kind) if isinstance(p, URIRef)}
    declared |= {RDFS.label, RDFS.comment}
    listed = set(sources.shapes.objects(GMGSH.TypedSubjectShape, SH.targetSubjectsOf))
    nm = ontology.namespace_manager
    assert listed == declared, (
        "gmgsh:TypedSubjectShape's sh:targetSubjectsOf (shapes/core.ttl) and the ontology's properties differ;\n"
        f"  add: {sorted(p.n3(nm) for p in declared - listed)}\n  remove: {sorted(p.n3(nm) for p in listed - declared)}")


# --- the real data, and mistakes made in it ----------------------------------------


def test_real_data_conforms(sources):
    report = validate(sources)
    assert not report.results, report.render()


def _one(graph: Graph, query: str, offset: int = 0):
    rows = sorted(graph.query("PREFIX gmg: <https://w3id.org/gmg/ontology#>\n"
                              "PREFIX prov: <http://www.w3.org/ns/prov#>\n"
                              "PREFIX owl: <http://www.w3.org/2002/07/owl#>\n"
                              "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n" + query), key=str)
    assert len(rows) > offset, f"the real data has no resource for the mutation test:\n{query}"
    return rows[offset]


def test_mistakes_in_the_real_data_are_caught_on_the_node(sources):
    """A sample of real resources, each broken the way contributors break them; one run for all."""
    data = Graph()
    data += sources.instances
    expected: dict[Node, tuple[URIRef, str]] = {}

    def delete(node: Node, prop: URIRef, rule: URIRef, what: str) -> None:
        assert (node, prop, None) in data, f"{node.n3()} has no {prop.n3()}"
        data.remove((node, prop, None))
        expected[node] = (rule, what)

    (io,) = _one(data, "SELECT ?x WHERE { ?x a gmg:InternationalOrganization ; gmg:hasStatus ?s }")
    delete(io, RDFS.label, GMGSH["LabelledAgentShape-english"], "IO without its label")
    (passage,) = _one(data, "SELECT ?x WHERE { ?x a gmg:Passage ; <http://www.w3.org/ns/oa#hasSelector> ?s }")
    delete(passage, OA.hasSelector, GMGSH["BodyPassageShape-selector"], "passage without its selector")
    (status,) = _one(data, "SELECT ?x WHERE { ?x a gmg:Status }")
    delete(status, GMG.statusType, GMGSH["StatusShape-statusType"], "status without its status type")
    (observation,) = _one(data, "SELECT ?x WHERE { ?x a gmg:Observation }")
    delete(observation, GMG.measure, GMGSH["ObservationShape-measure"], "observation without its measure")
    (membership,) = _one(data, "SELECT ?x WHERE { ?x a gmg:Membership }")
    delete(membership, ORG.organization, GMGSH["MembershipShape-organization"], "membership without organisation")
    (axiom,) = _one(data, "SELECT ?x WHERE { ?x a owl:Axiom ; gmg:statement ?e }")
    delete(axiom, GMG.statement, GMGSH["AxiomShape-statement"], "plain triple without its statement")
    (statement, funding) = _one(data, "SELECT ?x ?f WHERE { ?x gmg:asserts ?f ; prov:wasDerivedFrom ?p . ?f a gmg:Funding }")
    delete(statement, PROV.wasDerivedFrom, GMGSH["StatementShape-passage"], "statement of a funding without its passage")
    (statement,) = _one(data, "SELECT ?x WHERE { ?x gmg:asserts/a gmg:Status ; gmg:attribution ?a }")
    delete(statement, GMG.attribution, GMGSH["StatementShape-attribution"], "statement of a status without its attribution")

    # Swap the funder and the funded programme of another funding.
    swapped, funder, programme = _one(data, f"""SELECT ?x ?f ?p WHERE {{
        ?x a gmg:Funding ; gmg:funder ?f ; gmg:fundedActivity ?p . ?p a gmg:Programme FILTER (?x != {funding.n3()}) }}""")
    data.remove((swapped, GMG.funder, funder))
    data.remove((swapped, GMG.fundedActivity, programme))
    data.add((swapped, GMG.funder, programme))
    data.add((swapped, GMG.fundedActivity, funder))
    expected[swapped] = (GMGSH["FunderShape-agent"], "funding with funder and programme swapped")

    # A mistyped year: a string where an integer year belongs.
    period, year = _one(data, "SELECT ?x ?y WHERE { ?x a gmg:Period ; gmg:startYear ?y }")
    data.remove((period, GMG.startYear, year))
    data.add((period, GMG.startYear, Literal(str(year))))
    expected[period] = (GMGSH["PeriodShape-startYear"], "period with its start year as a string")

    # A relationship reduced to one participant.
    relationship, gone = _one(data, """SELECT ?x ?b WHERE {
        ?x a gmg:GovernorRelationship ; gmg:participant ?a , ?b . FILTER (?a != ?b)
        FILTER NOT EXISTS { ?x gmg:participant ?c FILTER (?c != ?a && ?c != ?b) }
        FILTER NOT EXISTS { ?x gmg:fromAgent|gmg:toAgent ?d }
        FILTER NOT EXISTS { ?x gmg:participant ?g . ?g a gmg:CollectiveAgent } }""")
    data.remove((relationship, GMG.participant, gone))
    expected[relationship] = (GMGSH["RelationshipParticipantsShape-twoAgents"], "relationship with one participant")

    assert len(expected) == 11, "the mutations must touch distinct nodes"
    reported = {(r.focus, r.rule) for r in validate_graph(data, sources.shapes, sources.ontology).violations}
    missed = [f"{what}: {node.n3()} not reported by {rule.n3()}"
              for node, (rule, what) in expected.items() if (node, rule) not in reported]
    assert not missed, "mutations of the real data that validation did not catch:\n" + "\n".join(missed)
