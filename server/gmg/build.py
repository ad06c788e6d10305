"""The pipeline: sources -> validate -> store. Plain functions the CLI and the server call."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .paths import DataDir, default_data_dir
from .sources import Sources, load_sources, source_files
from .store import GraphStore
from .validate import Report, validate


class BuildError(Exception):
    """The data may not be published; `report` says why when validation failed."""

    def __init__(self, message: str, report: Report | None = None):
        super().__init__(message)
        self.report = report


@dataclass
class Build:
    sources: Sources
    report: Report | None
    store: GraphStore


def build(data: DataDir | None = None, store_path: Path | None = None, *, strict: bool = False,
          reason: bool = False) -> Build:
    """Parse, validate (and reason), then load the store; refuse data that violates the shapes."""
    sources = load_sources(data)
    report = validate(sources)
    if report.failed(strict):
        raise BuildError("the data violates the shapes; nothing was published", report)
    if reason:
        infer(sources, data)
        sources = load_sources(data)  # with the fresh inferred graph
    store = GraphStore(store_path)
    store.load_files(source_files(data), sources.digest)
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
