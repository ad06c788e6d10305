"""Time the shape check of updates: on the nodes they affect (what the server does) and the long way.

    .venv/bin/python scripts/update_times.py [--data DIR] [--updates 40] [--triples 100] [--full 2]

Loads the data folder (this checkout's, or DIR, e.g. a benchmarks/ generated folder)
into an in-memory store, then checks --updates updates of --triples triples each,
alternately valid (new organisations, each labelled, placed and mentioned in a
passage) and invalid (the same with one English label missing), and prints, per kind,
the median and 95th percentile of the whole check and of its two halves: `prepare`
(the delta, the affected nodes and their neighbourhoods, read from the store: the
engine's part) and `judge` (pySHACL on the neighbourhoods: the checker's part). The
first --full updates are also checked the long way (a copy of the store validated
whole), for comparison, and must get the same answer. Nothing is applied.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "server"))

from rdflib import Graph  # noqa: E402

from gmg.iris import INSTANCES_GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH  # noqa: E402
from gmg.paths import DataDir  # noqa: E402
from gmg.sources import Sources, parse_turtle, source_files  # noqa: E402
from gmg.store import GraphStore  # noqa: E402
from gmg.update import UpdateRefused, check_full, judge, prepare  # noqa: E402

GRAPH = str(INSTANCES_GRAPH)


def load(data: DataDir | None) -> tuple[GraphStore, Sources]:
    files = source_files(data)
    store = GraphStore()
    store.load_files([(path, str(name)) for path, name in files], digest="update-times")
    graphs = {ONTOLOGY_GRAPH: Graph(), SHAPES_GRAPH: Graph(), INSTANCES_GRAPH: Graph()}
    for path, name in files:  # the check reads the shapes and ontology from the files; the data from the store
        if name in (ONTOLOGY_GRAPH, SHAPES_GRAPH):
            parse_turtle(path, graphs[name])
    return store, Sources(graphs=graphs)


def first(store: GraphStore, cls: str) -> str:
    rows = store.raw.query(f"SELECT ?x WHERE {{ GRAPH <{GRAPH}> {{ ?x a <https://w3id.org/gmg/ontology#{cls}> }} }} LIMIT 1")
    return next(iter(rows))["x"].value


def update(n: int, triples: int, passage: str, city: str, valid: bool) -> str:
    lines = []
    for i in range(triples // 5):
        node = f"<https://w3id.org/gmg/id/timing-org-{n}-{i}>"
        label = f'"Timing organisation {n} {i}"@en' if valid or i else f'"Организация {n}"@ru'
        lines += [f"{node} a <https://w3id.org/gmg/ontology#Organization> .",
                  f"{node} <http://www.w3.org/2000/01/rdf-schema#label> {label} .",
                  f'{node} <http://www.w3.org/2004/02/skos/core#altLabel> "TO {n} {i}"@en .',
                  f"{node} <https://w3id.org/gmg/ontology#mentionedIn> <{passage}> .",
                  f"{node} <https://w3id.org/gmg/ontology#basedIn> <{city}> ."]
    return f"INSERT DATA {{ GRAPH <{GRAPH}> {{\n" + "\n".join(lines) + "\n} }"


def summary(name: str, values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
    return f"{name} median {statistics.median(values) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="a data folder (default: this checkout's)")
    parser.add_argument("--updates", type=int, default=40)
    parser.add_argument("--triples", type=int, default=100)
    parser.add_argument("--full", type=int, default=2, help="how many updates to check the long way too")
    args = parser.parse_args()
    started = time.monotonic()
    store, sources = load(DataDir(args.data) if args.data else None)
    print(f"{len(store)} quads loaded in {time.monotonic() - started:.1f} s")
    passage, city = first(store, "Passage"), first(store, "City")
    judge(prepare(store, update(0, args.triples, passage, city, True)), sources)  # warm up: parse the shapes, the queries
    times: dict[str, dict[str, list[float]]] = {}
    for n in range(args.updates):
        valid = n % 2 == 0
        text = update(n + 1, args.triples, passage, city, valid)
        clock = time.perf_counter()
        job = prepare(store, text)
        prepared = time.perf_counter()
        try:
            judge(job, sources)
            status = 204
        except UpdateRefused as err:
            status = err.status
        done = time.perf_counter()
        assert status == (204 if valid else 422), (status, text[:300])
        kind = times.setdefault("accepted" if valid else "refused", {"check": [], "prepare": [], "judge": []})
        kind["check"].append(done - clock)
        kind["prepare"].append(prepared - clock)
        kind["judge"].append(done - prepared)
        if n < args.full:
            clock = time.perf_counter()
            try:
                check_full(store, text, sources)
                full_status = 204
            except UpdateRefused as err:
                full_status = err.status
            times.setdefault("long way", {"check": []})["check"].append(time.perf_counter() - clock)
            assert full_status == status, f"the long way says {full_status}, the short way {status}"
    print(f"{args.updates} updates of {args.triples} triples on {len(store)} quads:")
    for kind, parts in times.items():
        print(f"  {kind:9} " + "; ".join(summary(name, values) for name, values in parts.items()))


if __name__ == "__main__":
    main()
