"""The home page: a person arriving at the server's root finds the way in."""

from __future__ import annotations

import re


def test_home_page_links_to_every_part(client):
    response = client.get("/", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    links = set(re.findall(r'href="([^"]+)"', response.text))
    for path in ("/sparql", "/ontology", "/shapes", "/health"):
        assert path in links, f"the home page does not link to {path}"
        assert client.get(path).status_code == 200, f"{path}, linked from the home page, does not answer"
    triples = client.get("/health").json()["triples"]
    assert f"{triples:,} triples" in response.text
    assert "not served" not in response.text  # no build errors without --watch


def test_every_page_linked_from_home_answers_head_like_get(client):
    links = re.findall(r'href="(/[^"]*)"', client.get("/").text)
    assert len(links) >= 8
    for path in ["/", *links]:
        get, head = client.get(path), client.head(path)
        assert head.status_code == get.status_code == 200, path
        assert head.content == b"" and head.headers["content-type"] == get.headers["content-type"], path
        if path not in ("/metrics", "/health"):  # those two change from one request to the next
            assert head.headers.get("content-length") in (None, get.headers.get("content-length")), path
