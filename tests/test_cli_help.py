"""`gmg --help` and its subcommands explain themselves; query tables fit a 100-column terminal."""

from __future__ import annotations

import argparse
import csv
import io
import subprocess
import sys

import pytest

from conftest import ROOT
from gmg.cli import make_parser
from gmg.table import TABLE_WIDTH, render_rows

GMG = [sys.executable, "-m", "gmg.cli"]
SUBCOMMANDS = sorted(next(a for a in make_parser()._actions
                          if isinstance(a, argparse._SubParsersAction)).choices)


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_every_subcommand_help_starts_with_a_description_and_explains_every_option(name):
    sub = next(a for a in make_parser()._actions if isinstance(a, argparse._SubParsersAction)).choices[name]
    text = sub.format_help()
    description = text.split("\n\n")[1]
    assert description[0].isupper() and description.rstrip().endswith("."), text
    unexplained = [a.dest for a in sub._actions if not a.help]
    assert not unexplained, f"gmg {name}: options without help text: {unexplained}"


def test_long_cells_are_cut_to_fit_100_columns_with_an_ellipsis():
    rows = [["short", "x" * 300, "y" * 50], ["a", "b", "c\nd"]]
    lines = render_rows(["one", "two", "three"], rows).splitlines()
    assert max(len(line) for line in lines) <= TABLE_WIDTH
    assert "…" in lines[2] and "c d" in lines[3]
    assert lines[-1] == "(2 rows)"


def test_query_table_fits_and_csv_keeps_the_full_values():
    query = ROOT / "queries" / "cq-18.rq"
    table = subprocess.run([*GMG, "query", "-f", str(query)], capture_output=True, text=True, timeout=120)
    assert table.returncode == 0, table.stderr
    assert max(len(line) for line in table.stdout.splitlines()) <= TABLE_WIDTH
    assert "…" in table.stdout
    full = subprocess.run([*GMG, "query", "-f", str(query), "--format", "csv"], capture_output=True, text=True,
                          timeout=120)
    assert full.returncode == 0, full.stderr
    quotes = {row["quote"] for row in csv.DictReader(io.StringIO(full.stdout))}
    assert any(len(q) > TABLE_WIDTH for q in quotes)


def test_tsv_is_a_query_format():
    result = subprocess.run([*GMG, "query", "--format", "tsv", "ASK { ?s ?p ?o }"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().lower() == "true"
