"""Differential test: checking an update on the nodes it affects (gmg.incremental) gives
full validation's verdict, on hundreds of seeded generated updates.

The world is tests/fixtures/shapes/_base.ttl (one valid node of every kind the shapes
check; alone it reports nothing) with the real shapes and the part of the ontology it
uses (a smaller ontology keeps a full validation, the oracle, well under a second).
The updates: the shape fixtures inserted (each breaks one rule), base triples
deleted, values replaced, nodes retyped (which breaks the nodes that point at them,
unmentioned), statements' gmg:asserts removed by a pattern that never names the fact
(sh:inversePath), amounts doubled on fundings the update does not name (a count),
valid additions, sequences, protected graphs and class-hierarchy edits (the long way).
Oracle: the update applied to a copy, its data validated whole, minus what the base
already reports. Both must agree on the status, the added violations and, for a
422, every result of the report (blank nodes compared by position only, since the
long way's parse renames them). GMG_DIFFERENTIAL_UPDATES sets how many (default 120).
"""

from __future__ import annotations

import os
import random
import time
from dataclasses import replace

import pytest
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from conftest import ROOT
from gmg import incremental
from gmg.iris import INSTANCES_GRAPH, ONTOLOGY_GRAPH
from gmg.sources import load_sources, parse_turtle
from gmg.store import GraphStore
from gmg.update import WARM_UP, UpdateRefused, check, check_full, data_graphs, warm_up
from gmg.validate import validate_graph

FIXTURES = ROOT / "tests" / "fixtures" / "shapes"
COUNT = int(os.environ.get("GMG_DIFFERENTIAL_UPDATES", "120"))
SEED = 14
G = str(INSTANCES_GRAPH)
GMG = "https://w3id.org/gmg/ontology#"
PREFIXES = f"PREFIX gmg: <{GMG}>\nPREFIX rdfs: <{RDFS}>\n"
# Every funding with an amount gets a second, well-formed one: sh:maxCount breaks on fundings never named.
COUNT_BREAKER = (f"{PREFIXES}INSERT {{ GRAPH <{G}> {{ ?f gmg:amount ?other . ?other a gmg:MonetaryAmount ; "
                 f"rdfs:label \"second\"@en ; gmg:amountValue 1.0 ; gmg:currency \"USD\" }} }} "
                 f"WHERE {{ GRAPH <{G}> {{ ?f gmg:amount ?a BIND (IRI(CONCAT(STR(?a), \"-second\")) AS ?other) }} }}")


def _small_ontology(ontology: Graph, data: Graph) -> Graph:
    """The ontology's statements that the data's terms lead to: types, superclasses, labels, schemes."""
    follow = (RDF.type, RDFS.subClassOf, RDFS.label, SKOS.inScheme)
    todo = {t for triple in data for t in triple if isinstance(t, URIRef)}
    todo |= {URIRef(str(OWL) + "Class")}
    seen, small = set(), Graph()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for p in follow:
            for o in ontology.objects(node, p):
                small.add((node, p, o))
                todo.add(p)
                if not isinstance(o, Literal):
                    todo.add(o)
    return small


@pytest.fixture(scope="module")
def world():
    full = load_sources()
    base = parse_turtle(FIXTURES / "_base.ttl")
    sources = replace(full, graphs={**full.graphs, ONTOLOGY_GRAPH: _small_ontology(full.ontology, base)})
    store = GraphStore()
    store.update(_insert(base, G))
    store.update(_insert(sources.ontology, str(ONTOLOGY_GRAPH)))
    baseline = validate_graph(data_graphs(store), sources.shapes, sources.ontology)
    fixtures = [parse_turtle(p) for p in sorted(FIXTURES.glob("*.ttl")) if p.name != "_base.ttl"]
    return sources, store, base, baseline, fixtures


def _nt(term) -> str:
    return f"_:{term}" if isinstance(term, BNode) else term.n3()


def _insert(graph: Graph, into: str) -> str:
    body = "\n".join(f"{_nt(s)} {_nt(p)} {_nt(o)} ." for s, p, o in graph)
    return f"INSERT DATA {{ GRAPH <{into}> {{\n{body}\n}} }}"


def _data(kind: str, triples) -> str:
    body = "\n".join(f"{_nt(s)} {_nt(p)} {_nt(o)} ." for s, p, o in triples)
    return f"{kind} DATA {{ GRAPH <{G}> {{\n{body}\n}} }}"


