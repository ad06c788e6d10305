"""Real triple stores for the remote-mode tests: started on free loopback ports, stopped after.

`OxigraphServer` (PyPI `oxigraph`, the `oxigraph` command) and `VirtuosoServer`
(Debian `virtuoso-opensource-7-bin`, `virtuoso-t`, with a database folder of its
own). `Proxy` stands in front of a store and asks for credentials, so wrong
credentials can be tested on a store that has none, or refuses one graph's upload. `same_answer` says whether two
HTTP answers of gmg (embedded store, remote store) say the same.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

import httpx

from conftest import ROOT, free_port


def oxigraph_command() -> str | None:
    here = Path(sys.executable).parent / "oxigraph"
    return str(here) if here.exists() else shutil.which("oxigraph")


def _wait(url: str, process: subprocess.Popen, log, timeout: float = 60.0, auth=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}:\n{Path(log.name).read_text()}")
        try:
            httpx.get(url, timeout=1, auth=auth)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout} s:\n{Path(log.name).read_text()}")


class _Process:
    process: subprocess.Popen | None = None

    def _start(self, command: list[str], probe: str, cwd: str | None = None, timeout: float = 60.0, auth=None):
        self.log = tempfile.NamedTemporaryFile("w+", prefix="gmg-store-", suffix=".log")
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT, cwd=cwd)
        _wait(probe, self.process, self.log, timeout, auth)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class OxigraphServer(_Process):
    """`oxigraph serve` in memory (or read-only on a folder) on a free port."""

    def __init__(self, read_only_of: Path | None = None, timeout_s: int = 5):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.query_url, self.update_url, self.graph_store_url = (self.url + p for p in ("/query", "/update", "/store"))
        command = [oxigraph_command()]
        if read_only_of is not None:
            command += ["serve-read-only", "--location", str(read_only_of)]
        else:
            command += ["serve"]
        # the store's own time limit bounds what an abandoned query still costs the machine
        command += ["--bind", f"127.0.0.1:{self.port}", "--timeout-s", str(timeout_s)]
        self._start(command, self.url + "/query?query=ASK%7B%7D")


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = {sql_port}
LiteMode = 0
DisableUnixSocket = 1
DisableTcpSocket = 0
ServerThreads = 10
CheckpointInterval = 60
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
CaseMode = 2
MaxStaticCursorRows = 5000
DirsAllowed = ., {dir}
TimezonelessDatetimes = 1

[HTTPServer]
ServerPort = {http_port}
ServerRoot = {dir}
ServerThreads = 10
MaxClientConnections = 10
EnabledDavVSP = 0
HTTPProxyEnabled = 0

[Client]
SQL_PREFETCH_ROWS = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT = 0
SQL_TXN_TIMEOUT = 0

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 60
DefaultQuery = select distinct ?Concept where {{[] a ?Concept}} LIMIT 100
"""

# The SPARQL user may write through the unauthenticated graph store and update endpoints
# (a test store on loopback only); `dba` / `dba` is the account of the Digest endpoints.
VIRTUOSO_GRANTS = """\
GRANT SPARQL_UPDATE TO "SPARQL";
GRANT EXECUTE ON DB.DBA.SPARQL_INSERT_DICT_CONTENT TO "SPARQL";
GRANT EXECUTE ON DB.DBA.SPARQL_DELETE_DICT_CONTENT TO "SPARQL";
DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);
"""


def virtuoso_command() -> str | None:
    return shutil.which("virtuoso-t")


class VirtuosoServer(_Process):
    """Virtuoso Open Source 7 with a database folder of its own, on two free ports (SQL, HTTP)."""

    def __init__(self):
        self.dir = tempfile.TemporaryDirectory(prefix="gmg-virtuoso-")
        self.sql_port, self.port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.query_url = self.url + "/sparql"
        self.graph_store_url = self.url + "/sparql-graph-crud"
        self.graph_store_auth_url = self.url + "/sparql-graph-crud-auth"
        ini = Path(self.dir.name) / "virtuoso.ini"
        ini.write_text(VIRTUOSO_INI.format(dir=self.dir.name, sql_port=self.sql_port, http_port=self.port))
        self._start([virtuoso_command(), "+foreground", "+configfile", str(ini)], self.query_url + "?query=ASK%7B%7D",
                    cwd=self.dir.name, timeout=120)
        isql = shutil.which("isql-vt") or shutil.which("isql")
        subprocess.run([isql, str(self.sql_port), "dba", "dba"], input=VIRTUOSO_GRANTS, text=True,
                       capture_output=True, check=True, timeout=60)

    def stop(self) -> None:
        super().stop()
        self.dir.cleanup()


