"""Resource pages read like an encyclopedia entry with footnotes: every fact with its evidence
beside it, n-ary facts as sentences, curators' readings apart, "mentioned in" folded, terms
documented here, and a bounded number of queries a page."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

from gmg.web.entry import Writer, _figure, Fact, Term, short, short_name

ID = "https://w3id.org/gmg/id/"
GMG = "https://w3id.org/gmg/ontology#"
HTML = {"Accept": "text/html"}
JSON = {"Accept": "application/sparql-results+json"}
PREFIXES = """PREFIX gmg: <https://w3id.org/gmg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX oa: <http://www.w3.org/ns/oa#>
"""
REPRESENTATIVE = ["world-bank", "mirpal", "dfid", "tajikistan", "kazakhstan", "carmp", "iom"]


# --- reading a page ---------------------------------------------------------------------------

class Entry(HTMLParser):
    """The facts of a page (li.fact: the fact node or triple it shows, its classes, the quotes in
    it, its text), the <details> elements (their summary and links), and every link."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.facts: list[dict] = []
        self.details: list[dict] = []
        self.hrefs: list[str] = []
        self._open: list[tuple[str, dict | None]] = []  # (tag, the fact it opened) for li and q
        self._quote: list[str] | None = None
        self._details: list[dict] = []
        self._summary = False
        self.feed(page)

    def current(self) -> dict | None:
        return next((fact for tag, fact in reversed(self._open) if fact is not None), None)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
            if self._details:
                self._details[-1]["hrefs"].append(a["href"])
        if tag == "li":
            classes = (a.get("class") or "").split()
            fact = None
            if "fact" in classes:
                fact = {"fact": a.get("data-fact"), "triple": a.get("data-triple"), "classes": classes,
                        "quotes": [], "text": []}
                self.facts.append(fact)
            self._open.append(("li", fact))
        elif tag == "q" and "quote" in (a.get("class") or ""):
            self._quote = []
        elif tag == "details":
            self._details.append({"summary": "", "hrefs": []})
        elif tag == "summary":
            self._summary = True

    def handle_endtag(self, tag):
        if tag == "li":
            while self._open and self._open.pop()[0] != "li":
                pass
        elif tag == "q" and self._quote is not None:
            fact = self.current()
            if fact is not None:
                fact["quotes"].append("".join(self._quote))
            self._quote = None
        elif tag == "details" and self._details:
            self.details.append(self._details.pop())
        elif tag == "summary":
            self._summary = False

    def handle_data(self, data):
        if self._quote is not None:
            self._quote.append(data)
        fact = self.current()
        if fact is not None:
            fact["text"].append(data)
        if self._summary and self._details:
            self._details[-1]["summary"] += data

    def fact(self, iri: str) -> dict:
        found = [f for f in self.facts if f["fact"] == iri]
        assert len(found) == 1, f"{iri} is shown {len(found)} times"
        return found[0]

    @staticmethod
    def text(fact: dict) -> str:
        return " ".join("".join(fact["text"]).split())


def rows(client, query: str) -> list[dict]:
    response = client.get("/sparql", params={"query": PREFIXES + query}, headers=JSON)
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]


def normal(text: str) -> str:
    return " ".join(text.split())


def matches(shown: str, quotes: set[str]) -> bool:
    """A quote on the page is the start of one of the fact's quotes (cut with "…") or all of it."""
    shown = normal(shown)
    if shown.endswith("…"):
        return any(q.startswith(shown[:-1]) for q in quotes)
    return shown in quotes


def page(client, name: str) -> str:
    response = client.get("/id/" + name, headers=HTML)
    assert response.status_code == 200, name
    return response.text


# --- what the graph says each page must show --------------------------------------------------

@pytest.fixture(scope="module")
def fact_quotes(client) -> dict[str, dict[str, set[str]]]:
    """entity -> fact node -> the quotes of the passages and notes its statements derive from,
    for every entity a fact node names in a role, or that names a fact node."""
    found: dict[str, dict[str, set[str]]] = {}
    for r in rows(client, """
        SELECT ?e ?f ?q WHERE {
          ?statement gmg:asserts ?f ; prov:wasDerivedFrom ?source .
          ?source (gmg:quote|oa:hasSelector/oa:exact) ?q .
          { ?f ?role ?e } UNION { ?e ?p ?f }
          FILTER(isIRI(?e) && STRSTARTS(STR(?e), "https://w3id.org/gmg/id/"))
          FILTER NOT EXISTS { ?other gmg:asserts ?e }
        }"""):
        found.setdefault(r["e"]["value"], {}).setdefault(r["f"]["value"], set()).add(normal(r["q"]["value"]))
    return found


