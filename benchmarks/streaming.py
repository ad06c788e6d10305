"""Time a very long SELECT answer from gmg: when its first byte comes, when its last, and the server's memory meanwhile.

    .venv/bin/python benchmarks/streaming.py [--size 1m] [--rows 1000000] [--format json|tsv|csv|xml]

Serves the store that benchmarks/benchmark.py built for --size (run it first for that
size) with `gmg serve`'s defaults but `--max-rows` above --rows, asks for --rows rows
(`SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT n` over the default graph) on one
connection once the server's memory has settled, reads the answer as it comes, and
prints the time to the first byte and to the last, the rows and bytes received, and
the server's resident memory (its processes together, sampled every 0.2 s) before
the query and at its peak during it. gmg's time limit (10 s by default) applies to
the whole answer: raise it with --query-timeout to let a million rows through.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchmark import GENERATED, PeakMemory, free_port  # noqa: E402

ACCEPT = {"json": "application/sparql-results+json", "tsv": "text/tab-separated-values",
          "csv": "text/csv", "xml": "application/sparql-results+xml"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1m", help="a size benchmark.py has built (article, 100k, 1m ...)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--format", choices=sorted(ACCEPT), default="json")
    parser.add_argument("--query-timeout", type=float, help="gmg serve's --query-timeout (default: its own)")
    args = parser.parse_args()
    work = GENERATED / args.size
    if not (work / "store").exists():
        raise SystemExit(f"no store in {work}: run benchmarks/benchmark.py --sizes {args.size} first")
    port = free_port()
    root = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    if args.size != "article":  # (the article's graph is the checkout's own data)
        env["GMG_DATA_DIR"] = str(work)
    limits = ["--max-rows", str(args.rows + 1)]
    if args.query_timeout:
        limits += ["--query-timeout", str(args.query_timeout)]
    server = subprocess.Popen([sys.executable, "-m", "gmg.cli", "serve", "--port", str(port), "--store",
                               str(work / "store"), *limits],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with httpx.Client(timeout=600) as client:
            deadline = time.monotonic() + 300
            while True:
                try:
                    if client.get(root + "/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit("gmg serve did not answer within 300 s")
                time.sleep(0.2)
            memory = PeakMemory(server.pid)
            # The engine copies the default graph into memory in the background after its first
            # query (defaultgraph.py; 40 s and 700 MB at a million triples): let it finish first.
            before, settled = memory.sample(), time.monotonic() + 300
            while time.monotonic() < settled:
                time.sleep(2)
                now = memory.sample()
                if abs(now - before) < 0.01 * before:
                    break
                before = now
            memory.stop()
            memory = PeakMemory(server.pid)
            query = f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} LIMIT {args.rows}"
            started = time.perf_counter()
            first = None
            received = newlines = 0
            ended = "complete"
            try:
                with client.stream("POST", root + "/sparql", data={"query": query},
                                   headers={"Accept": ACCEPT[args.format]}) as response:
                    if response.status_code != 200:
                        raise SystemExit(f"gmg answered {response.status_code}: {response.read()[:300]!r}")
                    for chunk in response.iter_bytes():
                        if first is None:
                            first = time.perf_counter() - started
                        received += len(chunk)
                        newlines += chunk.count(b"\n")
            except httpx.RemoteProtocolError:  # the time limit ends an answer by closing the connection
                ended = "CUT SHORT by the server (its time limit)"
            total = time.perf_counter() - started
            peak = memory.stop()
    finally:
        server.terminate()
        server.wait(30)
    print(f"{args.size}: SELECT of {args.rows:,} rows as {args.format}: first byte after {first:.2f} s, "
          f"last after {total:.1f} s, {ended}; {received / 1e6:,.0f} MB, {newlines:,} lines; "
          f"server memory {before / 1e6:,.0f} MB before, {peak / 1e6:,.0f} MB at its peak during the answer")


if __name__ == "__main__":
    main()
