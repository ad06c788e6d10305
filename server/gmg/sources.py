"""Stage 1: parse the Turtle sources into named graphs.

A syntax error stops the build with the file, line and column, so a person can
open the file at the right place (Protégé and text editors alike).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax

from .iris import INFERRED_GRAPH, INSTANCES_GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH
from .paths import DataDir, default_data_dir

# folder -> named graph it is loaded into
SOURCE_GRAPHS: dict[str, URIRef] = {
    "ontology": ONTOLOGY_GRAPH,
    "instances": INSTANCES_GRAPH,
    "shapes": SHAPES_GRAPH,
    # Entailments computed by the reasoner at `gmg build --reason` time and
    # shipped as data, so that serving needs neither Java nor a reasoner.
    "inferred": INFERRED_GRAPH,
}


class SourceError(Exception):
    """A source file that cannot be read or parsed; str() is file:line:column: reason."""

    def __init__(self, path: Path, line: int, column: int, reason: str):
        self.path, self.line, self.column, self.reason = path, line, column, reason
        super().__init__(f"{path}:{line}:{column}: {reason}")


@dataclass
class Sources:
    """The parsed sources: one rdflib graph per named graph, and a digest of the files."""

    graphs: dict[URIRef, Graph]
    files: list[Path] = field(default_factory=list)
    digest: str = ""

    @property
    def ontology(self) -> Graph:
        return self.graphs[ONTOLOGY_GRAPH]

    @property
    def instances(self) -> Graph:
        return self.graphs[INSTANCES_GRAPH]

    @property
    def shapes(self) -> Graph:
        return self.graphs[SHAPES_GRAPH]

    @property
    def inferred(self) -> Graph:
        return self.graphs[INFERRED_GRAPH]

def parse_turtle(path: Path, into: Graph | None = None) -> Graph:
    """Parse one Turtle file, raising SourceError with its line and column."""
    graph = into if into is not None else Graph()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise SourceError(path, 0, 0, f"cannot read file: {err}") from err
    try:
        # pyoxigraph first: it is the stricter parser (rdflib accepts a few malformed
        # statements) and the one the server loads the store with.
        for _ in ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri()):
            pass
    except SyntaxError as err:
        raise SourceError(path, err.lineno or 0, err.offset or 0, f"Turtle syntax error: {err}") from err
    try:
        graph.parse(data=text, format="turtle", publicID=path.resolve().as_uri())
    except BadSyntax as err:
        offset = getattr(err, "_i", 0)
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        raise SourceError(path, line, column, f"Turtle syntax error: {err._why}") from err
    except Exception as err:  # rdflib raises several types for bad terms
        raise SourceError(path, 0, 0, f"Turtle error: {err}") from err
    return graph


def source_files(data: DataDir | None = None) -> list[tuple[Path, URIRef]]:
    """Every source file with the named graph it belongs to, in a stable order."""
    data = data or default_data_dir()
    return [(path, name) for folder, name in SOURCE_GRAPHS.items() for path in data.files(folder)]


def load_sources(data: DataDir | None = None, only: tuple[URIRef, ...] | None = None, on_file=None) -> Sources:
    """Parse ontology/, instances/, shapes/ and inferred/ into one graph each (`only` some: the rest
    empty; `on_file(path)` after each file parsed).

    The digest is always of every file.
    """
    graphs: dict[URIRef, Graph] = {name: Graph(identifier=name) for name in SOURCE_GRAPHS.values()}
    files = source_files(data)
    for path, name in files:
        if only is None or name in only:
            parse_turtle(path, graphs[name])
            if on_file is not None:
                on_file(path)
    paths = [path for path, _ in files]
    return Sources(graphs=graphs, files=paths, digest=digest_files(paths))


def digest_files(files: list[Path]) -> str:
    """A hash of names and contents: the key of a cached on-disk store."""
    h = hashlib.sha256()
    for path in files:
        h.update(path.name.encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()
