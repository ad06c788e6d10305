"""Every passage quotes the article exactly; every claim points to evidence."""

from __future__ import annotations

import pytest
from rdflib import Graph

from article import article_text, normalise
from gmg.iris import GMG
from gmg.sources import load_sources


@pytest.fixture(scope="module")
def instances() -> Graph:
    return load_sources().instances


@pytest.mark.needs("article")
def test_every_quote_is_a_substring_of_the_article(instances):
    text = article_text()
    misses = [
        f"{passage}: {str(quote)[:80]!r}"
        for passage, quote in instances.subject_objects(GMG.quote)
        if normalise(str(quote)) not in text
    ]
    assert not misses, "quotes not found in the article:\n" + "\n".join(misses)


@pytest.mark.needs("article")
def test_quotes_are_checked_against_a_real_article():
    text = article_text()
    assert len(text) > 40_000
    assert "authorities who exercise power across borders for the purpose of affecting migration policy" in text
