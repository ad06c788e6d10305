"""Search and browse over HTTP: a person finds a resource by name without writing SPARQL."""

from __future__ import annotations

import re

import pytest

from gmg.search import Label, LabelIndex, fold, loosen, most_specific_types

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def first_hit(client, q: str) -> dict:
    response = client.get("/search", params={"q": q, "format": "json"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert results, f"nothing found for {q!r}"
    return results[0]


@pytest.mark.parametrize("q, iri", [
    ("World Bank", "https://w3id.org/gmg/id/world-bank"),
    ("world bank", "https://w3id.org/gmg/id/world-bank"),
    ("MIRPAL", "https://w3id.org/gmg/id/mirpal"),
    ("Ивахнюк", "https://w3id.org/gmg/id/irina-ivakhnyuk"),  # the Russian label, as note 13 prints it
    ("Ivakhniuk", "https://w3id.org/gmg/id/irina-ivakhnyuk"),  # Library of Congress romanisation
    ("Vyacheslav Postavnin", "https://w3id.org/gmg/id/vyacheslav-postavnin"),  # as the article spells it
    ("Viacheslav Postavnin", "https://w3id.org/gmg/id/vyacheslav-postavnin"),  # a common variant
    ("Kirgizstan", "https://w3id.org/gmg/id/kyrgyzstan"),
    ("world bnk", "https://w3id.org/gmg/id/world-bank"),  # a typo
])
def test_search_ranks_the_expected_resource_first(client, q, iri):
    assert first_hit(client, q)["iri"] == iri


def test_search_page_lists_hits_inside_main_with_links(client):
    response = client.get("/search", params={"q": "World Bank"}, headers=HTML)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    main = re.search(r"<main>(.*)</main>", response.text, re.S).group(1)
    links = re.findall(r'<li><a href="([^"]+)">([^<]+)</a>', main)
    assert links[0] == ("/id/world-bank", "World Bank")
    assert client.get(links[0][0], headers=HTML).status_code == 200
    assert 'value="World Bank"' in response.text  # the box keeps the query


def test_search_without_hits_says_so_and_long_text_is_refused(client):
    response = client.get("/search", params={"q": "qqqqxzzzv"}, headers=HTML)
    assert response.status_code == 200 and "Nothing is labelled like that" in response.text
    refused = client.get("/search", params={"q": "x" * 500})
    assert refused.status_code == 400 and "longer than" in refused.text
    assert client.get("/health").status_code == 200


@pytest.mark.parametrize("path", ["/", "/search?q=x", "/id/", "/id/world-bank", "/sparql", "/id/no-such-thing",
                                  "/no/such/page", "/void", "/dumps", "/shapes"])
def test_every_page_has_the_search_box(client, path):
    response = client.get(path, headers=HTML)
    assert response.headers["content-type"].startswith("text/html"), path
    assert re.search(r'<form role="search" action="/search" method="get">.*?name="q"', response.text), path


def test_machines_still_get_a_plain_404_off_the_site(client):
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.json() == {"detail": "Not Found"}


def test_the_404_page_offers_a_search_for_the_missing_name(client):
    response = client.get("/id/world-bnak", headers=HTML)
    assert response.status_code == 404
    assert "query page" not in response.text  # the old advice pointed at a page without search
    assert 'value="world bnak"' in response.text and 'href="/id/"' in response.text


def test_browse_lists_types_with_counts_that_match_the_store(client):
    response = client.get("/id/", headers=HTML)
    assert response.status_code == 200
    links = dict(re.findall(r'<a href="/id/\?type=([^"]+)">[^<]+</a> <span class="count">\(([\d,]+)\)', response.text))
    assert "gmg:Programme" in links and "gmg:Person" in links and "skos:Concept" in links
    count = client.get("/sparql", params={"query": "PREFIX gmg: <https://w3id.org/gmg/ontology#> "
                       "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a gmg:Programme FILTER(STRSTARTS(STR(?s), "
                       "'https://w3id.org/gmg/id/')) }"}, headers={"Accept": "application/sparql-results+json"})
    assert int(links["gmg:Programme"].replace(",", "")) == int(count.json()["results"]["bindings"][0]["n"]["value"])


def test_a_class_page_lists_its_members(client):
    response = client.get("/id/", params={"type": "gmg:Programme"}, headers=HTML)
    assert response.status_code == 200
    assert 'href="/id/carmp"' in response.text


@pytest.mark.parametrize("given, status", [("gmg:NoSuchClass", 404), ("not a class>", 400)])
def test_bad_types_get_a_clear_4xx(client, given, status):
    response = client.get("/id/", params={"type": given})
    assert response.status_code == status and "/id/" in response.text


def test_folding_merges_scripts_and_romanisations():
    assert loosen(fold("Ивахнюк")) == loosen(fold("Ivakhniuk")) == loosen(fold("IVAKHNYUK"))
    index = LabelIndex([Label("a", "Alpha Programme"), Label("b", "Beta", preferred=False), Label("c", "Alphabet")])
    assert [h.iri for h in index.search("alpha")][:2] == ["a", "c"]
    assert index.search("") == []


def test_a_resource_is_named_by_its_most_specific_types():
    typed = [("wb", "IO"), ("wb", "Org"), ("wb", "Agent"), ("wb", "Donor"), ("x", "Unlabelled"), ("loop", "A"),
             ("loop", "B")]
    subclass_of = [("IO", "Org"), ("Org", "Agent"), ("A", "B"), ("B", "A")]  # (A and B: each above the other)
    labels = {"IO": ["international organization"], "Org": ["organization"], "Agent": ["agent"],
              "Donor": ["donor", "funder"], "A": ["a"], "B": ["b"]}
    assert most_specific_types(typed, subclass_of, labels) == {
        "wb": ["donor", "funder", "international organization"]}  # (no label: left out; a cycle: neither)


def test_the_index_follows_an_update():
    """The index is rebuilt when the data changes: a label added by an update is found at once."""
    import httpx

    from conftest import Server

    token = "search-test-token"
    server = Server(["--update-token", token]).wait_ready()
    try:
        def top(q):
            results = httpx.get(server.url + "/search", params={"q": q, "format": "json"}, timeout=30).json()["results"]
            return results[0]["iri"] if results else None

        assert top("Zebrafinch Bureau") != "https://w3id.org/gmg/id/world-bank"
        response = httpx.post(server.url + "/update", timeout=60, headers={
            "Content-Type": "application/sparql-update", "Authorization": f"Bearer {token}"},
            content='INSERT DATA { GRAPH <https://w3id.org/gmg/graph/instances> { '
                    '<https://w3id.org/gmg/id/world-bank> <http://www.w3.org/2004/02/skos/core#altLabel> '
                    '"Zebrafinch Bureau"@en } }')
        assert response.status_code in (200, 204), response.text
        assert top("Zebrafinch Bureau") == "https://w3id.org/gmg/id/world-bank"
    finally:
        server.stop()
