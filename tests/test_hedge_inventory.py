"""The hedge inventory (tests/fixtures/hedges.tsv) against the article.

Each row is one hedging expression as printed, in one paragraph (ids as in
tests/article_paragraphs.py), with the passage or note that quotes it (``id:`` stands for
https://w3id.org/gmg/id/; a passage quotes the words of its selector, oa:exact, a note its whole
text; empty where no passage quotes those words), a
category from the closed scheme below, what it qualifies, the graph node it qualifies where one
exists, and whether it qualifies a fact about the world (yes) or the article's argument and
its reading of the literature (no). Rows of category ``not-hedge`` are the allow-list: a cue
word that is not a hedge in its context (a preposition, a title, an attribution), with the
reason in ``qualifies``.

Checked: every expression occurs in its paragraph and in the passage named; the passage is the
most specific one that quotes it, and none is missing where a passage does quote it; every
node exists; and every match of the cue words (article_paragraphs.HEDGE_CUES) in the body and
the notes lies inside an expression of the inventory, so a hedge cannot be left out unseen.
"""

from __future__ import annotations

import csv
import re
from collections import Counter

import pytest
from rdflib import RDF, Graph, Namespace, URIRef

from conftest import ROOT
from article import normalise
from article_paragraphs import HEDGE_CUES, ID, paragraph_of, paragraphs

pytestmark = pytest.mark.needs("article")

INVENTORY = ROOT / "tests" / "fixtures" / "hedges.tsv"
GMG = Namespace("https://w3id.org/gmg/ontology#")
OA = Namespace("http://www.w3.org/ns/oa#")
COLUMNS = ["expression", "paragraph", "passage", "category", "qualifies", "node", "world_fact"]
# The closed scheme of hedge categories (docs/decisions/statements.md defines each).
CATEGORIES = {
    "approximate", "lower-bound", "upper-bound", "range", "estimate", "reported", "perceived",
    "possibility", "probability", "tentative", "degree-weaker", "partial", "vague-quantity",
    "not-hedge",
}


def rows() -> list[dict[str, str]]:
    with INVENTORY.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        assert header == COLUMNS, header
        out = []
        for number, fields in enumerate(reader, 2):
            assert len(fields) == len(COLUMNS), f"hedges.tsv:{number}: {len(fields)} fields"
            out.append(dict(zip(COLUMNS, fields), line=str(number)))
        return out


def expand(curie: str) -> URIRef:
    assert curie.startswith("id:"), curie
    return URIRef(ID + curie.removeprefix("id:"))


@pytest.fixture(scope="module")
def inventory() -> list[dict[str, str]]:
    return rows()


@pytest.fixture(scope="module")
def text() -> dict[str, str]:
    return paragraphs()


@pytest.fixture(scope="module")
def instances() -> Graph:
    graph = Graph()
    for path in sorted((ROOT / "instances").glob("*.ttl")):
        graph.parse(path)
    return graph


@pytest.fixture(scope="module")
def quotes(instances) -> dict[str, str]:
    """Passage and note IRIs (id: form) -> the words they quote, normalised: a passage's
    selector's oa:exact (the words that support its statements), a note's whole text."""
    out = {}
    for node in instances.subjects(RDF.type, GMG.Passage):
        words = instances.value(instances.value(node, OA.hasSelector), OA.exact)
        out["id:" + str(node).removeprefix(ID)] = normalise(str(words))
    for node in instances.subjects(RDF.type, GMG.Note):
        out["id:" + str(node).removeprefix(ID)] = normalise(str(instances.value(node, GMG.quote)))
    return out


def test_the_paragraphs_are_the_graphs_paragraphs(text, quotes):
    """The paragraph split agrees with the passages: each passage quotes words of its own paragraph."""
    assert "abstract-p1" in text and "s3-p12" in text and "note/88" in text and "note/author" in text
    for passage, quote in quotes.items():
        assert quote in text[paragraph_of(passage)], passage


def test_rows_are_well_formed(inventory, instances):
    seen = Counter((r["expression"], r["paragraph"]) for r in inventory)
    assert not [k for k, n in seen.items() if n > 1], "duplicate rows"
    for r in inventory:
        where = f"hedges.tsv:{r['line']}"
        assert r["category"] in CATEGORIES, f"{where}: unknown category {r['category']!r}"
        assert r["qualifies"], f"{where}: say what it qualifies (or, for not-hedge, why)"
        if r["category"] == "not-hedge":
            assert not r["node"] and not r["world_fact"], f"{where}: a non-hedge qualifies nothing"
        else:
            assert r["world_fact"] in ("yes", "no"), f"{where}: world_fact is yes or no"
        for node in r["node"].split():
            assert (expand(node), None, None) in instances, f"{where}: {node} is not in the graph"


