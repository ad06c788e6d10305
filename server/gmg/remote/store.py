"""A remote triple store behind gmg: the engine's interface over the SPARQL 1.1 Protocol.

`RemoteStore` answers the web layer the way `EngineSupervisor` does (`query`,
`update`, `engine_info`, `start`/`stop`/`reload`, `stats`, `journal`), so the
routes, pages, search, VoID and dumps work unchanged on either. gmg's rules hold
whatever the store allows:

- the lexer guard runs in the web layer before a query gets here; here the query
  is parsed by pyoxigraph too (on an empty store), so a syntax error is the same
  400 as on the embedded store and the store never sees it;
- the dataset: explicit protocol parameters (dataset.py), relative IRIs against
  gmg's base;
- the time limit is gmg's: past it the request to the store is abandoned (its
  connection closed) and the client gets gmg's time-limit answer; the row cap is
  gmg's, the rest of a longer answer left unread;
- the answer is read in a format gmg parses (SPARQL JSON, N-Triples) and written
  by gmg's own serialisers, so formats, prefixes and headers are the embedded
  store's;
- an unreachable or failing store gets 502 saying what to check; reads are tried
  again with backoff (a query is idempotent) while the time limit allows.

A worker thread does the HTTP request, the parsing and the serialising (pyoxigraph's
iterators stay in the thread that made them) into a temporary file; the client
reads from that file at its own pace and holds no slot meanwhile.
"""

from __future__ import annotations

import asyncio
import io
import logging
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pyoxigraph as ox

from .. import incremental
from ..engine.supervisor import Answer, EngineBusy, EngineFailure, EngineStats, QueryTimeout, UpdateFailure
from ..formats import GRAPH, RESULTS, NotAcceptable, negotiate
from ..iris import CHANGES_GRAPH, MERGED_GRAPH, METADATA_GRAPH, NAME_ONLY_GRAPHS, PREFIXES
from ..query import LIMIT_HEADER, Head, QueryRequest
from ..results import CHUNK, PREFIXED, WRITERS, chunked, solutions
from ..update import protected_message
from .dialect import canonical, canonical_row, canonical_triple, portable
from .dataset import NO_GRAPH, checking_query, protocol_dataset, with_base
from .endpoints import Credentials, Endpoints
from .updates import (STAMP_QUERY, blank_nodes, change_text, concrete_change, dump_quads, modified_now,
                      refuse_stored_blank_nodes, stamp_text)
from .view import RemoteQuads
from ..engine.admission import Admission
from ..engine.validator import NICENESS, Checker

log = logging.getLogger("gmg.remote")

RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.8"
GRAPH_ACCEPT = "application/n-triples, text/plain;q=0.9, text/turtle;q=0.8, application/rdf+xml;q=0.5"
RETRY_STATUSES = (502, 503, 504)
BACKOFF = (0.2, 0.5, 1.0)  # seconds before the 2nd, 3rd and 4th try of a read
GRAPHS_TTL = 30.0  # seconds gmg trusts its list of the store's gmg graphs
CHANGES_TTL = 5.0  # seconds between two looks at the store's mark of its last change (updates.py)
_UNSEEN = object()
GMG_KEEPS = frozenset({str(MERGED_GRAPH), str(CHANGES_GRAPH)})  # graphs gmg keeps in a store, not its named graphs
MERGED_PROBE = f"SELECT ?s WHERE {{ GRAPH <{MERGED_GRAPH}> {{ ?s ?p ?o }} }} LIMIT 1"  # (does the store hold one?)
VOID_SUBSET = "http://rdfs.org/ns/void#subset"
UPDATE_TIMEOUT = 60.0  # seconds for one update: reading the graphs, the check, the change


class _Abandoned(Exception):
    """The time limit passed: the request to the store was given up."""


@dataclass
class _Job:
    """One request to the store, as the worker thread and the event loop both see it."""

    deadline: float
    abandoned: bool = False
    response: httpx.Response | None = None

    def abandon(self) -> None:
        self.abandoned = True
        response = self.response
        if response is not None:
            try:
                response.close()  # the store sees its connection go and (most stores) stops
            except Exception:
                pass

    def remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if self.abandoned or left <= 0:
            raise _Abandoned()
        return left


