"""The OWL tooling: the OWL API checks (gmg.owlapi) and HermiT reasoning (gmg.reason).

These tests need Java and the Debian OWL API jars (scripts/install-system-deps.sh)
and owlready2; those are marked needs("java") and skip, saying what to install,
where Java is missing (under CI they fail instead).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from conftest import ROOT
from needs import missing
from gmg import owlapi
from gmg.reason import ReasoningResult, reason

FIXTURES = ROOT / "tests" / "fixtures" / "owl"
CLEAN = FIXTURES / "clean.ttl"
CLEAN_INSTANCES = FIXTURES / "clean-instances.ttl"
GYEAR = FIXTURES / "gyear.ttl"
UNDECLARED = FIXTURES / "undeclared.ttl"
SYNTAX_ERROR = FIXTURES / "syntax-error.ttl"
DROPPED = FIXTURES / "dropped-annotation.ttl"
MALFORMED = FIXTURES / "malformed-restriction.ttl"
INCONSISTENT = FIXTURES / "inconsistent.ttl"

T = Namespace("https://example.org/gmg-test#")


@pytest.fixture(scope="module", autouse=True)
def owl_tool():
    """Find Java and the jars and compile OwlTool.java once (cached on disk), where they are installed."""
    if missing("java") is None:  # the tests marked needs("java") skip (or fail under CI) otherwise
        owlapi.ensure_available()


# ------------------------------------------------------------------- check


@pytest.mark.needs("java")
def test_clean_ontology_checks_clean():
    report = owlapi.check([CLEAN])
    assert report.ok, report.render()
    assert report.axiom_count and report.axiom_count > 30
    assert "clean" in report.render()


@pytest.mark.needs("java")
def test_later_files_see_the_declarations_of_earlier_ones():
    # clean-instances.ttl uses :worksFor without declaring it: parsed after
    # clean.ttl it is an object property, not a guessed annotation property
    report = owlapi.check([CLEAN, CLEAN_INSTANCES])
    assert report.ok, report.render()


@pytest.mark.needs("java")
def test_gyear_literal_is_a_dl_violation_naming_it():
    report = owlapi.check([GYEAR])
    assert not report.ok
    assert report.profile_violations, report.render()
    gyear = [v for v in report.profile_violations if "gYear" in v.message]
    assert gyear, report.render()
    assert any("foundedIn" in (v.axiom or "") for v in gyear)
    assert "xsd:gYear" in report.render()


@pytest.mark.needs("java")
def test_undeclared_property_is_reported_by_name():
    report = owlapi.check([UNDECLARED])
    assert not report.ok
    iri = "https://example.org/gmg-test-undeclared#fundedBy"
    (entity,) = [u for u in report.undeclared if u.iri == iri]
    # the trap: used between two individuals, it is silently guessed to be an annotation property
    assert entity.entity_type == "AnnotationProperty"
    assert entity.files == (str(UNDECLARED),)
    assert iri in report.render()


@pytest.mark.needs("java")
def test_syntax_error_is_a_load_failure_naming_the_file():
    report = owlapi.check([SYNTAX_ERROR])
    assert not report.ok and not report.loaded
    (error,) = report.parse_errors
    assert error.file == str(SYNTAX_ERROR)
    assert error.line == 8
    assert "syntax-error.ttl:8" in report.render()
    with pytest.raises(owlapi.OwlLoadError, match="syntax-error.ttl"):
        owlapi.canonical_turtle(SYNTAX_ERROR)


@pytest.mark.needs("java")
def test_axiom_annotation_dropped_on_load_is_reported():
    report = owlapi.check([DROPPED])
    assert not report.ok
    (dropped,) = report.dropped_annotations
    assert dropped.property == "http://purl.org/spar/cito/citesAsEvidence"
    assert dropped.annotated_source.endswith("#InternationalOrganization")
    assert "citesAsEvidence" in report.render()


@pytest.mark.needs("java")
def test_restriction_without_property_is_reported_as_malformed():
    report = owlapi.check([MALFORMED])
    assert not report.ok
    (malformed,) = report.malformed
    assert any("FundedProgramme" in axiom for axiom in malformed.axioms)
    assert malformed.files == (str(MALFORMED),)
    assert report.undeclared == []  # the placeholder is not reported twice
    assert "FundedProgramme" in report.render()


# ------------------------------------------------------- fmt and roundtrip


@pytest.mark.needs("java")
def test_canonical_turtle_is_a_fixed_point(tmp_path):
    canonical = owlapi.canonical_turtle(CLEAN)
    assert "@prefix dcterms: <http://purl.org/dc/terms/>" in canonical  # the input's prefixes are kept
    assert "Korneev 2017, p. 410" in canonical  # the axiom annotation survives
    assert canonical != CLEAN.read_text(encoding="utf-8")
    once = tmp_path / "canonical.ttl"
    once.write_text(canonical, encoding="utf-8")
    assert owlapi.canonical_turtle(once) == canonical


@pytest.mark.needs("java")
def test_clean_ontology_round_trips_without_differences():
    assert owlapi.roundtrip_differences(CLEAN) == []


@pytest.mark.needs("java")
def test_round_trip_reports_what_changes():
    # the writer declares the guessed annotation property: a difference
    differences = owlapi.roundtrip_differences(UNDECLARED)
    assert differences == [
        "gained in the round trip: axiom "
        "Declaration(AnnotationProperty(<https://example.org/gmg-test-undeclared#fundedBy>))"
    ]


# ------------------------------------------------------------ availability


def test_missing_jars_raise_owlapi_unavailable(monkeypatch, tmp_path):
    monkeypatch.setattr(owlapi, "_prepared", None)
    monkeypatch.delenv("GMG_OWLAPI_CLASSPATH", raising=False)
    monkeypatch.setenv("GMG_JAVA_LIB", str(tmp_path))
    with pytest.raises(owlapi.OwlApiUnavailable, match="libowlapi-java"):
        owlapi.check([CLEAN])


def test_package_imports_without_java_and_says_what_to_install():
    code = (
        "import gmg.owlapi, gmg.reason\n"
        "try:\n"
        f"    gmg.owlapi.check([{str(CLEAN)!r}])\n"
        "except gmg.owlapi.OwlApiUnavailable as e:\n"
        "    print('unavailable:', e)\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("JAVA_HOME", "GMG_OWLAPI_CLASSPATH")}
    env["PATH"] = ""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "unavailable:" in result.stdout and "default-jdk-headless libowlapi-java" in result.stdout


def test_jars_are_found_under_versioned_names(tmp_path):
    for name in ("guava-31.1-jre.jar", "guava-testlib-31.1.jar", "rdf4j-model-api-3.7.7.jar",
                 "rdf4j-model-3.7.7.jar", "rdf4j-model-3.10.0.jar", "xz.jar", "xz-1.9.jar"):
        (tmp_path / name).write_bytes(b"")
    assert owlapi._find_jar(tmp_path, "guava").name == "guava-31.1-jre.jar"
    assert owlapi._find_jar(tmp_path, "rdf4j-model").name == "rdf4j-model-3.10.0.jar"
    assert owlapi._find_jar(tmp_path, "xz").name == "xz.jar"  # the unversioned link wins
    assert owlapi._find_jar(tmp_path, "caffeine") is None


def test_java_source_ships_inside_the_package():
    assert owlapi.SOURCE.is_file()
    assert owlapi.SOURCE.parent == Path(owlapi.__file__).parent


# ------------------------------------------------------------------ HermiT


@pytest.mark.needs("java")
def test_clean_ontology_is_consistent_and_defined_classes_get_their_members():
    result = reason([CLEAN])
    assert isinstance(result, ReasoningResult)
    assert result.consistent, result.explanation
    assert result.unsatisfiable_classes == []
    # someValuesFrom: an organisation employing a person is an Employer
    assert (str(T.iom), str(T.Employer)) in result.inferred_types
    assert (str(T.worldBank), str(T.Employer)) in result.inferred_types
    # hasValue: whoever works for the World Bank is BankStaff
    assert (str(T.alice), str(T.BankStaff)) in result.inferred_types
    # asserted types are not repeated
    assert (str(T.alice), str(T.Person)) not in result.inferred_types
    assert result.inferred_types == {
        (str(T.iom), str(T.Employer)),
        (str(T.worldBank), str(T.Employer)),
        (str(T.alice), str(T.BankStaff)),
    }
    graph = result.inferred_types_graph()
    assert (T.alice, RDF.type, T.BankStaff) in graph
    assert len(graph) == 3


@pytest.mark.needs("java")
def test_individual_in_two_disjoint_classes_is_inconsistent():
    result = reason(INCONSISTENT)
    assert not result.consistent
    assert result.inferred_types == set()
    assert "gmg-test-inconsistent#chimera" in result.explanation
    assert "disjoint" in result.explanation


@pytest.mark.needs("java")
def test_unsatisfiable_class_from_an_rdflib_graph():
    g = Graph()
    a, b, u = URIRef(T.A), URIRef(T.B), URIRef(T.Impossible)
    for cls in (a, b, u):
        g.add((cls, RDF.type, OWL.Class))
        g.add((cls, RDFS.label, Literal(cls.split("#")[1])))
    g.add((a, OWL.disjointWith, b))
    g.add((u, RDFS.subClassOf, a))
    g.add((u, RDFS.subClassOf, b))
    result = reason([g])
    assert result.consistent
    assert result.unsatisfiable_classes == [str(u)]
