"""The source, complete: every note marker printed in the body is linked from a passage of its
paragraph, and every paragraph has a statement.

A marker is `<sup>N</sup>` or, where the typesetting lost the superscript, a bare number
right after a closing quotation mark or after a paragraph's final full stop ("… exchange of
experience."75 However", "… from neighboring China.55"). The body prints no marker for
note 23 at all. The passages of a
paragraph (id:passage/s2-p2-a, -b …) must between them carry gmg:refersToNote note:N for
each marker in it, and a passage may refer only to notes whose markers its paragraph holds.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from rdflib import RDF, Namespace

from article_paragraphs import ID, paragraph_of, paragraphs
from gmg.sources import load_sources

pytestmark = pytest.mark.needs("article")

GMG = Namespace("https://w3id.org/gmg/ontology#")
MARKER = re.compile(r"<sup>(\d+)</sup>")
BARE_MARKER = re.compile(r"(?:[\"”]|\.(?=\d{1,2}$))(\d{1,2})(?=\s|$)")
NOT_PRINTED = {23}


def markers_by_paragraph() -> dict[str, set[int]]:
    out = {}
    for key, text in paragraphs(raw_text=True).items():
        if key.startswith("note/"):
            continue
        found = {int(n) for n in MARKER.findall(text)}
        found |= {int(n) for n in BARE_MARKER.findall(text.strip())}
        out[key] = found
    return out


def linked_by_paragraph() -> dict[str, set[int]]:
    graph = load_sources().instances
    out: dict[str, set[int]] = defaultdict(set)
    for passage in graph.subjects(RDF.type, GMG.Passage):
        for note in graph.objects(passage, GMG.refersToNote):
            number = graph.value(note, GMG.noteNumber)
            if number is not None:
                out[paragraph_of(str(passage))].add(int(number))
    return out


def test_the_markers_are_found():
    markers = markers_by_paragraph()
    every = set().union(*markers.values())
    assert every == set(range(1, 89)) - NOT_PRINTED, sorted(set(range(1, 89)) ^ every)
    assert 55 in markers["s2-p2"]  # printed as a bare number after the paragraph's full stop


def test_every_marker_is_linked_from_its_paragraphs_passages_and_no_other_note_is():
    markers, linked = markers_by_paragraph(), linked_by_paragraph()
    missing = sorted((key, n) for key, numbers in markers.items() for n in numbers - linked.get(key, set()))
    stray = sorted((key, n) for key, numbers in linked.items() for n in numbers - markers.get(key, set()))
    assert not missing, "markers no passage of their paragraph refers to (add gmg:refersToNote):\n" + "\n".join(
        f"  {key}: note {n}" for key, n in missing)
    assert not stray, "passages referring to a note whose marker is not in their paragraph:\n" + "\n".join(
        f"  {key}: note {n}" for key, n in stray)


def test_every_paragraph_of_the_body_has_a_statement():
    """Each paragraph asserts something about the world or the argument: at least one statement
    is derived from one of its passages."""
    from rdflib import Namespace
    graph = load_sources().instances
    oa, prov = Namespace("http://www.w3.org/ns/oa#"), Namespace("http://www.w3.org/ns/prov#")
    paragraphs_ = set(graph.subjects(RDF.type, GMG.Paragraph))
    assert len(paragraphs_) >= 30
    silent = sorted(str(p).removeprefix(ID) for p in paragraphs_
                    if not any((s, RDF.type, GMG.Statement) in graph
                               for passage in graph.subjects(oa.hasSource, p)
                               for s in graph.subjects(prov.wasDerivedFrom, passage)))
    assert not silent, f"paragraphs no statement rests on: {silent}"