def _updates(base: Graph, fixtures: list[Graph], rng: random.Random) -> list[tuple[str, str]]:
    """(kind, update text), seeded; every kind comes round in turn."""
    triples = sorted((t for t in base if not any(isinstance(x, BNode) for x in t)), key=str)
    subjects = sorted({s for s, _, _ in triples if isinstance(s, URIRef)}, key=str)
    typed = sorted({(s, o) for s, p, o in triples if p == RDF.type}, key=str)
    classes = sorted({o for _, o in typed}, key=str)
    nodes = sorted({o for _, _, o in triples if isinstance(o, URIRef)} | set(subjects), key=str)
    literals = sorted({o for _, _, o in triples if isinstance(o, Literal)}, key=str)

    def fixture():
        return "fixture", _data("INSERT", rng.choice(fixtures))

    def delete_triple():
        return "delete", _data("DELETE", [rng.choice(triples)])

    def delete_property():
        s, p, _ = rng.choice(triples)
        return "delete-where", f"DELETE WHERE {{ GRAPH <{G}> {{ {_nt(s)} {_nt(p)} ?o }} }}"

    def replace_value():
        s, p, _ = rng.choice(triples)
        new = rng.choice(nodes + literals + [Literal(rng.randint(-5, 3000)), Literal("x"), Literal("y", lang="fr")])
        return "replace", (f"WITH <{G}> DELETE {{ {_nt(s)} {_nt(p)} ?o }} INSERT {{ {_nt(s)} {_nt(p)} {_nt(new)} }} "
                           f"WHERE {{ {_nt(s)} {_nt(p)} ?o }}")

    def retype():  # the nodes pointing at this one break, and the update never names them
        s, c = rng.choice(typed)
        new = rng.choice(classes)
        return "retype", (f"DELETE DATA {{ GRAPH <{G}> {{ {_nt(s)} a {_nt(c)} }} }} ;\n"
                          f"INSERT DATA {{ GRAPH <{G}> {{ {_nt(s)} a {_nt(new)} }} }}")

    def unassert():  # sh:inversePath: the facts lose their statement; only the statement is named
        statements = sorted({s for s, p, _ in triples if p == URIRef(GMG + "asserts")}, key=str)
        return "inverse", (f"{PREFIXES}DELETE {{ GRAPH ?g {{ ?st gmg:asserts ?fact }} }} "
                           f"WHERE {{ GRAPH ?g {{ ?st gmg:asserts ?fact FILTER (?st = {_nt(rng.choice(statements))}) }} }}")

    def second_amount():  # a count: every funding gets a second amount, none of them named
        return "count", COUNT_BREAKER

    def add_label():
        s = rng.choice(subjects)
        lang = rng.choice(["en", "ru", "de", "en-GB", "english", ""])
        label = Literal("Another name", lang=lang or None)
        prop = rng.choice([RDFS.label, SKOS.altLabel])
        return "label", _data("INSERT", [(s, prop, label)])

    def copy_node():  # a new node like an existing one: mostly valid
        s = rng.choice(subjects)
        twin = URIRef(f"{s}-twin")
        return "copy", _data("INSERT", [(twin, p, o) for p, o in base.predicate_objects(s)])

    def sequence():
        a, b = rng.sample(triples, 2)
        return "sequence", _data("DELETE", [a]) + " ;\n" + _data("INSERT", [(a[0], RDFS.comment, Literal("c", lang="en"))]) \
            + " ;\n" + _data("DELETE", [b])

    def protected():
        return "protected", f"INSERT DATA {{ GRAPH <{ONTOLOGY_GRAPH}> {{ <{GMG}X> a <{OWL}Class> }} }}"

    def hierarchy():  # the long way
        a, b = rng.sample(classes, 2)
        return "hierarchy", _data("INSERT", [(a, RDFS.subClassOf, b)])

    def drop_and_put():
        s = rng.choice(subjects)
        return "put", f"DROP SILENT GRAPH <{G}-extra> ;\n" + _data("INSERT", [(s, RDFS.comment, Literal("p", lang="en"))]).replace(
            f"<{G}>", f"<{G}-extra>")

    makers = [fixture, fixture, delete_triple, delete_property, replace_value, retype, unassert, second_amount,
              add_label, copy_node, sequence, drop_and_put, fixture, retype, replace_value, delete_triple]
    out = [protected(), hierarchy()]
    while len(out) < COUNT:
        out.append(rng.choice(makers)())
    return out


def _norm(term):
    return "_:b" if isinstance(term, BNode) else term


def _keys(results, severity: str | None = "Violation") -> set:
    return {(_norm(r.focus), r.path, _norm(r.value), r.shape, r.message) for r in results
            if severity is None or r.severity == severity}


def _full(store, text, sources, baseline):
    """The oracle: status, added violations and the report's results, the long way.

    (check_full, with the base's validation made once instead of at every refusal.)
    """
    try:
        check_full(store, text, sources, validated=baseline)
    except UpdateRefused as err:
        if err.status != 422:
            return err.status, set(), set()
        added = _keys(err.report.violations) - _keys(baseline.violations)
        return 422, added, _keys(err.report.results, None)
    return 204, set(), set()


def _incremental(store, text, sources):
    try:
        check(store, text, sources)
    except UpdateRefused as err:
        if err.status != 422:
            return err.status, set(), set()
        return 422, _keys(err.report.violations), _keys(err.report.results, None)
    return 204, set(), set()


