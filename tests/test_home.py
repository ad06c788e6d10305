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
