"""rdflib-endpoint serving one N-Triples file from memory: the benchmark's third peer.

    .venv/bin/python benchmarks/rdflib_peer.py DATA.nt PORT

The SPARQL endpoint answers at /sparql (queries, and updates without a key). Its address
space is capped (10 GB unless a third argument says otherwise): rdflib-endpoint keeps
evaluating a query its client gave up on, and a few abandoned joins over a million triples
would otherwise take the machine's memory; past the cap a query fails with MemoryError.
"""

from __future__ import annotations

import resource
import sys

import uvicorn
from rdflib import Graph
from rdflib_endpoint import SparqlEndpoint


def main() -> int:
    path, port = sys.argv[1], int(sys.argv[2])
    cap = int(float(sys.argv[3] if len(sys.argv) > 3 else 10) * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    graph = Graph()
    graph.parse(path, format="nt")
    app = SparqlEndpoint(graph=graph, path="/sparql", enable_update=True, title="gmg benchmark peer")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
