"""The dataset as a whole: its VoID and DCAT description at /void and /.well-known/void, its dumps at /dumps.

Machines get the description in RDF; browsers get the same facts as a page. The counts
are the store's, counted once per version of the data.
"""

from __future__ import annotations

import asyncio
import html
import os

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from rdflib.namespace import DCTERMS

from ..engine import EngineSupervisor
from ..formats import GRAPH, NotAcceptable, negotiate, prefers_html
from ..metadata import LICENCE, QUOTED_TEXT_RIGHTS
from ..settings import Settings
from . import internal
from .dumpfiles import DEFAULT_DUMP, DumpFiles, file_names
from .errors import ProtocolError, error_response
from .layout import page
from .head import without_body
from .urls import public_root
from .void import Statistics, describe, statistics


def dataset_router(settings: Settings, engine: EngineSupervisor) -> APIRouter:
    router = APIRouter()
    dumps = DumpFiles(engine, settings)
    # counted once per data version (six seconds at a million triples), in the background
    counted = internal.PerDataVersion(engine, lambda: statistics(engine, settings), patience=settings.query_timeout,
                                      what="the dataset's description")

    async def void(request: Request) -> Response:
        accept, override = request.headers.get("accept"), request.query_params.get("format")
        try:
            root = public_root(settings, request)
            # (both at once: on a large store each may keep a first visitor waiting)
            stats, files = await asyncio.gather(counted.get(), dumps.all(), return_exceptions=True)
            if isinstance(stats, BaseException):
                raise stats
            if isinstance(files, ProtocolError) and files.status == 503:
                files = None  # (not made yet: the description names the dumps without their sizes)
            elif isinstance(files, BaseException):
                raise files
            if override is None and prefers_html(accept, GRAPH):
                response: Response = HTMLResponse(void_page(stats, root), headers={"Vary": "Accept"})
            else:
                fmt = negotiate(accept, GRAPH, override)
                body = describe(root, stats, files).serialize(format=fmt.rdflib, encoding="utf-8")
                response = Response(body, media_type=fmt.content_type, headers={"Vary": "Accept"})
        except NotAcceptable as err:
            response = error_response(ProtocolError(406, f"{err}, or text/html"))
        except ProtocolError as err:
            response = error_response(err)
        return await without_body(response) if request.method == "HEAD" else response

    # VoID §7: crawlers look for the description at /.well-known/void
    router.add_api_route("/void", void, methods=["GET", "HEAD"])
    router.add_api_route("/.well-known/void", void, methods=["GET", "HEAD"])

    @router.api_route("/dumps", methods=["GET", "HEAD"], response_class=HTMLResponse)
    async def listing(request: Request) -> Response:
        try:
            response: Response = HTMLResponse(dumps_page(await dumps.all()))
        except ProtocolError as err:
            response = error_response(err)
        return await without_body(response) if request.method == "HEAD" else response

    @router.api_route("/dumps/{file}", methods=["GET", "HEAD"])
    async def dump(file: str, request: Request) -> Response:
        try:
            files = await dumps.all()
            if file not in files:
                raise ProtocolError(404, f"There is no dump {file!r}: the dumps are "
                                         f"{', '.join(file_names())} (each also as .gz); see /dumps.")
            found = files[file]
            headers = {"Content-Disposition": f'attachment; filename="{file}"', "Link": dump_links(file)}
            response: Response = FileResponse(found.path, media_type=found.media_type, headers=headers,
                                              stat_result=os.stat(found.path))
        except ProtocolError as err:
            response = error_response(err)
        return await without_body(response) if request.method == "HEAD" else response

    return router


def dump_links(file: str) -> str:
    """The licence of every dump; for the dumps that hold the instances, also the rights in the
    article's words they quote (RFC 8288 links; the rights statement is a resource of the graph)."""
    links = [f'<{LICENCE}>; rel="license"']
    if file.split(".")[0] in (DEFAULT_DUMP, "instances"):
        links.append(f'<{QUOTED_TEXT_RIGHTS}>; rel="{DCTERMS.rights}"; title="Words quoted from the source article"')
    return ", ".join(links)


