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
used only while its count is the store's. A write whose change is known (the
quads the update inserts and deletes, gmg.delta, which the engine works out to
check it) is made to the copy too, inside the write (`follow`): a triple leaves
the copy only when no graph of the default graph holds it any more. So after an
update the copy answers at once, and is not made again (a copy of a million
quads took 11.6 s of CPU, and the union answered meanwhile). The change is
checked against the store first: every quad it inserts must be there as said,
every quad it deletes gone. Only a write whose change is not known (an update
checked the long way, a rebuild) or not the store's as said (blank nodes the
update makes, which the store labels itself, while the copy must share its
labels) leaves the copy behind until it is made again. Until then (and at start,
until the first), queries take the union, as before: slower, and not quite the same.
pyoxigraph's union does not merge a triple that two of the graphs hold, so it is
two solutions there: on the article's data three triples (the instances restate
ontology triples to annotate them), so `COUNT(*)` gives 12,053 over the union
and 12,050 over the copy. A merged graph kept in the store (as remote mode
publishes one) would remove the difference at start too.

A copy is made again only once the store has had no write for QUIET seconds (the
first, at start, at once: the load just before it is no stream of updates): under a
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
        if version % 2 == 0:  # (not during a write: it may bring the copy along, see `follow`)
            self.refresh()
        return None

    def refresh(self, at_once: bool = False) -> None:
        """Start building a copy in the background (unless one is being built); `at_once`: without
        waiting for the store to be quiet (the first copy, at start: the load that may have just
        ended is no stream of updates)."""
        with self._lock:
            if self._building:
                return
            self._building = True
        threading.Thread(target=self._build, args=(at_once,), name="gmg-default-graph", daemon=True).start()

    def _build(self, at_once: bool = False) -> None:
        try:
            # Copies take at most half of one core: after a copy that took t seconds, the next
            # starts t seconds after it ended (under a stream of updates on a large store the
            # union answers more often, rather than the copies eating the CPU).
            threading.Event().wait(max(0.0, self._cost - (time.monotonic() - self._ended)))
            while not at_once and (quiet := QUIET - (time.monotonic() - self._source.last_write)) > 0:
                threading.Event().wait(quiet)
            for _ in range(3):  # (a copy that a write overtakes is thrown away)
                version = self._source.version
                if version % 2:  # a write is under way
                    threading.Event().wait(0.01)
                    continue
                if self._store is not None and self._version == version:
                    return  # (the writes since it was asked for brought the copy along)
                started = time.monotonic()
                store = self._copy()
                self._cost, self._ended = time.monotonic() - started, time.monotonic()
                with self._lock:  # (not while a write's change is made to the copy that is there)
                    if store is not None and self._source.version == version:
                        self._store, self._version = store, version
                        return
        except Exception as err:  # the union answers meanwhile: slower, never wrong
            log.warning("the default graph of queries could not be materialised: %s", err)
        finally:
            with self._lock:
                self._building = False

    def follow(self, change, before: int, after: int) -> None:
        """Make a write's change (gmg.delta.Delta, or None when not known) to the copy, if the copy
        held the store as it was at `before`: it is then the store's at `after` (called inside the
        write, once the store has it: readers take the union until the write ends)."""
        with self._lock:
            if change is None or self._store is None or self._version != before or not self._as_said(change):
                return  # (left behind: made again once the store is quiet)
            try:
                self._make(change)
            except Exception as err:  # a copy left half changed is never used
                self._version = -1
                log.warning("the default graph of queries could not follow an update: %s", err)
                return
            self._version = after

    def _as_said(self, change) -> bool:
        """Whether the store now holds every quad the change inserts, with the same labels for its
        blank nodes, and none it deletes."""
        inner = self._source._store
        return all(q in inner for q in change.inserted) and not any(q in inner for q in change.deleted)

    def _make(self, change) -> None:
        inner, copy, default = self._source._store, self._store, ox.DefaultGraph()
        graphs = set(self._source.default_dataset())
        gone = {q.triple for q in change.deleted if q.graph_name in graphs}
        for t in gone:
            if not any(q.graph_name in graphs for q in inner.quads_for_pattern(t.subject, t.predicate, t.object)):
                copy.remove(ox.Quad(t.subject, t.predicate, t.object, default))
        copy.extend([ox.Quad(q.subject, q.predicate, q.object, default) for q in change.inserted if q.graph_name in graphs])

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

