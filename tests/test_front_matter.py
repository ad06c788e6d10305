"""The article's front matter: each keyword printed under the abstract is a node of the graph."""

from __future__ import annotations

import re

import pytest
from rdflib import RDFS, SKOS, URIRef
from rdflib.namespace import DCTERMS

from article import article_path
from gmg.sources import load_sources

ARTICLE = URIRef("https://w3id.org/gmg/id/korneev-2017")


def fold(text: str) -> str:
    return re.sub(r"^the ", "", text.strip().lower())


@pytest.mark.needs("article")
def test_each_printed_keyword_is_a_subject_of_the_article():
    printed = re.search(r"Keywords: (.+?)\.?$", article_path().read_text(encoding="utf-8"), re.M)
    assert printed, "no 'Keywords:' line in the article"
    keywords = {fold(k) for k in printed.group(1).split(",")}
    assert len(keywords) == 5
    sources = load_sources()
    graph = sources.instances + sources.ontology
    subjects = set(graph.objects(ARTICLE, DCTERMS.subject))
    names = {s: {fold(str(n)) for p in (RDFS.label, SKOS.altLabel) for n in graph.objects(s, p)} for s in subjects}
    # a class names its members: "global migration governors" is the plural of its label
    for subject, found in names.items():
        names[subject] = found | {n + "s" for n in found}
    unmatched = sorted(k for k in keywords if not any(k in found for found in names.values()))
    assert not unmatched, f"keywords without a dcterms:subject node: {unmatched}"
    assert len(subjects) == len(keywords), "one subject per keyword, no more"
