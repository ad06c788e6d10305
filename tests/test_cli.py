"""The `gmg` command as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys

from rdflib import Graph, Literal, Namespace, URIRef

from conftest import ROOT

GMG = [sys.executable, "-m", "gmg.cli"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*GMG, *args], capture_output=True, text=True, timeout=120)


def test_query_prints_expected_rows_as_table():
    result = run("query", "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
                 "SELECT ?label WHERE { <https://w3id.org/gmg/id/carmp> rdfs:label ?label }")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].strip() == "label"
    assert "Central Asian Regional Migration Programme" in lines[2]
    assert lines[-1] == "(1 row)"


def test_query_from_file_as_json(tmp_path):
    query = tmp_path / "q.rq"
    query.write_text("SELECT ?io WHERE { ?io a <https://w3id.org/gmg/ontology#InternationalOrganization> }")
    result = run("query", "-f", str(query), "--format", "json")
    assert result.returncode == 0, result.stderr
    found = {b["io"]["value"] for b in json.loads(result.stdout)["results"]["bindings"]}
    assert {"https://w3id.org/gmg/id/world-bank", "https://w3id.org/gmg/id/iom"} <= found


def test_query_csv():
    result = run("query", "SELECT ?x WHERE { VALUES ?x { 1 2 } }", "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["x", "1", "2"]


def test_bad_query_exits_nonzero_with_message():
    result = run("query", "SELECT WHERE {")
    assert result.returncode == 1
    assert "SPARQL syntax error" in result.stderr


def test_validate_passes_on_real_data_and_fails_on_a_bad_extra_file(tmp_path):
    ok = run("validate")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "conforms" in ok.stdout
    extra = tmp_path / "extra.ttl"
    extra.write_text("<https://w3id.org/gmg/id/someone> a <https://w3id.org/gmg/ontology#Person> .\n")
    bad = run("validate", str(extra))
    assert bad.returncode == 1
    assert "https://w3id.org/gmg/id/someone" in bad.stdout
    assert "English label" in bad.stdout
    turtle = run("validate", str(extra), "--format", "turtle")
    assert "ValidationReport" in turtle.stdout


PREFIXES = """@prefix gmg: <https://w3id.org/gmg/ontology#> .
@prefix id: <https://w3id.org/gmg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
"""


def test_validate_report_is_grouped_by_node_with_label_message_value_and_shape(tmp_path):
    extra = tmp_path / "extra.ttl"
    extra.write_text(PREFIXES + """
id:observation\\/cli-percent a gmg:Observation ;
    rdfs:label "Remittances were 120 per cent of GDP"@en ;
    gmg:measure gmg:RemittancesShareOfGDP ; gmg:value 120.0 ; gmg:unit gmg:Percent ;
    gmg:refArea id:tajikistan .
id:statement\\/cli-percent a gmg:Statement ;
    rdfs:label "statement: Remittances were 120 per cent of GDP"@en ;
    gmg:asserts id:observation\\/cli-percent ; gmg:attribution gmg:ArticleOwnStatement ;
    prov:wasDerivedFrom id:passage\\/s3-p3 .
""")
    result = run("validate", str(extra))
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Validation: 1 violation(s), 0 warning(s)"), result.stdout
    node = lines.index("<https://w3id.org/gmg/id/observation/cli-percent> (Remittances were 120 per cent of GDP)")
    block = "\n".join(lines[node + 1:])
    assert "Violation: This value (see property and value) is not a percentage from 0 to 100" in block
    assert "property: <https://w3id.org/gmg/ontology#value>" in block
    # (in the canonical form the store keeps: the data is validated as it will be served)
    assert "value:    \"120\"^^<http://www.w3.org/2001/XMLSchema#decimal>" in block
    assert "shape:    <https://w3id.org/gmg/shapes#PercentShape-range> (Percentage is within 0-100)" in block

    turtle = run("validate", str(extra), "--format", "turtle")
    assert turtle.returncode == 1
    sh = Namespace("http://www.w3.org/ns/shacl#")
    report = Graph().parse(data=turtle.stdout, format="turtle")
    assert (None, sh.conforms, Literal(False)) in report
    assert (None, sh.focusNode, URIRef("https://w3id.org/gmg/id/observation/cli-percent")) in report


def test_validate_report_names_an_inverse_path_with_a_caret(tmp_path):
    extra = tmp_path / "extra.ttl"
    extra.write_text(PREFIXES + """
id:observation\\/cli-unstated a gmg:Observation ;
    rdfs:label "Remittances were 12 per cent of GDP"@en ;
    gmg:measure gmg:RemittancesShareOfGDP ; gmg:value 12.0 ; gmg:unit gmg:Percent ;
    gmg:refArea id:tajikistan .
""")
    result = run("validate", str(extra))
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.startswith("Validation: 1 violation(s)"), result.stdout
    assert "No statement asserts this fact" in result.stdout
    assert "property: ^<https://w3id.org/gmg/ontology#asserts> (asserts)" in result.stdout


def test_the_fact_and_statement_template_conforms():
    template = ROOT / "docs" / "templates" / "fact-and-statement.ttl"
    result = run("validate", str(template))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation: the data conforms to the shapes." in result.stdout


def test_validate_warnings_fail_only_when_strict(tmp_path):
    extra = tmp_path / "extra.ttl"
    extra.write_text(PREFIXES + 'id:cli-atlantis a gmg:Country ; rdfs:label "Atlantis"@en .\n')
    lenient = run("validate", str(extra))
    assert lenient.returncode == 0, lenient.stdout + lenient.stderr
    assert "0 violation(s), 1 warning(s)" in lenient.stdout
    assert "Warning: This entity has no gmg:mentionedIn" in lenient.stdout
    strict = run("validate", str(extra), "--strict")
    assert strict.returncode == 1, strict.stdout + strict.stderr


def test_validate_cannot_run_on_a_broken_or_missing_file(tmp_path):
    broken = tmp_path / "broken.ttl"
    broken.write_text(PREFIXES + "\nid:x a gmg:Country ;;; ] .\n")
    result = run("validate", str(broken))
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"{broken}:6:" in result.stderr
    missing = run("validate", str(tmp_path / "missing.ttl"))
    assert missing.returncode == 2, missing.stdout + missing.stderr
    assert "missing.ttl" in missing.stderr


def test_every_server_setting_is_documented_in_the_readme():
    from dataclasses import fields

    from gmg.settings import Settings

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [f.name for f in fields(Settings)
               if f"`{f.metadata['flag']}`" not in readme or f"`{f.metadata['env']}`" not in readme]
    assert not missing, f"settings missing from the README's table: {missing}"


def test_every_command_is_documented_in_the_readme():
    from gmg.cli import make_parser

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    subcommands = make_parser()._subparsers._group_actions[0].choices
    missing = [name for name in subcommands if f"`gmg {name}" not in readme]
    assert not missing, f"commands missing from the README: {missing}"
