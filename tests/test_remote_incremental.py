"""Differential test of remote updates: an update checked on a remote store, its change and
neighbourhoods read through SELECT queries (gmg.remote.view), gets full validation's verdict.

The world and the seeded updates are tests/test_incremental_validation.py's; here the world
sits in a real Oxigraph server, and the short way reads it only over the SPARQL Protocol,
as `gmg serve --store-url` does. Where the short way declines (the class hierarchy, a
sequence with a WHERE, blank nodes nested in blank nodes), the server takes the long way,
which the embedded tests cover; the test asserts that most updates go the short way.
"""

from __future__ import annotations

import random
import time

import httpx
import pyoxigraph as ox
import pytest

from gmg import incremental
from gmg.iris import INSTANCES_GRAPH, ONTOLOGY_GRAPH
from gmg.remote.dataset import checking_query
from gmg.remote.view import RemoteQuads
from remote_stores import OxigraphServer
from test_incremental_validation import COUNT, SEED, _full, _insert, _keys, _updates, world  # noqa: F401

pytestmark = pytest.mark.needs("oxigraph")

GRAPHS = [str(INSTANCES_GRAPH), str(ONTOLOGY_GRAPH)]
SPENT = {"read": 0.0, "judge": 0.0}


@pytest.fixture(scope="module")
def remote(world):
    sources, _, base, _, _ = world
    server = OxigraphServer()
    for graph, into in ((base, str(INSTANCES_GRAPH)), (sources.ontology, str(ONTOLOGY_GRAPH))):
        answer = httpx.post(server.update_url, content=_insert(graph, into), timeout=60,
                            headers={"Content-Type": "application/sparql-update"})
        assert answer.status_code < 300, answer.text
    yield server
    server.stop()


def _rows(server, client: httpx.Client, asked: list):
    def rows(query: str) -> list[dict]:
        text, dataset = checking_query(query, None, GRAPHS)
        asked.append(text)
        form: dict[str, list[str]] = {}
        for name, value in [("query", text), *dataset]:
            form.setdefault(name, []).append(value)
        answer = client.post(server.query_url, data=form, headers={"Accept": "application/sparql-results+json"})
        assert answer.status_code == 200, answer.text
        result = ox.parse_query_results(answer.content, format=ox.QueryResultsFormat.JSON)
        return [{v.value: row[v.value] for v in result.variables if row[v.value] is not None} for row in result]
    return rows


def _remote(server, client, text, sources, asked):
    """The short way's verdict on the remote store, or None where it declines (the long way's turn)."""
    rows = _rows(server, client, asked)
    clock = time.monotonic()
    try:
        job, _ = incremental.prepare_change(RemoteQuads(rows), rows, text)
    except SyntaxError:
        return 400, set(), set()
    except PermissionError:
        return 403, set(), set()
    except (incremental.NotIncremental, ValueError, OSError):
        return None
    SPENT["read"] += time.monotonic() - clock
    clock = time.monotonic()
    verdict = incremental.judge(job, sources)
    SPENT["judge"] += time.monotonic() - clock
    if verdict.added:
        return 422, _keys(verdict.report.violations), _keys(verdict.report.results, None)
    return 204, set(), set()


@pytest.fixture(scope="module")
def client():
    with httpx.Client(timeout=60) as c:  # (one connection, as the server's worker threads keep theirs)
        yield c


def test_remote_incremental_verdicts_are_full_validations(world, remote, client):
    sources, store, base, baseline, fixtures = world
    updates = _updates(base, fixtures, random.Random(SEED))[:max(40, COUNT // 2)]  # (each asks the store ~50 times)
    started = time.monotonic()
    mismatches, declined, asked, spent = [], 0, [], 0.0
    tally: dict[int, int] = {}
    for kind, text in updates:
        expected = _full(store, text, sources, baseline)
        clock = time.monotonic()
        got = _remote(remote, client, text, sources, asked)
        spent += time.monotonic() - clock
        if got is None:
            declined += 1
            continue
        tally[expected[0]] = tally.get(expected[0], 0) + 1
        if got != expected:
            mismatches.append(f"{kind}: full {expected[0]} {sorted(map(str, expected[1]))}\n"
                              f"   remote {got[0]} {sorted(map(str, got[1]))}\n{text[:600]}")
    print(f"{len(updates)} updates in {time.monotonic() - started:.1f} s (the remote checks {spent:.1f} s, "
          f"{len(asked)} queries; reading {SPENT['read']:.1f} s, pySHACL {SPENT['judge']:.1f} s): {declined} the long "
          f"way; verdicts {tally}")
    assert not mismatches, f"{len(mismatches)} verdicts differ:\n" + "\n\n".join(mismatches[:5])
    assert declined <= len(updates) // 5, f"{declined} of {len(updates)} updates declined the short way"
    assert tally.get(422, 0) >= len(updates) // 5 and tally.get(204, 0) >= len(updates) // 10
