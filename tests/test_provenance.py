"""Passages point at the article exactly; notes quote it; every claim points to evidence.

A passage of the body is a Web Annotation specific resource: its source is a paragraph
(id:paragraph/<section>-p<N>) and its selector quotes the words that support its statements
(oa:exact, at most 40 words) and locates them by character offsets in the article's body
text (tests/article.py article_body, the same text as scripts/quote_share.py reads):
body[oa:start:oa:end] is oa:exact, inside the passage's paragraph; oa:prefix and oa:suffix,
where given, are the text right before and after, and make the quote unique in the body.
"""

from __future__ import annotations

import pytest
from rdflib import RDF, Graph, Namespace, URIRef

from article import article_body, article_text, normalise
from article_paragraphs import paragraphs
from gmg.iris import GMG
from gmg.sources import load_sources

OA = Namespace("http://www.w3.org/ns/oa#")
DCT = Namespace("http://purl.org/dc/terms/")
ID = "https://w3id.org/gmg/id/"
RIGHTS = URIRef(ID + "rights/quoted-text")
MAX_WORDS = 40


@pytest.fixture(scope="module")
def instances() -> Graph:
    return load_sources().instances


def body_passages(g: Graph) -> list[URIRef]:
    return sorted(p for p in g.subjects(RDF.type, GMG.Passage) if (p, RDF.type, GMG.Note) not in g)


def test_every_passage_of_the_body_has_one_selector_and_one_source_paragraph(instances):
    problems = []
    for passage in body_passages(instances):
        selectors = list(instances.objects(passage, OA.hasSelector))
        sources = list(instances.objects(passage, OA.hasSource))
        if len(selectors) != 1 or len(sources) != 1:
            problems.append(f"{passage}: {len(selectors)} selectors, {len(sources)} sources")
        elif (sources[0], RDF.type, GMG.Paragraph) not in instances:
            problems.append(f"{passage}: its source {sources[0]} is not a gmg:Paragraph")
        elif (passage, GMG.quote, None) in instances:
            problems.append(f"{passage}: still carries gmg:quote")
    assert body_passages(instances) and not problems, "\n".join(problems)


def test_every_exact_is_at_most_40_words_and_carries_the_rights_of_quoted_text(instances):
    problems = []
    for passage in body_passages(instances):
        selector = instances.value(passage, OA.hasSelector)
        exact = str(instances.value(selector, OA.exact))
        if len(exact.split()) > MAX_WORDS:
            problems.append(f"{passage}: {len(exact.split())} words")
        if (selector, DCT.rights, RIGHTS) not in instances:
            problems.append(f"{passage}: its selector has no dcterms:rights {RIGHTS}")
        if not {OA.TextQuoteSelector, OA.TextPositionSelector} <= set(instances.objects(selector, RDF.type)):
            problems.append(f"{passage}: its selector is not both a text quote and a text position selector")
    assert not problems, "\n".join(problems)


@pytest.mark.needs("article")
def test_every_exact_is_where_its_offsets_point_in_its_paragraph(instances):
    body = article_body()
    text = paragraphs()
    problems = []
    for passage in body_passages(instances):
        selector = instances.value(passage, OA.hasSelector)
        exact = str(instances.value(selector, OA.exact))
        start, end = int(instances.value(selector, OA.start)), int(instances.value(selector, OA.end))
        where = f"{passage.removeprefix(ID)}: {exact[:60]!r}"
        if exact not in body:
            problems.append(f"{where} is not in the article's body text")
            continue
        if body[start:end] != exact:
            problems.append(f"{where}: [{start}:{end}] holds {body[start:end][:60]!r}")
            continue
        source = instances.value(passage, OA.hasSource)
        section = str(instances.value(source, GMG.inSection)).removeprefix(ID + "section/")
        paragraph = f"{section}-p{instances.value(source, GMG.paragraphNumber)}"
        if paragraph not in text or str(source) != ID + "paragraph/" + paragraph:
            problems.append(f"{where}: its source {source} is not paragraph {paragraph} of the article")
            continue
        at = body.find(text[paragraph])
        if not at <= start <= end <= at + len(text[paragraph]):
            problems.append(f"{where}: not inside its source paragraph {paragraph}")
        prefix = str(instances.value(selector, OA.prefix) or "")
        suffix = str(instances.value(selector, OA.suffix) or "")
        if body[start - len(prefix):start] != prefix or body[end:end + len(suffix)] != suffix:
            problems.append(f"{where}: its prefix or suffix is not the text around it")
        if body.count(prefix + exact + suffix) != 1:
            problems.append(f"{where}: occurs {body.count(prefix + exact + suffix)} times; give a prefix or suffix")
        elif (prefix or suffix) and body.count(exact) == 1:
            problems.append(f"{where}: a prefix or suffix is given though the words occur once")
    assert not problems, "selectors that do not point at their words:\n" + "\n".join(problems)


@pytest.mark.needs("article")
def test_every_paragraph_node_is_a_paragraph_of_the_article(instances):
    text = paragraphs()
    wrong = []
    for node in instances.subjects(RDF.type, GMG.Paragraph):
        section = str(instances.value(node, GMG.inSection)).removeprefix(ID + "section/")
        key = f"{section}-p{instances.value(node, GMG.paragraphNumber)}"
        if key not in text or str(node) != ID + "paragraph/" + key:
            wrong.append(str(node))
    assert not wrong, "paragraph nodes that are not paragraphs of the article:\n" + "\n".join(wrong)


@pytest.mark.needs("article")
def test_every_note_quote_is_a_substring_of_the_article(instances):
    text = article_text()
    misses = [
        f"{note}: {str(quote)[:80]!r}"
        for note, quote in instances.subject_objects(GMG.quote)
        if normalise(str(quote)) not in text
    ]
    assert not misses, "quotes not found in the article:\n" + "\n".join(misses)
    assert all((s, RDF.type, GMG.Note) in instances for s, _ in instances.subject_objects(GMG.quote))


@pytest.mark.needs("article")
def test_quotes_are_checked_against_a_real_article():
    text = article_text()
    assert len(text) > 40_000
    assert "authorities who exercise power across borders for the purpose of affecting migration policy" in text
    assert article_body().startswith("International Organizations as Global Migration Governors")
    assert "#### Notes" not in article_body() and len(article_body()) > 40_000
