"""Coverage: every number, year, proper name and web address of the article is in the graph,
stated by a statement of the paragraph it is printed in.

What is extracted and what counts as covering it is described in tests/article_items.py. The
report must be empty, or each remaining item must be listed in
tests/coverage-allowlist.txt with the reason it is not a fact.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from rdflib import RDF, Graph, Literal, URIRef

from conftest import ROOT
from article_items import (Cover, Item, article_items_text, extract_items, number_word_items,
                           paragraph_literals, strip_note_numbers)
from article_paragraphs import paragraph_of, paragraphs
from gmg.iris import GMG
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


@pytest.fixture(scope="module")
def by_paragraph() -> dict[str, tuple[set[Item], Cover]]:
    """Paragraph (or note) -> its items, and what the graph states on the strength of its passages."""
    graph = load_sources().instances
    lower_words = set(re.findall(r"\b[a-z][\w'-]*", article_items_text()))
    passages: dict[str, set] = defaultdict(set)
    for cls in (GMG.Passage, GMG.Note):
        for node in graph.subjects(RDF.type, cls):
            passages[paragraph_of(str(node))].add(node)
    out = {}
    for key, text in paragraphs().items():
        items = extract_items(strip_note_numbers(text), lower_words) | number_word_items(text)
        out[key] = (items, Cover.of_literals(paragraph_literals(graph, passages.get(key, set()))))
    return out


def uncovered_in_paragraphs(by_paragraph) -> list[tuple[str, Item]]:
    return sorted((key, item) for key, (items, cover) in by_paragraph.items()
                  for item in items if not cover.covers(item))


@pytest.mark.needs("article")
def test_every_item_is_covered_by_its_own_paragraphs_statements_or_allowlisted(by_paragraph):
    """A number or name of a paragraph counts as encoded only if a statement derived from one of
    that paragraph's passages (the fact it asserts, its amounts, periods and agents) or an
    entity mentioned there states it: a figure encoded elsewhere does not cover it here."""
    allowed = allowlist()
    uncovered = [(key, item) for key, item in uncovered_in_paragraphs(by_paragraph) if item not in allowed]
    assert not uncovered, (f"{len(uncovered)} items that no statement of their own paragraph covers "
                           "(encode them with a statement of that passage, or allow-list them with a reason):\n"
                           + "\n".join(f"{key}: {i.kind} | {i.text}" for key, i in uncovered))


@pytest.mark.needs("article")
def test_the_front_matter_is_covered_or_allowlisted(items, cover, by_paragraph):
    """The title and the byline belong to no paragraph: the article's own record covers them."""
    in_paragraphs = set().union(*(found for found, _ in by_paragraph.values()))
    allowed = allowlist()
    uncovered = sorted(i for i in items - in_paragraphs if not cover.covers(i) and i not in allowed)
    assert not uncovered, "\n".join(f"{i.kind} | {i.text}" for i in uncovered)


@pytest.mark.needs("article")
def test_numbers_written_in_words_are_read():
    assert Item("number", "1/3") in number_word_items("approximately one-third of the employable population")
    assert Item("number", "9") in number_word_items("300 plus members from the nine countries")


@pytest.mark.needs("article")
def test_the_allowlist_has_no_stale_entries(items, cover, by_paragraph):
    needed = {item for _, item in uncovered_in_paragraphs(by_paragraph)}
    in_paragraphs = set().union(*(found for found, _ in by_paragraph.values()))
    needed |= {i for i in items - in_paragraphs if not cover.covers(i)}
    stale = sorted(i for i in allowlist() if i not in needed)
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
