"""Full validation by two SHACL engines on the same data: pySHACL as gmg runs it, and pyrudof.

gmg's way (`pyshacl`) is gmg.validate: the SPARQL screen (gmg.screen) over pyoxigraph,
then pySHACL on the nodes that could fail.

    .venv/bin/pip install pyrudof
    .venv/bin/python benchmarks/shacl_engines.py --data benchmarks/generated/100k [--engines pyshacl,pyrudof]

Not part of the tests, and pyrudof is no dependency of gmg: this measures whether it could
take full validation (benchmarks/RESULTS.md has the figures). pyrudof (Rust) ignores
SPARQL-based targets (`sh:target [sh:select …]`), which two dozen of gmg's shapes use, so
their nodes are found by pyoxigraph, as gmg.targets does for pySHACL, and given to pyrudof
as `sh:targetNode`; blank nodes become IRIs first (a target cannot name a blank node), which
changes what `sh:nodeKind sh:IRI` says of them. The ontology is part of the data, as pySHACL
mixes it in.

Each engine runs in a process of its own, so that its peak memory is its own; the reports
are compared as multisets of (focus node, shape, severity), blank nodes as one.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "server"))

SKOLEM = "urn:x-gmg-bnode:"


def run_pyshacl(data: Path) -> tuple[_Clock, list[tuple]]:
    from rdflib import BNode

    from gmg.paths import DataDir
    from gmg.sources import load_sources
    from gmg.validate import validate

    clock = _Clock()
    sources = load_sources(DataDir(data))
    clock.lap("parse")
    report = validate(sources)
    clock.lap("validate")
    return clock, [("_:" if isinstance(r.focus, BNode) else str(r.focus), _named(str(r.shape)),
                    str(r.severity).rsplit("#", 1)[-1]) for r in report.results]


def run_pyrudof(data: Path) -> tuple[_Clock, list[tuple]]:
    import pyoxigraph as ox
    import pyrudof
    from rdflib import Graph

    from gmg.paths import DataDir
    from gmg.sources import load_sources
    from gmg.targets import Targets

    clock = _Clock()
    sources = load_sources(DataDir(data))
    clock.lap("parse")
    with tempfile.TemporaryDirectory(prefix="gmg-shacl-") as folder:
        data_file, shapes_file = Path(folder) / "data.nt", Path(folder) / "shapes.nt"
        store = ox.Store()
        with data_file.open("w") as out:
            for graph in (sources.instances, sources.ontology):
                for s, p, o in graph:
                    line = f"{_skolem(s)} {p.n3()} {_skolem(o)} .\n"
                    out.write(line)
        store.bulk_load(path=str(data_file), format=ox.RdfFormat.N_TRIPLES)
        shapes = Graph()
        shapes += sources.shapes
        targets = Targets(shapes)
        with shapes_file.open("w") as out:
            out.write(shapes.serialize(format="nt"))
            for shape, kind, target in targets.declarations:
                if target in targets.selects:
                    for solution in store.query(targets.selects[target]):
                        out.write(f"{shape.n3()} <http://www.w3.org/ns/shacl#targetNode> {solution['this']} .\n")
        del store
        clock.lap("targets")
        rudof = pyrudof.Rudof(pyrudof.RudofConfig())
        rudof.read_shacl(str(shapes_file), pyrudof.ShaclFormat.NTriples)
        rudof.read_data(str(data_file), pyrudof.RDFFormat.NTriples)
        clock.lap("load")
        report = rudof.validate_shacl()
        clock.lap("validate")
    rows = []
    for result in report:
        focus = str(result.focus_node).strip("<>")
        rows.append(("_:" if focus.startswith(SKOLEM) else focus, _named(str(result.source_shape).strip("<>")),
                     str(result.severity).rsplit("#", 1)[-1].rsplit(":", 1)[-1]))
    return clock, rows


def _named(shape: str) -> str:
    """A shape's IRI; a blank node shape (a property shape) as one, its label being the engine's own."""
    return shape if shape.startswith(("http:", "https:", "urn:")) else "_:"


def _skolem(term) -> str:
    from rdflib import BNode

    return f"<{SKOLEM}{term}>" if isinstance(term, BNode) else term.n3()


class _Clock:
    def __init__(self):
        self.phases: dict[str, float] = {}
        self._at = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.phases[name] = round(now - self._at, 1)
        self._at = now


ENGINES = {"pyshacl": run_pyshacl, "pyrudof": run_pyrudof}


def child(engine: str, data: Path, out: Path) -> None:
    clock, rows = ENGINES[engine](data)
    out.write_text(json.dumps({"phases": clock.phases, "rows": rows,
                               "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT, help="a data folder (default: this checkout)")
    parser.add_argument("--engines", default="pyshacl,pyrudof")
    parser.add_argument("--run", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        child(args.run, args.data, args.out)
        return 0
    found = {}
    for engine in args.engines.split(","):
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            started = time.perf_counter()
            subprocess.run([sys.executable, __file__, "--run", engine, "--data", str(args.data), "--out", out.name],
                           check=True)
            result = json.loads(Path(out.name).read_text())
        seconds = time.perf_counter() - started
        found[engine] = Counter(map(tuple, result["rows"]))
        print(f"{engine}: {seconds:.1f} s in all ({', '.join(f'{k} {v} s' for k, v in result['phases'].items())}), "
              f"peak {result['peak_mb']} MB, {len(result['rows'])} results", flush=True)
    if len(found) == 2:
        first, second = found.values()
        print("same results (focus, shape, severity):", first == second,
              f"({sum((first - second).values())} only in the first, {sum((second - first).values())} only in the "
              "second)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
