"""Reading the article as pages: previous/next through passages and notes, paragraph pages, "Cite this"."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from rdflib import RDF, Graph, URIRef

from gmg.sequence import Item, ReadingOrder, parse_name

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/gmg/id/passage/"
NOTE = "https://w3id.org/gmg/id/note/"
HTML = {"Accept": "text/html"}
GMG = "https://w3id.org/gmg/ontology#"


# --- the order itself (gmg.sequence), on made-up items --------------------------------

def passage(name: str, section: int) -> Item:
    return Item(iri=BASE + name, label=name, quote=f"quote of {name}", section_order=section)


def note(number: int | None, section: int = 8) -> Item:
    return Item(iri=NOTE + (str(number) if number is not None else "author"), label=f"note {number}",
                section_order=section, note_number=number, is_note=True)


def test_names_give_paragraph_and_part():
    assert parse_name("s3-p5-c") == parse_name("s3-p5-c")
    assert parse_name("s3-p5-c").paragraph == "s3-p5" and parse_name("s3-p5-c").part == "c"
    assert parse_name("introduction-p12").number == 12 and parse_name("introduction-p12").part == ""
    assert parse_name("no-paragraph-here") is None


def test_sections_then_paragraphs_by_number_then_parts_then_notes_by_number():
    items = [note(10), passage("s3-p10-a", 6), note(2), passage("s3-p2-b", 6), passage("s1-p1-a", 4),
             note(None), passage("s3-p2", 6), passage("s3-p2-a", 6), passage("abstract-p1", 2), note(1)]
    order = ReadingOrder(items, BASE)
    names = [i.iri.rsplit("/", 1)[1] for i in order.items]
    assert names == ["abstract-p1", "s1-p1-a", "s3-p2", "s3-p2-a", "s3-p2-b", "s3-p10-a",
                     "author", "1", "2", "10"]
    assert order.neighbours(BASE + "abstract-p1")[0] is None
    assert order.neighbours(NOTE + "10")[1] is None
    before, after = order.neighbours(BASE + "s3-p10-a")
    assert before.iri == BASE + "s3-p2-b" and after.iri == NOTE + "author"


def test_paragraphs_group_their_lettered_parts():
    order = ReadingOrder([passage("s3-p5-b", 6), passage("s3-p5-a", 6), passage("s3-p4-a", 6),
                          passage("s3-p6-a", 6), passage("s3-p5-aa", 6)], BASE)
    assert [p.iri for p in order.parts(BASE + "s3-p5")] == [BASE + "s3-p5-a", BASE + "s3-p5-b", BASE + "s3-p5-aa"]
    assert order.parts(BASE + "s3-p7") == []
    assert order.paragraph_of(BASE + "s3-p5-b") == BASE + "s3-p5"
    before, after = order.paragraph_neighbours(BASE + "s3-p5")
    assert before.iri == BASE + "s3-p4-a" and after.iri == BASE + "s3-p6-a"


def test_names_outside_the_pattern_are_kept_after_their_section():
    odd = Item(iri=BASE + "odd", label="odd", section_order=6)
    order = ReadingOrder([passage("s3-p1-a", 6), odd, passage("s4-p1-a", 7)], BASE)
    assert [i.label for i in order.items] == ["s3-p1-a", "odd", "s4-p1-a"]


# --- over HTTP ---------------------------------------------------------------------------

def links(page: str, rel: str) -> list[str]:
    return re.findall(rf'<a rel="{rel}" href="([^"]+)"', page)


def store_items(client) -> set[str]:
    query = f"""SELECT DISTINCT ?p WHERE {{ {{ ?p a <{GMG}Passage> }} UNION {{ ?p a <{GMG}Note> }} }}"""
    rows = client.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    return {r["p"]["value"] for r in rows.json()["results"]["bindings"]}


def test_next_links_walk_every_passage_and_note_once_in_the_articles_order(client):
    expected = store_items(client)
    path, seen = "/id/passage/abstract-p1", []
    page = client.get(path, headers=HTML).text
    assert not links(page, "prev"), "the first passage has no previous one"
    while True:
        seen.append(path)
        nexts = set(links(page, "next"))
        if not nexts:
            break
        assert len(nexts) == 1, path  # the same link above and below the page's content
        following = nexts.pop()
        response = client.get(following, headers=HTML)
        assert response.status_code == 200, following
        page = response.text
        assert path in links(page, "prev"), f"{following} does not lead back to {path}"
        path = following
    assert len(seen) == len(set(seen)) == len(expected)
    assert {"https://w3id.org/gmg" + p for p in seen} == expected
    # notes come after every passage, in number order, the author note first
    notes = [p for p in seen if p.startswith("/id/note/")]
    assert seen[-len(notes):] == notes
    assert notes[0] == "/id/note/author" and notes[1:] == [f"/id/note/{n}" for n in range(1, len(notes))]
    # passages of a paragraph come together, a to z
    assert seen.index("/id/passage/s3-p5-a") + 9 == seen.index("/id/passage/s3-p5-j")
    assert seen.index("/id/passage/s3-p9-e") < seen.index("/id/passage/s3-p10-a")


OTHER_WORK = """
@prefix gmg: <https://w3id.org/gmg/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/gmg/id/other-report> a gmg:Report ; rdfs:label "Another report"@en .
<https://w3id.org/gmg/id/section/other1> a gmg:Section ; gmg:sectionOrder 5 ;
    dcterms:isPartOf <https://w3id.org/gmg/id/other-report> .
