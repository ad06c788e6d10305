"""Every Turtle file of the project reads as the same IRIs under the four parsers in its tool
chain: rdflib, pyoxigraph, and the OWL API's two Turtle parsers (its own, which Protégé uses,
and RDF4J Rio). A `\\/` escape in a prefixed name is where they part ways, so no Turtle file
may contain one."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef

from conftest import ROOT
from gmg.owlapi import iris as owlapi_iris

FOLDERS = ["ontology", "instances", "shapes", "inferred"]
OWN = "https://w3id.org/gmg/"
ESCAPED = ROOT / "tests" / "fixtures" / "owl" / "escaped-slash.ttl"


def turtle_files() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.ttl")
                  if not any(part.startswith(".") for part in p.relative_to(ROOT).parts) and p != ESCAPED)


def rdflib_iris(files: list[Path]) -> set[str]:
    found = set()
    for path in files:
        graph = Graph().parse(path, format="turtle")
        found |= {str(term) for triple in graph for term in triple if isinstance(term, URIRef)}
    return found


def pyoxigraph_iris(files: list[Path]) -> set[str]:
    found = set()
    for path in files:
        for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri()):
            found |= {term.value for term in (triple.subject, triple.predicate, triple.object)
                      if isinstance(term, ox.NamedNode)}
    return found


def owlapi(files: list[Path], parser: str, each_alone: bool) -> set[str]:
    if not each_alone:  # the first file with the others parsed into it
        return owlapi_iris(files, turtle_parser=parser)
    return set().union(*(owlapi_iris([path], turtle_parser=parser) for path in files))


def four_readings(files: list[Path], imported: list[Path] = (), each_alone: bool = False) -> dict[str, set[str]]:
    """The project's own IRIs (under https://w3id.org/gmg/) as each parser reads them. The OWL
    API follows owl:imports (offline, through the catalog), so the files it imports are read by
    rdflib and pyoxigraph too. `each_alone`: the OWL API opens each file as an ontology of its
    own (the modules of ontology/, each with its own IRI and version IRI)."""
    readings = {
        "rdflib": rdflib_iris([*files, *imported]),
        "pyoxigraph": pyoxigraph_iris([*files, *imported]),
        "OWL API built-in": owlapi(files, "builtin", each_alone),
        "OWL API Rio": owlapi(files, "rio", each_alone),
    }
    return {name: {i for i in found if i.startswith(OWN)} for name, found in readings.items()}


def disagreements(readings: dict[str, set[str]]) -> list[str]:
    reference = readings["rdflib"]
    out = []
    for name, found in readings.items():
        for iri in sorted(found ^ reference)[:5]:
            out.append(f"{name} {'has' if iri in found else 'lacks'} {iri}")
    return out


def test_no_turtle_file_escapes_a_slash():
    offenders = [f"{p.relative_to(ROOT)}:{n}" for p in turtle_files()
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if "\\/" in line]
    assert not offenders, "write prefixed names without `\\/` (one prefix per IRI path): " + ", ".join(offenders[:10])


@pytest.mark.parametrize("folder", FOLDERS)
def test_the_four_parsers_read_the_same_iris(folder: str):
    files = sorted((ROOT / folder).glob("*.ttl"))
    # the instances import the core and its modules; the ontology's modules import the core, which is
    # among the files read
    imported = sorted((ROOT / "ontology").glob("*.ttl")) if folder == "instances" else []
    readings = four_readings(files, imported, each_alone=folder == "ontology")
    assert readings["rdflib"], f"no IRIs read from {folder}"
    assert not disagreements(readings), "\n".join(disagreements(readings))
    assert not any("\\" in iri for found in readings.values() for iri in found)


def test_the_four_parser_check_catches_an_escaped_slash():
    readings = four_readings([ESCAPED])
    assert "https://w3id.org/gmg/id/passage/s1-p1" in readings["rdflib"]
    assert disagreements(readings), "the OWL API's built-in parser reads the escape differently"
