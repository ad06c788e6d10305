"""gmg.screen: the SPARQL that picks the nodes a full validation hands to pySHACL misses none.

A full validation has pySHACL validate only the screen's suspects, so a node the
screen missed would be a violation left out of the report. tests/test_shapes.py
compares the two ways on every shape fixture; here on seeded broken copies of the
article's data (triples dropped, values swapped for wrong ones, unreadable literals),
and on small shapes graphs that use what the screen does not compile.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest
from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef

from gmg.screen import Screen
from gmg.iris import ONTOLOGY_GRAPH, SHAPES_GRAPH
from gmg.sources import Sources, load_sources, parse_turtle
from gmg.targets import Targets, oxigraph_copy
from gmg.validate import validate_graph
from gmg.validate_files import validate_files

EX = Namespace("https://example.org/")
SH = Namespace("http://www.w3.org/ns/shacl#")
SEEDS = range(6)


@pytest.fixture(scope="module")
def sources():
    return load_sources()


def _results(report) -> set[tuple]:
    return {(r.severity, r.focus, r.path, r.inverse, r.value, r.shape, r.constraint, r.message) for r in report.results}


def _same_report(data: Graph, shapes: Graph, ontology: Graph) -> set[tuple]:
    ours = validate_graph(data, shapes, ontology)
    reference = validate_graph(data, shapes, ontology, reference=True)
    assert ours.conforms == reference.conforms
    assert _results(ours) == _results(reference), (
        f"only gmg: {sorted(map(str, _results(ours) - _results(reference)))[:5]}\n"
        f"only pySHACL: {sorted(map(str, _results(reference) - _results(ours)))[:5]}")
    return _results(reference)


def _broken(instances: Graph, seed: int) -> Graph:
    """A copy of `instances` with about 60 mistakes of the kinds the shapes look for."""
    rng = random.Random(seed)
    data = Graph()
    data += instances
    triples = sorted(data, key=str)
    nodes = sorted({s for s, _, _ in triples if isinstance(s, URIRef)}, key=str)
    for s, p, o in rng.sample(triples, 60):
        data.remove((s, p, o))
        kind = rng.randrange(5)
        if kind == 1:  # a value of the wrong kind of node
            data.add((s, p, rng.choice(nodes)))
        elif kind == 2:  # a literal where a node (or another literal) belongs
            data.add((s, p, Literal(rng.choice(["12", "-3", "x", "1.5"]), datatype=rng.choice([XSD.integer, None]))))
        elif kind == 3 and isinstance(o, Literal):  # a literal rdflib cannot read as its datatype
            data.add((s, p, Literal("not a value", datatype=o.datatype or XSD.integer)))
        elif kind == 4:  # a second value
            data.add((s, p, o))
            data.add((s, p, rng.choice(nodes) if isinstance(o, URIRef) else Literal(str(o) + " again", lang="en")))
    return data


@pytest.mark.parametrize("seed", SEEDS)
def test_broken_copies_of_the_article_get_pyshacls_own_report(seed, sources):
    data = _broken(sources.instances, seed)
    reported = _same_report(data, sources.shapes, sources.ontology)
    assert reported, "the broken copy conforms: the mistakes did not reach any shape"


@pytest.mark.parametrize("seed", SEEDS[:3])
def test_the_builds_way_gives_the_same_report(seed, sources, tmp_path):
    """`gmg build` parses the instances into pyoxigraph and validates its suspects over their
    neighbourhoods in that store (gmg.validate_files): the report is the one over the whole graph."""
    data = _broken(sources.instances, seed)
    node, predicate, datatype = _without_a_typed_value(data, sources.shapes, seed)
    # in two modules, as the sources are (a blank node's triples, and those that point at it, in one)
    subjects = sorted({s for s in data.subjects() if isinstance(s, URIRef)}, key=str)
    second = set(subjects[1::2])
    modules = (Graph(), Graph())
    for s, p, o in data:
        modules[s in second and not isinstance(o, BNode)].add((s, p, o))
    files = [tmp_path / "one.ttl", tmp_path / "two.ttl"]
    for path, module in zip(files, modules):
        assert len(module) > 1000
        module.serialize(path, format="turtle")
    with files[1].open("a") as two:  # a value rdflib cannot read, that only pySHACL's sh:datatype sees
        two.write(f'\n<{node}> <{predicate}> "not a value"^^<{datatype}> .\n')
    built = validate_files(files, sources)
    whole = Graph()
    for path in files:
        parse_turtle(path, whole)
    reference = validate_graph(whole, sources.shapes, sources.ontology)
    assert built.conforms == reference.conforms is False
    assert _anonymous(_results(built)) == _anonymous(_results(reference))
    assert built.render().count("Violation:") == reference.render().count("Violation:")
    assert node in {r.focus for r in built.results if r.path == predicate}


def _without_a_typed_value(data: Graph, shapes: Graph, seed: int) -> tuple[URIRef, URIRef, URIRef]:
    """Take from `data` a value whose property a shape gives a datatype (and no bound, which would
    catch a bad value too): the node, the property and the datatype."""
    bounded = (SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive, SH.pattern, SH.minLength)
    typed = {(shapes.value(shape, SH.path), datatype) for shape, datatype in shapes.subject_objects(SH.datatype)
             if not any((shape, bound, None) in shapes for bound in bounded)}
    candidates = sorted(((s, p, o) for s, p, o in data if isinstance(s, URIRef) and isinstance(o, Literal)
                         and (p, o.datatype) in typed and o.datatype != XSD.string), key=str)
    s, p, o = random.Random(seed).choice(candidates)
    data.remove((s, p, o))
    return s, p, o.datatype


def _anonymous(results: set[tuple]) -> Counter:
    """The results with every blank node one (pyoxigraph and rdflib name them differently)."""
    return Counter(tuple("_:" if isinstance(t, BNode) else t for t in r) for r in results)


def test_the_screen_suspects_nothing_on_the_article(sources):
    """On conforming data the screen suspects no node (so pySHACL has nothing to do), out of thousands of targets."""
    data = Graph()
    data += sources.instances
    data += sources.ontology
    screen = Screen(sources.shapes)
    store, _ = oxigraph_copy(data)
    assert not screen.unsupported, f"shapes whose every target is a suspect: {screen.unsupported}"
    assert len(Targets(sources.shapes).all(data)) > 5000
    assert screen.suspects(store) == set()


SMALL_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/> .

ex:ThingShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:part ; sh:node ex:PartShape ] .

ex:OddShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:size ; sh:not [ sh:datatype xsd:string ] ] ;
    sh:property [ sh:path ex:kind ; sh:xone ( [ sh:hasValue ex:a ] [ sh:hasValue ex:b ] ) ] .

ex:PartShape a sh:NodeShape ;
    sh:property [ sh:path ex:weight ; sh:datatype xsd:integer ] .
"""


