"""Coverage: every number, year, proper name and web address of the article is in the graph.

What is extracted and what counts as covering it is described in tests/article_items.py. The
report must be empty, or each remaining item must be listed in
tests/coverage-allowlist.txt with the reason it is not a fact.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef

from conftest import ROOT
from article_items import Cover, Item, extract_items
from gmg.sources import load_sources

ALLOWLIST = ROOT / "tests" / "coverage-allowlist.txt"


def allowlist() -> dict[Item, str]:
    entries = {}
    for number, line in enumerate(ALLOWLIST.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        kind, text, reason = (part.strip() for part in line.split(" | ", 2))
        assert reason, f"coverage-allowlist.txt:{number}: an entry needs a reason"
        entries[Item(kind, text)] = reason
    return entries


@pytest.fixture(scope="module")
def cover() -> Cover:
    return Cover(load_sources().instances)


@pytest.fixture(scope="module")
def items() -> set[Item]:
    return extract_items()


@pytest.mark.needs("article")
def test_the_extraction_finds_the_article_facts(items):
    """The extraction is not empty and finds what it is meant to find."""
    for expected in (Item("number", "300000"), Item("number", "650000"), Item("year", "2012"),
                     Item("number", "14.B25.31.0009"), Item("name", "Sudharshan Canagarajah"),
                     Item("name", "Vyacheslav Postavnin"), Item("name", "Москва"), Item("url", "http://mirpal.org/"), Item("score", "A+"),
                     Item("name", "Global Knowledge Partnership on Migration and Development")):
        assert expected in items, expected
    assert len(items) > 500


@pytest.mark.needs("article")
def test_every_item_of_the_article_is_covered_or_allowlisted(items, cover):
    allowed = allowlist()
    uncovered = sorted(i for i in items if not cover.covers(i) and i not in allowed)
    assert not uncovered, (f"{len(uncovered)} items of the article that the graph does not cover "
                           "(encode them, or allow-list them with a reason):\n"
                           + "\n".join(f"{i.kind} | {i.text}" for i in uncovered))


@pytest.mark.needs("article")
def test_the_allowlist_has_no_stale_entries(items, cover):
    stale = sorted(i for i in allowlist() if i not in items or cover.covers(i))
    assert not stale, ("allow-list entries that are no longer uncovered items of the article:\n"
                       + "\n".join(f"{i.kind} | {i.text}" for i in stale))


def test_quotes_and_comments_do_not_cover():
    """A fact that is only quoted, or only mentioned in an editor's remark, is not covered."""
    g = Graph()
    node = URIRef("https://w3id.org/gmg/id/passage/x")
    from gmg.iris import GMG
    from rdflib import RDFS
    g.add((URIRef("https://w3id.org/gmg/id/x"), RDFS.comment, Literal("Vyacheslav Postavnin 1234")))
    g.add((node, GMG.quote, Literal("Vyacheslav Postavnin 1234")))
    selector = URIRef("https://w3id.org/gmg/id/selector/x")
    g.add((selector, URIRef("http://www.w3.org/ns/oa#exact"), Literal("Vyacheslav Postavnin 1234")))
    cover = Cover(g)
    assert not cover.covers(Item("name", "Vyacheslav Postavnin"))
    assert not cover.covers(Item("number", "1234"))
    g.add((URIRef("https://w3id.org/gmg/id/y"), RDFS.label, Literal("Vyacheslav Postavnin", lang="en")))
    g.add((URIRef("https://w3id.org/gmg/id/y"), GMG.amountValue, Literal(1234)))
    cover = Cover(g)
    assert cover.covers(Item("name", "Vyacheslav Postavnin"))
    assert cover.covers(Item("number", "1234"))
