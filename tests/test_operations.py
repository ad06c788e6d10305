"""Operations: health, Prometheus metrics, the structured access log, settings printed at start."""

from __future__ import annotations

import hashlib
import json
import time

import pytest


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
    assert record["query_form"] == "ASK" and record["query_hash"] == digest


def test_settings_are_printed_at_start(server):
    output = server.output()
    assert "query_timeout = 10.0" in output and "max_rows = 100000" in output


def test_metrics_time_queries_by_form_and_count_engine_restarts(client):
    client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"})
    client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1"})
    text = client.get("/metrics").text
    assert 'gmg_query_duration_seconds_count{form="SELECT"}' in text
    assert 'gmg_query_duration_seconds_count{form="CONSTRUCT"}' in text
    assert 'gmg_http_request_duration_seconds_count{route="/sparql",status="200"}' in text
    restarts = client.get("/health").json()["engine"]["restarts"]
    assert f"gmg_engine_restarts {float(restarts)}" in text
    assert "gmg_query_timeouts" in text


def test_metrics_histograms_count_each_answer_once_in_cumulative_buckets():
    from prometheus_client.parser import text_string_to_metric_families

    from gmg.web.observability import Metrics

    class Engine:
        class stats:
            restarts, timeouts = 0, 0

    metrics = Metrics(Engine())
    times = [0.001, 0.005, 0.0051, 0.3, 12.0]  # 0.005 is on a bucket's bound: in that bucket (le)
    for elapsed in times:
        metrics.observe("/sparql", "POST", 200, "SELECT", elapsed)
    metrics.observe("/sparql", "POST", 400, None, 0.002)
    families = {f.name: f for f in text_string_to_metric_families(metrics.render().body.decode())}
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for f in families.values() for s in f.samples}
    query = [s for s in families["gmg_query_duration_seconds"].samples if s.labels.get("form") == "SELECT"]
    buckets = {s.labels["le"]: s.value for s in query if s.name.endswith("_bucket")}
    assert buckets["0.005"] == 2 and buckets["0.01"] == 3 and buckets["0.5"] == 4
    assert buckets["10.0"] == 4 and buckets["+Inf"] == 5
    assert [s.value for s in query if s.name.endswith("_count")] == [5]
    assert [s.value for s in query if s.name.endswith("_sum")] == [pytest.approx(sum(times))]
    assert samples[("gmg_http_requests_total", (("method", "POST"), ("route", "/sparql"), ("status", "200")))] == 5
    assert samples[("gmg_http_requests_total", (("method", "POST"), ("route", "/sparql"), ("status", "400")))] == 1
    assert not [s for s in families["gmg_query_duration_seconds"].samples if s.labels.get("form") is None]


def test_health_reports_engine_store_and_updates(client):
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["triples"] > 1000
    assert body["engine"]["pid"] > 0 and body["engine"]["restarts"] >= 0
    assert body["updates"]["enabled"] is False and body["updates"]["journal"] == 0
    assert body["journal_problems"] == [] and body["build_errors"] == []


def test_settings_are_printed_once_at_start(server):
    output = server.output()
    assert output.count("gmg serve with settings:") == 1
    for name in ("host", "port", "store", "base_iri", "public_url", "max_query_bytes", "max_body_bytes",
                 "query_timeout", "max_rows", "max_active_queries", "max_queued_queries", "queue_timeout",
                 "update_token"):
        assert f"  {name} = " in output, name


@pytest.mark.parametrize("path,form,digest", [
    ("/sparql", "SELECT", "0123456789abcdef"), ('/id/a "quoted"\\path', None, None), ("/id/café\u2028\n", "ASK", None)])
def test_the_access_log_line_is_what_json_dumps_writes(path, form, digest):
    from gmg.web.observability import AccessLog

    line = AccessLog.record("GET", path, 404, 12.3, form, digest)
    assert line == json.dumps({"method": "GET", "path": path, "status": 404, "duration_ms": 12.3,
                               "query_form": form, "query_hash": digest})
    assert json.loads(line)["path"] == path
