"""The works the notes cite, downloadable as BibTeX and RIS: read back with the libraries that parse them."""

from __future__ import annotations

import re

import pytest
import rispy
from pybtex.database import parse_string

# The works in the store: every node of the instance data with a bibliographic citation, except the
# article itself (the ontology's own citation is in the ontology graph).
WORKS_IN_STORE = """
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT (COUNT(DISTINCT ?work) AS ?n) WHERE {
  GRAPH <https://w3id.org/gmg/graph/instances> { ?work dcterms:bibliographicCitation ?printed }
  FILTER(?work != <https://w3id.org/gmg/id/korneev-2017>)
}"""


def works_in_store(client) -> int:
    answer = client.get("/sparql", params={"query": WORKS_IN_STORE},
                        headers={"Accept": "application/sparql-results+json"}).json()
    return int(answer["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("path, media_type", [("/bibliography.bib", "application/x-bibtex"),
                                              ("/bibliography.ris", "application/x-research-info-systems")])
def test_downloads_are_attachments_with_their_content_type(client, path, media_type):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert "charset=utf-8" in response.headers["content-type"]
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment") and f'filename="gmg-bibliography.{path.rsplit(".", 1)[1]}"' in disposition
    head = client.head(path)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-disposition"] == disposition


def test_bibtex_parses_and_holds_every_work(client):
    data = parse_string(client.get("/bibliography.bib").text, "bibtex")
    assert len(data.entries) == works_in_store(client) > 60

    article = data.entries["geiger-pecoud-2014"]
    assert article.type == "article"
    assert [str(p) for p in article.persons["author"]] == ["Geiger, Martin", "Pécoud, Antoine"]
    assert article.fields["title"] == "International Organisations and the Politics of Migration"
    assert article.fields["journal"] == "Journal of Ethnic and Migration Studies"
    assert (article.fields["volume"], article.fields["number"], article.fields["year"]) == ("40", "6", "2014")
    assert article.fields["pages"] == "865--887"

    chapter = data.entries["aleinikoff-2007"]
    assert chapter.type == "incollection"
    assert chapter.fields["booktitle"] == "International Migration Law: Developing Paradigms and Key Challenges"
    # the editors in the order the note prints them
    assert [p.last_names[0] for p in chapter.persons["editor"]] == ["Cholewinski", "Perruchoud", "MacDonald"]
    assert chapter.fields["publisher"] == "TMC Asser Press" and chapter.fields["address"] == "The Hague"

    report = data.entries["world-bank-2014"]
    assert report.type == "techreport" and report.fields["institution"] == "World Bank"
    # an organization as author stays one name
    assert [str(p) for p in report.persons["author"]] == ["{World Bank}"]
    assert "pages" not in report.fields  # the note's "p. 4" is where it cites, not the work's pages

    web = data.entries["fund-migration-xxi-century-mirpal"]
    assert web.fields["url"] == "http://mirpal.org/"
    assert not any("doi" in entry.fields for entry in data.entries.values())


def test_ris_parses_and_holds_every_work(client):
    records = rispy.loads(client.get("/bibliography.ris").text)
    assert len(records) == works_in_store(client)
    assert len({r["id"] for r in records}) == len(records)

    article = next(r for r in records if r["id"] == "geiger-pecoud-2014")
    assert article["type_of_reference"] == "JOUR"
    assert article["authors"] == ["Geiger, Martin", "Pécoud, Antoine"]
    assert article["title"] == "International Organisations and the Politics of Migration"
    assert article["journal_name"] == "Journal of Ethnic and Migration Studies"
    assert (article["volume"], article["number"], article["year"]) == ("40", "6", "2014")
    assert (article["start_page"], article["end_page"]) == ("865", "887")
    assert any(n.startswith("Cited in Korneev (2017), note") for n in article["notes"])

    volume = next(r for r in records if r["id"] == "cholewinski-perruchoud-macdonald-2007")
    assert volume["type_of_reference"] == "EDBOOK"
    assert volume["authors"] == ["Cholewinski, Ryszard", "Perruchoud, Richard", "MacDonald, Euan"]


def test_home_page_links_both_downloads(client):
    page = client.get("/", headers={"Accept": "text/html"}).text
    links = set(re.findall(r'href="([^"]+)"', page))
    assert {"/bibliography.bib", "/bibliography.ris"} <= links


def test_authors_follow_the_order_the_note_prints():
    from gmg.bibliography import Agent, in_printed_order

    printed = 'Andrew Geddes and Oleg Korneev, "The State and the Regulation of Migration," in ...'
    agents = [Agent("Oleg Korneev", True), Agent("Andrew Geddes", True)]
    assert [a.name for a in in_printed_order(agents, printed)] == ["Andrew Geddes", "Oleg Korneev"]
    # a name printed differently is placed by its surname; one not printed at all goes last
    agents = [Agent("Someone Else", True), Agent("O. Korneev", True), Agent("Andrew Geddes", True)]
    assert [a.name for a in in_printed_order(agents, printed)] == ["Andrew Geddes", "O. Korneev", "Someone Else"]
