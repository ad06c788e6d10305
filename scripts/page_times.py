"""Server time of resource pages, as a browser would ask for them.

    .venv/bin/python scripts/page_times.py [--url http://127.0.0.1:8000] [--rounds 30] [PATH ...]

Without --url it starts `gmg serve` on a free loopback port and stops it at the end.
For each page (by default /id/world-bank and /id/mirpal) it prints the fastest answer, the
median and the 95th percentile of the time to the whole answer over one keep-alive
connection, after two warm-up requests (on a shared machine the fastest is the steadiest
figure), and, when the server sends a Server-Timing header, the number of
SPARQL queries the page cost and the time spent in them.
"""

from __future__ import annotations

import argparse
import re
import socket
import statistics
import subprocess
import sys
import time

import httpx

PAGES = ["/id/world-bank", "/id/mirpal"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gmg() -> tuple[str, subprocess.Popen]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "gmg.cli", "serve", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gmg serve exited with {process.returncode}")
        try:
            if httpx.get(base + "/health", timeout=1).status_code == 200:
                return base, process
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.terminate()
    raise SystemExit("gmg serve did not answer within 60 s")


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def server_timing(header: str | None) -> tuple[int | None, float | None]:
    """(queries, ms in them) from `Server-Timing: sparql;desc="4 queries";dur=12.3, …`."""
    match = re.search(r'sparql;desc="(\d+) quer[a-z]*";dur=([0-9.]+)', header or "")
    return (int(match[1]), float(match[2])) if match else (None, None)


def measure(client: httpx.Client, url: str, rounds: int) -> dict:
    timings, queries, in_queries, size = [], set(), [], 0
    for i in range(rounds + 2):
        started = time.perf_counter()
        response = client.get(url, headers={"Accept": "text/html"})
        elapsed = (time.perf_counter() - started) * 1000
        response.raise_for_status()
        if i >= 2:
            timings.append(elapsed)
            count, ms = server_timing(response.headers.get("server-timing"))
            if count is not None:
                queries.add(count)
                in_queries.append(ms)
            size = len(response.content)
    return {"min": min(timings), "median": statistics.median(timings), "p95": p95(timings), "queries": sorted(queries),
            "sparql_ms": statistics.median(in_queries) if in_queries else None, "bytes": size}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=PAGES)
    parser.add_argument("--url", help="a running gmg server (otherwise one is started)")
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args(argv)
    process = None
    base = args.url.rstrip("/") if args.url else None
    if base is None:
        base, process = start_gmg()
    try:
        print(f"{'page':<22}{'min':>10}{'median':>10}{'p95':>10}{'queries':>9}{'in SPARQL':>11}{'size':>10}")
        with httpx.Client(timeout=60) as client:
            for path in args.paths:
                m = measure(client, base + path, args.rounds)
                count = "/".join(map(str, m["queries"])) or "?"
                sparql = f"{m['sparql_ms']:.1f}ms" if m["sparql_ms"] is not None else "?"
                print(f"{path:<22}{m['min']:>8.1f}ms{m['median']:>8.1f}ms{m['p95']:>8.1f}ms{count:>9}{sparql:>11}"
                      f"{m['bytes'] / 1024:>8.1f}kB")
    finally:
        if process is not None:
            process.terminate()
            process.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
