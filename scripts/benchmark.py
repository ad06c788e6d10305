"""Benchmark the gmg endpoint against the Oxigraph server on the same data, in one run.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python scripts/benchmark.py [--rounds 30] [--burst 400] [--connections 20]
    .venv/bin/python scripts/benchmark.py --mix-only [--mix-rounds 6] [--mix-seconds 10] [--clients 8]

Both servers run here, in memory, on free loopback ports, and answer the same
queries over HTTP with the same default graph (the data graphs, which the peer holds as its default graph):
the competency questions of queries/, plus a few heavier shapes of query. For
each query it prints the median and 95th-percentile latency of sequential
requests on one keep-alive connection, then the time of gmg's pages and label
search (in-memory index) the same way, then the throughput of a burst of small
queries over many connections, and the throughput of the competency questions
as a mix over a few keep-alive clients, gmg and the peer alternating round by
round (the ratio of each round is printed: on a shared machine the load moves).
gmg runs with `gmg serve`'s defaults: every guard on.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
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
    # `gmg serve`'s defaults but for a longer queue, which only the burst of 20 connections needs
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


def mix(url: str, queries: list[str], clients: int, seconds: float) -> tuple[float, int]:
    """Requests per second of the queries in turn over `clients` keep-alive connections; and the failures.

    http.client, not httpx: the lighter client leaves more of the CPU to the servers."""
    parts = httpx.URL(url)
    bodies = [q.encode("utf-8") for q in queries]
    done, failed = [0] * clients, [0] * clients
    stop = time.monotonic() + seconds

    def one_client(i: int) -> None:
        connection = http.client.HTTPConnection(parts.host, parts.port, timeout=60)
        for k in itertools.count(i * 5):  # each client starts at a different query
            if time.monotonic() >= stop:
                break
            connection.request("POST", parts.path, bodies[k % len(bodies)],
                               {"Content-Type": "application/sparql-query", "Accept": JSON})
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                done[i] += 1
            else:
                failed[i] += 1
        connection.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one_client, range(clients)))
    return sum(done) / (time.perf_counter() - started), sum(failed)


def mix_rounds(servers: dict, clients: int, seconds: float, rounds: int) -> None:
    queries = [p.read_text(encoding="utf-8") for p in default_data_dir().files("queries", "cq-*.rq")]
    print(f"competency-question mix ({len(queries)} queries), {clients} keep-alive clients, "
          f"{seconds:g} s per system and round, alternating")
    for name, (url, _) in servers.items():
        mix(url, queries, clients, 1.0)  # warm-up
    ratios = []
    for r in range(rounds):
        order = list(servers) if r % 2 == 0 else list(servers)[::-1]
        rates = {}
        for name in order:
            rates[name] = mix(servers[name][0], queries, clients, seconds)
        ratios.append(rates["gmg"][0] / rates["oxigraph"][0])
        print(f"round {r + 1}: " + "  ".join(f"{n} {rates[n][0]:,.0f} req/s ({rates[n][1]} failed)" for n in order)
              + f"  ratio {ratios[-1]:.2f}", flush=True)
    print(f"mix throughput ratio gmg / oxigraph: median {statistics.median(ratios):.2f} "
          f"(rounds {min(ratios):.2f}–{max(ratios):.2f})\n")


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30, help="timed requests per query and server")
    parser.add_argument("--burst", type=int, default=400, help="requests in the concurrency burst")
    parser.add_argument("--connections", type=int, default=20, help="connections in the burst")
    parser.add_argument("--clients", type=int, default=8, help="keep-alive clients of the mix")
    parser.add_argument("--mix-seconds", type=float, default=10, help="seconds per system and round of the mix")
    parser.add_argument("--mix-rounds", type=int, default=4, help="rounds of the mix (0: none)")
    parser.add_argument("--mix-only", action="store_true", help="only the mix throughput")
    args = parser.parse_args(argv)

    ntriples = default_graph_as_ntriples()
    servers = {}
    try:
        servers["gmg"] = start_gmg()
        servers["oxigraph"] = start_oxigraph(ntriples)
        triples = ntriples.count(b"\n")
        print(f"data: {triples:,} triples; {args.rounds} timed requests per query; {os.cpu_count()} CPUs; "
              f"load average {os.getloadavg()[0]:.1f} at start\n")
        if args.mix_rounds:
            mix_rounds(servers, args.clients, args.mix_seconds, args.mix_rounds)
        if args.mix_only:
            return 0
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
