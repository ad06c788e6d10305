"""`gmg add`: facts from CSV rows, each with its statement, validated before anything is written."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from conftest import ROOT

GMG = [sys.executable, "-m", "gmg.cli"]
EXAMPLE = ROOT / "docs" / "examples" / "add-facts.csv"
HEADER = "kind,id,label,passage,attribution,hedge,hedge_expression,stated_by,primary_source,gmg:funder,gmg:fundedActivity\n"
ID = "https://w3id.org/gmg/id/"


@pytest.fixture
def data_dir(tmp_path) -> Path:
    """A copy of the data folders, so that an add never touches the checkout."""
    for name in ("ontology", "instances", "shapes", "inferred", "queries"):
        shutil.copytree(ROOT / name, tmp_path / name)
    return tmp_path


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "GMG_DATA_DIR": str(data_dir)}
    return subprocess.run([*GMG, *args], capture_output=True, text=True, timeout=180, env=env, cwd=data_dir)


def write_csv(tmp_path: Path, rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "rows.csv"
    path.write_text(header + rows, encoding="utf-8")
    return path


def test_dry_run_prints_each_fact_with_its_statement_and_writes_nothing(data_dir):
    module = data_dir / "instances" / "world-bank.ttl"
    before = module.read_bytes()
    result = run(data_dir, "add", str(EXAMPLE), "--to", "instances/world-bank.ttl", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr
    graph = Graph().parse(data=result.stdout, format="turtle")
    fact = URIRef(ID + "funding/example-dfid-mirpal-2013")
    statement = URIRef(ID + "statement/funding-example-dfid-mirpal-2013-1")
    gmg = "https://w3id.org/gmg/ontology#"
    assert (statement, URIRef(gmg + "asserts"), fact) in graph
    assert (statement, URIRef(gmg + "hedge"), URIRef(gmg + "Approximate")) in graph
    assert (statement, URIRef(gmg + "statedBy"), URIRef(ID + "sudharshan-canagarajah")) in graph
    assert (fact, URIRef(gmg + "funder"), URIRef(ID + "dfid")) in graph
    assert module.read_bytes() == before


def test_add_appends_to_the_module_and_the_graph_stays_valid(data_dir):
    result = run(data_dir, "add", str(EXAMPLE), "--to", "instances/world-bank.ttl")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Added 2 fact(s)" in result.stdout
    text = (data_dir / "instances" / "world-bank.ttl").read_text(encoding="utf-8")
    assert "funding:example-world-bank-mirpal a gmg:Funding" in text  # in the module's own prefixes
    assert run(data_dir, "validate").returncode == 0
    answer = run(data_dir, "query", "--format", "csv",
                 "PREFIX gmg: <https://w3id.org/gmg/ontology#> SELECT ?s WHERE { ?s gmg:asserts "
                 f"<{ID}funding/example-world-bank-mirpal> }}")
    assert f"{ID}statement/funding-example-world-bank-mirpal-1" in answer.stdout, answer.stderr
    again = run(data_dir, "add", str(EXAMPLE), "--to", "instances/world-bank.ttl")
    assert again.returncode == 2 and "already in the graph" in again.stderr


def test_a_row_that_violates_a_shape_fails_and_nothing_is_written(data_dir, tmp_path):
    module = data_dir / "instances" / "world-bank.ttl"
    before = module.read_bytes()
    rows = write_csv(tmp_path, "funding,fx-no-funder,A funding without a funder,s3-p5-h,ArticleOwnStatement,,,,,,id:mirpal\n"
                               "funding,fx-no-attribution-kind,MIRPAL funded,s3-p5-h,Rumour,,,,,id:dfid,id:mirpal\n")
    result = run(data_dir, "add", str(rows), "--to", "instances/world-bank.ttl")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "funding/fx-no-funder" in result.stdout and "statement/funding-fx-no-attribution-kind-1" in result.stdout
    assert "Nothing was written" in result.stderr
    assert module.read_bytes() == before


@pytest.mark.parametrize("rows, header, message", [
    ("amount,x,A,s3-p5-h,ArticleOwnStatement,,,,,id:dfid,id:mirpal\n", HEADER, "unknown kind 'amount'"),
    ("grant-ish,x,A,s3-p5-h,ArticleOwnStatement,,,,,id:dfid,id:mirpal\n", HEADER, "unknown kind 'grant-ish'"),
    ("funding,Bad_Id,A,s3-p5-h,ArticleOwnStatement,,,,,id:dfid,id:mirpal\n", HEADER, "lowercase kebab-case"),
    ("funding,x,,s3-p5-h,ArticleOwnStatement,,,,,id:dfid,id:mirpal\n", HEADER, "empty label"),
    ("funding,x,A,s3-p5-h,ArticleOwnStatement,,,,,nope:dfid,id:mirpal\n", HEADER, "not a prefixed name of a known prefix"),
    ("funding,x,A\n", "kind,id,label\n", "missing column(s) passage, attribution"),
    ("funding,x,A,s3-p5-h,ArticleOwnStatement,x\n", "kind,id,label,passage,attribution,funder\n", "unknown column(s) funder"),
    ("", HEADER, "no rows below the header"),
])
def test_a_malformed_file_is_refused_with_its_line(data_dir, tmp_path, rows, header, message):
    path = write_csv(tmp_path, rows, header)
    result = run(data_dir, "add", str(path), "--to", "instances/world-bank.ttl", "--dry-run")
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr
    if rows:
        assert "rows.csv:" in result.stderr


def test_a_number_column_must_hold_a_number(data_dir, tmp_path):
    path = write_csv(tmp_path, "observation,x,A,s3-p5-h,ArticleOwnStatement,,,,,lots\n",
                     "kind,id,label,passage,attribution,hedge,hedge_expression,stated_by,primary_source,gmg:value\n")
    result = run(data_dir, "add", str(path), "--to", "instances/world-bank.ttl", "--dry-run")
    assert result.returncode == 2 and "'lots' is not a number" in result.stderr, result.stderr


def test_only_an_instances_module_can_be_the_target(data_dir):
    result = run(data_dir, "add", str(EXAMPLE), "--to", "ontology/gmg.ttl")
    assert result.returncode == 2 and "--to must be an existing module of instances/" in result.stderr
