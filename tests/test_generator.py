"""The benchmark's data generator (benchmarks/generate.py) at 10 k triples: its data conforms to the
shapes, the competency questions' answers about the article are unchanged beside it, and a seed
gives the same file every time."""

from __future__ import annotations

import importlib.util
import io
import sys
from collections import Counter

import pytest

from conftest import ROOT
from gmg.paths import DataDir, default_data_dir
from gmg.sources import load_sources
from gmg.store import open_store
from gmg.validate import validate

GENERATOR = ROOT / "benchmarks" / "generate.py"
if not GENERATOR.exists():
    pytest.skip("benchmarks/generate.py is not in this tree", allow_module_level=True)

spec = importlib.util.spec_from_file_location("generate", GENERATOR)
generate = importlib.util.module_from_spec(spec)
sys.modules["generate"] = generate
spec.loader.exec_module(generate)

SIZE = 10_000


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> DataDir:
    root = tmp_path_factory.mktemp("generated") / "10k"
    info = generate.make_data_dir(root, SIZE, seed=14)
    assert info["generated"] > 0
    return DataDir(root)


def test_the_generated_data_reaches_its_size(generated):
    sources = load_sources(generated)
    assert SIZE <= len(sources.instances) < SIZE + 500
    synthetic = {str(s) for s in sources.instances.subjects() if "synth" in str(s)}
    assert any("/id/synth-governor-" in s for s in synthetic)
    assert any("/id/statement/" in s for s in synthetic) and any("/id/observation/" in s for s in synthetic)


def test_the_generated_data_conforms_to_the_shapes(generated):
    report = validate(load_sources(generated))
    assert not report.results, report.render()


def answers(store, text: str) -> Counter:
    rows = store.query(text)
    variables = [v.value for v in rows.variables]
    return Counter(tuple(None if row[v] is None else str(row[v]) for v in variables) for row in rows)


def about_the_article(rows: Counter) -> Counter:
    """The rows that name nothing synthetic (every generated IRI and text says "synth")."""
    return Counter({row: n for row, n in rows.items() if not any(v and "synth" in v.lower() for v in row)})


def test_the_competency_questions_answer_the_same_about_the_article(generated):
    article, combined = open_store(default_data_dir()), open_store(generated)
    queries = default_data_dir().files("queries", "cq-*.rq")
    assert len(queries) >= 30
    grew = 0
    for path in queries:
        text = path.read_text(encoding="utf-8")
        before, after = answers(article, text), answers(combined, text)
        assert about_the_article(after) == before, f"{path.name} answers differently about the article"
        grew += sum(after.values()) > sum(before.values())
    assert grew >= 2, "the synthetic data should add answers to some competency questions"


def test_a_seed_gives_the_same_data():
    first, second, other = io.StringIO(), io.StringIO(), io.StringIO()
    generate.write_synthetic(first, SIZE, 7, default_data_dir())
    generate.write_synthetic(second, SIZE, 7, default_data_dir())
    generate.write_synthetic(other, SIZE, 8, default_data_dir())
    assert first.getvalue() == second.getvalue() != other.getvalue()
