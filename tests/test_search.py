"""Search and browse over HTTP: a person finds a resource by name without writing SPARQL."""

from __future__ import annotations

import functools
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


@functools.cache
def folded(text: str) -> tuple[str, str]:
    return fold(text), loosen(fold(text))


def scan_every_label(labels: list[Label], query: str, links: dict[str, int]) -> list[tuple[str, float]]:
    """The ranking's definition, by a scan of every label (the index before it had an inverted
    index of words): the resources matched by a rank step (not fuzzily), best first."""
    from gmg.search import prominence

    q = loosen(fold(query))
    words = q.split()
    best: dict[str, float] = {}
    for label in labels:
        f, lf = folded(label.text)
        if not f or not q:
            continue
        if lf == q:
            step = 100
        elif lf.startswith(q + " "):
            step = 95
        elif lf.startswith(q):
            step = 90
        elif all(any(w.startswith(qw) for w in lf.split()) for qw in words):
            step = 80
        elif q in lf:
            step = 70
        else:
            continue
        score = (step + (0.5 if label.preferred else 0) + prominence(links.get(label.iri, 0))
                 - min(len(f), 200) / 1000)
        best[label.iri] = max(score, best.get(label.iri, -1.0))
    display = {}
    for label in sorted(labels, key=lambda l: (not l.preferred, not l.lang.startswith("en"), l.lang)):
        if fold(label.text):
            display.setdefault(label.iri, label.text)
    ranked = sorted(best.items(), key=lambda item: (-round(item[1], 9), display[item[0]], item[0]))
    return [(iri, round(score, 2)) for iri, score in ranked[:20]]


def test_the_index_finds_what_a_scan_of_every_label_finds():
    """The inverted index of words only narrows down which labels are compared: on random labels
    (Latin and Cyrillic words, romanisation variants, punctuation) and queries (whole labels,
    first words, pieces cut across words), its matches above the fuzzy step are the scan's."""
    import random

    rng = random.Random(14)
    vocabulary = ["world", "bank", "Bank", "migration", "migrant", "Ивахнюк", "Ivakhniuk", "fund", "XXI", "2009–2010",
                  "Central", "Asia", "asian", "programme", "program", "Kyrgyzstan", "Kirgizstan", "a", "of", "the",
                  "Мигранты", "remittances", "peer-assisted", "learning"]
    iris = [f"r{n}" for n in range(300)]
    labels = [Label(rng.choice(iris), " ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 5))),
                    rng.choice(["", "en", "ru"]), rng.random() < 0.7) for _ in range(1500)]
    links = {iri: rng.randint(0, 300) for iri in iris if rng.random() < 0.5}
    index = LabelIndex(labels)
    queries = []
    for label in rng.sample(labels, 150):
        text = label.text
        cut = rng.randrange(len(text))
        queries += [text, text.split()[0], text[cut:cut + rng.randint(2, 9)], text.upper()]
    differ = []
    for query in queries:
        found = [(hit.iri, hit.score) for hit in index.search(query, links=links) if hit.score > 69]
        if found != scan_every_label(labels, query, links):
            differ.append(query)
    assert not differ, f"{len(differ)} of {len(queries)} queries ranked otherwise, e.g. {differ[:3]}"


