"""Competency questions: each queries/cq-NN.rq runs through the HTTP endpoint and must
return exactly the answer the article supports (tests/competency/cq-NN.json).

Expected-answer files hold {"question": ..., "ordered": bool, "rows": [{var: value}]}:
rows are compared as a multiset (or a list when ordered) over the variables the
expected rows name; values are IRIs or literal lexical forms, exactly.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from conftest import ROOT

QUERIES = sorted((ROOT / "queries").glob("cq-*.rq"))
EXPECTED = ROOT / "tests" / "competency"


def test_every_competency_query_has_an_expected_answer_and_a_header():
    assert QUERIES, "no competency queries in queries/"
    for query in QUERIES:
        assert (EXPECTED / f"{query.stem}.json").exists(), f"{query.name} has no expected answer file"
        first = query.read_text(encoding="utf-8").lstrip().splitlines()[0]
        assert first.startswith("#") and len(first) > 10, f"{query.name} must start with the question as a comment"


@pytest.mark.parametrize("query", QUERIES, ids=[q.stem for q in QUERIES])
def test_competency_question(client, query: Path):
    expected = json.loads((EXPECTED / f"{query.stem}.json").read_text(encoding="utf-8"))
    response = client.post("/sparql", content=query.read_bytes(),
                           headers={"Content-Type": "application/sparql-query",
                                    "Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    body = response.json()
    if "boolean" in expected:
        assert body["boolean"] is expected["boolean"]
        return
    columns = sorted({name for row in expected["rows"] for name in row})
    got = [tuple((c, b[c]["value"]) if c in b else (c, None) for c in columns)
           for b in body["results"]["bindings"]]
    want = [tuple((c, row.get(c)) for c in columns) for row in expected["rows"]]
    if expected.get("ordered"):
        assert got == want
    else:
        missing = Counter(want) - Counter(got)
        extra = Counter(got) - Counter(want)
        assert not missing and not extra, f"missing: {dict(missing)}\nunexpected: {dict(extra)}"
