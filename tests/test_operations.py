"""Operations: health, Prometheus metrics, the structured access log, settings printed at start."""

from __future__ import annotations

import hashlib
import json
import time


def test_metrics_count_requests_by_route_and_status(client):
    client.get("/sparql", params={"query": "ASK {}"})
    client.get("/sparql", params={"query": "SELEC"})
    text = client.get("/metrics").text
    assert 'gmg_http_requests_total{method="GET",route="/sparql",status="200"}' in text
    assert 'gmg_http_requests_total{method="GET",route="/sparql",status="400"}' in text
    assert "gmg_http_request_duration_seconds_bucket" in text
    assert "gmg_engine_restarts" in text


def test_access_log_is_structured_with_a_query_hash(client, server):
    query = "ASK { ?s ?p ?o } # access-log test"
    client.get("/sparql", params={"query": query})
    digest = hashlib.sha256(query.encode()).hexdigest()[:16]
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        lines = [line for line in server.output().splitlines() if digest in line]
        if lines:
            break
        time.sleep(0.1)
    assert lines, "no access-log line for the query"
    record = json.loads(lines[-1][lines[-1].index("{"):])
    assert record["method"] == "GET" and record["path"] == "/sparql" and record["status"] == 200
    assert record["duration_ms"] >= 0


def test_settings_are_printed_at_start(server):
    output = server.output()
    assert "query_timeout = 10.0" in output and "max_rows = 100000" in output