def test_what_the_screen_does_not_compile_is_left_to_pyshacl():
    """sh:not and sh:xone make every target a suspect; an unreadable literal one step beyond the
    focus node (a nested shape's value) makes every target of that shape one."""
    shapes = Graph().parse(data=SMALL_SHAPES, format="turtle")
    data = Graph()
    for i, (weight, size, kind) in enumerate([("7", 3, EX.a), ("seven", 4, EX.a), ("8", "big", EX.a),
                                              ("9", 5, EX.c), ("10", 6, EX.b)]):
        thing, part = EX[f"thing{i}"], BNode()
        data.add((thing, RDF.type, EX.Thing))
        data.add((thing, EX.part, part))
        data.add((part, EX.weight, Literal(weight, datatype=XSD.integer)))
        data.add((thing, EX.size, Literal(size)))
        data.add((thing, EX.kind, kind))
    screen = Screen(shapes)
    assert set(screen.unsupported) == {EX.OddShape}
    reported = _same_report(data, shapes, Graph())
    named = {focus for _, focus, *_ in reported if isinstance(focus, URIRef)}  # pySHACL also reports the part's own
    assert named == {EX.thing1, EX.thing2, EX.thing3}


PREFIXED_TARGET = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.org/> .

ex:SizeShape a sh:NodeShape ;
    sh:target [ a sh:SPARQLTarget ;
        sh:select "PREFIX ex: <https://example.org/> SELECT ?this WHERE { ?this a ex:Thing }" ] ;
    sh:property [ sh:path ex:size ; sh:maxCount 1 ] .
"""


def test_targets_the_screen_cannot_write_as_a_pattern_leave_validation_to_every_target(tmp_path):
    """A SPARQL target that declares its own prefixes cannot be nested in the screen's query:
    validation then has pySHACL visit every target, as before the screen (the build's way too)."""
    shapes = Graph().parse(data=PREFIXED_TARGET, format="turtle")
    data = Graph()
    for i, sizes in enumerate([(1,), (1, 2), (3,)]):
        data.add((EX[f"thing{i}"], RDF.type, EX.Thing))
        for size in sizes:
            data.add((EX[f"thing{i}"], EX.size, Literal(size)))
    assert not Screen(shapes).supported
    reported = _same_report(data, shapes, Graph())
    assert {focus for _, focus, *_ in reported} == {EX.thing1}
    data.serialize(tmp_path / "things.ttl", format="turtle")
    rules = Sources({ONTOLOGY_GRAPH: Graph(), SHAPES_GRAPH: shapes})
    assert _results(validate_files([tmp_path / "things.ttl"], rules)) == reported
