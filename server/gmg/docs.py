"""`gmg docs`: HTML documentation of the ontology, generated with pyLODE.

pyLODE is pinned to 3.3.4: 3.4.1 fails on import. It documents every class and property
with its label, its skos:definition (pyLODE reads it as the description) and its axioms,
in one self-contained page (CSS inline, no external requests).
"""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path

from rdflib import Graph

from .paths import DataDir, default_data_dir
from .sources import SourceError, digest_files, parse_turtle

DEFAULT_OUT_DIR = Path("docs")
PAGE_NAME = "index.html"

_lock = threading.Lock()
_cached: tuple[str, str] | None = None  # (digest of the ontology files, page)


class DocsError(Exception):
    """The documentation could not be generated; str() says why."""


def ontology_files(data: DataDir | None = None) -> list[Path]:
    return (data or default_data_dir()).files("ontology")


def render_html(ontology: Graph) -> str:
    """The documentation page of an ontology graph (the graph is not changed)."""
    OntPub, PylodeError = _pylode()
    copy = Graph()  # pyLODE adds triples of its own to the graph it is given
    for prefix, namespace in ontology.namespaces():
        copy.bind(prefix, namespace, override=True)
    for triple in ontology:
        copy.add(triple)
    try:
        return OntPub(copy, sort_subjects=True).make_html()
    except PylodeError as err:
        raise DocsError(f"pyLODE cannot document the ontology: {err}") from err


def docs_html(data: DataDir | None = None) -> str:
    """The documentation page of the ontology files, generated once per version of the files."""
    global _cached
    files = ontology_files(data)
    key = digest_files(files)
    with _lock:
        if _cached is None or _cached[0] != key:
            graph = Graph()
            for path in files:
                parse_turtle(path, graph)
            _cached = (key, render_html(graph))
        return _cached[1]


def build_docs(out_dir: Path, data: DataDir | None = None) -> Path:
    """Write the documentation page to out_dir/index.html and return its path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    page = out_dir / PAGE_NAME
    page.write_text(docs_html(data), encoding="utf-8")
    return page


def cmd_docs(out_dir: Path | None) -> int:
    """The `gmg docs` command: 0 when written (the path is printed), 2 when it cannot run."""
    try:
        page = build_docs(out_dir if out_dir is not None else DEFAULT_OUT_DIR)
    except (SourceError, DocsError, OSError) as err:
        print(f"gmg: {err}", file=sys.stderr)
        return 2
    print(page)
    return 0


def _pylode():
    """Import pyLODE without its side effects on logging.

    pyLODE 3.3.4 calls logging.basicConfig(level=DEBUG) when imported (every library's debug
    messages would go to stderr) and sets the httpcore logger's level: both are put back.
    It also logs through the root logger's functions, which install a stderr handler on the
    root logger when it has none (gmg's log lines would then be written twice): its messages
    go to the "pylode" logger instead.
    """
    root, httpcore = logging.getLogger(), logging.getLogger("httpcore")
    handlers, level, httpcore_level = list(root.handlers), root.level, httpcore.level
    try:
        import pylode.utils
        from pylode import OntPub, PylodeError
    finally:
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)
        httpcore.setLevel(httpcore_level)
    pylode.utils.logging = logging.getLogger("pylode")
    return OntPub, PylodeError
