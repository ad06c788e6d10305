"""/search?q=: the label search, as a page (browsers) or JSON (?format=json).

The index lives in memory, built from the store on first use and rebuilt when the
data changes: after an acknowledged update (the journal grows) or a new engine
(restart or reloaded sources) — the two ways the served data can change.
"""

from __future__ import annotations

import html

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from ..engine import EngineSupervisor
from ..search import Label, LabelIndex, most_specific_types
from ..settings import Settings
from . import internal
from .errors import ProtocolError, error_response
from .layout import page
from .terms import local_href
from .head import without_body

MAX_QUERY_CHARS = 200
LABELS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?s ?p ?l WHERE {
  VALUES ?p { rdfs:label skos:prefLabel skos:altLabel }
  ?s ?p ?l FILTER(isIRI(?s) && isLiteral(?l))
  FILTER(lang(?l) = "" || langMatches(lang(?l), "en") || langMatches(lang(?l), "ru"))
}"""
# each resource's types, the class tree and the classes' English labels: the result list names
# a resource's most specific types ("World Bank — international organization")
TYPED = "SELECT DISTINCT ?s ?t WHERE { ?s a ?t FILTER(isIRI(?s) && isIRI(?t)) }"
SUBCLASS_OF = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?sub ?sup WHERE { ?sub rdfs:subClassOf ?sup FILTER(isIRI(?sub) && isIRI(?sup)) }"""
TYPE_LABELS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?t ?l WHERE { ?x a ?t . ?t rdfs:label ?l FILTER(langMatches(lang(?l), "en")) }"""
# how many statements link to each resource: the tie-breaker between equally good matches (each
# triple once, though the default graph's graphs may repeat it: some stores would count it twice)
LINKS = """SELECT ?o (COUNT(*) AS ?n) WHERE {
  { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o FILTER(isIRI(?o)) } }
} GROUP BY ?o"""
PREFERRED = ("http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel")


class SearchIndex:
    """The label index of the data the engine serves now."""

    def __init__(self, engine: EngineSupervisor, settings: Settings):
        self.engine, self.settings = engine, settings
        self._cached = internal.PerDataVersion(engine, self._build)

    async def get(self) -> LabelIndex:
        return await self._cached.get()

    async def _build(self) -> LabelIndex:
        rows = await internal.rows(self.engine, self.settings, LABELS)
        labels = [Label(r["s"]["value"], r["l"]["value"], r["l"].get("xml:lang", ""), r["p"]["value"] in PREFERRED)
                  for r in rows]
        display: dict[str, str] = {}
        for label in sorted(labels, key=lambda l: (not l.preferred, not l.lang.startswith("en"), l.lang)):
            display.setdefault(label.iri, label.text)
        async def pairs(query: str, first: str, second: str) -> list[tuple[str, str]]:
            return [(r[first]["value"], r[second]["value"])
                    for r in await internal.rows(self.engine, self.settings, query)]
        typed, subclass_of = await pairs(TYPED, "s", "t"), await pairs(SUBCLASS_OF, "sub", "sup")
        type_labels: dict[str, list[str]] = {}
        for cls, label in await pairs(TYPE_LABELS, "t", "l"):
            type_labels.setdefault(cls, []).append(label)
        types = most_specific_types(typed, subclass_of, type_labels)
        links = {r["o"]["value"]: int(r["n"]["value"]) for r in await internal.rows(self.engine, self.settings, LINKS)}
        return LabelIndex(labels, display, types, links)


def search_router(settings: Settings, engine: EngineSupervisor, index: SearchIndex) -> APIRouter:
    router = APIRouter()

    @router.api_route("/search", methods=["GET", "HEAD"])
    async def search(request: Request) -> Response:
        query = request.query_params.get("q", "").strip()
        try:
            if len(query) > MAX_QUERY_CHARS:
                raise ProtocolError(400, f"The search text is longer than {MAX_QUERY_CHARS} characters: "
                                         "search for a name, like 'World Bank'.")
            hits = (await index.get()).search(query) if query else []
        except ProtocolError as err:
            return error_response(err)
        if request.query_params.get("format") == "json":
            response: Response = JSONResponse({"query": query, "results": [
                {"iri": h.iri, "label": h.label, "matched": h.matched, "types": h.types, "score": h.score,
                 "href": local_href(h.iri)} for h in hits]})
        else:
            response = HTMLResponse(search_page(query, hits))
        return await without_body(response) if request.method == "HEAD" else response

    return router


def search_page(query: str, hits: list) -> str:
    if not query:
        main = ("<h1>Search</h1><p>Type a name in English or Russian, in any common romanisation: "
                "a governor, a programme, a country, a person, a document. Or <a href=\"/id/\">browse by type</a>.</p>")
        return page("Search — gmg", main)
    items = "".join(
        f'<li><a href="{html.escape(local_href(h.iri))}">{html.escape(h.label)}</a>'
        + (f' <span class="muted">— {html.escape(", ".join(h.types))}</span>' if h.types else "")
        + (f' <span class="tag">(matched “{html.escape(h.matched)}”)</span>' if h.matched != h.label else "")
        + "</li>" for h in hits)
    found = (f"<p>{len(hits)} result{'s' if len(hits) != 1 else ''}, best first.</p><ol class=\"hits\">{items}</ol>"
             if hits else "<p>Nothing is labelled like that. Try fewer letters, another spelling, or "
                          "<a href=\"/id/\">browse by type</a>.</p>")
    return page(f"{query} — search — gmg", f"<h1>Search: {html.escape(query)}</h1>{found}", query=query)
