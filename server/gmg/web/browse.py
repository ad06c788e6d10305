"""/id/: browse the resources by type, with counts; /id/?type=<class> lists a class's members.

The types are whatever classes the published resources have in the store (asserted
or inferred), found by SPARQL: no hand list to keep in step with the ontology.
"""

from __future__ import annotations

import html
import re

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ..engine import EngineSupervisor
from ..iris import GMG, ID, PREFIXES
from ..settings import Settings
from ..sitequeries import iri_values
from . import internal
from .errors import ProtocolError, error_response
from .layout import page
from .terms import curie, local_href
from .head import without_body

# classes every resource has, which tell a reader nothing
NOISE = ("http://www.w3.org/2002/07/owl#", "http://www.w3.org/2000/01/rdf-schema#")
IRI = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")

TYPES = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?class (SAMPLE(?l) AS ?label) (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  ?s a ?class FILTER(STRSTARTS(STR(?s), "{id_base}"))
  OPTIONAL {{ ?class rdfs:label ?l FILTER(langMatches(lang(?l), "en")) }}
}} GROUP BY ?class"""

MEMBERS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?s (SAMPLE(?l) AS ?label) WHERE {{
  ?s a <{cls}> FILTER(isIRI(?s))
  OPTIONAL {{ ?s rdfs:label ?l FILTER(langMatches(lang(?l), "en")) }}
}} GROUP BY ?s"""

# a class of more than PAGE members is listed PAGE at a time, in the order the store gives them
# (sorting the IRIs of 519,640 statements took Oxigraph 36 s; a page in the store's order takes
# milliseconds, and the pages are stable while the data is)
PAGE = 200
COUNT = """SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{cls}> FILTER(isIRI(?s)) }}"""
MEMBERS_PAGE = """SELECT DISTINCT ?s WHERE {{ ?s a <{cls}> FILTER(isIRI(?s)) }} LIMIT {limit} OFFSET {offset}"""
LABELS_OF = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?s (SAMPLE(?l) AS ?label) WHERE {{
  VALUES ?s {{ {values} }} OPTIONAL {{ ?s rdfs:label ?l FILTER(langMatches(lang(?l), "en")) }}
}} GROUP BY ?s"""

CLASS_LABEL = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?l WHERE {{ <{cls}> rdfs:label ?l FILTER(langMatches(lang(?l), "en")) }} LIMIT 1"""


def class_iri(given: str) -> str:
    """A class named by CURIE (gmg:Programme) or full IRI; 400 for anything else."""
    prefix, colon, local = given.partition(":")
    if colon and prefix in PREFIXES and re.fullmatch(r"[A-Za-z0-9_.-]*", local):
        return PREFIXES[prefix] + local
    if IRI.fullmatch(given):
        return given
    raise ProtocolError(400, f"{given!r} names no class: give a CURIE like gmg:Programme or foaf:Person, "
                             "or a full IRI (the types are listed at /id/).")


class MemberCounts:
    """Each class's member count, kept while the data is the same: a page of the statements at ten
    million triples spent 1.3 of its 1.5 s counting them."""

    KEPT = 1000  # classes (only those with members: a made-up class is counted at every ask)

    def __init__(self, engine: EngineSupervisor, settings: Settings):
        self.engine, self.settings = engine, settings
        self._counts: dict[str, int] = {}
        self._version = None

    async def of(self, cls: str) -> int:
        if (version := internal.data_version(self.engine)) != self._version:
            self._counts, self._version = {}, version
        if cls in self._counts:
            return self._counts[cls]
        count = int((await internal.rows(self.engine, self.settings, COUNT.format(cls=cls)))[0]["n"]["value"])
        if count and len(self._counts) < self.KEPT and internal.data_version(self.engine) == version:
            self._counts[cls] = count
        return count


