"""The article's notes, citations, labels and IRIs (issue 4, "Coverage" and "Names and identifiers")."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from rdflib import RDF, RDFS, BNode, Literal, Namespace, URIRef

from article import normalise, read_article
from gmg.iris import GMG
from gmg.sources import load_sources

ID = "https://w3id.org/gmg/id/"
PROV = Namespace("http://www.w3.org/ns/prov#")
CYRILLIC = re.compile(r"[\u0400-\u04FF]")


@pytest.fixture(scope="module")
def g():
    return load_sources().instances


def printed_notes() -> dict[int, str]:
    raw = read_article()
    notes_part = raw.split("#### Notes", 1)[1]
    found = {}
    for match in re.finditer(r"^(\d{1,2})\. (.*?)(?=^\d{1,2}\. |\Z)", notes_part, re.M | re.S):
        found[int(match.group(1))] = normalise(match.group(2))
    return found


@pytest.mark.needs("article")
def test_every_numbered_note_and_the_author_note_is_a_node_with_its_text(g):
    printed = printed_notes()
    assert sorted(printed) == list(range(1, 89))
    problems = []
    for number, text in printed.items():
        note = URIRef(f"{ID}note/{number}")
        if (note, RDF.type, GMG.Note) not in g:
            problems.append(f"note {number}: no gmg:Note node")
        elif g.value(note, GMG.noteNumber) is None or int(g.value(note, GMG.noteNumber)) != number:
            problems.append(f"note {number}: wrong or missing gmg:noteNumber")
        elif normalise(str(g.value(note, GMG.quote))) != text:
            problems.append(f"note {number}: its gmg:quote is not the note's full text")
    author = URIRef(f"{ID}note/author")
    assert (author, RDF.type, GMG.Note) in g and str(g.value(author, GMG.quote)).startswith("Oleg Korneev is")
    assert not problems, "\n".join(problems)


def test_every_note_that_cites_a_work_has_a_citation_node(g):
    """A note that is not an interview, an observation or a reference back to one cites a work."""
    reports = {o for o in g.objects(None, GMG.reportedIn)} | {
        o for s in g.subjects(RDF.type, GMG.FieldObservation) for o in g.objects(s, PROV.wasDerivedFrom)}
    citing = set(g.objects(None, GMG.citingNote))
    missing = [n for n in range(1, 89) if URIRef(f"{ID}note/{n}") not in citing | reports]
    assert not missing, f"notes without a citation node or an interview/observation: {missing}"
    for citation in g.subjects(RDF.type, GMG.Citation):
        assert g.value(citation, GMG.citedWork) is not None, citation
        assert g.value(citation, GMG.citingNote) is not None, citation


@pytest.mark.needs("article")
def test_ibid_notes_are_resolved(g):
    unresolved = []
    for number, text in printed_notes().items():
        if not text.startswith("Ibid."):
            continue
        note = URIRef(f"{ID}note/{number}")
        citations = [c for c in g.subjects(GMG.citingNote, note)
                     if g.value(c, GMG.ibid) == Literal(True) and g.value(c, GMG.citedWork) is not None]
        reported = list(g.subjects(GMG.reportedIn, note)) + [
            s for s in g.subjects(PROV.wasDerivedFrom, note)
            if (s, RDF.type, GMG.FieldObservation) in g]
        if not citations and not reported:
            unresolved.append(number)
    assert not unresolved, f"Ibid. notes not resolved to a work or an interview: {unresolved}"


def test_exactly_one_label_per_language(g):
    problems = []
    for s in set(g.subjects(RDFS.label, None)):
        counts = Counter(o.language for o in g.objects(s, RDFS.label))
        problems += [f"{s}: {n} labels @{lang}" for lang, n in counts.items() if n > 1]
    assert not problems, "\n".join(sorted(problems))


def test_russian_names_have_a_transliteration(g):
    problems = []
    for s, label in g.subject_objects(RDFS.label):
        if CYRILLIC.search(str(label)):
            langs = {o.language for o in g.objects(s, RDFS.label)}
            if label.language != "ru":
                problems.append(f"{s}: Cyrillic label tagged @{label.language}")
            if "ru-Latn" not in langs:
                problems.append(f"{s}: no @ru-Latn transliteration")
    assert not problems, "\n".join(sorted(problems))


PATTERN = re.compile(r"^[a-z0-9]+(?:[-./][a-z0-9]+)*$")


def test_iris_are_readable_ascii_patterns_and_cited_things_are_not_blank(g):
    bad = sorted({str(s) for s in g.subjects() if isinstance(s, URIRef) and s.startswith(ID)
                  and not PATTERN.match(s[len(ID):])})
    assert not bad, "IRIs outside the readable patterns:\n" + "\n".join(bad)
    blank_things = sorted({str(o) for s, o in g.subject_objects(RDF.type)
                           if isinstance(s, BNode) and o != URIRef("http://www.w3.org/2002/07/owl#Axiom")})
    assert not blank_things, f"typed blank nodes (anything a person may cite needs an IRI): {blank_things}"
