"""The works the article's notes cite, as BibTeX (pybtex) and RIS (rispy).

Input: the rows of `sitequeries.WORKS` (every statement about each work, with the label
of what it points at) and of `sitequeries.CITING_NOTES`. Only what the graph holds is
written — titles, names, years, volumes, issues, page ranges, publishers as the notes
print them; nothing is looked up or made up (no DOI, no page the graph lacks).

RDF keeps no order among a work's authors; they are put in the order in which the
note's own citation (`dcterms:bibliographicCitation`) prints their names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import rispy
from pybtex.database import BibliographyData, Entry, Person
from pybtex.database.output.bibtex import Writer as PybtexWriter
from rispy.writer import RisWriter

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DCT = "http://purl.org/dc/terms/"
BIBO = "http://purl.org/ontology/bibo/"
GMG = "https://w3id.org/gmg/ontology#"

# gmg's document classes, most specific first -> (BibTeX entry type, RIS type of reference)
KINDS = (
    ("BookChapter", "incollection", "CHAP"),
    ("EditedVolume", "book", "EDBOOK"),
    ("JournalArticle", "article", "JOUR"),
    ("EvaluationReport", "techreport", "RPRT"),
    ("Report", "techreport", "RPRT"),
    ("Thesis", "phdthesis", "THES"),
    ("WebDocument", "misc", "ELEC"),
    ("LegalDocument", "misc", "STAT"),
    ("Book", "book", "BOOK"),
)
DASHES = re.compile(r"\s*[–—-]+\s*")


@dataclass
class Agent:
    """An author or editor: a person (a name to split) or an organization (kept whole)."""

    name: str
    is_person: bool


@dataclass
class Work:
    iri: str
    key: str
    kind: str  # gmg class local name, e.g. "BookChapter"
    values: dict[str, list[str]] = field(default_factory=dict)  # predicate IRI -> literal values
    authors: list[Agent] = field(default_factory=list)
    editors: list[Agent] = field(default_factory=list)
    container: "Work | None" = None
    container_label: str | None = None  # a journal's name
    notes: list[int] = field(default_factory=list)

    def first(self, predicate: str) -> str | None:
        values = self.values.get(predicate)
        return values[0] if values else None

    @property
    def title(self) -> str:
        return self.first(DCT + "title") or self.first(RDFS_LABEL) or self.key


def works_from_rows(rows: list[dict], note_rows: list[dict] = ()) -> list[Work]:
    """One Work per cited work (and per edited volume holding a cited chapter), ordered by key."""
    by_iri: dict[str, dict] = {}
    for row in rows:
        work, predicate, obj = row["work"]["value"], row["p"]["value"], row["o"]
        entry = by_iri.setdefault(work, {"types": set(), "values": {}, "creators": [], "editors": [], "part_of": []})
        label = row.get("olabel", {}).get("value")
        is_person = row.get("isPerson", {}).get("value") in ("true", "1")
        if predicate == RDF_TYPE:
            entry["types"].add(obj["value"])
        elif predicate == DCT + "creator":
            entry["creators"].append(Agent(label or obj["value"], is_person))
        elif predicate == BIBO + "editor":
            entry["editors"].append(Agent(label or obj["value"], is_person))
        elif predicate == DCT + "isPartOf":
            entry["part_of"].append((obj["value"], label))
        elif obj["type"] == "literal":
            entry["values"].setdefault(predicate, []).append(obj["value"])
    notes: dict[str, list[int]] = {}
    for row in note_rows:
        notes.setdefault(row["work"]["value"], []).append(int(row["number"]["value"]))

    works: dict[str, Work] = {}
    for iri, entry in by_iri.items():
        kind = next((name for name, _, _ in KINDS if GMG + name in entry["types"]), "Document")
        work = Work(iri=iri, key=iri.rstrip("/").rsplit("/", 1)[-1], kind=kind, values=entry["values"],
                    notes=sorted(set(notes.get(iri, []))))
        printed = work.first(DCT + "bibliographicCitation") or ""
        work.authors = in_printed_order(entry["creators"], printed)
        work.editors = in_printed_order(entry["editors"], printed)
        works[iri] = work
    for iri, entry in by_iri.items():
        for target, label in entry["part_of"]:
            if target in works:
                works[iri].container = works[target]
            elif label:
                works[iri].container_label = label
    return sorted(works.values(), key=lambda w: w.key)


def in_printed_order(agents: list[Agent], printed: str) -> list[Agent]:
    """Sort by where the citation prints each name (its surname if the full name is not found)."""
    def position(agent: Agent) -> tuple[int, str]:
        for probe in (agent.name, agent.name.split()[-1] if agent.name.split() else agent.name):
            found = printed.find(probe)
            if found >= 0:
                return found, agent.name
        return len(printed), agent.name
    unique = {a.name: a for a in agents}.values()
    return sorted(unique, key=position)


def pages(text: str | None) -> tuple[str | None, str | None]:
    """'865–887' -> ('865', '887'); '12' -> ('12', None)."""
    if not text:
        return None, None
    parts = DASHES.split(text.strip(), maxsplit=1)
    return parts[0], (parts[1] if len(parts) > 1 else None)


# --- BibTeX ------------------------------------------------------------------------

def bibtex_person(agent: Agent) -> Person:
    # an organization is one unit in braces, so that no formatter splits it into names
    return Person(agent.name) if agent.is_person else Person(last="{" + agent.name + "}")


def bibtex_entry(work: Work) -> Entry:
    entry_type = next((bib for name, bib, _ in KINDS if name == work.kind), "misc")
    fields: dict[str, str] = {"title": work.title}
    year = work.first(GMG + "publicationYear")
    container = work.container
    if work.kind == "JournalArticle":
        if work.container_label:
            fields["journal"] = work.container_label
        for name, predicate in (("volume", BIBO + "volume"), ("number", BIBO + "issue")):
            if work.first(predicate):
                fields[name] = work.first(predicate)
    if container is not None:
        fields["booktitle"] = container.title
    source = container if container is not None else work
    publisher = work.first(DCT + "publisher") or source.first(DCT + "publisher")
    place = work.first(GMG + "placeOfPublication") or source.first(GMG + "placeOfPublication")
    if publisher:
        fields["institution" if entry_type == "techreport" else "school" if entry_type == "phdthesis"
               else "publisher"] = publisher
    if place:
        fields["address"] = place
    year = year or source.first(GMG + "publicationYear")
    if year:
        fields["year"] = year
    if work.first(BIBO + "pages"):
        first, last = pages(work.first(BIBO + "pages"))
        fields["pages"] = f"{first}--{last}" if last else first
    series, number = work.first(GMG + "seriesTitle"), work.first(GMG + "seriesNumber")
    if entry_type == "techreport":
        if series:
            fields["type"] = series
        if number:
            fields["number"] = number
    else:
        if series:
            fields["series"] = series
        if number and "number" not in fields:
            fields["number"] = number
    if work.first(BIBO + "uri"):
        fields["url"] = work.first(BIBO + "uri")
    if work.first(DCT + "language"):
        fields["language"] = work.first(DCT + "language")
    if work.notes:
        fields["annote"] = cited_in(work.notes)
    persons = {}
    if work.authors:
        persons["author"] = [bibtex_person(a) for a in work.authors]
    editors = work.editors or (container.editors if container is not None else [])
    if editors:
        persons["editor"] = [bibtex_person(a) for a in editors]
    return Entry(entry_type, fields=fields, persons=persons)


def cited_in(notes: list[int]) -> str:
    numbers = ", ".join(str(n) for n in notes)
    return f"Cited in Korneev (2017), note{'s' if len(notes) > 1 else ''} {numbers}"


class BibtexWriter(PybtexWriter):
    """pybtex's writer, but a URL is written as it is (LaTeX escapes would change it)."""

    def _write_field(self, stream, type, value):
        if type.lower() == "url":
            stream.write(f",\n    {type} = {self.quote(value)}")
        else:
            super()._write_field(stream, type, value)


