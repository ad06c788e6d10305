"""Longer runs of the durability and liveness cases than the test suite affords.

    .venv/bin/python scripts/soak.py throughput [--seconds 20] [--readers 8] [--writers 2]
    .venv/bin/python scripts/soak.py kills [--rounds 20] [--target server|engine|both]

`throughput` starts `gmg serve --store` on a fresh store and measures read
throughput (requests per second of a small query over keep-alive connections,
with its median and 99th-percentile latency) first alone, then while busy
writers send validated updates back to back; it prints both and their ratio
(the promise: writers never starve readers, a ratio of at least 0.8).

`kills` runs rounds of an update burst (two writers) on one store and, at a
random moment of each, kills the server (or its engine) with SIGKILL, starts it
again and checks the content: every acknowledged update present, none
half-applied, none present after an answer that said "not applied". It prints
each round's figures and the totals, and exits 1 on any loss.

Both use the crash-and-fault harness of the test suite (tests/faultkit.py).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from faultkit import JSON, Ledger, check, engine_pid, kill9, start  # noqa: E402

READ_QUERY = "SELECT ?p ?o WHERE { <https://w3id.org/gmg/id/world-bank> ?p ?o } LIMIT 20"


# --- throughput ---------------------------------------------------------------------------

def read_load(url: str, seconds: float, readers: int) -> dict:
    """`readers` clients asking the small query back to back for `seconds`: rate, latencies, failures."""
    timings: list[float] = []
    failures = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def reader() -> None:
        mine, failed = [], 0
        with httpx.Client(timeout=30) as client:
            while time.monotonic() < deadline:
                began = time.perf_counter()
                try:
                    response = client.get(url + "/sparql", params={"query": READ_QUERY}, headers=JSON)
                    ok = response.status_code == 200
                except httpx.TransportError:
                    ok = False
                if ok:
                    mine.append(time.perf_counter() - began)
                else:
                    failed += 1
        with lock:
            timings.extend(mine)
            failures[0] += failed

    threads = [threading.Thread(target=reader) for _ in range(readers)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    timings.sort()
    return {"rate": len(timings) / elapsed, "answered": len(timings), "failed": failures[0],
            "p50_ms": 1000 * statistics.median(timings) if timings else float("nan"),
            "p99_ms": 1000 * timings[int(0.99 * (len(timings) - 1))] if timings else float("nan")}


def writers_busy(url: str, ledger: Ledger, count: int, stop: threading.Event) -> list[threading.Thread]:
    def writer(w: int) -> None:
        i = 0
        while not stop.is_set():
            ledger.send(url, f"soak-w{w}-{i}-{os.getpid()}")
            i += 1

    threads = [threading.Thread(target=writer, args=(w,), daemon=True) for w in range(count)]
    for thread in threads:
        thread.start()
    return threads


def throughput(args) -> int:
    with tempfile.TemporaryDirectory(prefix="gmg-soak-") as folder:
        server, _ = start(Path(folder) / "store")
        try:
            ledger = Ledger()
            ledger.send(server.url, "warm-up")  # the engine loads the shapes at its first update
            read_load(server.url, 2, args.readers)  # warm up the connections and the engine's threads
            alone = read_load(server.url, args.seconds, args.readers)
            stop = threading.Event()
            threads = writers_busy(server.url, ledger, args.writers, stop)
            time.sleep(1.0)  # the writers are at work
            busy = read_load(server.url, args.seconds, args.readers)
            stop.set()
            for thread in threads:
                thread.join(120)
            updates = len(ledger.acknowledged) - 1
        finally:
            server.stop()
    ratio = busy["rate"] / alone["rate"] if alone["rate"] else float("nan")
    for name, figures in (("reads alone", alone), (f"reads with {args.writers} busy writers", busy)):
        print(f"{name:32} {figures['rate']:7.1f} req/s  p50 {figures['p50_ms']:6.1f} ms  "
              f"p99 {figures['p99_ms']:6.1f} ms  ({figures['answered']} answered, {figures['failed']} failed)")
    print(f"updates acknowledged meanwhile: {updates}")
    print(f"ratio (with writers / alone): {ratio:.2f} (promised: at least 0.80)")
    return 0 if ratio >= 0.8 else 1


# --- kills ----------------------------------------------------------------------------------

def burst(url: str, ledger: Ledger, prefix: str, stop: threading.Event) -> list[threading.Thread]:
    def writer(w: int) -> None:
        for i in range(100_000):
            if stop.is_set() or ledger.send(url, f"{prefix}-w{w}-{i}") is None:
                return

    threads = [threading.Thread(target=writer, args=(w,), daemon=True) for w in range(2)]
    for thread in threads:
        thread.start()
    return threads


def kills(args) -> int:
    rng = random.Random(args.seed)
    ledger = Ledger()
    totals = {"rounds": 0, "lost": 0, "half_applied": 0, "false_not_applied": 0}
    recoveries = []
    with tempfile.TemporaryDirectory(prefix="gmg-soak-") as folder:
        store = Path(folder) / "store"
        server, _ = start(store)
        try:
            for round_number in range(1, args.rounds + 1):
                target = args.target if args.target != "both" else ("server", "engine")[round_number % 2]
                stop = threading.Event()
                threads = burst(server.url, ledger, f"r{round_number}", stop)
                time.sleep(rng.uniform(args.min_wait, args.max_wait))
                began = time.monotonic()
                if target == "server":
                    kill9(server)
                    stop.set()
                    for thread in threads:
                        thread.join(60)
                    server, seconds = start(store)
                else:  # the server replaces its engine and goes on
                    os.kill(engine_pid(server.url), signal.SIGKILL)
                    while True:
                        try:
                            if httpx.get(server.url + "/health", timeout=5).status_code == 200:
                                break
                        except httpx.TransportError:
                            pass
                        time.sleep(0.05)
                    seconds = time.monotonic() - began
                    stop.set()
                    for thread in threads:
                        thread.join(120)
                recoveries.append(seconds)
                try:
                    figures = check(f"round {round_number}: {target} killed", server.url, ledger, seconds)
                except AssertionError as err:
                    print(f"round {round_number}: FAILED: {err}")
                    figures = None
                totals["rounds"] += 1
                if figures is None:
                    totals["lost"] += 1
                    break
        finally:
            server.stop()
    print(f"rounds={totals['rounds']} acknowledged={len(ledger.acknowledged)} "
          f"not_applied={len(ledger.not_applied)} unanswered={len(ledger.unknown)} "
          f"failed_rounds={totals['lost']} recover_median={statistics.median(recoveries):.2f}s "
          f"recover_max={max(recoveries):.2f}s")
    return 1 if totals["lost"] else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("throughput", help="read throughput alone and with busy writers, and the ratio")
    p.add_argument("--seconds", type=float, default=20, help="length of each measure (default 20)")
    p.add_argument("--readers", type=int, default=8, help="concurrent readers (default 8)")
    p.add_argument("--writers", type=int, default=2, help="busy writers in the second measure (default 2)")
    p.set_defaults(run=throughput)
    p = commands.add_parser("kills", help="kill -9 at random moments of update bursts, restart, check content")
    p.add_argument("--rounds", type=int, default=20, help="bursts, each ended by a kill (default 20)")
    p.add_argument("--target", choices=("server", "engine", "both"), default="server",
                   help="what is killed: the server, its engine, or each in turn (default server)")
    p.add_argument("--min-wait", type=float, default=1.0, help="earliest kill, seconds into a burst")
    p.add_argument("--max-wait", type=float, default=10.0, help="latest kill, seconds into a burst")
    p.add_argument("--seed", type=int, default=None, help="seed of the random moments (default: random)")
    p.set_defaults(run=kills)
    args = parser.parse_args()
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
