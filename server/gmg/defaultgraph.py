"""The default graph of queries kept as one materialised graph, for speed.

gmg's query default graph is the union of several named graphs (see store.py).
pyoxigraph evaluates such a union by asking every graph for every triple pattern
and cannot use its ordered indexes across them, so joins cost two to four times
what they cost over one graph. The engine therefore keeps a second, in-memory
store whose default graph holds the merge of those graphs, and answers from it
the queries that read only the default graph.

It is never allowed to answer from stale data. The store it copies counts its
writes like a sequence lock (odd while a write is under way); the copy is built
in a background thread, installed only if no write began or ended meanwhile, and
used only while its count is the store's. Between a write and the next copy (and
at start, until the first), queries take the union, as before: slower, and not
quite the same. pyoxigraph's union does not merge a triple that two of the graphs
hold, so it is two solutions there: on the article's data three triples (the
instances restate ontology triples to annotate them), so `COUNT(*)` gives 12,053
over the union and 12,050 over the copy. Not fixed yet: a merged graph kept in the
store (as remote mode publishes one) would remove the difference.

A copy is made only once the store has had no write for QUIET seconds: under a
stream of updates, copying after each one took more CPU than it saved and cut
read throughput with two busy writers to 0.6 of its value without them (0.93
with copies held back; scripts/soak.py throughput).
"""

from __future__ import annotations

import logging
import threading
import time

import pyoxigraph as ox

log = logging.getLogger("gmg.store")

QUIET = 2.0  # seconds without a write before the copy is made again


class MaterialisedDefaultGraph:
    def __init__(self, source):
        self._source = source  # a GraphStore
        self._lock = threading.Lock()
        self._store: ox.Store | None = None
        self._version = -1  # the source's write count the copy was made at
        self._building = False
        self._cost, self._ended = 0.0, 0.0  # seconds the last copy took, and when it ended

    def current(self) -> ox.Store | None:
        """The copy, if it holds exactly what the source holds now; else None (and a copy is started)."""
        version = self._source.version
        store = self._store
        if store is not None and self._version == version and version % 2 == 0:
            return store
        self.refresh()
        return None

    def refresh(self) -> None:
        """Start building a copy in the background (unless one is being built)."""
        with self._lock:
            if self._building:
                return
            self._building = True
        threading.Thread(target=self._build, name="gmg-default-graph", daemon=True).start()

    def _build(self) -> None:
        try:
            # Copies take at most half of one core: after a copy that took t seconds, the next
            # starts t seconds after it ended (under a stream of updates on a large store the
            # union answers more often, rather than the copies eating the CPU).
            threading.Event().wait(max(0.0, self._cost - (time.monotonic() - self._ended)))
            while (quiet := QUIET - (time.monotonic() - self._source.last_write)) > 0:
                threading.Event().wait(quiet)
            for _ in range(3):  # (a copy that a write overtakes is thrown away)
                version = self._source.version
                if version % 2:  # a write is under way
                    threading.Event().wait(0.01)
                    continue
                started = time.monotonic()
                store = self._copy()
                self._cost, self._ended = time.monotonic() - started, time.monotonic()
                if store is not None and self._source.version == version:
                    self._store, self._version = store, version
                    return
        except Exception as err:  # the union answers meanwhile: slower, never wrong
            log.warning("the default graph of queries could not be materialised: %s", err)
        finally:
            with self._lock:
                self._building = False

    def _copy(self) -> ox.Store | None:
        inner = self._source._store
        if inner is None:  # closed
            return None
        store = ox.Store()
        default = ox.DefaultGraph()
        # quads, not a dump and a parse: a parser would rename the blank nodes, and a node
        # shared by two graphs must stay one node (with the same label as in the source)
        store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, default)
                          for graph in self._source.default_dataset()
                          for q in inner.quads_for_pattern(None, None, None, graph))
        return store
