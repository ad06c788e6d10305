"""The build pipeline on the real files, and on broken copies of them."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from rdflib import RDFS

from gmg.build import BuildError, build
from gmg.iris import ID, INSTANCES_GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH
from gmg.paths import DataDir, default_data_dir
from gmg.sources import SourceError, load_sources


@pytest.fixture
def data_copy(tmp_path) -> DataDir:
    """A private copy of the data folders that a test may break."""
    source = default_data_dir()
    for folder in ("ontology", "instances", "shapes", "inferred", "queries"):
        if source.folder(folder).is_dir():
            shutil.copytree(source.folder(folder), tmp_path / folder)
    return DataDir(tmp_path)


def test_real_files_build_and_conform():
    result = build()
    assert result.report.conforms, result.report.render()
    assert len(result.sources.graphs[ONTOLOGY_GRAPH]) > 100
    assert len(result.sources.graphs[SHAPES_GRAPH]) > 10
    assert result.store.query(f"ASK {{ GRAPH <{INSTANCES_GRAPH}> {{ <{ID['world-bank']}> "
                              f"<{RDFS.label}> \"World Bank\"@en }} }}")
    # every source triple is in the store, and besides them only the metadata graph of the build
    metadata = sum(1 for _ in result.store.query(
        "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", named_graph_uris=["https://w3id.org/gmg/graph/metadata"]))
    assert metadata > 0
    every = load_sources()
    assert len(result.store) == sum(len(g) for g in every.graphs.values()) + metadata
    sizes = result.store.graph_sizes()
    assert all(sizes[str(name)] == len(graph) for name, graph in every.graphs.items()), sizes


def test_turtle_syntax_error_names_file_line_and_column(data_copy):
    broken = data_copy.folder("instances") / "broken.ttl"
    broken.write_text('@prefix ex: <http://example.org/> .\n\nex:a ex:b "unterminated .\nex:c ex:d ex:e .\n')
    with pytest.raises(SourceError) as caught:
        load_sources(data_copy)
    err = caught.value
    assert err.path == broken
    assert err.line == 3
    assert err.column > 1
    assert str(err).startswith(f"{broken}:3:")
    assert "syntax" in str(err).lower()


def test_syntax_error_stops_the_cli_build(data_copy):
    broken = data_copy.folder("ontology") / "gmg.ttl"
    lines = broken.read_text().splitlines()
    broken.write_text("\n".join(lines) + "\ngmg:Broken a ;;; ] .\n")
    bad_line = len(lines) + 1
    run = subprocess.run(
        [sys.executable, "-c", "import sys; from gmg.cli import main; sys.exit(main(['build']))"],
        capture_output=True, text=True, env=_env_with_data(data_copy))
    assert run.returncode == 2
    assert f"gmg.ttl:{bad_line}:" in run.stderr


def test_shape_violation_fails_the_build(data_copy):
    # A passage without its selector: the kind of slip a contributor makes.
    (data_copy.folder("instances") / "slip.ttl").write_text(
        "@prefix gmg: <https://w3id.org/gmg/ontology#> .\n"
        "<https://w3id.org/gmg/id/passage/s9-p1> a gmg:Passage ;\n"
        "    gmg:inSection <https://w3id.org/gmg/id/section/s3> .\n")
    with pytest.raises(BuildError) as caught:
        build(data_copy)
    rendered = caught.value.report.render()
    assert "https://w3id.org/gmg/id/passage/s9-p1" in rendered
    assert "oa:hasSelector" in rendered
    run = subprocess.run([sys.executable, "-m", "gmg.cli", "build"], capture_output=True, text=True,
                         env=_env_with_data(data_copy))
    assert run.returncode == 1
    assert "passage/s9-p1" in run.stderr


def test_on_disk_store_is_reused_when_sources_are_unchanged(tmp_path):
    from gmg.store import open_store

    first = open_store(store_path=tmp_path / "store")
    count = len(first)
    info = first.build_info()
    del first
    again = open_store(store_path=tmp_path / "store")
    assert len(again) == count
    assert again.build_info() == info
    assert info["digest"] == load_sources().digest


def _env_with_data(data: DataDir) -> dict:
    import os
    return {**os.environ, "GMG_DATA_DIR": str(data.root)}


def test_a_subject_without_predicate_is_a_syntax_error(data_copy):
    # rdflib alone would accept this; the server's parser would not start.
    broken = data_copy.folder("instances") / "lonely.ttl"
    broken.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:lonely .\n")
    with pytest.raises(SourceError) as caught:
        load_sources(data_copy)
    assert caught.value.path == broken and caught.value.line == 3
