"""rdflib-endpoint serving one N-Triples file from memory: the benchmark's third peer.

    .venv/bin/python benchmarks/rdflib_peer.py DATA.nt PORT

The SPARQL endpoint answers at /sparql (queries, and updates without a key).
"""

from __future__ import annotations

import sys

import uvicorn
from rdflib import Graph
from rdflib_endpoint import SparqlEndpoint


def main() -> int:
    path, port = sys.argv[1], int(sys.argv[2])
    graph = Graph()
    graph.parse(path, format="nt")
    app = SparqlEndpoint(graph=graph, path="/sparql", enable_update=True, title="gmg benchmark peer")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
