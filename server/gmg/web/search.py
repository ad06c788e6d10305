"""/search?q=: the label search, as a page (browsers) or JSON (?format=json).

The index of labels lives in memory, built from the store in the background and rebuilt
when the data changes: after an acknowledged update (the journal grows) or a new engine
(restart or reloaded sources) — the two ways the served data can change. A search waits
for a new index as long as a query may take, then uses the last one (on a large store a
rebuild takes a minute); before the first is made it answers 503 with Retry-After. What a
hit needs besides its labels (the links to it, for the order; its types, for the list) is
asked of the store for the few resources a search finds, so the index stays small.
"""

from __future__ import annotations

import asyncio
import html

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from ..engine import EngineSupervisor
from ..search import Hit, Label, LabelIndex, most_specific_types
from ..settings import Settings
from ..sitequeries import iri_values
from . import internal
from .errors import ProtocolError, error_response
from .layout import page
from .terms import local_href
from .head import without_body

MAX_QUERY_CHARS = 200
TSV = "text/tab-separated-values"
LABELS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?s ?p ?l WHERE {
  VALUES ?p { rdfs:label skos:prefLabel skos:altLabel }
  ?s ?p ?l FILTER(isIRI(?s) && isLiteral(?l))
  FILTER(lang(?l) = "" || langMatches(lang(?l), "en") || langMatches(lang(?l), "ru"))
}"""
# the class tree: the result list names a resource's most specific types ("World Bank —
# international organization"); small, kept with the index
SUBCLASS_OF = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?sub ?sup WHERE { ?sub rdfs:subClassOf ?sup FILTER(isIRI(?sub) && isIRI(?sup)) }"""
# the hits' types and the types' English labels
TYPES_OF = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?s ?t ?l WHERE {{
  VALUES ?s {{ {values} }} ?s a ?t FILTER(isIRI(?t))
  OPTIONAL {{ ?t rdfs:label ?l FILTER(langMatches(lang(?l), "en")) }}
}}"""
# how many statements link to each contender: the tie-breaker between equally good matches (each
# triple once, though the default graph's graphs may repeat it: some stores would count it twice)
LINKS_TO = """SELECT ?o (COUNT(*) AS ?n) WHERE {{
  {{ SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?o {{ {values} }} ?s ?p ?o }} }}
}} GROUP BY ?o"""
PREFERRED = ("http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel")
def index_of(tsv: bytes) -> LabelIndex:
    """The index of LABELS' answer as TSV (read by pyoxigraph: no dictionary per row)."""
    rows = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
    return LabelIndex(Label(row["s"].value, row["l"].value, row["l"].language or "", row["p"].value in PREFERRED)
                      for row in rows)


class SearchIndex:
    """The label search over the data the engine serves now."""

    def __init__(self, engine: EngineSupervisor, settings: Settings):
        self.engine, self.settings = engine, settings
        self._cached = internal.PerDataVersion(engine, self._build, patience=settings.query_timeout,
                                               what="the search index")

    async def search(self, query: str, limit: int = 20) -> list[Hit]:
        index, subclass_of = await self._cached.get()
        # (in a thread: a word most labels share takes seconds on a large store)
        shortlist = await asyncio.to_thread(index.shortlist, query, limit)
        contenders = index.contender_iris(shortlist)
        links = {} if len(contenders) <= 1 else {
            row["o"]["value"]: int(row["n"]["value"])
            for row in await internal.rows(self.engine, self.settings, LINKS_TO.format(values=iri_values(contenders)))}
        hits = index.rank(shortlist, links)
        if hits:
            typed, type_labels = [], {}
            for row in await internal.rows(self.engine, self.settings,
                                           TYPES_OF.format(values=iri_values(hit.iri for hit in hits))):
                typed.append((row["s"]["value"], row["t"]["value"]))
                if "l" in row:
                    type_labels.setdefault(row["t"]["value"], []).append(row["l"]["value"])
            types = most_specific_types(typed, subclass_of, type_labels)
            for hit in hits:
                hit.types = types.get(hit.iri, [])
        return hits

    async def _build(self) -> tuple[LabelIndex, list[tuple[str, str]]]:
        tsv = await internal.read(self.engine, self.settings, LABELS, accept=TSV)
        index = await asyncio.to_thread(index_of, tsv)
        subclass_of = [(row["sub"]["value"], row["sup"]["value"])
                       for row in await internal.rows(self.engine, self.settings, SUBCLASS_OF)]
        return index, subclass_of


def search_router(settings: Settings, engine: EngineSupervisor, index: SearchIndex) -> APIRouter:
    router = APIRouter()

    @router.api_route("/search", methods=["GET", "HEAD"])
    async def search(request: Request) -> Response:
        query = request.query_params.get("q", "").strip()
        try:
            if len(query) > MAX_QUERY_CHARS:
                raise ProtocolError(400, f"The search text is longer than {MAX_QUERY_CHARS} characters: "
                                         "search for a name, like 'World Bank'.")
            hits = await index.search(query) if query else []
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
