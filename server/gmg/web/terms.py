"""How an IRI is shown on a page: as a CURIE, and linked to where this server describes it."""

from __future__ import annotations

from collections.abc import Collection

from ..docs import anchor_of
from ..iris import GMG, ID, PREFIXES


def curie(iri: str) -> str:
    """Unlabelled terms are shown as CURIEs (rdfs:comment)."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def local_href(iri: str, documented: Collection[str] = ()) -> str:
    """Resources link to their /id/ pages, gmg's terms to their documentation, and so do the
    terms of other vocabularies that /ontology documents (`documented`); the rest to themselves."""
    if iri.startswith(str(ID)):
        return "/id/" + iri[len(str(ID)):]
    if iri.startswith(str(GMG)) or iri in documented:
        return "/ontology#" + anchor_of(iri)
    return iri