def size(n: int) -> str:
    return f"{n:,} B" if n < 1024 else f"{n / 1024:,.1f} KiB" if n < 1024 * 1024 else f"{n / 1024 / 1024:,.1f} MiB"


def dumps_page(files: dict) -> str:
    rows = "".join(
        f'<tr><td><a href="/dumps/{html.escape(name)}" download>{html.escape(name)}</a></td>'
        f'<td>{html.escape(files[name].about)}</td><td>{files[name].triples:,}</td>'
        f'<td>{size(files[name].size)}</td>'
        f'<td><a href="/dumps/{html.escape(name)}.gz" download>{html.escape(name)}.gz</a> '
        f'({size(files[name + ".gz"].size)})</td></tr>'
        for name in file_names())
    main = ("<h1>Dumps</h1><p>The dataset as files, read from the store (accepted updates included). "
            "<b>gmg.trig</b> and <b>gmg.nq</b> hold every named graph; <b>gmg</b> in the other formats is the "
            "default graph every query sees; the rest are the named graphs one by one. "
            "Licence: <a href=\"https://creativecommons.org/licenses/by/4.0/\">CC BY 4.0</a>, for gmg's own triples; "
            "the words quoted from the article (selectors, notes) belong to its copyright holder and are quoted for "
            "scholarly citation (<a href=\"/id/rights/quoted-text\">rights of quoted text</a>). "
            "The dataset is described in VoID at <a href=\"/void\">/void</a>.</p>"
            "<table><thead><tr><th scope=\"col\">file</th><th scope=\"col\">holds</th><th scope=\"col\">triples</th>"
            f"<th scope=\"col\">size</th><th scope=\"col\">gzipped</th></tr></thead><tbody>{rows}</tbody></table>")
    return page("Dumps — gmg", main)


def void_page(stats: Statistics, root: str) -> str:
    rows = "".join(
        f"<tr><td><code>{html.escape(g)}</code></td><td>{c.triples:,}</td><td>{c.entities:,}</td>"
        f"<td>{c.classes:,}</td><td>{c.properties:,}</td></tr>" for g, c in stats.graphs.items())
    total = stats.default
    examples = "".join(f'<li><a href="/id/{html.escape(iri.rsplit("/id/", 1)[-1])}">{html.escape(iri)}</a></li>'
                       for iri in stats.examples)
    formats = " · ".join(f'<a href="/void?format={f}">{f}</a>' for f in ("ttl", "nt", "jsonld", "rdf"))
    main = (f"<h1>The dataset</h1><p>gmg — global migration governors, described in VoID and DCAT "
            f"(as data: {formats}; also at <code>/.well-known/void</code>).</p>"
            f"<p>Licence <a href=\"https://creativecommons.org/licenses/by/4.0/\">CC BY 4.0</a> for gmg's own triples; "
            f"the {stats.quoted:,} triples that quote the article's words are under the "
            f"<a href=\"/id/rights/quoted-text\">rights of quoted text</a>; "
            f"SPARQL endpoint <a href=\"/sparql\">{html.escape(root)}/sparql</a>; "
            f"<a href=\"/dumps\">dumps</a>; vocabulary <a href=\"/ontology\">gmg ontology</a>.</p>"
            f"<p>The default graph: {total.triples:,} triples, {total.entities:,} entities, "
            f"{total.classes:,} classes, {total.properties:,} properties.</p>"
            "<h2>Named graphs</h2><table><thead><tr><th scope=\"col\">graph</th><th scope=\"col\">triples</th>"
            "<th scope=\"col\">entities</th><th scope=\"col\">classes</th><th scope=\"col\">properties</th></tr>"
            f"</thead><tbody>{rows}</tbody></table><h2>Example resources</h2><ul>{examples}</ul>")
    return page("Dataset — gmg", main)