def test_incremental_verdicts_are_full_validations(world):
    sources, store, base, baseline, fixtures = world
    assert not baseline.results, "the base world must be clean for the report comparison"
    updates = _updates(base, fixtures, random.Random(SEED))
    started = time.monotonic()
    tally: dict[tuple[str, int], int] = {}
    mismatches = []
    spent = {"full": 0.0, "incremental": 0.0}
    for kind, text in updates:
        clock = time.monotonic()
        expected = _full(store, text, sources, baseline)
        spent["full"] += time.monotonic() - clock
        clock = time.monotonic()
        got = _incremental(store, text, sources)
        spent["incremental"] += time.monotonic() - clock
        tally[(kind, expected[0])] = tally.get((kind, expected[0]), 0) + 1
        if got != expected:
            mismatches.append(f"{kind}: full {expected[0]} {sorted(map(str, expected[1]))}\n"
                              f"   incremental {got[0]} {sorted(map(str, got[1]))}\n   report full-only "
                              f"{sorted(map(str, expected[2] - got[2]))}\n   report incremental-only "
                              f"{sorted(map(str, got[2] - expected[2]))}\n{text[:600]}")
    print(f"{len(updates)} updates in {time.monotonic() - started:.1f} s (full {spent['full']:.1f} s, "
          f"incremental {spent['incremental']:.1f} s);",
          ", ".join(f"{k} {s}: {n}" for (k, s), n in sorted(tally.items())))
    assert not mismatches, f"{len(mismatches)} verdicts differ:\n" + "\n\n".join(mismatches[:5])
    refused = sum(n for (_, status), n in tally.items() if status == 422)
    assert refused >= len(updates) // 4 and len(updates) - refused >= len(updates) // 10  # both kinds exercised
    # the named cases happened and were refused at least once each
    assert tally.get(("inverse", 422)) and tally.get(("count", 422)) and tally.get(("retype", 422))


def test_unmentioned_nodes_are_caught(world):
    """The named cases alone, so that a failure says which."""
    sources, store, base, baseline, _ = world
    statement = next(s for s, p, _ in base if p == URIRef(GMG + "asserts"))
    inverse = (f"{PREFIXES}DELETE {{ GRAPH ?g {{ ?st gmg:asserts ?fact }} }} "
               f"WHERE {{ GRAPH ?g {{ ?st gmg:asserts ?fact FILTER (?st = <{statement}>) }} }}")
    for text in (inverse, COUNT_BREAKER):
        verdict = incremental.check(store, text, sources)
        assert verdict.added, text
        assert verdict.added == _full(store, text, sources, baseline)[1]


def test_the_shapes_read_no_further_than_the_affected_nodes_rules(world):
    """gmg.incremental lists what the shapes read beyond a node's own values; a new shape that
    reads further (another inverse path, a path of two steps, a value shape with properties of
    its own) fails here until a rule is added there."""
    sources = world[0]
    shapes = sources.shapes
    sh = "http://www.w3.org/ns/shacl#"
    incoming = {p.value for p in incremental._INCOMING}
    for path in shapes.objects(None, URIRef(sh + "path")):
        if isinstance(path, URIRef):
            continue
        inverse = shapes.value(path, URIRef(sh + "inversePath"))
        alternatives = shapes.value(path, URIRef(sh + "alternativePath"))
        assert inverse is not None or alternatives is not None, f"a path the rules do not cover: {path}"
        if inverse is not None:
            assert str(inverse) in incoming, f"sh:inversePath {inverse} is not in incremental._INCOMING"
        if alternatives is not None:
            assert all(isinstance(step, URIRef) for step in shapes.items(alternatives))
    for predicate in shapes.objects(None, URIRef(sh + "targetObjectsOf")):
        assert str(predicate) in incoming, f"sh:targetObjectsOf {predicate} is not in incremental._INCOMING"
    assert not list(shapes.objects(None, URIRef(sh + "targetNode")))
    # value shapes (reached from a property shape) look at the value alone
    for shape in shapes.subjects(URIRef(sh + "path"), None):
        for link in ("node", "qualifiedValueShape", "or"):
            for target in shapes.objects(shape, URIRef(sh + link)):
                members = list(shapes.items(target)) if link == "or" else [target]
                for member in members:
                    reads = {str(p) for p in shapes.predicates(member, None)}
                    assert not reads & {sh + "property", sh + "path", sh + "sparql", sh + "node"}, \
                        f"{member} reads beyond the value it is given: add a rule to gmg.incremental"


def test_the_engines_warm_up_update_takes_the_short_way_and_is_never_applied(world):
    """The engine prepares WARM_UP at its start so that the first real update finds the
    check's code ready: it must go the short way, with nodes to check, and change nothing."""
    _, store, *_ = world
    before = store.dump()
    job = incremental.prepare(store, WARM_UP)
    assert job.focus and job.after  # (a long-way update, or one with nothing to check, would warm up little)
    warm_up(store)
    assert store.dump() == before
