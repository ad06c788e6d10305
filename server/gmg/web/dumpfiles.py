"""The dump files: every graph in every RDF format, the whole dataset as TriG and N-Quads, gzipped too.

Made from the store through the engine (so accepted updates are in them), kept in memory
and made again when the data changes, so a listing can give each file's size and triple
count and a download its exact length. gmg's data is small (thousands of triples); a
dataset of millions would want files on disk instead.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass

import pyoxigraph as ox

from ..engine import EngineSupervisor
from ..formats import GRAPH, formats_of
from ..iris import GRAPH as GRAPH_NS, PREFIXES
from ..settings import Settings
from . import internal
from .errors import ENGINE_ERRORS, engine_error

GRAPHS = ("ontology", "instances", "inferred", "shapes", "metadata")
DEFAULT_DUMP = "gmg"  # the default graph of every query; gmg.trig and gmg.nq hold every named graph
QUAD_FORMATS = {"trig": ("application/trig", ox.RdfFormat.TRIG), "nq": ("application/n-quads", ox.RdfFormat.N_QUADS)}
GZIP = "application/gzip"


@dataclass(frozen=True)
class DumpFile:
    name: str  # gmg.trig, instances.ttl, instances.ttl.gz
    media_type: str
    body: bytes
    triples: int  # triples (quads for the dataset files)
    about: str  # what it holds, for the listing


def dump_query(name: str) -> str:
    if name == DEFAULT_DUMP:
        return "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    return f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{GRAPH_NS[name]}> {{ ?s ?p ?o }} }}"


def file_names() -> list[str]:
    """Every dump's name (without the .gz variants), in listing order."""
    quads = [f"{DEFAULT_DUMP}.{ext}" for ext in QUAD_FORMATS]
    graphs = [f"{name}.{fmt.name}" for name in (DEFAULT_DUMP, *GRAPHS) for fmt in formats_of(GRAPH)]
    return quads + graphs


class DumpFiles:
    def __init__(self, engine: EngineSupervisor, settings: Settings):
        self.engine, self.settings = engine, settings
        self._cached = internal.PerDataVersion(engine, self._make)

    async def all(self) -> dict[str, DumpFile]:
        return await self._cached.get()

    async def _text(self, name: str, fmt) -> bytes:
        answer = await internal.run(self.engine, self.settings, dump_query(name), fmt.media_type, fmt.name)
        try:
            return b"".join([chunk async for chunk in answer.body])
        except ENGINE_ERRORS as err:  # cut short: the engine was replaced under it
            raise engine_error(err) from None

    async def _make(self) -> dict[str, DumpFile]:
        files: list[DumpFile] = []
        nquads: list[bytes] = []
        for name in (DEFAULT_DUMP, *GRAPHS):
            about = ("the default graph every query sees (ontology, instances, inferred)" if name == DEFAULT_DUMP
                     else f"the named graph <{GRAPH_NS[name]}>")
            bodies = {fmt: await self._text(name, fmt) for fmt in formats_of(GRAPH)}
            ntriples = next(body for fmt, body in bodies.items() if fmt.name == "nt")
            count = ntriples.count(b"\n")
            files += [DumpFile(f"{name}.{fmt.name}", fmt.media_type, body, count, about) for fmt, body in bodies.items()]
            if name != DEFAULT_DUMP:  # N-Quads: each N-Triples line with its graph
                nquads += [line.rstrip()[:-1].rstrip() + f" <{GRAPH_NS[name]}> .".encode()
                           for line in ntriples.splitlines() if line.strip()]
        quads_body = b"\n".join(nquads) + b"\n"
        quads = list(ox.parse(quads_body, format=ox.RdfFormat.N_QUADS))
        for ext, (media_type, rdf_format) in QUAD_FORMATS.items():
            body = quads_body if ext == "nq" else ox.serialize(quads, format=rdf_format, prefixes=PREFIXES)
            files.insert(0 if ext == "trig" else 1, DumpFile(
                f"{DEFAULT_DUMP}.{ext}", media_type, body, len(quads), "the whole dataset: every named graph"))
        by_name = {f.name: f for f in files}
        for f in list(files):  # gzip level 9: made once per change of the data
            by_name[f.name + ".gz"] = DumpFile(f.name + ".gz", GZIP, gzip.compress(f.body, 9, mtime=0), f.triples,
                                               f.about)
        return by_name