def test_an_index_that_takes_long_to_make_never_holds_a_search():
    """On a large store the index takes a minute to make: a search waits `patience` for it, then
    is answered from the last index, or, before the first, with a 503 that says to come back;
    a caller that goes away does not stop the build the others wait for."""
    import asyncio
    from types import SimpleNamespace

    from gmg.web.errors import ProtocolError
    from gmg.web.internal import PerDataVersion

    async def scenario():
        engine = SimpleNamespace(stats=SimpleNamespace(restarts=0), journal=[])

        async def look_for_changes():
            return None

        engine.look_for_changes = look_for_changes
        made = []

        async def make():
            await asyncio.sleep(0.3)
            made.append(len(engine.journal))
            return f"index of version {len(engine.journal)}"

        cached = PerDataVersion(engine, make, patience=0.05, what="the search index")
        with pytest.raises(ProtocolError) as refused:
            await cached.get()
        assert refused.value.status == 503 and "Still making the search index" in str(refused.value)
        assert refused.value.headers.get("Retry-After")
        await asyncio.sleep(0.3)
        assert await cached.get() == "index of version 0"
        engine.journal.append("an update")
        assert await cached.get() == "index of version 0"  # the last one, while the new one is made
        await asyncio.sleep(0.35)
        assert await cached.get() == "index of version 1"
        assert made == [0, 1]  # (one build per version, however many asked)

        patient = PerDataVersion(engine, make)
        gone = asyncio.create_task(patient.get())
        await asyncio.sleep(0.05)
        gone.cancel()
        assert await patient.get() == "index of version 1"
        assert made == [0, 1, 1]

    asyncio.run(scenario())


def test_a_large_class_is_listed_a_page_at_a_time_and_every_member_once(client):
    """A class of more members than a page holds (the article's statements; 519,640 at ten million
    triples) is listed a page at a time; the pages together hold every member once."""
    from gmg.web.browse import PAGE

    rows = client.get("/sparql", params={"query": "SELECT DISTINCT ?s WHERE { ?s a <https://w3id.org/gmg/ontology#Statement> "
                                                   "FILTER(isIRI(?s)) }"}, headers={"Accept": "application/sparql-results+json"})
    expected = {r["s"]["value"].removeprefix("https://w3id.org/gmg") for r in rows.json()["results"]["bindings"]}
    assert len(expected) > PAGE, "the article's statements no longer fill more than one page: pick a larger class"
    seen, href, pages = [], "/id/?type=gmg:Statement", 0
    while href:
        response = client.get(href.replace("&amp;", "&"), headers=HTML)
        assert response.status_code == 200 and f"{len(expected):,} members" in response.text
        main = re.search(r"<ul>(.*?)</ul>", response.text, re.S).group(1)
        listed = re.findall(r'<li><a href="([^"]+)">', main)
        assert 0 < len(listed) <= PAGE
        seen += listed
        pages += 1
        assert f"Page {pages} of {-(-len(expected) // PAGE)}" in response.text
        assert ('rel="prev"' in response.text) == (pages > 1)
        following = re.search(r'<a rel="next" href="([^"]+)">', response.text)
        href = following.group(1) if following else None
    assert pages == -(-len(expected) // PAGE) and len(seen) == len(set(seen)) and set(seen) == expected
    assert client.get("/id/", params={"type": "gmg:Statement", "page": "0"}).status_code == 400
    assert client.get("/id/", params={"type": "gmg:Statement", "page": str(pages + 1)}).status_code == 404


def test_a_class_count_follows_an_update():
    """A class's member count is kept while the data is the same, and counted again after an update."""
    import httpx

    from conftest import Server

    token = "browse-test-token"
    server = Server(["--update-token", token]).wait_ready()
    try:
        def members() -> str:
            response = httpx.get(server.url + "/id/?type=gmg:Country", headers=HTML, timeout=30)
            return re.search(r"([\d,]+) members?", response.text).group(1) if response.status_code == 200 else "none"

        def add(name: str) -> None:
            response = httpx.post(server.url + "/update", timeout=60, headers={
                "Content-Type": "application/sparql-update", "Authorization": f"Bearer {token}"},
                content=f'INSERT DATA {{ GRAPH <https://w3id.org/gmg/graph/instances> {{ '
                        f'<https://w3id.org/gmg/id/{name}> a <https://w3id.org/gmg/ontology#Country> ; '
                        f'<http://www.w3.org/2000/01/rdf-schema#label> "{name}"@en }} }}')
            assert response.status_code in (200, 204), response.text

        before = int(members().replace(",", ""))
        assert members() == f"{before:,}"  # (from the kept count)
        add("widgetland")
        assert members() == f"{before + 1:,}"
    finally:
        server.stop()
