"""Benchmark gmg against the Oxigraph server and rdflib-endpoint on the same data and queries, in one run.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python benchmarks/benchmark.py [--sizes article,100k,1m] [--rounds 20] [--seconds 10]

For each size (`article`: the article's graph alone; `100k`, `1m` ...: the article's graph
plus the synthetic data of benchmarks/generate.py, generated on first use into
benchmarks/generated/<size>, which git ignores) it

1. builds each system's store, timed, with its peak memory: `gmg build --store` (parse,
   validate against the shapes, load), `oxigraph load` of the same default graph as
   N-Triples; rdflib-endpoint parses the file into memory when it starts (its build is its
   start). A store built before from the same files is reused, with the figures of its build;
2. starts the three servers on free loopback ports (gmg: `gmg serve --store` over the built
   store, with `gmg serve`'s defaults and an update token; the Oxigraph server over its
   store; rdflib-endpoint over the file) and times each one's first answer;
3. times every query sequentially on one keep-alive connection per system, the systems
   taking turns request by request: the competency questions (queries/cq-*.rq) and point
   look-ups, label search, 2- and 3-hop joins, aggregates, OPTIONAL-heavy queries, property
   paths and DESCRIBE of one resource; gmg's own pages (an /id/ page as HTML and as Turtle,
   label search) apart. A system stops a query after --budget seconds of it (rdflib-endpoint
   at a million triples), and a failed answer is counted, not timed;
4. measures throughput with 8 keep-alive connections for --seconds, point queries and the
   competency mix apart, in three rounds that alternate the systems. wrk (a load generator in
   C: `apt-get install wrk`) sends the requests where it is installed; Python clients share
   the GIL and cap every system near a thousand requests a second. After each run the server
   is given time to go idle, since wrk leaves queries in flight when it stops;
5. times updates (INSERT DATA then DELETE DATA of one label, alternately; gmg validates each
   against the shapes);
6. prints peak memory per system (its processes together, sampled every 0.2 s).

The output is Markdown, for benchmarks/RESULTS.md; --json FILE also writes the figures.
The Oxigraph server and rdflib-endpoint run their queries in the server process with no
guard; gmg runs every guard of its defaults (lexer guard, time limit, row cap,
SERVICE/LOAD refusal, supervised engine process).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import secrets
import shutil
import socket
import statistics
import re
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import generate  # noqa: E402
from gmg.iris import INSTANCES_GRAPH, NAME_ONLY_GRAPHS  # noqa: E402
from gmg.paths import DataDir, default_data_dir  # noqa: E402
from gmg.sources import digest_files, source_files  # noqa: E402
from gmg.store import GraphStore, read_build_info  # noqa: E402

JSON = "application/sparql-results+json"
TURTLE = "text/turtle"
GENERATED = ROOT / "benchmarks" / "generated"
SYSTEMS = ("gmg", "oxigraph", "rdflib")
CLIENTS = 8
LOAD_GENERATOR = "wrk" if shutil.which("wrk") else "python"  # --load-generator
SETTLE_LIMIT = 120.0  # seconds a server may take to go idle after a throughput run
PREFIXES = """PREFIX gmg: <https://w3id.org/gmg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX org: <http://www.w3.org/ns/org#>
"""


# --- processes and memory ---------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PeakMemory:
    """The largest resident memory of a process and its children together, sampled every 0.2 s."""

    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def sample(self) -> int:
        try:
            root = psutil.Process(self.pid)
            processes = [root] + root.children(recursive=True)
        except psutil.NoSuchProcess:
            return 0
        total = 0
        for process in processes:
            try:
                total += process.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.sample())
            self._stop.wait(0.2)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def run_measured(command: list[str], env: dict | None = None, log: Path | None = None,
                 timeout: float | None = None) -> dict:
    """Run a command to its end (or kill it after `timeout` s: exit None): seconds, peak memory (MB), exit code."""
    started = time.perf_counter()
    with open(log or os.devnull, "w") as out:
        process = subprocess.Popen(command, env={**os.environ, **(env or {})}, stdout=out, stderr=subprocess.STDOUT)
        memory = PeakMemory(process.pid)
        try:
            code = process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            code = None
    return {"seconds": round(time.perf_counter() - started, 2), "peak_mb": round(memory.stop() / 2**20),
            "exit": code}


# --- data and stores --------------------------------------------------------------------------

@dataclass
class Prepared:
    size: str
    data: DataDir
    work: Path
    triples: int = 0
    builds: dict = field(default_factory=dict)
    governors: list[str] = field(default_factory=list)  # IRIs for point queries


def prepare(size: str, build_timeout: float = 3600) -> Prepared:
    """The data folder, gmg's store, the N-Triples of its default graph, Oxigraph's store."""
    if size == "article":
        data, work = default_data_dir(), GENERATED / "article"
    else:
        work = GENERATED / size
        if not (work / "instances" / generate.SYNTHETIC_FILE).exists():
            print(f"<!-- generating {size} -->", flush=True)
            generate.make_data_dir(work, generate.parse_size(size), seed=14)
        data = DataDir(work)
    work.mkdir(parents=True, exist_ok=True)
    prepared = Prepared(size, data, work)
    figures_file = work / "builds.json"
    builds = json.loads(figures_file.read_text()) if figures_file.exists() else {}
    digest = digest_files([path for path, _ in source_files(data)])
    store = work / "store"
    if read_build_info(store).get("digest") != digest or not builds.get("gmg"):
        print(f"<!-- {size}: gmg build --store -->", flush=True)
        shutil.rmtree(store, ignore_errors=True)
        builds = {"gmg": run_measured([sys.executable, "-m", "gmg.cli", "build", "--store", str(store)],
                                      env={"GMG_DATA_DIR": str(data.root)}, log=work / "gmg-build.log",
                                      timeout=build_timeout)}
        if builds["gmg"]["exit"] is None:  # validation did not finish in time: load as `gmg serve --store` does
            print(f"<!-- {size}: gmg build did not finish within {build_timeout:.0f} s; loading the store "
                  "without validation, as gmg serve --store does -->", flush=True)
            shutil.rmtree(store, ignore_errors=True)
            builds["gmg-load-only"] = run_measured(
                [sys.executable, "-c", "import sys; from pathlib import Path; from gmg.store import open_store; "
                 "open_store(store_path=Path(sys.argv[1]))", str(store)],
                env={"GMG_DATA_DIR": str(data.root)}, log=work / "gmg-load.log")
        elif builds["gmg"]["exit"] != 0:
            raise SystemExit(f"gmg build failed: see {work / 'gmg-build.log'}")
        figures_file.write_text(json.dumps(builds, indent=2))
    nt = work / "default.nt"
    if "oxigraph" not in builds or not nt.exists():
        gmg_store = GraphStore.open_read_only(store)
        nt.write_bytes(gmg_store.dump_graphs(exclude=NAME_ONLY_GRAPHS))
        gmg_store.close()
        shutil.rmtree(work / "oxigraph", ignore_errors=True)
        print(f"<!-- {size}: oxigraph load -->", flush=True)
        builds["oxigraph"] = run_measured([oxigraph_binary(), "load", "--location", str(work / "oxigraph"),
                                           "--file", str(nt)], log=work / "oxigraph-load.log")
        figures_file.write_text(json.dumps(builds, indent=2))
    prepared.builds = builds
    with open(nt, "rb") as f:
        prepared.triples = sum(1 for _ in f)
    governors = [f"https://w3id.org/gmg/id/synth-governor-{i}" for i in range(0, 100_000, 7)]
    text = nt.read_bytes()
    prepared.governors = [g for g in governors[:400] if f"<{g}> ".encode() in text] or [
        "https://w3id.org/gmg/id/world-bank", "https://w3id.org/gmg/id/iom", "https://w3id.org/gmg/id/dfid"]
    return prepared


def oxigraph_binary() -> str:
    binary = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(binary).exists():
        raise SystemExit("the Oxigraph server is not installed: pip install -e '.[bench]'")
    return binary


# --- servers ----------------------------------------------------------------------------------

@dataclass
class System:
    name: str
    process: subprocess.Popen
    query_url: str
    update_url: str
    update_headers: dict
    root: str
    first_answer: float
    memory: PeakMemory
    graph_prefix: tuple[str, str] = ("", "")  # how an update names the data graph

    def settle(self, limit: float = SETTLE_LIMIT) -> float:
        """Wait until the server's processes are idle (below 10 % of a core over half a second),
        at most `limit` s; the seconds waited. wrk drops its connections at the end of a run with
        queries in flight, which a server may go on evaluating, taking the cores from the next run."""
        started = time.monotonic()
        while time.monotonic() - started < limit:
            try:
                root = psutil.Process(self.process.pid)
                processes = [root] + root.children(recursive=True)
                for process in processes:
                    process.cpu_percent(None)
                time.sleep(0.5)
                busy = sum(process.cpu_percent(None) for process in processes)
            except psutil.NoSuchProcess:
                break
            if busy < 10:
                break
        return time.monotonic() - started

    def stop(self) -> int:
        peak = self.memory.stop()
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        return peak


def start(name: str, prepared: Prepared, log_dir: Path) -> System:
    port = free_port()
    root = f"http://127.0.0.1:{port}"
    token = secrets.token_hex(8)
    env = dict(os.environ)
    if name == "gmg":
        env["GMG_DATA_DIR"] = str(prepared.data.root)
        command = [sys.executable, "-m", "gmg.cli", "serve", "--port", str(port), "--store",
                   str(prepared.work / "store"), "--update-token", token]
        urls = (root + "/sparql", root + "/update", {"Authorization": f"Bearer {token}"})
        graph = (f"GRAPH <{INSTANCES_GRAPH}> {{", "}")
    elif name == "oxigraph":
        command = [oxigraph_binary(), "serve", "--location", str(prepared.work / "oxigraph"),
                   "--bind", f"127.0.0.1:{port}"]
        urls, graph = (root + "/query", root + "/update", {}), ("", "")
    else:
        command = [sys.executable, str(ROOT / "benchmarks" / "rdflib_peer.py"), str(prepared.work / "default.nt"),
                   str(port)]
        urls, graph = (root + "/sparql", root + "/sparql", {}), ("", "")
    started = time.perf_counter()
    log = open(log_dir / f"{name}-serve.log", "w")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    memory = PeakMemory(process.pid)
    ask = "ASK { ?s ?p ?o }"
    deadline = time.monotonic() + 900
    while True:
        if process.poll() is not None:
            raise SystemExit(f"{name} exited with {process.returncode}: see {log_dir / f'{name}-serve.log'}")
        try:
            if httpx.get(urls[0], params={"query": ask}, headers={"Accept": JSON}, timeout=5).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"{name} did not answer within 900 s")
        time.sleep(0.05)
    first = time.perf_counter() - started
    return System(name, process, urls[0], urls[1], urls[2], root, first, memory, graph)


# --- the workload -----------------------------------------------------------------------------

def workload(prepared: Prepared) -> dict[str, str]:
    """Queries by name: the competency questions, then the shapes of query the issue names."""
    g = prepared.governors[len(prepared.governors) // 2]
    queries = {p.stem: p.read_text(encoding="utf-8") for p in default_data_dir().files("queries", "cq-*.rq")}
    queries.update({
        "point-select": f"SELECT ?p ?o WHERE {{ <{g}> ?p ?o }}",
        "point-ask": f"ASK {{ <{g}> ?p ?o }}",
        "label-search": PREFIXES + 'SELECT ?s ?l WHERE { ?s rdfs:label ?l FILTER(CONTAINS(LCASE(STR(?l)), "world bank")) } '
                                   "LIMIT 50",
        "label-regex": PREFIXES + 'SELECT ?s ?l WHERE { ?s rdfs:label ?l FILTER(REGEX(?l, "^Synthetic Programme 1[0-9]$|^World Bank$")) }',
        "join-2": PREFIXES + f"SELECT ?programme ?label WHERE {{ ?f gmg:funder <{g}> ; gmg:fundedActivity ?programme . "
                             "?programme rdfs:label ?label }",
        "join-3": PREFIXES + "SELECT (COUNT(*) AS ?n) WHERE { ?st gmg:asserts ?s . ?s gmg:statusOf ?g . ?g rdfs:label ?l }",
        "join-3-any": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?b ?q ?c . ?c a ?t }",
        "aggregate-types": "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY DESC(?n) LIMIT 20",
        "aggregate-amounts": PREFIXES + "SELECT ?kind (SUM(?v) AS ?total) (COUNT(?f) AS ?n) WHERE { ?f gmg:funder ?g ; "
                                        "gmg:amount/gmg:amountValue ?v . ?g a ?kind } GROUP BY ?kind",
        "count-all": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        "optional-heavy": PREFIXES + "SELECT ?st ?fact ?hedge ?by ?words WHERE { ?st gmg:asserts ?fact . "
                                     "OPTIONAL { ?st gmg:hedge ?hedge } OPTIONAL { ?st gmg:statedBy ?by } "
                                     "OPTIONAL { ?st prov:wasDerivedFrom/oa:hasSelector/oa:exact ?words } "
                                     "OPTIONAL { ?fact rdfs:comment ?comment } } LIMIT 500",
        "path-star": PREFIXES + "SELECT (COUNT(*) AS ?n) WHERE { ?s a/rdfs:subClassOf* prov:Agent }",
        "path-seq": PREFIXES + f"SELECT ?x WHERE {{ <{g}> (gmg:hasStatus/gmg:inContext)|(^gmg:participant/gmg:participant) ?x }}",
        "describe": f"DESCRIBE <{g}>",
    })
    return queries


def gmg_pages(prepared: Prepared) -> dict[str, tuple[str, str]]:
    g = prepared.governors[len(prepared.governors) // 2].removeprefix("https://w3id.org/gmg/id/")
    return {"id-page-html": (f"/id/{g}", "text/html"), "id-page-turtle": (f"/id/{g}", TURTLE),
            "search-page": ("/search?q=world+bank", "text/html"), "search-json": ("/search?q=MIRPAL&format=json", "application/json"),
            "home": ("/", "text/html")}


def accept_for(query: str) -> str:
    body = query.upper()
    words = [w for w in body.replace("{", " ").split() if w in ("SELECT", "ASK", "DESCRIBE", "CONSTRUCT")]
    return TURTLE if words and words[0] in ("DESCRIBE", "CONSTRUCT") else JSON


def one_request(client: httpx.Client, system: System, query: str, timeout: float) -> tuple[float, bool]:
    started = time.perf_counter()
    try:
        response = client.post(system.query_url, data={"query": query}, headers={"Accept": accept_for(query)},
                               timeout=timeout)
        ok = response.status_code == 200
    except httpx.HTTPError:
        ok = False
    return (time.perf_counter() - started) * 1000, ok


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def sequential(systems: dict[str, System], queries: dict[str, str], rounds: int, budget: float) -> dict:
    """Median and p95 per query and system; the systems take turns request by request."""
    clients = {name: httpx.Client() for name in systems}
    results: dict = {}
    for name, query in queries.items():
        timings = {s: [] for s in systems}
        failures = {s: 0 for s in systems}
        spent = {s: 0.0 for s in systems}
        for i in range(rounds + 1):
            for s, system in systems.items():
                if spent[s] > budget * 1000:
                    continue
                elapsed, ok = one_request(clients[s], system, query, timeout=budget)
                spent[s] += elapsed
                if not ok:
                    failures[s] += 1
                elif i > 0:  # the first is a warm-up
                    timings[s].append(elapsed)
        print(f"<!-- {name}: " + ", ".join(f"{s} {spent[s] / 1000:.1f} s" for s in systems) + " -->",
              file=sys.stderr, flush=True)
        results[name] = {s: {"median": statistics.median(t) if t else None, "p95": p95(t) if t else None,
                             "n": len(t), "failed": failures[s]} for s, t in timings.items()}
    for client in clients.values():
        client.close()
    return results


def pages(system: System, prepared: Prepared, rounds: int) -> dict:
    results = {}
    with httpx.Client(timeout=60) as client:
        for name, (path, accept) in gmg_pages(prepared).items():
            timings, failed = [], 0
            ready = first_answer(client, system.root + path, accept)
            for _ in range(rounds):
                started = time.perf_counter()
                response = client.get(system.root + path, headers={"Accept": accept})
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    failed += 1
                else:
                    timings.append(elapsed)
            results[name] = {"median": statistics.median(timings) if timings else None,
                             "p95": p95(timings) if timings else None, "failed": failed, "ready": ready}
    return results


def first_answer(client: httpx.Client, url: str, accept: str, patience: float = 300.0) -> float | None:
    """Seconds until the page first answers 200 (the warm-up): a 503 with Retry-After (the search
    index still being made on a large store) is asked again; None if it never does."""
    started = time.perf_counter()
    while time.perf_counter() - started < patience:
        response = client.get(url, headers={"Accept": accept})
        if response.status_code == 200:
            return time.perf_counter() - started
        if response.status_code != 503 or "Retry-After" not in response.headers:
            return None
        time.sleep(2)
    return None


def load(system: System, queries: list[str], seconds: float) -> dict:
    """CLIENTS keep-alive connections asking `queries` in random order for `seconds`: by wrk where
    it is installed (a load generator in C that leaves the cores to the servers), else by Python."""
    return (load_wrk if LOAD_GENERATOR == "wrk" else load_python)(system, queries, seconds)


WRK_SCRIPT = """
local bodies = {%(bodies)s}
local accepts = {%(accepts)s}
local path = [==[%(path)s]==]
local headers = {}
setup = function(thread) thread:set("seed", math.random(1, 2^30)) end
init = function() math.randomseed(seed) end
request = function()
  local i = math.random(#bodies)
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  headers["Accept"] = accepts[i]
  return wrk.format("POST", path, headers, bodies[i])
end
"""


def load_wrk(system: System, queries: list[str], seconds: float) -> dict:
    """wrk with CLIENTS connections on two threads (one per core of the machine the figures are for)."""
    from urllib.parse import urlencode, urlsplit

    bodies = ", ".join(f"[==[{urlencode({'query': q})}]==]" for q in queries)
    accepts = ", ".join(f'"{accept_for(q)}"' for q in queries)
    script = WRK_SCRIPT % {"bodies": bodies, "accepts": accepts, "path": urlsplit(system.query_url).path}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    try:
        out = subprocess.run(["wrk", "-t2", f"-c{CLIENTS}", f"-d{max(1, round(seconds))}s", "--timeout", "30s", "-s", file.name,
                              system.query_url], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(file.name)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    failed = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failed += sum(int(n) for n in errors.groups()) if errors else 0
    # wrk counts failures among its requests: the rate of answered ones is what the figures compare
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return {"rate": rate * (total - failed) / total if total else 0.0, "failed": failed}


def load_python(system: System, queries: list[str], seconds: float) -> dict:
    """CLIENTS Python clients (httpx, one thread each): they share the GIL, so they cap the rate."""
    deadline = time.monotonic() + seconds
    counts = []

    def client_loop(n: int) -> tuple[int, int]:
        order = random.Random(n)
        answered = failed = 0
        with httpx.Client() as client:
            while time.monotonic() < deadline:
                _, ok = one_request(client, system, order.choice(queries), timeout=30)
                answered += ok
                failed += not ok
        return answered, failed

    started = time.monotonic()
    with ThreadPoolExecutor(CLIENTS) as pool:
        counts = list(pool.map(client_loop, range(CLIENTS)))
    elapsed = time.monotonic() - started
    answered = sum(a for a, _ in counts)
    return {"rate": answered / elapsed, "failed": sum(f for _, f in counts)}


def throughput(systems: dict[str, System], mixes: dict[str, list[str]], seconds: float, rounds: int = 3) -> dict:
    results = {mix: {s: [] for s in systems} for mix in mixes}
    for r in range(rounds):
        order = list(systems) if r % 2 == 0 else list(reversed(systems))
        for mix, queries in mixes.items():
            for s in order:
                figure = load(systems[s], queries, seconds)
                figure["settled_s"] = round(systems[s].settle(), 1)  # before the next run starts
                results[mix][s].append(figure)
    return results


def updates(system: System, subject: str, count: int, timeout: float) -> dict:
    """Insert a label, then delete it, alternately: the latency of each accepted update."""
    timings, failed = [], 0
    open_, close = system.graph_prefix
    with httpx.Client(timeout=timeout) as client:
        for i in range(count):
            verb = "INSERT" if i % 2 == 0 else "DELETE"
            text = (f"{verb} DATA {{ {open_} <{subject}> <http://www.w3.org/2004/02/skos/core#altLabel> "
                    f'"benchmark label {i // 2}"@en {close} }}')
            started = time.perf_counter()
            try:
                response = client.post(system.update_url, data={"update": text}, headers=system.update_headers)
                accepted = response.status_code in (200, 204)
            except httpx.HTTPError:
                accepted = False
            elapsed = (time.perf_counter() - started) * 1000
            if accepted:
                timings.append(elapsed)
            else:
                failed += 1
    return {"median": statistics.median(timings) if timings else None, "p95": p95(timings) if timings else None,
            "n": len(timings), "failed": failed}


# --- report -----------------------------------------------------------------------------------

def fmt(value, unit="") -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}{unit}" if value >= 100 else f"{value:.2f}{unit}" if value < 10 else f"{value:.1f}{unit}"


def run_size(size: str, args) -> dict:
    prepared = prepare(size, args.build_timeout)
    log_dir = prepared.work
    chosen = [s for s in SYSTEMS if s in args.systems]
    systems: dict[str, System] = {}
    figures: dict = {"size": size, "triples": prepared.triples, "builds": prepared.builds}
    try:
        for name in chosen:  # one at a time, so that each start has the machine to itself
            systems[name] = start(name, prepared, log_dir)
        figures["first_answer_s"] = {s: round(x.first_answer, 2) for s, x in systems.items()}
        for system in systems.values():  # (gmg makes its copy of the default graph after its first answer)
            system.settle()
        queries = workload(prepared)
        figures["sequential"] = sequential(systems, queries, args.rounds, args.budget)
        if "gmg" in systems:
            figures["pages"] = pages(systems["gmg"], prepared, args.rounds)
        point = [f"ASK {{ <{g}> ?p ?o }}" if i % 2 else f"SELECT ?p ?o WHERE {{ <{g}> ?p ?o }}"
                 for i, g in enumerate(prepared.governors)]
        mix = [queries[name] for name in queries if name.startswith("cq-")]
        figures["throughput"] = throughput(systems, {"point": point, "cq-mix": mix}, args.seconds)
        subject = prepared.governors[0]
        figures["updates"] = {s: updates(x, subject, args.updates, args.update_timeout) for s, x in systems.items()}
    finally:
        figures["peak_memory_mb"] = {s: round(x.stop() / 2**20) for s, x in systems.items()}
    return figures


def markdown(figures: dict) -> str:
    systems = list(figures["first_answer_s"])
    lines = [f"### {figures['size']}: {figures['triples']:,} triples in the default graph", ""]
    lines += ["| | " + " | ".join(systems) + " |", "|---|" + "---|" * len(systems)]
    builds = figures["builds"]
    def build_cell(s, key):
        if s not in builds:
            return "(at start)"
        if builds[s]["exit"] is None:
            load = builds.get("gmg-load-only", {})
            return (f"over {fmt(builds[s][key])} (killed: validation unfinished); load alone "
                    f"{fmt(load.get(key))}")
        return fmt(builds[s][key])

    lines.append("| build (s) | " + " | ".join(build_cell(s, "seconds") for s in systems) + " |")
    lines.append("| build peak memory (MB) | " + " | ".join(build_cell(s, "peak_mb") for s in systems) + " |")
    lines.append("| first answer after start (s) | " + " | ".join(fmt(figures["first_answer_s"][s]) for s in systems) + " |")
    for mix, by_system in figures["throughput"].items():
        rates = {s: [r["rate"] for r in rounds] for s, rounds in by_system.items()}
        failed = {s: sum(r["failed"] for r in rounds) for s, rounds in by_system.items()}
        lines.append(f"| throughput, {mix}, {CLIENTS} clients (req/s, median of rounds) | " + " | ".join(
            f"{fmt(statistics.median(rates[s]))} ({', '.join(fmt(x) for x in rates[s])})"
            + (f", {failed[s]} failed" if failed[s] else "") for s in systems) + " |")
        if "gmg" in rates and "oxigraph" in rates:
            ratio = statistics.median(rates["gmg"]) / statistics.median(rates["oxigraph"])
            lines.append(f"| gmg / oxigraph, {mix} | {ratio:.2f}× | | |")
        if "gmg" in rates and "rdflib" in rates and statistics.median(rates["rdflib"]):
            ratio = statistics.median(rates["gmg"]) / statistics.median(rates["rdflib"])
            lines.append(f"| gmg / rdflib-endpoint, {mix} | {ratio:.1f}× | | |")
    lines.append("| idle again after a throughput run (s, longest wait) | " + " | ".join(
        fmt(max(r.get("settled_s", 0) for rounds in (figures["throughput"][m][s] for m in figures["throughput"])
                for r in rounds)) for s in systems) + " |")
    lines.append("| update latency, median / p95 (ms) | " + " | ".join(
        f"{fmt(figures['updates'][s]['median'])} / {fmt(figures['updates'][s]['p95'])}"
        + (f" ({figures['updates'][s]['failed']} failed or over --update-timeout)" if figures['updates'][s]['failed'] else "")
        for s in systems) + " |")
    lines.append("| peak memory while serving (MB) | " + " | ".join(
        fmt(figures["peak_memory_mb"][s]) for s in systems) + " |")
    lines += ["", "Sequential latency, median / p95 in ms (– : failed or over the time budget; n: timed requests):", ""]
    lines += ["| query | " + " | ".join(systems) + " | gmg / oxigraph |", "|---|" + "---|" * (len(systems) + 1)]
    ratios = []
    for name, by_system in figures["sequential"].items():
        cells = []
        for s in systems:
            r = by_system[s]
            cell = f"{fmt(r['median'])} / {fmt(r['p95'])}" if r["median"] is not None else "–"
            if r["failed"]:
                cell += f" ({r['failed']} failed)"
            elif r["median"] is not None and r["n"] < 5:
                cell += f" (n={r['n']})"
            cells.append(cell)
        g, o = by_system.get("gmg", {}).get("median"), by_system.get("oxigraph", {}).get("median")
        ratio = g / o if g and o else None
        if ratio:
            ratios.append(ratio)
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {ratio:.1f}× |" if ratio else f"| {name} | " + " | ".join(cells) + " | – |")
    if ratios:
        lines += ["", f"Geometric mean of the latency ratios gmg / oxigraph: {statistics.geometric_mean(ratios):.2f}×"]
    if "pages" in figures:
        lines += ["", "gmg's pages, median / p95 in ms:", "", "| page | gmg |", "|---|---|"]
        for name, r in figures["pages"].items():
            ready = r.get("ready")
            lines.append(f"| {name} | {fmt(r['median'])} / {fmt(r['p95'])}" + (f" ({r['failed']} failed)" if r["failed"] else "")
                         + (" (never answered)" if ready is None else f" (first answer after {ready:.1f} s)" if ready > 2 else "")
                         + " |")
    return "\n".join(lines) + "\n"


def machine() -> str:
    import pyoxigraph
    import rdflib

    versions = {"python": platform.python_version(), "pyoxigraph": pyoxigraph.__version__,
                "oxigraph server": subprocess.run([oxigraph_binary(), "--version"], capture_output=True,
                                                  text=True).stdout.strip(),
                "rdflib": rdflib.__version__}
    try:
        from importlib.metadata import version
        versions["rdflib-endpoint"] = version("rdflib-endpoint")
        versions["gmg"] = version("gmg")
        versions["uvicorn"] = version("uvicorn")
    except Exception:
        pass
    load1, load5, load15 = os.getloadavg()
    return (f"{platform.platform()}, {os.cpu_count()} CPUs, {psutil.virtual_memory().total / 2**30:.0f} GB; "
            + ", ".join(f"{k} {v}" for k, v in versions.items())
            + f"; load average at the start {load1:.1f} / {load5:.1f} / {load15:.1f}")


def main(argv: list[str] | None = None) -> int:
    global LOAD_GENERATOR
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="article,100k,1m", help="comma-separated: article, 10k, 100k, 1m ...")
    parser.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated subset of gmg,oxigraph,rdflib")
    parser.add_argument("--rounds", type=int, default=20, help="timed requests per query and system")
    parser.add_argument("--budget", type=float, default=10.0, help="seconds a system may spend on one query")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each throughput run")
    parser.add_argument("--updates", type=int, default=20, help="timed updates per system")
    parser.add_argument("--build-timeout", type=float, default=3600,
                        help="seconds gmg build may take; past them the store is loaded without validation")
    parser.add_argument("--update-timeout", type=float, default=120, help="seconds one update may take")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--load-generator", choices=("wrk", "python"), default=LOAD_GENERATOR,
                        help="what sends the throughput runs' requests (default: wrk where installed)")
    args = parser.parse_args(argv)
    args.systems = args.systems.split(",")
    LOAD_GENERATOR = args.load_generator
    print(f"Machine: {machine()}\n", flush=True)
    print(f"Throughput load: {LOAD_GENERATOR}, {CLIENTS} keep-alive connections\n", flush=True)
    everything = []
    for size in args.sizes.split(","):
        figures = run_size(size.strip(), args)
        everything.append(figures)
        print(markdown(figures), flush=True)
        if args.json:
            args.json.write_text(json.dumps(everything, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
