"""Stage 3: the triple store (embedded pyoxigraph), a rebuildable cache of the sources.

The verbs mirror pyoxigraph's Store: query, update, load_files, dump. The default graph
of a query is the store's default graph plus every named graph except the shapes
and metadata graphs (reachable by name only). pyoxigraph's union-default option
ignores FROM and refuses `default_graph`, so the dataset is built explicitly; the
engine also keeps it materialised as one graph (defaultgraph.py), which answers the
queries that read only the default graph several times faster.
"""

from __future__ import annotations

import errno
import json
import logging
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
from .iris import METADATA_GRAPH, NAME_ONLY_GRAPHS
from .metadata import build_metadata
from .paths import DataDir
from .sources import SourceError, digest_files, source_files

BUILD_INFO = "build.json"  # beside the RocksDB folder: which sources the store holds
ROCKSDB = "oxigraph"
_COUNTING = threading.Lock()  # (held while a store's quads are counted)
COUNT_QUADS = "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"  # (every quad)

log = logging.getLogger("gmg.store")


class GraphStore:
    """An embedded store: in memory (path None) or on disk under `path`."""

    read_only = False
    # Writes counted like a sequence lock: odd while one is under way. The materialised
    # default graph is used only while its count is this one.
    version = 0
    last_write = 0.0  # (time.monotonic() when the last write ended: defaultgraph.py waits for quiet)
    _default_view = None
    _materialise: bool | None = None  # whether the default graph is materialised (None: not decided yet)
    _counted: tuple[int, int] | None = None  # (version, quads): the count at that write count

    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path else None
        if self.path is None:
            self._store = ox.Store()
        else:
            self.path.mkdir(parents=True, exist_ok=True)
            self._store = ox.Store(str(self.path / ROCKSDB))

    @classmethod
    def open_read_only(cls, path: Path) -> "GraphStore":
        """The on-disk store as its files hold it, for reading only: needs no write and no lock, so it
        opens on a full disk or a read-only filesystem, and beside a writer of the same store."""
        store = cls.__new__(cls)
        store.path = Path(path)
        store._store = ox.Store.read_only(str(store.path / ROCKSDB))
        store.read_only = True
        return store

    @property
    def raw(self) -> ox.Store:
        """The pyoxigraph store itself, for reading quads by pattern (the update check)."""
        return self._store

    def close(self) -> None:
        """Let go of RocksDB (it closes, and frees its lock, once no query holds it either)."""
        self._store = None
        self._default_view = None

    def materialise_default_graph(self, limit: int | None = None) -> None:
        """Keep the query default graph as one graph in memory too (the engine's choice: a
        copy of the data graphs for joins several times faster); built in the background.

        Not for a store of more than `limit` quads (decided once per store): the copy would
        cost more than it saves (ten million quads: 160 s of CPU and 4.7 GB at every start).
        """
        if self._materialise is None:  # (the size at the build will do: counting ten million takes 1.4 s)
            built = self.build_info().get("triples")
            self._materialise = limit is None or (built if isinstance(built, int) else len(self)) <= limit
        if self._materialise and self._default_view is None:
            from .defaultgraph import MaterialisedDefaultGraph

            self._default_view = MaterialisedDefaultGraph(self)
            self._default_view.refresh(at_once=True)

    @contextmanager
    def _writing(self):
        self.version += 1  # (writes are serialised by their callers)
        try:
            yield
        finally:
            self.version += 1
            self.last_write = time.monotonic()

    def in_memory_copy(self) -> "GraphStore":
        """An in-memory copy that keeps this store's build information."""
        twin = self.copy()
        twin._memory_info = self.build_info()
        twin.read_only = True  # a stand-in for reading while the store on disk cannot be written
        return twin

    # -- loading -------------------------------------------------------------
    def load_files(self, files: list[tuple[Path, str]], digest: str) -> None:
        """Replace the whole content with the source files, parsed by pyoxigraph (fast)."""
        with self._writing():
            quads = self._load_files(files, digest)
        self._counted = (self.version, quads)  # (as loaded: the engine need not count them again)

    def _load_files(self, files: list[tuple[Path, str]], digest: str) -> int:
        if self.path is not None:  # a load cut short must not pass for a finished one at the next start
            (self.path / BUILD_INFO).unlink(missing_ok=True)
        self._store.clear()
        for path, name in files:
            try:
                self._store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(str(name)),
                                      base_iri=path.resolve().as_uri())
            except SyntaxError as err:
                raise SourceError(path, err.lineno or 0, err.offset or 0, f"Turtle syntax error: {err}") from err
        sizes = self.graph_sizes()
        metadata = build_metadata(files, digest, sizes).serialize(format="nt", encoding="utf-8")
        self._store.bulk_load(metadata, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(METADATA_GRAPH)))
        self._store.flush()
        quads = len(self._store)  # (faster than `_count`; nothing else reads the store during its load)
        self._write_build_info({"digest": digest, "triples": quads, "graphs": sizes})
        return quads

    # -- reading -------------------------------------------------------------
    def query(
        self,
        text: str,
        *,
        default_graph_uris: list[str] | None = None,
        named_graph_uris: list[str] | None = None,
        use_query_dataset: bool = False,
        base_iri: str | None = None,
        default_graph_only: bool = False,
    ):
        """Run a SPARQL query; returns pyoxigraph's QuerySolutions, QueryBoolean or QueryTriples.

        Protocol dataset parameters win over the query's FROM; without either,
        the gmg default dataset applies (see module doc). `default_graph_only`: the
        caller knows the text names no graph (no GRAPH), so the materialised default
        graph, when there is one and it is current, may answer.
        """
        if default_graph_uris is not None or named_graph_uris is not None:
            default = [ox.NamedNode(u) for u in default_graph_uris or []]
            named = [ox.NamedNode(u) for u in named_graph_uris or []]
            return self._store.query(text, base_iri=base_iri, default_graph=default, named_graphs=named)
        if use_query_dataset:
            return self._store.query(text, base_iri=base_iri)
        if default_graph_only and self._default_view is not None:
            merged = self._default_view.current()
            if merged is not None:
                return merged.query(text, base_iri=base_iri)
        return self._store.query(text, base_iri=base_iri, default_graph=self.default_dataset())

    def default_dataset(self) -> list:
        graphs: list = [ox.DefaultGraph()]
        graphs += [g for g in self._store.named_graphs() if g.value not in NAME_ONLY_GRAPHS]
        return graphs

    def graph_sizes(self) -> dict[str, int]:
        """How many triples each named graph holds."""
        counted = self._store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return {row[0].value: int(row[1].value) for row in counted}

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs())

    def update(self, text: str, *, base_iri: str | None = None, change=None) -> None:
        """Run a SPARQL update. `change`: what it changes (gmg.delta.Delta), when the caller knows:
        the materialised default graph then follows it (defaultgraph.py), rather than lag behind."""
        with self._writing():
            self._store.update(text, base_iri=base_iri)
            if self._default_view is not None:
                self._default_view.follow(change, self.version - 1, self.version + 1)

    def dump(self, format: ox.RdfFormat = ox.RdfFormat.N_QUADS) -> bytes:
        return self._store.dump(format=format)

    def write_snapshot(self, path: Path) -> None:
        """All quads as N-Quads in `path`, written whole or not at all."""
        partial = path.with_suffix(".partial")
        partial.write_bytes(self.dump())
        partial.replace(path)

    @classmethod
    def from_nquads(cls, data: bytes) -> "GraphStore":
        store = cls()
        store._store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
        return store

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
        """How many quads the store holds: counted once per write (a million take 0.33 s to count),
        one count at a time (a caller that comes while one is made takes its result)."""
        known = self.known_len()
        if known is not None:
            return known
        with _COUNTING:
            known = self.known_len()
            if known is not None:
                return known
            version = self.version
            count = self._count()
            if version % 2 == 0:  # (a write that began meanwhile changes the version: this entry is never read)
                self._counted = (version, count)
            return count

    def known_len(self) -> int | None:
        """The number of quads if it is known for the store as it is now (taken from the build, or
        counted since the last write), else None: it is not counted here."""
        counted = self._counted
        if counted is not None and counted[0] == self.version and not self.read_only:
            return counted[1]
        return None

    def _count(self) -> int:
        """Counted by a query, which pyoxigraph evaluates without holding Python's lock, unlike
        `len()` of its store: `len()` held every other thread of the engine (the queries) for 0.14 s
        a million quads (1.4 s at ten million); the query takes 0.33 s a million, and holds none."""
        for row in self._store.query(COUNT_QUADS):
            return int(row[0].value)
        return 0

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
        info = self.build_info()
        if info.get("digest") != digest or next(self._store.quads_for_pattern(None, None, None), None) is None:
            return False
        if self.applied_sequence() == 0 and isinstance(info.get("triples"), int):
            self._counted = (self.version, info["triples"])  # as built: no update since (the journal says)
        return True

    def _write_build_info(self, info: dict) -> None:
        if self.path is None:
            self._memory_info = info
        else:  # whole or not at all: a torn build.json would only cost a rebuild, but say nothing wrong
            partial = self.path / (BUILD_INFO + ".partial")
            partial.write_text(json.dumps(info, indent=2) + "\n")
            partial.replace(self.path / BUILD_INFO)


