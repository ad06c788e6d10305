"""The query page over HTTP: a browser GET of /sparql?query=… is the page with the query run."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from gmg.web.page import PAGE_SIZE, editor_assets

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
JSON = {"Accept": "application/sparql-results+json"}
ALL_LABELS = ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
              "SELECT ?thing ?label WHERE { ?thing rdfs:label ?label "
              'FILTER(STRSTARTS(STR(?thing), "https://w3id.org/gmg/id/")) } ORDER BY ?thing ?label')


def rows(text: str) -> list[str]:
    return re.findall(r"<tr><td>.*?</tr>", text)


def test_a_shared_query_url_is_a_page_for_browsers_and_results_for_machines(client):
    page = client.get("/sparql", params={"query": ALL_LABELS}, headers=BROWSER)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    machine = client.get("/sparql", params={"query": ALL_LABELS}, headers=JSON)
    total = len(machine.json()["results"]["bindings"])
    assert total > PAGE_SIZE
    assert f"{total:,} rows" in page.text and len(rows(page.text)) == PAGE_SIZE
    # labels with local links, language tags apart from the text
    assert re.search(r'<a href="/id/[^"]+" title="https://w3id.org/gmg/id/[^"]+">[^<]+</a>', page.text)
    assert '<span class="tag" title="language">en</span>' in page.text and "@en" not in page.text


def test_pages_of_results_follow_each_other(client):
    first = client.get("/sparql", params={"query": ALL_LABELS}, headers=BROWSER).text
    next_href = re.search(r'<a rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    assert parse_qs(urlparse(next_href).query)["page"] == ["2"]
    second = client.get(next_href, headers=BROWSER).text
    assert rows(second) and rows(second)[0] not in rows(first)
    assert '<a rel="prev"' in second


def test_downloads_are_the_results_in_csv_tsv_and_json(client):
    page = client.get("/sparql", params={"query": ALL_LABELS}, headers=BROWSER).text
    hrefs = dict((fmt, href.replace("&amp;", "&")) for href, fmt in
                 re.findall(r'<a class="download" href="([^"]+)" download="results\.(\w+)"', page))
    assert set(hrefs) == {"csv", "tsv", "json"}
    csv = client.get(hrefs["csv"], headers=BROWSER)
    assert csv.headers["content-type"].startswith("text/csv") and csv.text.splitlines()[0].strip() == "thing,label"
    assert client.get(hrefs["tsv"], headers=BROWSER).text.startswith("?thing\t?label")
    assert "bindings" in client.get(hrefs["json"], headers=BROWSER).json()["results"]


def test_errors_name_their_position_and_the_server_stays_up(client):
    page = client.get("/sparql", params={"query": "SELECT * WHERE {\n ?s ?p \n}"}, headers=BROWSER)
    assert page.status_code == 400
    error = re.search(r'<pre class="error" data-line="(\d+)" data-column="(\d+)">(.*?)</pre>', page.text, re.S)
    assert error and "^" in error.group(3) and "error at" in error.group(3)
    assert client.get("/health").status_code == 200


def test_competency_questions_are_one_click_links_with_their_question(client):
    page = client.get("/sparql", headers=BROWSER).text
    links = re.findall(r'<li><a href="(/sparql\?query=[^"]+)">(CQ\d+[^<]*)</a>', page)
    assert len(links) >= 20 and any("CARMP" in text for _, text in links)
    run = client.get(links[0][0].replace("&amp;", "&"), headers=BROWSER)
    assert run.status_code == 200 and '<p id="status">' in run.text


def test_the_editor_is_offered_only_when_installed_and_says_how_to_get_it():
    head, note = editor_assets(None)
    assert head == "" and "scripts/fetch-assets.sh" in note
    head, note = editor_assets({"prefixes": {}, "classes": [], "properties": []})
    assert "/assets/yasgui/yasgui.min.js" in head and "/static/query.js" in head and note == ""
