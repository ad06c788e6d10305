"""Stage 3: the triple store (embedded pyoxigraph), a rebuildable cache of the sources.

The verbs mirror pyoxigraph's Store: query, update, load_files, dump. The default graph
of a query is the store's default graph plus every named graph except the shapes
and metadata graphs (reachable by name only). pyoxigraph's union-default option
ignores FROM and refuses `default_graph`, so the dataset is built explicitly.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from pathlib import Path

import pyoxigraph as ox
from .iris import METADATA_GRAPH, NAME_ONLY_GRAPHS
from .metadata import build_metadata
from .paths import DataDir
from .sources import SourceError, digest_files, source_files

BUILD_INFO = "build.json"  # beside the RocksDB folder: which sources the store holds
ROCKSDB = "oxigraph"

log = logging.getLogger("gmg.store")


class GraphStore:
    """An embedded store: in memory (path None) or on disk under `path`."""

    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path else None
        if self.path is None:
            self._store = ox.Store()
        else:
            self.path.mkdir(parents=True, exist_ok=True)
            self._store = ox.Store(str(self.path / ROCKSDB))

    # -- loading -------------------------------------------------------------
    def load_files(self, files: list[tuple[Path, str]], digest: str) -> None:
        """Replace the whole content with the source files, parsed by pyoxigraph (fast)."""
        if self.path is not None:  # a load cut short must not pass for a finished one at the next start
            (self.path / BUILD_INFO).unlink(missing_ok=True)
        self._store.clear()
        for path, name in files:
            try:
                self._store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(str(name)),
                                      base_iri=path.resolve().as_uri())
            except SyntaxError as err:
                raise SourceError(path, err.lineno or 0, err.offset or 0, f"Turtle syntax error: {err}") from err
        counts = {g.value: sum(1 for _ in self._store.quads_for_pattern(None, None, None, g))
                  for g in self._store.named_graphs()}
        metadata = build_metadata(files, digest, counts).serialize(format="nt", encoding="utf-8")
        self._store.bulk_load(metadata, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(METADATA_GRAPH)))
        self._store.flush()
        self._write_build_info({"digest": digest, "triples": len(self)})

    # -- reading -------------------------------------------------------------
    def query(
        self,
        text: str,
        *,
        default_graph_uris: list[str] | None = None,
        named_graph_uris: list[str] | None = None,
        use_query_dataset: bool = False,
        base_iri: str | None = None,
    ):
        """Run a SPARQL query; returns pyoxigraph's QuerySolutions, QueryBoolean or QueryTriples.

        Protocol dataset parameters win over the query's FROM; without either,
        the gmg default dataset applies (see module doc).
        """
        if default_graph_uris is not None or named_graph_uris is not None:
            default = [ox.NamedNode(u) for u in default_graph_uris or []]
            named = [ox.NamedNode(u) for u in named_graph_uris or []]
            return self._store.query(text, base_iri=base_iri, default_graph=default, named_graphs=named)
        if use_query_dataset:
            return self._store.query(text, base_iri=base_iri)
        return self._store.query(text, base_iri=base_iri, default_graph=self.default_dataset())

    def default_dataset(self) -> list:
        graphs: list = [ox.DefaultGraph()]
        graphs += [g for g in self._store.named_graphs() if g.value not in NAME_ONLY_GRAPHS]
        return graphs

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs())

    def update(self, text: str, *, base_iri: str | None = None) -> None:
        self._store.update(text, base_iri=base_iri)

    def dump(self, format: ox.RdfFormat = ox.RdfFormat.N_QUADS) -> bytes:
        return self._store.dump(format=format)

    def write_snapshot(self, path: Path) -> None:
        """All quads as N-Quads in `path`, written whole or not at all."""
        partial = path.with_suffix(".partial")
        partial.write_bytes(self.dump())
        partial.replace(path)

    @classmethod
    def from_snapshot(cls, path: Path) -> "GraphStore":
        store = cls()
        store._store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
        return store

    def copy(self) -> "GraphStore":
        """An in-memory copy (cheap at this data size: a dump and a bulk load)."""
        twin = GraphStore()
        twin._store.bulk_load(self.dump(), format=ox.RdfFormat.N_QUADS)
        return twin

    def snapshot(self, graphs) -> dict[str, frozenset[str]]:
        """The quads of each named graph, as comparable text."""
        return {g: frozenset(str(q) for q in self._store.quads_for_pattern(None, None, None, ox.NamedNode(g)))
                for g in graphs}

    def dump_graphs(self, exclude) -> bytes:
        """N-Triples of every quad outside the excluded named graphs (graph names dropped)."""
        lines = [str(q.triple) + " .\n" for q in self._store
                 if isinstance(q.graph_name, ox.DefaultGraph) or q.graph_name.value not in exclude]
        return "".join(lines).encode("utf-8")

    def __len__(self) -> int:
        return len(self._store)

    # -- the cache key ----------------------------------------------------------
    def build_info(self) -> dict:
        if self.path is None:
            return getattr(self, "_memory_info", {})
        return read_build_info(self.path)

    @staticmethod
    def stored_digest(path: Path | None) -> str | None:
        """The digest of the sources an on-disk store was built from, without opening it."""
        return read_build_info(path).get("digest") if path is not None else None

    def applied_sequence(self) -> int:
        """The number of the last journal entry this store applied (0: none since it was built)."""
        from .journal import sequence_query

        for row in self._store.query(sequence_query()):
            return int(row["seq"].value)
        return 0

    def holds(self, digest: str) -> bool:
        """True when the store was built from exactly the source files with this digest."""
        return self.build_info().get("digest") == digest and len(self) > 0

    def _write_build_info(self, info: dict) -> None:
        if self.path is None:
            self._memory_info = info
        else:  # whole or not at all: a torn build.json would only cost a rebuild, but say nothing wrong
            partial = self.path / (BUILD_INFO + ".partial")
            partial.write_text(json.dumps(info, indent=2) + "\n")
            partial.replace(self.path / BUILD_INFO)


class StoreInUse(Exception):
    """Another process has the store open."""


def read_build_info(path: Path) -> dict:
    """build.json, or {} when it is missing or damaged (the store is then rebuilt from the sources)."""
    try:
        info = json.loads((path / BUILD_INFO).read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as err:
        log.warning("%s is damaged (%s): the store will be rebuilt from the sources", path / BUILD_INFO, err)
        return {}
    return info if isinstance(info, dict) else {}


def open_on_disk(store_path: Path) -> GraphStore:
    """Open the RocksDB store under `store_path`; a damaged one is removed and started afresh.

    The store is a cache: the sources and the journal rebuild all of it, so a
    store RocksDB cannot open (a damaged CURRENT or MANIFEST, a lost file) is
    not a reason to refuse the start.
    """
    for attempt in range(50):
        try:
            return GraphStore(store_path)
        except (OSError, RuntimeError) as err:  # (RocksDB reports corruption as RuntimeError)
            if "lock" not in str(err).lower():
                break
            # Another process holds it: the engine of a server that was just killed
            # exits within moments; a second server on the same store never does.
            if attempt == 49:
                raise StoreInUse(f"The store {store_path / ROCKSDB} is in use by another process "
                                 f"(another gmg serve on the same --store?): {err}") from err
            time.sleep(0.1)
    try:
        return GraphStore(store_path)
    except (OSError, RuntimeError) as err:
        log.warning("the store %s cannot be opened (%s): rebuilding it from the sources and the journal",
                    store_path / ROCKSDB, err)
        shutil.rmtree(store_path / ROCKSDB, ignore_errors=True)
        (store_path / BUILD_INFO).unlink(missing_ok=True)
        return GraphStore(store_path)


def open_store(data: DataDir | None = None, store_path: Path | None = None) -> GraphStore:
    """The store to serve: reuse an on-disk store built from the same files, else load them.

    Serving never runs the validator or a reasoner (that is `gmg build`), so it
    starts in seconds and needs no Java.
    """
    files = source_files(data)
    digest = digest_files([path for path, _ in files])
    store = open_on_disk(store_path) if store_path is not None else GraphStore()
    if not store.holds(digest):
        store.load_files(files, digest)
    return store