def test_every_expression_is_in_its_paragraph_and_passage(inventory, text, quotes):
    for r in inventory:
        where = f"hedges.tsv:{r['line']}"
        assert r["paragraph"] in text, f"{where}: no paragraph {r['paragraph']}"
        assert r["expression"] in text[r["paragraph"]], f"{where}: {r['expression']!r} is not in {r['paragraph']}"
        holding = [p for p, q in quotes.items() if paragraph_of(p) == r["paragraph"] and r["expression"] in q]
        if r["passage"]:
            assert r["passage"] in quotes, f"{where}: {r['passage']} is not a passage or note"
            assert paragraph_of(r["passage"]) == r["paragraph"], f"{where}: passage of another paragraph"
            assert r["expression"] in quotes[r["passage"]], f"{where}: not in {r['passage']}'s quote"
            shortest = min(holding, key=lambda p: len(quotes[p]))
            assert len(quotes[r["passage"]]) == len(quotes[shortest]), f"{where}: {shortest} is more specific"
        else:
            assert not holding, f"{where}: {holding[0]} quotes it: name the passage"


def test_no_hedge_cue_of_the_article_is_missing_from_the_inventory(inventory, text):
    spans: dict[str, list[tuple[int, int]]] = {}
    for r in inventory:
        body = text[r["paragraph"]]
        for m in re.finditer(re.escape(r["expression"]), body):
            spans.setdefault(r["paragraph"], []).append(m.span())
    missing = []
    for paragraph, body in text.items():
        for m in HEDGE_CUES.finditer(body):
            if not any(a <= m.start() and m.end() <= b for a, b in spans.get(paragraph, [])):
                missing.append(f"{paragraph}: {m.group(0)!r} in …{body[max(0, m.start() - 40):m.end() + 40]}…")
    assert not missing, ("cue words the inventory does not account for (add a hedge row, or a "
                         "not-hedge row with the reason):\n" + "\n".join(missing))


def test_the_inventory_has_the_hedges_the_issue_names(inventory):
    expressions = " | ".join(r["expression"] for r in inventory if r["category"] != "not-hedge")
    for cue in ("popularly perceived", "is said to", "to a lesser extent", "potentially",
                "approximately", "about 10", "more than 20", "300 plus", "could be higher",
                "seems to", "circa", "from 4 to 5", "estimate"):
        assert cue in expressions, cue


def hedges_on(instances: Graph, node: URIRef) -> set[str]:
    """The categories (skos:notation, a narrower hedge's from its broader) of the hedges on the
    statements that assert the node, or that the node is (a statement of an annotated triple)."""
    skos = Namespace("http://www.w3.org/2004/02/skos/core#")
    statements = set(instances.subjects(GMG.asserts, node))
    if (node, RDF.type, GMG.Statement) in instances:
        statements.add(node)
    found = set()
    for statement in statements:
        for hedge in instances.objects(statement, GMG.hedge):
            for concept in (hedge, *instances.objects(hedge, skos.broader)):
                found.update(str(n) for n in instances.objects(concept, skos.notation))
    return found


@pytest.mark.parametrize("world", ["yes", "no"], ids=["facts", "claims"])
def test_every_hedge_that_names_a_node_is_on_a_statement_of_that_node(inventory, sources_graph, world):
    """A hedge of the inventory that qualifies a node of the graph is data on that node's statement:
    a hedge of the category the inventory gives. (Rows without a node qualify something the
    graph does not model; test_rows_are_well_formed asks them to say what.)"""
    missing = []
    for r in inventory:
        if r["world_fact"] != world or not r["node"]:
            continue
        for node in r["node"].split():
            if r["category"] not in hedges_on(sources_graph, expand(node)):
                missing.append(f"hedges.tsv:{r['line']}: {r['expression']!r} ({r['category']}) on {node}")
    assert not missing, "hedges of the inventory missing from the data:\n" + "\n".join(missing)


@pytest.fixture(scope="module")
def sources_graph() -> Graph:
    from gmg.sources import load_sources
    sources = load_sources()
    return sources.instances + sources.ontology