class StoreInUse(Exception):
    """Another process has the store open."""


class StoreUnavailable(Exception):
    """The store's files cannot be opened for writing for a reason outside them (a full disk, a
    read-only filesystem, no permission, an I/O error): nothing is wrong with the store itself,
    so it is left as it is."""


# How RocksDB words the errors of its surroundings rather than of its files. A store that fails
# to open for one of these is not damaged: moving it aside would only throw away a good store.
ENVIRONMENT_ERRORS = ("no space left", "disk quota", "file too large", "read-only file system",
                      "permission denied", "too many open files", "input/output error",
                      "cannot allocate memory")


def environment_error(err: BaseException) -> bool:
    text = str(err).lower()
    return "corruption" not in text and any(words in text for words in ENVIRONMENT_ERRORS)


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
    """Open the RocksDB store under `store_path` for writing.

    The store is a cache: the sources and the journal rebuild all of it, so a
    store RocksDB cannot open (a damaged CURRENT or MANIFEST, a lost file) is
    not a reason to refuse the start. It is moved aside, never deleted
    (`oxigraph.damaged-<UTC time>`, named in a warning), and started afresh. A
    store that cannot be opened because of its surroundings (StoreUnavailable:
    a full disk, a read-only filesystem, no permission) is left untouched.
    """
    try:
        return open_for_writing(store_path)
    except StoreDamaged as damaged:
        aside = move_aside(store_path, damaged.__cause__)
    try:
        return GraphStore(store_path)
    except (OSError, RuntimeError) as err:
        raise StoreUnavailable(f"The store {store_path / ROCKSDB} could not be started afresh after the damaged "
                               f"one was moved to {aside}: {err}") from err


