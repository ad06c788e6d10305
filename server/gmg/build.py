"""The pipeline: sources -> validate -> store. Plain functions the CLI and the server call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .paths import DataDir, default_data_dir
from .iris import INSTANCES_GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH
from .sources import Sources, load_sources, source_files
from .store import GraphStore
from .validate import Report
from .validate_files import validate_files


RULES = (ONTOLOGY_GRAPH, SHAPES_GRAPH)  # what validation reads besides the instances


class BuildError(Exception):
    """The data may not be published; `report` says why when validation failed."""

    def __init__(self, message: str, report: Report | None = None):
        super().__init__(message)
        self.report = report


@dataclass
class Build:
    sources: Sources  # the ontology and shapes; every source graph after reasoning
    report: Report | None
    store: GraphStore


def build(data: DataDir | None = None, store_path: Path | None = None, *, strict: bool = False,
          reason: bool = False, progress: Callable[[str, int, int], None] | None = None) -> Build:
    """Parse, validate (and reason), then load the store; refuse data that violates the shapes.

    The instances are parsed by pyoxigraph and validated without an rdflib graph of them
    (gmg.validate_files): the build's memory stays that of a store. `Build.sources` holds
    the ontology and shapes (and, with `reason`, every source graph).

    `progress(stage, done, total)` is told where the build is: "parse" file by file (done and
    total in bytes of the ontology, shapes and instance files), then "validate", "reason" and
    "load" at their start (0, 1) and end (1, 1).
    """
    report_to = progress or (lambda stage, done, total: None)
    files = [(path, name) for path, name in source_files(data) if name in (*RULES, INSTANCES_GRAPH)]
    total = sum(path.stat().st_size for path, _ in files)
    done = 0
    report_to("parse", 0, total)

    def parsed(path: Path) -> None:
        nonlocal done
        done += path.stat().st_size
        report_to("parse", done, total)

    sources = load_sources(data, only=RULES, on_file=parsed)
    instance_files = [path for path, name in files if name == INSTANCES_GRAPH]
    report = validate_files(instance_files, sources, on_file=parsed, on_parsed=lambda: report_to("validate", 0, 1))
    report_to("validate", 1, 1)
    if report.failed(strict):
        raise BuildError("the data violates the shapes; nothing was published", report)
    if reason:
        report_to("reason", 0, 1)
        infer(load_sources(data), data)
        sources = load_sources(data)  # with the fresh inferred graph
        report_to("reason", 1, 1)
    report_to("load", 0, 1)
    store = GraphStore(store_path)
    store.load_files(source_files(data), sources.digest)
    report_to("load", 1, 1)
    return Build(sources, report, store)


INFERRED_FILE = "inferred.ttl"


def infer(sources: Sources, data: DataDir | None = None) -> Path:
    """Run HermiT over the ontology and instances; write the entailed types to inferred/.

    Fails (BuildError) on an inconsistency or an unsatisfiable class. The file is
    shipped as data, so that serving needs no Java.
    """
    from .reason import reason  # Java and owlready2: only `gmg build --reason` needs them

    result = reason([sources.ontology, sources.instances])
    if not result.consistent:
        raise BuildError(f"the ontology and instances are inconsistent: {result.explanation}")
    if result.unsatisfiable_classes:
        raise BuildError("unsatisfiable classes: " + ", ".join(result.unsatisfiable_classes))
    target = (data or default_data_dir()).folder("inferred") / INFERRED_FILE
    target.write_text(inferred_turtle(result.inferred_types_graph()), encoding="utf-8")
    return target


def inferred_turtle(graph) -> str:
    """Deterministic Turtle of the entailments: one sorted line per triple, so diffs stay small."""
    lines = sorted(f"<{s}> a <{o}> ." for s, _, o in graph)
    header = "# Entailments computed by HermiT at build time (gmg build --reason). Generated: do not edit.\n"
    return header + "\n".join(lines) + ("\n" if lines else "")
