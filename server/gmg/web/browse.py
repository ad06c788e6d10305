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


def browse_router(settings: Settings, engine: EngineSupervisor) -> APIRouter:
    router = APIRouter()

    @router.api_route("/id/", methods=["GET", "HEAD"], response_class=HTMLResponse)
    async def browse(request: Request) -> Response:
        given = request.query_params.get("type")
        try:
            if given is None:
                rows = await internal.rows(engine, settings, TYPES.format(id_base=str(ID)))
                response: Response = HTMLResponse(types_page(rows))
            else:
                cls = class_iri(given.strip())
                members = await internal.rows(engine, settings, MEMBERS.format(cls=cls))
                if not members:
                    raise ProtocolError(404, f"Nothing here is of type <{cls}>: the types with members are "
                                             "listed at /id/.")
                label = await internal.rows(engine, settings, CLASS_LABEL.format(cls=cls))
                response = HTMLResponse(members_page(cls, label[0]["l"]["value"] if label else curie(cls), members))
        except ProtocolError as err:
            response = error_response(err)
        return await without_body(response) if request.method == "HEAD" else response

    return router


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


def members_page(cls: str, label: str, members: list[dict]) -> str:
    items = sorted(((m["s"]["value"], m.get("label", {}).get("value") or curie(m["s"]["value"])) for m in members),
                   key=lambda item: item[1].lower())
    listing = "".join(f'<li><a href="{html.escape(local_href(iri))}">{html.escape(text)}</a></li>'
                      for iri, text in items)
    definition = (f' — <a href="{html.escape(local_href(cls))}">its definition</a>'
                  if cls.startswith(str(GMG)) else "")
    main = (f"<h1>{html.escape(label)}</h1><p class=\"iri\">{html.escape(cls)}</p>"
            f"<p>{len(items):,} member{'s' if len(items) != 1 else ''}{definition}. "
            f"<a href=\"/id/\">All types</a>.</p><ul>{listing}</ul>")
    return page(f"{label} — gmg", main)
