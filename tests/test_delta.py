"""The delta API (gmg.delta): an update's quads, computed without changing the store,
are exactly what applying the update to a copy adds and removes."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from gmg.delta import Delta, Unsupported, delta, store_select

BASE = "https://w3id.org/gmg/"
DATA = """
PREFIX ex: <http://example.org/>
INSERT DATA {
  ex:a ex:p ex:b . ex:a ex:label "a"@en .
  GRAPH ex:g { ex:a ex:p ex:c . ex:c ex:p ex:d . _:x ex:about ex:a . _:x ex:note "n" }
  GRAPH ex:h { ex:b ex:p ex:a }
}"""

UPDATES = [
    "PREFIX ex: <http://example.org/> INSERT DATA { GRAPH ex:g { ex:z ex:p ex:a } }",
    "PREFIX ex: <http://example.org/> DELETE DATA { GRAPH ex:g { ex:a ex:p ex:c } }",
    "PREFIX ex: <http://example.org/> DELETE DATA { GRAPH ex:g { ex:nothing ex:p ex:c } }",
    "PREFIX ex: <http://example.org/> INSERT DATA { ex:q ex:p ex:r } ; DELETE DATA { ex:q ex:p ex:r . ex:a ex:p ex:b }",
    "PREFIX ex: <http://example.org/> BASE <http://example.org/base/> PREFIX fx: <http://example.org/f#> "
    "DELETE DATA { ex:a ex:p ex:b } ; INSERT DATA { ex:a ex:p ex:b . fx:one fx:two <relative> }",
    "PREFIX ex: <http://example.org/> DELETE { GRAPH ?g { ?s ex:p ?o } } WHERE { GRAPH ?g { ?s ex:p ?o } }",
    "PREFIX ex: <http://example.org/> DELETE { GRAPH ex:g { ?s ?p ?o } } INSERT { GRAPH ex:h { ?s ?p ?o } } "
    "WHERE { GRAPH ex:g { ?s ?p ?o } }",
    # blank nodes of the store are deleted; those of an INSERT template are fresh per row
    "PREFIX ex: <http://example.org/> DELETE { GRAPH ex:g { ?x ?p ?o } } WHERE { GRAPH ex:g { ?x ex:about ex:a ; ?p ?o } }",
    "PREFIX ex: <http://example.org/> INSERT { GRAPH ex:g { ?s ex:has [ ex:value ?o ] } } WHERE { GRAPH ex:g { ?s ex:p ?o } }",
    "PREFIX ex: <http://example.org/> WITH ex:g DELETE { ?s ex:p ?o } INSERT { ?o ex:q ?s } WHERE { ?s ex:p ?o }",
    "PREFIX ex: <http://example.org/> WITH ex:g INSERT { ?s ex:q ?o } USING ex:h WHERE { ?s ex:p ?o }",
    "PREFIX ex: <http://example.org/> INSERT { GRAPH ex:k { ?s ex:q ?o } } USING NAMED ex:h "
    "WHERE { GRAPH ?g { ?s ex:p ?o } }",
    "PREFIX ex: <http://example.org/> INSERT { GRAPH ex:k { ?s ex:q ?missing } } WHERE { GRAPH ex:g { ?s ex:p ?o "
    "OPTIONAL { ?s ex:none ?missing } } } ;",
    "PREFIX ex: <http://example.org/> DELETE { GRAPH ?g { ?s ex:p ?o } } WHERE { GRAPH ?g { ?s ex:p ?o FILTER (?o = ex:c) } }",
    "PREFIX ex: <http://example.org/> DELETE WHERE { GRAPH ex:g { ?s ex:p ?o . ?o ex:p ?z } }",
    "PREFIX ex: <http://example.org/> DELETE { GRAPH ex:g { ?s ?p ?o } } WHERE { GRAPH ex:g { ?s ?p ?o "
    "FILTER (isLiteral(?o) && regex(str(?o), \"WHERE { ; }\")) } } # a comment }",
    "PREFIX ex: <http://example.org/> INSERT { GRAPH ex:g { ?s ex:p ?o } } WHERE { GRAPH ex:g { ?s ex:p ?o } }",
    "DROP SILENT GRAPH <http://example.org/g> ; INSERT DATA { GRAPH <http://example.org/g> { <s:1> <p:1> <o:1> } }",
    "CLEAR DEFAULT",
    "DROP SILENT GRAPH <http://example.org/none>",
]


def _store() -> ox.Store:
    store = ox.Store()
    store.update(DATA)
    return store


def _canonical(quads) -> list[str]:
    """Quads as text with blank node labels erased (fresh ones differ between two runs)."""
    return sorted(" ".join("_:b" if isinstance(t, ox.BlankNode) else str(t) for t in q) for q in quads)


def _applied(store: ox.Store, text: str) -> tuple[set, set]:
    before = set(store)
    copy = ox.Store()
    copy.extend(before)
    copy.update(text, base_iri=BASE)
    after = set(copy)
    return after - before, before - after


@pytest.mark.parametrize("text", UPDATES)
def test_delta_is_what_applying_changes(text):
    store = _store()
    before = set(store)
    added, removed = _applied(store, text)
    found = delta(text, BASE, store_select(store, BASE))
    inserted = {q for q in found.inserted if q not in before}
    deleted = {q for q in found.deleted if q in before}
    assert _canonical(inserted) == _canonical(added)
    assert deleted == removed  # deleted blank nodes keep the store's labels
    assert set(store) == before  # the store itself is untouched


def test_as_update_replays_the_same_change():
    store = _store()
    text = UPDATES[6]
    found = delta(text, BASE, store_select(store, BASE))
    expected = _store()
    expected.update(text, base_iri=BASE)
    store.update(found.as_update())
    assert _canonical(store) == _canonical(expected)


@pytest.mark.parametrize("text", [
    "PREFIX ex: <http://example.org/> INSERT DATA { ex:a ex:p ex:z } ; DELETE WHERE { ex:a ex:p ?o }",
    "CLEAR ALL",
    "ADD <http://example.org/g> TO <http://example.org/h>",
    "DROP GRAPH <http://example.org/none>",
])
def test_forms_left_to_the_long_way(text):
    with pytest.raises(Unsupported):
        delta(text, BASE, store_select(_store(), BASE))


def test_syntax_error_is_a_syntax_error():
    with pytest.raises(SyntaxError):
        delta("INSERT DATA { <a> <b> }", BASE, store_select(_store(), BASE))


def test_empty_delta_for_an_update_without_operations():
    assert delta("PREFIX ex: <http://example.org/>", BASE, store_select(_store(), BASE)) == Delta(frozenset(), frozenset())