def browse_router(settings: Settings, engine: EngineSupervisor) -> APIRouter:
    router = APIRouter()
    counts = MemberCounts(engine, settings)
    # counted over every typed resource (16 s at ten million triples): once per data version
    types = internal.PerDataVersion(engine, lambda: internal.rows(engine, settings, TYPES.format(id_base=str(ID))),
                                    patience=settings.query_timeout, what="the list of types")

    @router.api_route("/id/", methods=["GET", "HEAD"], response_class=HTMLResponse)
    async def browse(request: Request) -> Response:
        given = request.query_params.get("type")
        try:
            if given is None:
                response: Response = HTMLResponse(types_page(await types.get()))
            else:
                cls = class_iri(given.strip())
                number = page_number(request.query_params.get("page", "1"))
                total = await counts.of(cls)
                if not total:
                    raise ProtocolError(404, f"Nothing here is of type <{cls}>: the types with members are "
                                             "listed at /id/.")
                pages = -(-total // PAGE)
                if number > pages:
                    raise ProtocolError(404, f"<{cls}> has {total:,} members: {pages:,} pages of {PAGE}.")
                members = (await internal.rows(engine, settings, MEMBERS.format(cls=cls)) if total <= PAGE
                           else await members_page_rows(engine, settings, cls, number))
                label = await internal.rows(engine, settings, CLASS_LABEL.format(cls=cls))
                response = HTMLResponse(members_page(cls, label[0]["l"]["value"] if label else curie(cls), members,
                                                     total=total, number=number))
        except ProtocolError as err:
            response = error_response(err)
        return await without_body(response) if request.method == "HEAD" else response

    return router


def page_number(given: str) -> int:
    if not given.isdigit() or int(given) < 1:
        raise ProtocolError(400, f"page={given!r} is not a page number: give 1, 2, 3 …")
    return int(given)


async def members_page_rows(engine: EngineSupervisor, settings: Settings, cls: str, number: int) -> list[dict]:
    """The members on page `number` of the class, with their labels."""
    rows = await internal.rows(engine, settings, MEMBERS_PAGE.format(cls=cls, limit=PAGE, offset=(number - 1) * PAGE))
    values = iri_values(row["s"]["value"] for row in rows)
    return await internal.rows(engine, settings, LABELS_OF.format(values=values)) if values else []


def type_href(cls: str) -> str:
    return "/id/?type=" + html.escape(curie(cls) if curie(cls) != cls else cls, quote=True).replace(
        "#", "%23")


def types_page(rows: list[dict]) -> str:
    classes = [(r["class"]["value"], r.get("label", {}).get("value") or curie(r["class"]["value"]),
                int(r["n"]["value"])) for r in rows if not r["class"]["value"].startswith(NOISE)]
    ours = sorted((c for c in classes if c[0].startswith(str(GMG))), key=lambda c: c[1].lower())
    others = sorted((c for c in classes if not c[0].startswith(str(GMG))), key=lambda c: c[1].lower())

    def listing(items) -> str:
        return "<ul class=\"types\">" + "".join(
            f'<li><a href="{type_href(cls)}">{html.escape(label)}</a> <span class="count">({n:,})</span> '
            f'<span class="tag">{html.escape(curie(cls))}</span></li>' for cls, label, n in items) + "</ul>"

    main = ("<h1>Browse by type</h1><p>Every type the published resources have, asserted or inferred by the "
            "reasoner (a resource has several), with how many resources have it. "
            f"Or search by name above.</p><h2>gmg's classes</h2>{listing(ours)}"
            f"<h2>Classes of other vocabularies</h2>{listing(others)}")
    return page("Browse by type — gmg", main)


def members_page(cls: str, label: str, members: list[dict], *, total: int | None = None, number: int = 1) -> str:
    """The members by name; a class too large for one page, a page of them with links to the others."""
    items = sorted(((m["s"]["value"], m.get("label", {}).get("value") or curie(m["s"]["value"])) for m in members),
                   key=lambda item: item[1].lower())
    total = len(items) if total is None else total
    listing = "".join(f'<li><a href="{html.escape(local_href(iri))}">{html.escape(text)}</a></li>'
                      for iri, text in items)
    definition = (f' — <a href="{html.escape(local_href(cls))}">its definition</a>'
                  if cls.startswith(str(GMG)) else "")
    links = ""
    if total > PAGE:
        pages, here = -(-total // PAGE), type_href(cls)
        first = (number - 1) * PAGE + 1
        steps = ([f'<a href="{here}">first</a>', f'<a rel="prev" href="{here}&amp;page={number - 1}">previous</a>']
                 if number > 1 else []) + (
            [f'<a rel="next" href="{here}&amp;page={number + 1}">next</a>', f'<a href="{here}&amp;page={pages}">last</a>']
            if number < pages else [])
        links = (f'<p class="pages">Page {number:,} of {pages:,}: members {first:,}–{first + len(items) - 1:,}, '
                 f'by name within the page. {" · ".join(steps)}</p>')
    main = (f"<h1>{html.escape(label)}</h1><p class=\"iri\">{html.escape(cls)}</p>"
            f"<p>{total:,} member{'s' if total != 1 else ''}{definition}. "
            f"<a href=\"/id/\">All types</a>.</p>{links}<ul>{listing}</ul>{links}")
    return page(f"{label} — gmg", main)
