"""Benchmark the gmg endpoint against the Oxigraph server on the same data, in one run.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python scripts/benchmark.py [--rounds 30] [--burst 400] [--connections 20]

Both servers run here, in memory, on free loopback ports, and answer the same
queries over HTTP with the same default graph (the data graphs, which the peer holds as its default graph):
the competency questions of queries/, plus a few heavier shapes of query. For
each query it prints the median and 95th-percentile latency of sequential
requests on one keep-alive connection, then the time of gmg's pages and label
search (in-memory index) the same way, then the throughput of a burst of small
queries over many connections. The peer does less work per request than gmg
(no lexer guard, no engine process, no supervision), so the ratio is the price
of gmg's safety, not a contest it is meant to win.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from gmg.iris import NAME_ONLY_GRAPHS
from gmg.paths import default_data_dir
from gmg.store import open_store

JSON = "application/sparql-results+json"
EXTRA_QUERIES = {
    "count-all": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "labels-regex": 'SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l '
                    'FILTER(REGEX(?l, "migra", "i")) }',
    "join-3": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?b ?q ?c . ?c a ?t }",
    "describe": "DESCRIBE <https://w3id.org/gmg/id/world-bank>",
}
# pages a person opens (server time as the client sees it, over loopback), and the label search
PAGES = {
    "home": "/", "search": "/search?q=World+Bank", "search-fuzzy": "/search?q=Viacheslav+Postavnin",
    "search-json": "/search?q=MIRPAL&format=json", "browse": "/id/", "class-page": "/id/?type=gmg:Programme",
    "resource": "/id/world-bank", "query-page": "/sparql", "query-run": "/sparql?query=SELECT+*+WHERE+%7B+%3Fs+%3Fp+%3Fo+%7D",
    "void": "/void", "dumps": "/dumps", "shapes": "/shapes",
}
BURST_QUERY = "ASK { <https://w3id.org/gmg/id/world-bank> ?p ?o }"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{process.args[0]} exited with {process.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer within {timeout} s")


def start_gmg() -> tuple[str, subprocess.Popen]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "gmg.cli", "serve", "--port", str(port),
                                "--max-queued-queries", "1000", "--queue-timeout", "30"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    wait_until_up(base + "/health", process)
    return base + "/sparql", process


def start_oxigraph(ntriples: bytes) -> tuple[str, subprocess.Popen]:
    binary = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(binary).exists():
        raise SystemExit("the Oxigraph server is not installed: pip install -e '.[bench]'")
    port = free_port()
    process = subprocess.Popen([binary, "serve", "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    wait_until_up(base + "/", process)
    loaded = httpx.post(base + "/store?default", content=ntriples, headers={"Content-Type": "application/n-triples"},
                        timeout=60)
    loaded.raise_for_status()
    return base + "/query", process


def default_graph_as_ntriples() -> bytes:
    """What gmg's default graph is made of: every graph but the shapes and the metadata."""
    return open_store(default_data_dir()).dump_graphs(exclude=NAME_ONLY_GRAPHS)


def workload() -> dict[str, str]:
    queries = {p.stem: p.read_text(encoding="utf-8") for p in default_data_dir().files("queries", "cq-*.rq")}
    return {**queries, **EXTRA_QUERIES}


def latencies(client: httpx.Client, url: str, query: str, rounds: int) -> list[float]:
    accept = "text/turtle" if query.lstrip().upper().startswith(("DESCRIBE", "CONSTRUCT")) else JSON
    timings = []
    for i in range(rounds + 2):
        started = time.perf_counter()
        response = client.post(url, content=query.encode(), headers={
            "Content-Type": "application/sparql-query", "Accept": accept})
        response.read()
        elapsed = time.perf_counter() - started
        response.raise_for_status()
        if i >= 2:  # two warm-up requests
            timings.append(elapsed * 1000)
    return timings


def page_latencies(client: httpx.Client, root: str, path: str, rounds: int) -> list[float]:
    timings = []
    for i in range(rounds + 2):
        started = time.perf_counter()
        response = client.get(root + path, headers={"Accept": "text/html"})
        elapsed = time.perf_counter() - started
        response.raise_for_status()
        if i >= 2:  # two warm-up requests (the first search builds the index)
            timings.append(elapsed * 1000)
    return timings


def burst(url: str, total: int, connections: int) -> tuple[float, int]:
    """Requests per second for `total` small queries over `connections` connections; and the failures."""
    per_connection = total // connections

    def one_connection(_):
        failures = 0
        with httpx.Client(timeout=60) as client:
            for _ in range(per_connection):
                r = client.get(url, params={"query": BURST_QUERY}, headers={"Accept": JSON})
                failures += r.status_code != 200
        return failures

    started = time.perf_counter()
    with ThreadPoolExecutor(connections) as pool:
        failures = sum(pool.map(one_connection, range(connections)))
    return per_connection * connections / (time.perf_counter() - started), failures


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30, help="timed requests per query and server")
    parser.add_argument("--burst", type=int, default=400, help="requests in the concurrency burst")
    parser.add_argument("--connections", type=int, default=20, help="connections in the burst")
    args = parser.parse_args(argv)

    ntriples = default_graph_as_ntriples()
    servers = {}
    try:
        servers["gmg"] = start_gmg()
        servers["oxigraph"] = start_oxigraph(ntriples)
        triples = ntriples.count(b"\n")
        print(f"data: {triples:,} triples; {args.rounds} timed requests per query; {os.cpu_count()} CPUs\n")
        print(f"{'query':<18}{'gmg median':>12}{'p95':>9}{'oxigraph median':>17}{'p95':>9}{'ratio':>8}")
        ratios = []
        clients = {name: httpx.Client(timeout=60) for name in servers}
        for name, query in workload().items():
            row = {s: latencies(clients[s], url, query, args.rounds) for s, (url, _) in servers.items()}
            g, o = statistics.median(row["gmg"]), statistics.median(row["oxigraph"])
            ratios.append(g / o)
            print(f"{name:<18}{g:>10.2f}ms{p95(row['gmg']):>7.2f}ms{o:>15.2f}ms{p95(row['oxigraph']):>7.2f}ms"
                  f"{g / o:>7.1f}x")
        for client in clients.values():
            client.close()
        print(f"\ngeometric mean of the ratios (gmg / oxigraph): {statistics.geometric_mean(ratios):.2f}x\n")
        root = servers["gmg"][0].removesuffix("/sparql")
        print(f"{'page (gmg)':<18}{'median':>12}{'p95':>9}")
        with httpx.Client(timeout=60) as client:
            for name, path in PAGES.items():
                timings = page_latencies(client, root, path, args.rounds)
                print(f"{name:<18}{statistics.median(timings):>10.2f}ms{p95(timings):>7.2f}ms")
        print()
        for name, (url, _) in servers.items():
            rate, failures = burst(url, args.burst, args.connections)
            print(f"burst, {name}: {rate:,.0f} requests/s over {args.connections} connections, "
                  f"{failures} failed of {args.burst // args.connections * args.connections}")
    finally:
        for _, process in servers.values():
            process.terminate()
            process.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