class StoreDamaged(Exception):
    """RocksDB cannot open the store's files (the cause says why)."""


def open_for_writing(store_path: Path) -> GraphStore:
    """Open the store read-write as it is: StoreUnavailable, StoreInUse or StoreDamaged if it cannot be."""
    from . import faults

    for attempt in range(50):
        try:
            if faults.read_only():
                raise OSError(errno.EROFS, "IO error: Read-only file system (injected)")
            return GraphStore(store_path)
        except (OSError, RuntimeError) as err:  # (RocksDB reports corruption as RuntimeError)
            if environment_error(err):
                raise StoreUnavailable(f"The store {store_path / ROCKSDB} cannot be opened for writing: {err}") \
                    from err
            if "lock" not in str(err).lower():
                raise StoreDamaged(f"The store {store_path / ROCKSDB} cannot be opened: {err}") from err
            # Another process holds it: the engine of a server that was just killed
            # exits within moments; a second server on the same store never does.
            if attempt == 49:
                raise StoreInUse(f"The store {store_path / ROCKSDB} is in use by another process "
                                 f"(another gmg serve on the same --store?): {err}") from err
            time.sleep(0.1)
    raise AssertionError("unreachable")


def move_aside(store_path: Path, err: BaseException) -> Path:
    """Rename a RocksDB folder that cannot be opened to oxigraph.damaged-<UTC time>; return the new name."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    aside = store_path / f"{ROCKSDB}.damaged-{stamp}"
    for n in range(1, 100):
        if not aside.exists():
            break
        aside = store_path / f"{ROCKSDB}.damaged-{stamp}-{n}"
    try:
        (store_path / ROCKSDB).rename(aside)
        (store_path / BUILD_INFO).unlink(missing_ok=True)
    except OSError as rename_error:
        raise StoreUnavailable(f"The store {store_path / ROCKSDB} cannot be opened ({err}) and cannot be moved "
                               f"aside ({rename_error})") from err
    log.warning("the store %s cannot be opened (%s): moved it to %s (delete it when you no longer need it) "
                "and rebuilding the store from the sources and the journal", store_path / ROCKSDB, err, aside)
    return aside


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
