"""The dump files: every graph in every RDF format, the whole dataset as TriG and N-Quads, gzipped too.

Made from the store through the engine (so accepted updates are in them) and made again
when the data changes, so a listing can give each file's size and triple count and a
download its exact length. They are files on disk, not bytes in memory: each graph is
asked for once, as N-Triples, written as it streams in, and turned into the other formats
by pyoxigraph in a thread. A large store's dumps take minutes to make: they are made in
the background, and until the first are made /dumps answers 503 with Retry-After.
"""

from __future__ import annotations

import asyncio
import atexit
import gzip
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..engine import EngineSupervisor
from ..formats import GRAPH, formats_of
from ..iris import GRAPH as GRAPH_NS, PREFIXES
from ..results import PREFIXED
from ..settings import Settings
from . import internal
from .errors import ENGINE_ERRORS, engine_error

GRAPHS = ("ontology", "instances", "inferred", "shapes", "metadata")
DEFAULT_DUMP = "gmg"  # the default graph of every query; gmg.trig and gmg.nq hold every named graph
QUAD_FORMATS = {"trig": ("application/trig", ox.RdfFormat.TRIG), "nq": ("application/n-quads", ox.RdfFormat.N_QUADS)}
GZIP = "application/gzip"
GZIP_LEVEL = 6  # gzip's own default: level 9 took twice as long for files a few per cent smaller
KEPT_VERSIONS = 2  # the newest dumps, and the ones before them for downloads still running
SCRATCH_PREFIX = "gmg-dumps-"  # then the process id: gmg-dumps-4242-…


@dataclass(frozen=True)
class DumpFile:
    name: str  # gmg.trig, instances.ttl, instances.ttl.gz
    media_type: str
    path: Path
    size: int  # bytes
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


def dump_names() -> list[str]:
    """Every dump's name, the .gz variants after the others."""
    return file_names() + [name + ".gz" for name in file_names()]


def media_type(name: str) -> str:
    """The media type of a dump (not gzipped) by its name."""
    base, ext = name.rsplit(".", 1)
    if base == DEFAULT_DUMP and ext in QUAD_FORMATS:
        return QUAD_FORMATS[ext][0]
    return next(fmt.media_type for fmt in formats_of(GRAPH) if fmt.name == ext)


def convert(source: Path, target: Path, rdf_format: ox.RdfFormat) -> None:
    """Rewrite an RDF file (N-Triples or N-Quads) in another format, streaming."""
    parsed = ox.parse(path=source, format=ox.RdfFormat.N_QUADS if source.suffix == ".nq" else ox.RdfFormat.N_TRIPLES)
    if rdf_format in PREFIXED or rdf_format == ox.RdfFormat.TRIG:  # readable: gmg:Funding, not <https://…>
        ox.serialize(parsed, output=target, format=rdf_format, prefixes=PREFIXES)
    else:
        ox.serialize(parsed, output=target, format=rdf_format)


def join_quads(graph_files: list[tuple[Path, str]], target: Path) -> None:
    """The N-Quads of the whole dataset: each graph's N-Triples with its graph name."""
    with open(target, "wb") as out:
        for source, graph in graph_files:
            triples = ox.parse(path=source, format=ox.RdfFormat.N_TRIPLES)
            name = ox.NamedNode(graph)
            ox.serialize((ox.Quad(t.subject, t.predicate, t.object, name) for t in triples), output=out,
                         format=ox.RdfFormat.N_QUADS)


def gzipped(source: Path) -> Path:
    target = source.with_name(source.name + ".gz")
    with open(source, "rb") as plain, gzip.GzipFile(target, "wb", compresslevel=GZIP_LEVEL, mtime=0) as packed:
        shutil.copyfileobj(plain, packed, 1 << 20)
    return target


def scratch_folder() -> Path:
    """A folder of this process's own under the temporary folder, removed when it exits; first the
    folders of servers no longer running are removed (one that was killed could not)."""
    for old in Path(tempfile.gettempdir()).glob(SCRATCH_PREFIX + "*"):
        pid = old.name.removeprefix(SCRATCH_PREFIX).split("-")[0]
        if pid.isdigit() and not running(int(pid)):
            shutil.rmtree(old, ignore_errors=True)
    folder = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # (another user's)
    return True


class DumpFiles:
    def __init__(self, engine: EngineSupervisor, settings: Settings):
        self.engine, self.settings = engine, settings
        self._folder: Path | None = None  # made at the first dump
        self._versions: list[Path] = []
        self._cached = internal.PerDataVersion(engine, self._make, patience=settings.query_timeout,
                                               what="the dump files")

    async def all(self) -> dict[str, DumpFile]:
        return await self._cached.get()

    async def _ntriples(self, name: str, target: Path) -> int:
        """The graph `name` as N-Triples, written to `target` as it comes; its line count."""
        answer = await internal.run(self.engine, self.settings, dump_query(name), "application/n-triples", "nt")
        lines = 0
        with open(target, "wb") as out:
            try:
                async for chunk in answer.body:
                    out.write(chunk)
                    lines += chunk.count(b"\n")
            except ENGINE_ERRORS as err:  # cut short: the engine was replaced under it
                raise engine_error(err) from None
        return lines

    async def _make(self) -> dict[str, DumpFile]:
        self._folder = self._folder or scratch_folder()
        folder = Path(tempfile.mkdtemp(prefix="v", dir=self._folder))
        try:
            files = await self._write(folder)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)  # (cut short: a half-made version is no use)
            raise
        self._keep(folder)
        return {file.name: file for file in files}

    async def _write(self, folder: Path) -> list[DumpFile]:
        """Every dump file of the data served now, written in `folder`."""

        def made(name: str, kind: str, count: int, about: str) -> DumpFile:
            path = folder / name
            return DumpFile(name, kind, path, path.stat().st_size, count, about)

        graph_files: list[DumpFile] = []
        counts: dict[str, int] = {}
        for name in (DEFAULT_DUMP, *GRAPHS):
            counts[name] = await self._ntriples(name, folder / f"{name}.nt")
            about = ("the default graph every query sees (ontology, instances, inferred)" if name == DEFAULT_DUMP
                     else f"the named graph <{GRAPH_NS[name]}>")
            for fmt in formats_of(GRAPH):
                if fmt.name != "nt":
                    await asyncio.to_thread(convert, folder / f"{name}.nt", folder / f"{name}.{fmt.name}", fmt.oxigraph)
                graph_files.append(made(f"{name}.{fmt.name}", fmt.media_type, counts[name], about))
        quads = folder / f"{DEFAULT_DUMP}.nq"
        await asyncio.to_thread(join_quads, [(folder / f"{name}.nt", str(GRAPH_NS[name])) for name in GRAPHS], quads)
        await asyncio.to_thread(convert, quads, folder / f"{DEFAULT_DUMP}.trig", ox.RdfFormat.TRIG)
        total = sum(counts[name] for name in GRAPHS)
        files = [made(f"{DEFAULT_DUMP}.{ext}", kind, total, "the whole dataset: every named graph")
                 for ext, (kind, _) in QUAD_FORMATS.items()] + graph_files
        for file in list(files):
            packed = await asyncio.to_thread(gzipped, file.path)
            files.append(DumpFile(packed.name, GZIP, packed, packed.stat().st_size, file.triples, file.about))
        return files

    def _keep(self, newest: Path) -> None:
        self._versions.append(newest)
        while len(self._versions) > KEPT_VERSIONS:
            shutil.rmtree(self._versions.pop(0), ignore_errors=True)