@pytest.fixture(scope="module")
def triple_quotes(client) -> dict[str, dict[str, set[str]]]:
    """entity -> "s p o" of an annotated triple it is the subject or object of -> its quotes."""
    found: dict[str, dict[str, set[str]]] = {}
    for r in rows(client, """
        SELECT ?s ?p ?o ?q WHERE {
          ?ax owl:annotatedSource ?s ; owl:annotatedProperty ?p ; owl:annotatedTarget ?o ; gmg:statement ?statement .
          ?statement prov:wasDerivedFrom ?source . ?source (gmg:quote|oa:hasSelector/oa:exact) ?q .
          ?s ?p ?o .
          FILTER(isIRI(?s) && STRSTARTS(STR(?s), "https://w3id.org/gmg/id/"))
          FILTER NOT EXISTS { ?other gmg:asserts ?o }
        }"""):
        key = " ".join(r[v]["value"] for v in ("s", "p", "o"))
        for end in ("s", "o"):
            if r[end]["type"] == "uri" and r[end]["value"].startswith(ID):
                found.setdefault(r[end]["value"], {}).setdefault(key, set()).add(normal(r["q"]["value"]))
    return found


def test_the_representative_entities_have_facts_with_evidence(fact_quotes):
    for name in REPRESENTATIVE:
        assert ID + name in fact_quotes, name


def test_every_fact_with_evidence_shows_a_quote_on_the_pages_of_the_entities_it_names(
        client, fact_quotes, triple_quotes):
    entities = sorted(set(fact_quotes) | {ID + n for n in REPRESENTATIVE})
    assert len(entities) > 80
    missing = []
    for entity in entities:
        entry = Entry(page(client, entity[len(ID):]))
        for fact, quotes in fact_quotes.get(entity, {}).items():
            shown = [f for f in entry.facts if f["fact"] == fact]
            if len(shown) != 1 or not any(matches(q, quotes) for q in shown[0]["quotes"]):
                missing.append((entity, fact))
        for triple, quotes in triple_quotes.get(entity, {}).items():
            shown = [f for f in entry.facts if f["triple"] == triple]
            if len(shown) != 1 or not any(matches(q, quotes) for q in shown[0]["quotes"]):
                missing.append((entity, triple))
    assert not missing, missing[:10]


def test_n_ary_facts_read_as_sentences_from_their_roles(client):
    entry = Entry(page(client, "mirpal"))
    sentences = {f["fact"]: Entry.text(f) for f in entry.facts if f["fact"]}
    assert sentences[ID + "funding/world-bank-mirpal-2009-2010"].startswith(
        "World Bank funded MIRPAL with $300,000 (2009–2010)")
    assert sentences[ID + "funding/dfid-mirpal"].startswith(
        "UK Department for International Development funded MIRPAL with $650,000")
    observation = next(s for f, s in sentences.items() if "/observation/" in f and "network members" in s)
    assert ": 300 persons" in observation
    tajikistan = Entry(page(client, "tajikistan"))
    text = {f["fact"]: Entry.text(f) for f in tajikistan.facts if f["fact"]}
    assert text[ID + "observation/remittances-share-of-gdp-tajikistan-2012"].startswith(
        "Remittances as a share of GDP in Tajikistan, 2012: 52%")
    # a relationship and a status, each a sentence with its parties linked, not a bare link
    world_bank = Entry(page(client, "world-bank"))
    lobbying = Entry.text(world_bank.fact(ID + "relationship/lobbying-world-bank-tajikistan"))
    assert lobbying.startswith("Lobbying relationship: World Bank → Tajikistan")
    status = Entry.text(world_bank.fact(ID + "status/world-bank-nonreferent-io-migration-governance"))
    assert status.startswith("World Bank is a nonreferent IO in migration governance")


def test_evidence_names_the_place_the_note_the_hedge_and_the_voice(client):
    text = page(client, "mirpal")
    entry = Entry(text)
    fact = entry.fact(ID + "funding/world-bank-dfid-mirpal-2013")
    words = Entry.text(fact)
    assert "paragraph 8 (b)" in words and "Note 80" in words
    assert "hedged: approximate" in words and "quoted: Sudharshan Canagarajah" in words
    # the place links to the passage's page, the note to the note's
    item = re.search(r'<li class="fact" data-fact="https://w3id.org/gmg/id/funding/world-bank-dfid-mirpal-2013">'
                     r'(.*?)</li></ul>', text, re.S).group(1)
    assert 'href="/id/passage/s3-p8-b"' in item and 'href="/id/note/80"' in item
    # a hedge's printed words, a cited work's title
    figure = Entry.text(entry.fact(ID + "observation/global-experts-brought-in-mirpal-2013"))
    assert "hedged: lower bound “more than 20 global experts”" in figure
    status = Entry.text(Entry(page(client, "tajikistan")).fact(ID + "status/tajikistan-remittance-recipient-world"))
    assert "cited work: " in status


def test_curators_readings_are_set_apart_from_the_articles_statements(client):
    entry = Entry(page(client, "world-bank"))
    reading = entry.fact(ID + "authority-attribution/world-bank-knowledge-agency")
    assert "curators" in reading["classes"] and "curators' reading" in Entry.text(reading)
    own = entry.fact(ID + "funding/world-bank-mirpal-2009-2010")
    assert "curators" not in own["classes"] and "curators' reading" not in Entry.text(own)
    # curators' remarks (rdfs:comment) are editors' notes, apart from the data
    text = page(client, "mirpal")
    assert re.search(r'<aside class="editors-note"><span class="badge">editors\' note</span> The article spells',
                     text)