class Proxy:
    """A reverse proxy in front of a store that asks for credentials (Basic or Bearer) when given them,
    and refuses uploads (PUT, POST) of one graph when told to."""

    def __init__(self, target: str, *, user: str | None = None, password: str = "", token: str | None = None,
                 refuse_graph: str | None = None):
        expected = (f"Bearer {token}" if token else
                    "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode() if user else None)
        scheme = "Bearer" if token else "Basic"

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _answer(self, status: int, body: bytes = b"", headers: dict | None = None):
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _forward(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if expected and self.headers.get("Authorization") != expected:
                    return self._answer(401, b"Unauthorized", {"WWW-Authenticate": f'{scheme} realm="store"'})
                if refuse_graph and self.command in ("PUT", "POST") and refuse_graph in unquote(self.path):
                    return self._answer(403, b"This graph may not be written here.")
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "authorization", "content-length", "connection")}
                response = httpx.request(self.command, target + self.path, content=body, headers=headers, timeout=60)
                kept = {k: v for k, v in response.headers.items() if k.lower() == "content-type"}
                self._answer(response.status_code, response.content, kept)

            do_GET = do_POST = do_PUT = do_DELETE = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def built_store(folder: Path) -> Path:
    """An on-disk store of the sources (loaded, not validated: publishing from it takes seconds)."""
    import gc

    from gmg.store import open_store

    store = open_store(store_path=folder)
    store.close()
    del store
    gc.collect()  # (RocksDB lets go of its lock with the last reference)
    return folder


def publish(to: str, *args: str, env: dict | None = None, store: Path | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "gmg.cli", "publish", "--to", to, *args]
    if store is not None:
        command += ["--store", str(store)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})},
                          cwd=ROOT)


# --- comparing answers ----------------------------------------------------------------

def _bindings(body: bytes) -> object:
    data = json.loads(body)
    if "boolean" in data:
        return data["boolean"]

    def value(term):  # blank node labels are the store's own: compare them as "a blank node"
        return ("bnode",) if term["type"] == "bnode" else tuple(sorted(term.items()))

    return data["head"]["vars"], Counter(tuple(sorted((k, value(v)) for k, v in b.items()))
                                         for b in data["results"]["bindings"])


def _graph(body: bytes, media: str):
    from rdflib import Graph
    from rdflib.compare import to_isomorphic

    fmt = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
           "application/rdf+xml": "xml", "application/n-quads": "nquads", "application/trig": "trig"}[media]
    if fmt in ("nquads", "trig"):
        from rdflib import Dataset
        ds = Dataset()
        ds.parse(data=body, format=fmt)
        return sorted((str(g.identifier), to_isomorphic(Graph() + g)) for g in ds.graphs() if len(g))
    return to_isomorphic(Graph().parse(data=body, format=fmt))


def _lines(body: bytes) -> Counter:
    return Counter(body.decode("utf-8").splitlines())


def comparable(response: httpx.Response):
    """What two answers must share: status, media type, and content up to order and blank node labels
    (the server's own URL, in links it writes, is read as one placeholder)."""
    own = str(response.request.url.copy_with(path="/", query=None, fragment=None)).rstrip("/").encode()
    response = httpx.Response(response.status_code, headers=response.headers,
                              content=response.content.replace(own, b"http://gmg.test"), request=response.request)
    media = response.headers.get("content-type", "").split(";")[0]
    truncated = response.headers.get("gmg-results-truncated")
    if response.status_code != 200:
        content = None
    elif media == "application/sparql-results+json":
        content = _bindings(response.content)
    elif media in ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml",
                   "application/n-quads", "application/trig"):
        content = _graph(response.content, media)
    elif media in ("text/csv", "text/tab-separated-values"):
        content = _lines(response.content)
    elif media == "application/sparql-results+xml":
        content = len(response.content.split(b"<result>"))
    else:
        content = None  # pages: their status and type only (they carry timings)
    return response.status_code, media, truncated, content
