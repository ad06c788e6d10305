"""scripts/selector.py on a made-up body text: offsets, prefixes where words recur, the 40-word cap."""

from __future__ import annotations

import pytest
from rdflib import Graph, Namespace, URIRef

from conftest import load_script

selector = load_script("selector")

OA = Namespace("http://www.w3.org/ns/oa#")
BODY = "The Bank funds the network. The network meets twice a year. The Bank funds the forum too."


def test_words_that_occur_once_need_no_prefix():
    found = selector.locate(BODY, "meets twice a year")
    assert BODY[found.start:found.end] == "meets twice a year"
    assert not found.prefix and not found.suffix


def test_words_that_recur_get_the_shortest_prefix_that_tells_them_apart():
    second = BODY.rindex("The Bank funds the")
    found = selector.locate(BODY, "The Bank funds the", second)
    assert BODY[found.start:found.end] == "The Bank funds the" and found.start == second
    assert BODY[found.start - len(found.prefix):found.start] == found.prefix
    assert BODY.count(found.prefix + found.exact) == 1
    assert found.prefix == "year. "


def test_a_suffix_where_no_prefix_helps():
    body = "network network. network network."
    found = selector.locate(body, "network", 0)
    assert not found.prefix and body.count(found.exact + found.suffix) == 1


def test_ambiguous_or_missing_or_long_quotes_are_refused():
    with pytest.raises(ValueError, match="occurrences"):
        selector.locate(BODY, "The Bank funds the")
    with pytest.raises(ValueError, match="not in the article"):
        selector.locate(BODY, "the Bank funds nothing")
    with pytest.raises(ValueError, match="at most 40"):
        selector.locate(" ".join(["word"] * 41), " ".join(["word"] * 41))


def test_the_turtle_it_writes_is_a_selector_with_its_rights():
    found = selector.locate(BODY, "meets twice a year")
    text = ("@prefix oa: <http://www.w3.org/ns/oa#> .\n@prefix dcterms: <http://purl.org/dc/terms/> .\n"
            "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
            "@prefix selector: <https://w3id.org/gmg/id/selector/> .\n"
            "@prefix rights: <https://w3id.org/gmg/id/rights/> .\n" + selector.turtle("s3-p5-a", found, 'A "label"'))
    g = Graph().parse(data=text, format="turtle")
    node = URIRef("https://w3id.org/gmg/id/selector/s3-p5-a")
    assert str(g.value(node, OA.exact)) == "meets twice a year"
    assert int(g.value(node, OA.end)) - int(g.value(node, OA.start)) == len("meets twice a year")
    assert g.value(node, URIRef("http://purl.org/dc/terms/rights")) == URIRef("https://w3id.org/gmg/id/rights/quoted-text")