class _Reader(io.RawIOBase):
    """The body of a streamed response as a file, for pyoxigraph's parsers."""

    def __init__(self, response: httpx.Response):
        self._chunks = _virtuoso_bnodes(response.iter_bytes()) if "json" in _media(response) else response.iter_bytes()
        self._left = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._left:
            try:
                self._left = next(self._chunks)
            except StopIteration:
                return 0
        n = min(len(buffer), len(self._left))
        buffer[:n] = self._left[:n]
        self._left = self._left[n:]
        return n


VIRTUOSO_BNODE = b'"nodeID://'  # Virtuoso's blank node values in SPARQL JSON ("nodeID://b10006")


def _virtuoso_bnodes(chunks):
    """JSON results with Virtuoso's blank node values made plain labels (b10006), which parsers accept."""
    keep = len(VIRTUOSO_BNODE) - 1
    carry = b""
    for chunk in chunks:
        data = (carry + chunk).replace(VIRTUOSO_BNODE, b'"')
        carry, data = data[-keep:], data[:-keep]
        if data:
            yield data
    if carry:
        yield carry.replace(VIRTUOSO_BNODE, b'"')


class _FileBody:
    """An answer's bytes from its temporary file, as an async iterator that closes the file."""

    def __init__(self, file):
        self._file = file

    def __aiter__(self) -> "_FileBody":
        return self

    async def __anext__(self) -> bytes:
        if self._file is None:
            raise StopAsyncIteration
        data = self._file.read(CHUNK)
        if not data:
            await self.aclose()
            raise StopAsyncIteration
        return data

    async def aclose(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class _NoJournal:
    """Remote mode keeps no journal (durability is the store's own); /health reads these fields."""

    write_error = None
    dropped_torn_bytes = 0
    last_seq = 0

    def __init__(self):
        self.updates = 0  # updates acknowledged through this server
        self.changes_seen = 0  # changes made through another (a writer elsewhere, gmg publish)

    def __len__(self) -> int:  # (the web layer's caches are keyed by it: they are rebuilt when it grows)
        return self.updates + self.changes_seen

    def entries(self) -> tuple:
        return ()


class RemoteStore:
    def __init__(self, endpoints: Endpoints, credentials: Credentials = Credentials(), *, timeout: float = 10.0,
                 max_active: int = 8, max_waiting: int = 64, queue_timeout: float = 5.0, updates: bool = False):
        self.endpoints, self.credentials = endpoints, credentials
        self.updates = updates  # (this server takes updates: their checker is started with it)
        self.timeout = timeout
        self.stats = EngineStats()
        self.journal = _NoJournal()
        self.store_error: str | None = None
        self.info: dict = {}
        self._admission = Admission(max_active, max_waiting, queue_timeout)
        self._pool = ThreadPoolExecutor(max_workers=max_active + 2, thread_name_prefix="gmg-remote")
        self._local = threading.local()  # one HTTP client per worker thread
        self._clients: list[httpx.Client] = []
        self._clients_lock = threading.Lock()
        self._graphs: list[str] = []
        self._merged: str | None = None  # the merged default graph, once the store is seen to hold it
        self._stamp: object = _UNSEEN  # the store's mark of its last change, as last read
        self._stamp_at = 0.0
        self._written_graphs: set[str] = set()
        self._graphs_at = 0.0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._write_lock = asyncio.Lock()
        self._checker: Checker | None = None

    # -- life cycle ------------------------------------------------------------------
    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        if self.updates:  # (not at the first update, which waited seconds for it: 8.4 s on a busy machine)
            self._checker = Checker(None, NICENESS)
            try:
                self._checker.start()  # (it reads the shapes and the ontology meanwhile)
            except OSError as err:  # (the first update starts it again, and says so if it cannot)
                log.warning("the update checker could not be started: %s", err)
            self._loop.run_in_executor(self._pool, _warm_up)
        try:
            info = await self.engine_info()
            log.info("remote store %s answers: %s triples in %d graphs", self.endpoints.query, info["triples"],
                     len(info["named_graphs"]))
        except (EngineFailure, QueryTimeout, EngineBusy) as err:  # serve anyway: /health and 502s say why
            log.warning("the remote store does not answer yet: %s", err)

    async def stop(self) -> None:
        if self._checker is not None:
            self._checker.stop()
        self._pool.shutdown(wait=False, cancel_futures=True)
        with self._clients_lock:
            for client in self._clients:
                client.close()

    async def reload(self) -> None:
        """The sources changed (--watch): in remote mode the store is published with `gmg publish`."""
        self._graphs_at = 0.0

    def write_problem(self, extra: int = 0) -> tuple[int, str] | None:
        return None  # (no local disk is written: the store's own state is the store's to report)

    def write_failing(self) -> bool:
        return False

    async def recover(self) -> None:
        """Nothing to recover locally: a failed write left the store as it was (see updates.py)."""

    # -- the worker side -------------------------------------------------------------
    def _client(self) -> httpx.Client:
        client = getattr(self._local, "client", None)
        if client is None:
            client = httpx.Client(auth=self.credentials.auth())
            self._local.client = client
            with self._clients_lock:
                self._clients.append(client)
        return client

    def _post(self, job: _Job, url: str, data: dict | list, accept: str) -> httpx.Response:
        """POST a form to the store and return the streamed response (status < 300); tries again
        with backoff when the store cannot be reached or answers 502/503/504."""
        client = self._client()
        form: dict[str, list[str]] = {}
        for name, value in (data.items() if isinstance(data, dict) else data):
            form.setdefault(name, []).append(value)
        problem = ""
        for attempt in range(len(BACKOFF) + 1):
            left = job.remaining()
            request = client.build_request("POST", url, data=form, headers={"Accept": accept},
                                           timeout=httpx.Timeout(left, connect=min(left, 3.0)))
            try:
                response = client.send(request, stream=True)
            except httpx.TimeoutException:
                raise _Abandoned() from None
            except httpx.TransportError as err:
                if job.abandoned:
                    raise _Abandoned() from None
                problem = (f"The triple store at {url} cannot be reached ({type(err).__name__}: {err}). "
                           "Check that it is running and that --store-url is right.")
            else:
                job.response = response
                if response.status_code < 300:
                    return response
                text = _excerpt(response.read().decode("utf-8", "replace"))
                response.close()
                if response.status_code in (401, 403):
                    raise EngineFailure(502, f"The triple store at {url} refused gmg's credentials "
                                             f"({response.status_code}: {text}). Check GMG_STORE_USER, "
                                             "GMG_STORE_PASSWORD, GMG_STORE_TOKEN, GMG_STORE_AUTH or the "
                                             "--store-credentials file.")
                problem = f"The triple store at {url} answered {response.status_code}: {text}"
                if response.status_code not in RETRY_STATUSES:
                    status = 400 if response.status_code == 400 else 502
                    raise EngineFailure(status, problem)
            if attempt < len(BACKOFF) and job.deadline - time.monotonic() > BACKOFF[attempt]:
                self.stats.retried += 1
                time.sleep(BACKOFF[attempt])
            else:
                break
        raise EngineFailure(502, problem + " Please retry later.")

    def _select(self, job: _Job, text: str, params: list[tuple[str, str]]) -> list:
        """Rows of a SELECT the server itself sends (graph lists, counts), as dicts of pyoxigraph terms."""
        response = self._post(job, self.endpoints.query, [("query", text), *params], RESULTS_ACCEPT)
        try:
            result = ox.parse_query_results(_Reader(response), format=_results_format(response))
            return [{v.value: canonical(row[v.value]) for v in result.variables if row[v.value] is not None}
                    for row in result]
        finally:
            response.close()

    def _answer(self, job: _Job, request: QueryRequest, graphs: list[str]):
        """Parse, ask the store, serialise into a temporary file: (Head, file positioned at 0)."""
        kind = _kind(request)
        fmt = negotiate(request.accept, kind, request.format)
        text, dataset = protocol_dataset(request, graphs, self._merged)
        params = [("query", with_base(portable(text), request.base_iri)), *dataset]
        response = self._post(job, self.endpoints.query, params, RESULTS_ACCEPT if kind == RESULTS else GRAPH_ACCEPT)
        out = tempfile.SpooledTemporaryFile(max_size=1 << 20, prefix="gmg-remote-")
        headers: dict[str, str] = {}
        try:
            truncated = False
            if kind == RESULTS:
                result = ox.parse_query_results(_Reader(response), format=_results_format(response))
                if isinstance(result, ox.QuerySolutions):
                    headers[LIMIT_HEADER] = str(request.max_rows)  # (the cap, as the engine announces it)
                    variables, rows, truncated = solutions(result, request.max_rows)
                    for piece in chunked(WRITERS[fmt.name](variables, map(canonical_row, rows))):
                        out.write(piece)
                else:
                    result.serialize(out, format=fmt.oxigraph)
            else:
                triples = [canonical_triple(q.triple if isinstance(q, ox.Quad) else q)
                           for q in ox.parse(_Reader(response), format=_rdf_format(response))]
                if fmt.oxigraph in PREFIXED:
                    ox.serialize(triples, out, format=fmt.oxigraph, prefixes=PREFIXES)
                else:
                    ox.serialize(triples, out, format=fmt.oxigraph)
        except SyntaxError as err:
            out.close()
            if job.abandoned:
                raise _Abandoned() from None
            raise EngineFailure(502, f"The triple store at {self.endpoints.query} sent an answer gmg cannot "
                                     f"read: {err}") from None
        except (httpx.TransportError, OSError, ValueError) as err:
            out.close()
            if job.abandoned or isinstance(err, httpx.TimeoutException):
                raise _Abandoned() from None
            raise EngineFailure(502, f"The triple store at {self.endpoints.query} broke off its answer "
                                     f"({type(err).__name__}: {err}). Please retry.") from None
        finally:
            response.close()  # (a truncated answer: the rest is left unread)
        out.seek(0)
        return Head(kind, fmt, truncated, headers=headers), out

    # -- the event-loop side --------------------------------------------------------
    async def _run(self, work, *args, timeout: float | None = None):
        """Run `work(job, *args)` in a worker thread within the time limit; abandon it past the limit."""
        loop = asyncio.get_running_loop()
        job = _Job(time.monotonic() + (timeout or self.timeout))
        future = loop.run_in_executor(self._pool, work, job, *args)
        try:
            return await asyncio.wait_for(asyncio.shield(future), job.deadline - time.monotonic() + 0.05)
        except (asyncio.TimeoutError, _Abandoned):
            job.abandon()
            self.stats.timeouts += 1
            raise QueryTimeout(
                f"The query took longer than the limit of {timeout or self.timeout:g} s and was stopped (the request to the "
                "triple store was abandoned). Narrow it down (add LIMIT, more specific patterns or fewer "
                "OPTIONALs) and try again.") from None
        except asyncio.CancelledError:  # the client went away
            job.abandon()
            self.stats.cancelled += 1
            raise

    async def query(self, request: QueryRequest, time_limit: float | None = None) -> Answer:
        await self._admission.acquire()
        try:
            graphs = await self._known_graphs()
            try:
                head, file = await self._run(self._answer, request, graphs, timeout=time_limit)
            except NotAcceptable as err:
                raise EngineFailure(406, str(err)) from None
            except _QueryError as err:
                raise EngineFailure(400, str(err)) from None
        finally:
            self._admission.release()
        return Answer(head, _FileBody(file))

    def data_tag(self) -> None:
        """None: other replicas write the store too, so no answer can be named by this one's writes."""
        return None

    async def look_for_changes(self) -> None:
        """Read the store's mark of its last change (at most every CHANGES_TTL seconds); another's
        change means the caches derived from the data are stale: `len(self.journal)` grows."""
        if time.monotonic() - self._stamp_at <= CHANGES_TTL:
            return
        rows = await self._run(self._select, STAMP_QUERY, [("named-graph-uri", str(CHANGES_GRAPH))])
        stamp = rows[0]["modified"].value if rows else None
        if self._stamp is not _UNSEEN and stamp != self._stamp:
            self.journal.changes_seen += 1
            self._graphs_at = 0.0  # (graphs may have come or gone too)
            log.info("the store changed (its mark went from %s to %s): the derived caches are rebuilt",
                     self._stamp, stamp)
        self._stamp, self._stamp_at = stamp, time.monotonic()

    async def _known_graphs(self) -> list[str]:
        """gmg's graphs in the store: those the metadata graph lists, itself, and those written through gmg."""
        await self.look_for_changes()
        if time.monotonic() - self._graphs_at > GRAPHS_TTL:
            text = (f"SELECT DISTINCT ?g WHERE {{ GRAPH <{METADATA_GRAPH}> {{ ?dataset <{VOID_SUBSET}> ?g }} "
                    "FILTER(isIRI(?g)) }")
            rows = await self._run(self._select, text, [])
            published = {row["g"].value for row in rows}
            if published:
                published.add(str(METADATA_GRAPH))
            merged = await self._run(self._select, MERGED_PROBE, [("named-graph-uri", str(MERGED_GRAPH))])
            self._merged = str(MERGED_GRAPH) if merged else None
            self._graphs = sorted((published | self._written_graphs) - GMG_KEEPS)
            self._graphs_at = time.monotonic()
        return self._graphs

    async def engine_info(self) -> dict:
        """The store's facts as the engine gives them (triples, named graphs), and whether it answers."""
        started = time.monotonic()
        where = {"kind": "remote", "query_url": self.endpoints.query, "update_url": self.endpoints.update,
                 "graph_store_url": self.endpoints.graph_store, "credentials": self.credentials.describe()}
        self._graphs_at = 0.0  # look again
        text = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        try:
            graphs = await self._known_graphs()
            params = [("named-graph-uri", g) for g in graphs or [NO_GRAPH]]
            rows = await self._run(self._select, text, params)
        except QueryTimeout:
            raise EngineFailure(504, f"The triple store at {self.endpoints.query} did not answer within "
                                     f"{self.timeout:g} s.") from None
        triples = int(rows[0]["n"].value) if rows and "n" in rows[0] else 0
        self.info = {"triples": triples, "named_graphs": graphs, "pid": None,
                     "store": {**where, "answers": True, "seconds": round(time.monotonic() - started, 3)}}
        if not graphs:
            self.info["store"]["warning"] = (f"the store holds no gmg graphs (no {METADATA_GRAPH}): "
                                             "publish them with gmg publish --to its graph store URL")
        return self.info

    async def update(self, text: str, base_iri: str | None) -> None:
        """Check the update with the shapes, then send its concrete change as one request (updates.py)."""
        if not self.endpoints.update:
            raise UpdateFailure(501, "No update endpoint of the store is known: give --update-url.")
        async with self._write_lock:  # (a client that goes away does not cut an update in two)
            await asyncio.shield(self._update(text, base_iri))

    async def _update(self, text: str, base_iri: str | None) -> None:
        loop = asyncio.get_running_loop()
        self._graphs_at = 0.0
        try:
            graphs = await self._known_graphs()
        except (QueryTimeout, EngineFailure) as err:
            raise UpdateFailure(502, f"The update was not applied: the store cannot be read ({err}).") from None
        job = _Job(time.monotonic() + UPDATE_TIMEOUT)
        if self._checker is None:  # (a store made without `updates`)
            self._checker = Checker(None, NICENESS)
        try:  # the short way: the change and its neighbourhoods read through queries (updates.py)
            prepared = await loop.run_in_executor(self._pool, self._prepare, job, text, base_iri, graphs)
        except (_Abandoned, EngineFailure) as err:
            raise _unreadable(err) from None
        if prepared is not None:
            check, change = prepared
            verdict = await loop.run_in_executor(self._pool, self._checker.judge, check, UPDATE_TIMEOUT)
            inserted, deleted = change.inserted, change.deleted
        else:  # the long way: a copy of gmg's graphs
            try:
                nquads = await loop.run_in_executor(self._pool, self._dump, job, graphs)
            except (_Abandoned, EngineFailure) as err:
                raise _unreadable(err) from None
            verdict = await loop.run_in_executor(self._pool, self._checker.check, nquads, text, base_iri,
                                                 UPDATE_TIMEOUT)
            if verdict[0] == "ok":
                try:
                    inserted, deleted = await loop.run_in_executor(self._pool, concrete_change, nquads, text,
                                                                   base_iri)
                except (SyntaxError, ValueError, OSError) as err:
                    raise UpdateFailure(400, f"The update cannot be applied: {err}") from None
        if verdict[0] != "ok":
            raise UpdateFailure(*verdict[1:])
        if not inserted and not deleted:
            return
        kept = sorted(_graph_names((*inserted, *deleted)) & GMG_KEEPS)
        if kept:
            raise UpdateFailure(403, f"The update would change {', '.join(kept)}, which gmg keeps in step with "
                                     "the other graphs (the merged default graph, the mark of the last change): "
                                     "write to the graphs themselves instead.")
        if self._merged:
            try:
                inserted, deleted = await loop.run_in_executor(self._pool, self._with_merged, job, inserted, deleted,
                                                               graphs)
            except (_Abandoned, EngineFailure) as err:
                raise _unreadable(err) from None
        change_request = change_text(inserted, deleted) + " ;\n" + stamp_text(modified_now())
        await loop.run_in_executor(self._pool, self._send_change, job, change_request)
        self.journal.updates += 1  # (the caches keyed by it are built again)
        self._stamp, self._stamp_at = _UNSEEN, 0.0  # its own mark, read back as the store writes it out
        try:
            await self.look_for_changes()
        except (EngineFailure, QueryTimeout, EngineBusy):
            pass  # (then read at the next look)
        self._written_graphs |= _graph_names(inserted)
        self._graphs_at = 0.0

    def _with_merged(self, job: _Job, inserted, deleted, graphs: list[str]) -> tuple[set, set]:
        """The change with the merged default graph kept in step: a triple added to a graph it merges
        is added to it; one deleted leaves it only if no graph it merges holds it after the change."""
        data = sorted((set(graphs) | _graph_names((*inserted, *deleted))) - NAME_ONLY_GRAPHS - GMG_KEEPS)
        ins = {q for q in inserted if _graph_name(q) in data}
        dels = {q for q in deleted if _graph_name(q) in data}
        gone = {q.triple for q in dels if not blank_nodes(q)} - {q.triple for q in ins}
        store = RemoteQuads(lambda query: self._select(job, *checking_query(query, None, data)))
        held = store.present(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g)) for t in gone for g in data)
        kept = {q.triple for q in held - dels}
        merged = ox.NamedNode(str(MERGED_GRAPH))
        return (set(inserted) | {ox.Quad(q.subject, q.predicate, q.object, merged) for q in ins},
                set(deleted) | {ox.Quad(t.subject, t.predicate, t.object, merged) for t in gone - kept})

    def _prepare(self, job: _Job, text: str, base_iri: str | None, graphs: list[str]):
        """The incremental check's job and the update's change, read from the store; None for the long way."""
        given: set[str] = set()  # the store's blank nodes the queries met

        def rows(query: str) -> list[dict]:
            text, dataset = checking_query(portable(query), base_iri, graphs)
            found = self._select(job, text, dataset)
            given.update(term.value for row in found for term in row.values() if isinstance(term, ox.BlankNode))
            return found

        try:
            prepared = incremental.prepare_change(RemoteQuads(rows), rows, text, base_iri=base_iri)
            refuse_stored_blank_nodes(prepared[1].inserted, given)
        except SyntaxError as err:
            raise UpdateFailure(400, f"SPARQL update syntax error: {err}") from None
        except PermissionError as err:
            raise UpdateFailure(403, protected_message(str(err))) from None
        except (incremental.NotIncremental, ValueError, OSError) as err:
            log.info("checking an update the long way: %s", err)
            return None
        return prepared

    def _dump(self, job: _Job, graphs: list[str]) -> bytes:
        """gmg's graphs of the store as N-Quads (one CONSTRUCT per graph)."""
        found = {}
        for graph in graphs:
            text = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
            response = self._post(job, self.endpoints.query, [("query", text), ("named-graph-uri", graph)],
                                  GRAPH_ACCEPT)
            try:
                found[graph] = [canonical_triple(q.triple if isinstance(q, ox.Quad) else q)
                                for q in ox.parse(_Reader(response), format=_rdf_format(response))]
            finally:
                response.close()
        return dump_quads(found)

    def _send_change(self, job: _Job, change: str) -> None:
        url = self.endpoints.update
        try:
            response = self._client().post(url, data={"update": change}, timeout=UPDATE_TIMEOUT)
        except httpx.ConnectError as err:
            raise UpdateFailure(502, f"The update was not applied: the store's update endpoint {url} cannot be "
                                     f"reached ({err}).") from None
        except httpx.TransportError as err:
            raise UpdateFailure(502, f"The store's update endpoint {url} broke off ({type(err).__name__}): the "
                                     "update may or may not have been applied; look with a query before sending "
                                     "it again.") from None
        if response.status_code >= 300:
            what = ("refused gmg's credentials: check GMG_STORE_USER, GMG_STORE_PASSWORD, GMG_STORE_TOKEN, "
                    "GMG_STORE_AUTH or the --store-credentials file" if response.status_code in (401, 403)
                    else f"answered {response.status_code}: {_excerpt(response.text)}")
            raise UpdateFailure(502, f"The update was not applied: the store's update endpoint {url} {what}.")


