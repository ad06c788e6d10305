"""The pipeline: sources -> validate -> store. Plain functions the CLI and the server call."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .paths import DataDir
from .sources import Sources, load_sources
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


def build(data: DataDir | None = None, store_path: Path | None = None, *, strict: bool = False) -> Build:
    """Parse, validate and load the store; refuse data that violates the shapes."""
    sources = load_sources(data)
    report = validate(sources)
    if report.failed(strict):
        raise BuildError("the data violates the shapes; nothing was published", report)
    store = GraphStore(store_path)
    store.load_sources(sources)
    return Build(sources, report, store)
