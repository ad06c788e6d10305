"""A full validation of instance files that holds no rdflib graph of them (`gmg build`, `gmg validate`).

rdflib keeps about 2.4 KB a triple, so a validation that parsed the data into rdflib
(gmg.validate's way) needed 2.4 GB at a million triples and would need this machine's
whole memory at ten million. Here the files are parsed by pyoxigraph into a store in
memory, with the ontology mixed in as gmg.validate mixes it; gmg.screen finds the nodes
that could fail, and pySHACL validates only those, each over its neighbourhood read
from that store as an update's check reads it (gmg.incremental, whose rules say why a
neighbourhood holds everything the shapes read of its node). On conforming data
nothing is suspect and pySHACL sees no data at all.

The data is validated as the store will serve it: Oxigraph keeps a number, a boolean or
a date in its canonical form (`120.0` is read back as `"120"^^xsd:decimal`), and a report
names values so. Otherwise the report is the one gmg.validate gives on the same data
(tests/test_screen.py, on seeded broken copies of the article). Shapes the screen cannot
write as queries leave the decision to pySHACL over every target: then the files are
parsed into rdflib after all.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from .incremental import validate_in_store
from .screen import doubtful_subjects
from .sources import SourceError, Sources, parse_turtle
from .targets import oxigraph_copy
from .validate import Report, mixed_ontology, screen_of, validate_graph


def validate_files(files: list[Path], sources: Sources, on_file: Callable[[Path], None] | None = None,
                   on_parsed: Callable[[], None] | None = None) -> Report:
    """Validate the Turtle `files` (the instances) against the sources' shapes and ontology.

    `on_file(path)` after each file is parsed, `on_parsed()` once all are. Raises SourceError
    for a file that does not parse.
    """
    on_parsed = on_parsed or (lambda: None)
    screen = screen_of(sources.shapes, sources.ontology)
    if screen is None:
        data = Graph()
        for path in files:
            parse_turtle(path, data)
            if on_file is not None:
                on_file(path)
        on_parsed()
        return validate_graph(data, sources.shapes, sources.ontology)
    store = parsed(files, on_file)
    on_parsed()
    mixed, _ = oxigraph_copy(mixed_ontology(sources.shapes, sources.ontology))
    store.extend(mixed)
    suspects = {node for _, node in screen.suspects(store, doubtful_subjects(store))}
    return validate_in_store(store, suspects, sources)


def parsed(files: list[Path], on_file: Callable[[Path], None] | None = None) -> ox.Store:
    """The files' triples in the default graph of a store in memory, read as the server's store reads them."""
    store = ox.Store()
    for path in files:
        try:
            store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri())
        except SyntaxError as err:
            raise SourceError(path, err.lineno or 0, err.offset or 0, f"Turtle syntax error: {err}") from err
        except OSError as err:
            raise SourceError(path, 0, 0, f"cannot read file: {err}") from err
        if on_file is not None:
            on_file(path)
    return store