class _QueryError(ValueError):
    pass


_EMPTY = threading.local()


def _kind(request: QueryRequest) -> str:
    """RESULTS or GRAPH; parsing the query as the embedded store would (a syntax error is a 400 here)."""
    store = getattr(_EMPTY, "store", None)
    if store is None:
        store = _EMPTY.store = ox.Store()
    try:
        result = store.query(request.text, base_iri=request.base_iri)
    except SyntaxError as err:
        raise _QueryError(f"SPARQL syntax error: {err}") from None
    except (ValueError, OSError) as err:
        raise _QueryError(f"Query failed: {err}") from None
    return GRAPH if isinstance(result, ox.QueryTriples) else RESULTS


def _graph_name(quad) -> str | None:
    """The quad's named graph (None for the store's own default graph, which is none of gmg's)."""
    return quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else None


def _graph_names(quads) -> set[str]:
    return {name for name in map(_graph_name, quads) if name is not None}


def _unreadable(err) -> UpdateFailure:
    return UpdateFailure(502, f"The update was not applied: the store's graphs could not be read "
                              f"({getattr(err, 'message', 'too slow')}).")


def _media(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def _results_format(response: httpx.Response) -> ox.QueryResultsFormat:
    media = _media(response)
    if "xml" in media:
        return ox.QueryResultsFormat.XML
    if "tab-separated" in media:
        return ox.QueryResultsFormat.TSV
    return ox.QueryResultsFormat.JSON


def _rdf_format(response: httpx.Response) -> ox.RdfFormat:
    media = _media(response)
    if media == "text/plain":  # (N-Triples, as some stores still name it)
        return ox.RdfFormat.N_TRIPLES
    return ox.RdfFormat.from_media_type(media) or ox.RdfFormat.N_TRIPLES


def _excerpt(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def _warm_up() -> None:
    """Prepare a made-up update against an empty store in memory (gmg.update.warm_up), so that the
    first update does not wait for the imports of what prepares a check; a failure is only logged."""
    from ..store import GraphStore
    from ..update import warm_up

    try:
        warm_up(GraphStore())
    except Exception:
        log.exception("warming up the update check failed")