<https://w3id.org/gmg/id/passage/other1-p1-a> a gmg:Passage ; rdfs:label "Other report (a)"@en ;
    gmg:inSection <https://w3id.org/gmg/id/section/other1> .
<https://w3id.org/gmg/id/note/other-1> a gmg:Note ; gmg:noteNumber 1 ;
    gmg:inSection <https://w3id.org/gmg/id/section/other1> .
"""


def test_the_reading_order_is_the_articles_alone_whatever_else_the_store_holds():
    """The order is found through the article's sections, so the passages and notes of another
    work in the same store (the benchmark's synthetic report has 195,000) stay out of it."""
    import pyoxigraph
    from gmg.sitequeries import PASSAGES

    graph = instance_graph()
    article_items = {str(s) for kind in ("Passage", "Note") for s in graph.subjects(RDF.type, URIRef(GMG + kind))}
    graph.parse(data=OTHER_WORK, format="turtle")
    store = pyoxigraph.Store()
    store.load(graph.serialize(format="nt").encode(), pyoxigraph.RdfFormat.N_TRIPLES)
    rows = list(store.query(PASSAGES))
    found = {row["item"].value for row in rows}
    assert len(article_items) > 200 and found == article_items
    notes = {row["item"].value for row in rows if row["note"].value == "true"}
    assert notes and all(iri.startswith(NOTE) for iri in notes)
    assert all(row["sectionOrder"] is not None for row in rows)


def instance_graph() -> Graph:
    graph = Graph()
    for path in (ROOT / "instances").glob("*.ttl"):
        graph.parse(path)
    return graph


def test_a_paragraph_held_only_as_parts_gets_a_page_listing_them_with_quotes(client):
    graph = instance_graph()
    response = client.get("/id/passage/s3-p5", headers=HTML)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "<h1>The World Bank and Migration Governance in Central Asia, paragraph 5</h1>" in page
    hrefs = re.findall(r'<ol class="parts">(.*?)</ol>', page, re.S)[0]
    parts = re.findall(r'<a href="(/id/passage/s3-p5-[a-z])">', hrefs)
    def lettered(paragraph):
        return sorted(str(p)[len("https://w3id.org/gmg"):] for p in graph.subjects(RDF.type, URIRef(GMG + "Passage"))
                      if re.fullmatch(rf"https://w3id.org/gmg/id/passage/{paragraph}-[a-z]", str(p)))
    assert parts == lettered("s3-p5") and len(parts) >= 10
    oa = "http://www.w3.org/ns/oa#"
    for part in parts:
        selector = graph.value(URIRef("https://w3id.org/gmg" + part), URIRef(oa + "hasSelector"))
        quote = str(graph.value(selector, URIRef(oa + "exact")))
        assert html.escape(quote) in page, part
    # it sits in the reading order: before its first part, after the last part of the paragraph before
    assert links(page, "prev")[0] == lettered("s3-p4")[-1] and links(page, "next")[0] == "/id/passage/s3-p6-a"
    # and the parts point up to it
    assert "/id/passage/s3-p5" in links(client.get("/id/passage/s3-p5-c", headers=HTML).text, "up")


def test_every_paragraph_of_lettered_parts_answers(client):
    graph = instance_graph()
    paragraphs = {parse_name(str(p)[len(BASE):]).paragraph for p in graph.subjects(None, URIRef(GMG + "Passage"))
                  if str(p).startswith(BASE) and parse_name(str(p)[len(BASE):]).part}
    assert len(paragraphs) > 30
    for name in sorted(paragraphs):
        assert client.get(f"/id/passage/{name}", headers=HTML).status_code == 200, name


def test_machines_asking_for_a_paragraph_are_told_its_parts(client):
    response = client.get("/id/passage/s3-p5", headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    assert "https://w3id.org/gmg/id/passage/s3-p5-a" in response.text
    assert client.get("/id/passage/s3-p99", headers=HTML).status_code == 404


def test_a_whole_paragraph_passage_lists_the_other_parts_too(client):
    page = client.get("/id/passage/s3-p3", headers=HTML).text
    assert "The parts of this paragraph" in page and 'href="/id/passage/s3-p3-a"' in page


def readme_citation() -> str:
    text = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    found = re.search(r'Oleg Korneev, "International Organizations as Global Migration Governors.*?403–421\.', text)
    return found.group(0).replace("*", "")


def cite_section(page: str) -> str:
    return re.search(r'<section class="cite" id="cite">(.*?)</section>', page, re.S).group(1)


@pytest.mark.parametrize("path", ["/id/world-bank", "/id/note/73", "/id/passage/s3-p5-c", "/id/passage/s3-p5",
                                  "/id/funding/world-bank-mirpal-2009-2010"])
def test_every_resource_page_says_how_to_cite_it(client, path):
    section = cite_section(client.get(path, headers=HTML).text)
    citation = re.search(r'<span class="citation">(.*?)</span>', section).group(1)
    assert html.unescape(re.sub(r"<[^>]+>", "", citation)) == readme_citation()
    assert f"<code>https://w3id.org/gmg{path}</code>" in section
    plain = html.unescape(re.search(r'<pre class="cite-text">(.*?)</pre>', section, re.S).group(1))
    assert readme_citation() in plain and f"<https://w3id.org/gmg{path}>" in plain
    # nothing invented: no DOI, no page number beyond the article's own page range
    assert "doi" not in section.lower()
    assert not re.search(r"\bpp?\.\s*\d", section)