def to_bibtex(works: list[Work]) -> str:
    data = BibliographyData(entries={w.key: bibtex_entry(w) for w in works})
    return BibtexWriter(encoding="UTF-8").to_string(data)


# --- RIS ---------------------------------------------------------------------------

def ris_name(agent: Agent) -> str:
    if not agent.is_person:
        return agent.name
    person = Person(agent.name)
    last = " ".join(person.prelast_names + person.last_names)
    first = " ".join(person.first_names + person.middle_names)
    return f"{last}, {first}" if first else last


def ris_entry(work: Work) -> dict:
    ris_type = next((ris for name, _, ris in KINDS if name == work.kind), "GEN")
    entry: dict = {"type_of_reference": ris_type, "id": work.key, "title": work.title}
    container = work.container
    source = container if container is not None else work
    if work.kind == "EditedVolume":
        entry["authors"] = [ris_name(a) for a in work.editors]
    else:
        if work.authors:
            entry["authors"] = [ris_name(a) for a in work.authors]
        editors = work.editors or (container.editors if container is not None else [])
        if editors:
            entry["secondary_authors"] = [ris_name(a) for a in editors]
    if work.kind == "JournalArticle" and work.container_label:
        entry["journal_name"] = work.container_label
        entry["secondary_title"] = work.container_label
    if container is not None:
        entry["secondary_title"] = container.title
    year = work.first(GMG + "publicationYear") or source.first(GMG + "publicationYear")
    if year:
        entry["year"] = year
    for name, predicate in (("volume", BIBO + "volume"), ("number", BIBO + "issue")):
        if work.first(predicate):
            entry[name] = work.first(predicate)
    first, last = pages(work.first(BIBO + "pages"))
    if first:
        entry["start_page"] = first
    if last:
        entry["end_page"] = last
    publisher = work.first(DCT + "publisher") or source.first(DCT + "publisher")
    place = work.first(GMG + "placeOfPublication") or source.first(GMG + "placeOfPublication")
    if publisher:
        entry["publisher"] = publisher
    if place:
        entry["place_published"] = place
    if work.first(GMG + "seriesTitle"):
        entry["tertiary_title"] = work.first(GMG + "seriesTitle")
    if work.first(GMG + "seriesNumber") and "number" not in entry:
        entry["number"] = work.first(GMG + "seriesNumber")
    if work.first(BIBO + "uri"):
        entry["urls"] = [work.first(BIBO + "uri")]
    if work.first(DCT + "language"):
        entry["language"] = work.first(DCT + "language")
    notes = []
    if work.notes:
        notes.append(cited_in(work.notes))
    if work.first(DCT + "bibliographicCitation"):
        notes.append("As printed: " + work.first(DCT + "bibliographicCitation"))
    if notes:
        entry["notes"] = notes
    return entry


class PlainRisWriter(RisWriter):
    """rispy's writer without the "1.", "2." line it puts before each record (not RIS)."""

    def set_header(self, count):
        return ""


def to_ris(works: list[Work]) -> str:
    return rispy.dumps([ris_entry(w) for w in works], implementation=PlainRisWriter)