def test_mentioned_in_is_a_count_that_opens(client):
    expected = rows(client, f"SELECT ?where WHERE {{ <{ID}world-bank> gmg:mentionedIn ?where }}")
    entry = Entry(page(client, "world-bank"))
    (details,) = [d for d in entry.details if "Mentioned in" in d["summary"]]
    assert f"Mentioned in {len(expected)} places" in details["summary"]
    assert sorted(details["hrefs"]) == sorted("/id/" + r["where"]["value"][len(ID):] for r in expected)
    # the passages are listed there only, not among the facts
    outside = [h for h in entry.hrefs if h.startswith(("/id/passage/", "/id/note/"))]
    assert len(outside) < len(entry.hrefs)


def test_terms_link_to_this_servers_documentation(client):
    docs = client.get("/ontology", headers=HTML).text
    anchors = set(re.findall(r'id="([^"]+)"', docs))
    # the other vocabularies' terms the documentation describes, by IRI
    documented = dict(re.findall(r'<li id="(external-[^"]+)"><code>[^<]*</code> — [^:]*: <a href="([^"]+)"', docs))
    documented = {iri: anchor for anchor, iri in documented.items()}
    assert len(documented) > 30
    for name in REPRESENTATIVE + ["funding/world-bank-dfid-mirpal-2013", "passage/s3-p8-b",
                                  "membership/dilip-ratha-world-bank"]:
        entry = Entry(page(client, name))
        local = [h[len("/ontology#"):] for h in entry.hrefs if h.startswith("/ontology#")]
        assert local, name
        assert not [a for a in local if a not in anchors], name
        assert not [h for h in entry.hrefs if h.startswith("https://w3id.org/gmg/ontology")], name
        assert not [h for h in entry.hrefs if h in documented], name
    assert 'href="/ontology#external-org-organization"' in page(client, "world-bank")


def test_a_page_costs_a_bounded_number_of_queries(client):
    counts = {}
    for name in ("world-bank", "mirpal", "passage/s3-p8-b", "period/2013", "note/80"):
        client.get("/id/" + name, headers=HTML)  # the site's caches filled
        timing = client.get("/id/" + name, headers=HTML).headers["server-timing"]
        counts[name] = int(re.search(r'sparql;desc="(\d+) queries"', timing).group(1))
        assert re.search(r"total;dur=[0-9.]+", timing)
    assert set(counts.values()) == {2}, counts


# --- the plain parts -------------------------------------------------------------------------

def test_quotes_are_cut_at_a_word():
    assert short("one two three", 50) == "one two three"
    assert short("one two three four", 12) == "one two…"
    assert short("  spaced\n out  ", 50) == "spaced out"


def test_a_long_name_is_shortened_to_its_shortest_other_name():
    assert short_name("Migration and Remittances Peer-Assisted Learning network", ["MIR-PAL", "MIRPAL"]) == "MIRPAL"
    assert short_name("World Bank", ["the Bank"]) == "World Bank"
    assert short_name("A very long name without any other name at all", []) == \
        "A very long name without any other name at all"


def test_figures_and_sentences_from_roles():
    def fact(kind: str, **roles) -> Fact:
        f = Fact(ID + "x", {"http://www.w3.org/1999/02/22-rdf-syntax-ns#type": [Term(GMG + kind)]})
        for role, values in roles.items():
            f.roles[GMG + role] = values
        return f

    percent = fact("Observation", measure=[Term(ID + "m", label="remittances as a share of GDP")],
                   refArea=[Term(ID + "tj", label="Tajikistan")], value=[Term("52.0", "literal")],
                   unit=[Term(GMG + "Percent", label="percent")], refPeriod=[Term(ID + "p", label="2012")])
    assert _figure(percent) == "52%"
    writer = Writer(ID + "tj", None, name="Tajikistan")
    assert html.unescape(re.sub(r"<[^>]+>", "", writer.sentence(percent))) == \
        "Remittances as a share of GDP in Tajikistan, 2012: 52%"
    funding = fact("Funding", funder=[Term(ID + "dfid", label="DFID")], fundedActivity=[Term(ID + "mirpal", label="MIRPAL")],
                   amount=[Term(ID + "a", label="$650,000")], period=[Term(ID + "p", label="2010–2015")])
    assert re.sub(r"<[^>]+>", "", Writer(ID + "dfid", None).sentence(funding)) == "DFID funded MIRPAL with $650,000 (2010–2015)"
    # no pattern fits: the fact's label
    odd = fact("Funding")
    odd.roles["http://www.w3.org/2000/01/rdf-schema#label"] = [Term("Something was funded", "literal", lang="en")]
    assert Writer(ID, None).sentence(odd) == "Something was funded"
