"""/ontology: the ontology itself, negotiated between its HTML documentation and RDF.

GET/HEAD /ontology (and /ontology/{version}, for the current owl:versionIRI only): browsers get
the documentation page; other clients get Turtle (the default), RDF/XML or JSON-LD by Accept or
?format=. /ontology.ttl, .rdf, .jsonld and .html give one form each, whatever the Accept.
Turtle is the file as committed; RDF/XML and JSON-LD are serialised from the parsed graph.

The core's modules (/ontology/schemes, /ontology/sources: ontology/gmg-schemes.ttl,
ontology/gmg-sources.ttl, whose owl:Ontology IRIs these are; /ontology/{module}/{version} for
the module's current owl:versionIRI) are negotiated the same way: browsers get the documentation
page, which covers the core and every module; other clients get the module's file.

Earlier releases (/ontology/0.1.0: ontology/releases/gmg-0.1.0.ttl) and the instances
ontology and its modules (/instances, /instances/{module}: the files of instances/, whose
owl:Ontology IRIs these are) are served as RDF only, from their files.
"""

from __future__ import annotations

import re
import threading

from fastapi import APIRouter, Request
from fastapi.responses import Response
from rdflib import OWL, Graph, URIRef
from starlette.concurrency import run_in_threadpool

from ..docs import docs_html
from ..formats import FORMAT_ALIASES, FORMATS, Format, parse_accept, prefers_html, quality
from ..iris import ONTOLOGY_IRI
from ..paths import default_data_dir
from ..settings import Settings
from ..sources import Sources
from .errors import ProtocolError, error_response
from .urls import public_root
from .validation import SourceCache

ONTOLOGY_FILE = "gmg.ttl"
MODULE_FILE = "gmg-{}.ttl"  # the file of the module <ONTOLOGY_IRI/{name}>
HTML = Format("html", "text/html", "page", None, "", ("application/xhtml+xml",), text=True)
# The RDF forms, the first being the default for clients that accept anything.
RDF_FORMS: tuple[Format, ...] = tuple(
    next(f for f in FORMATS if f.name == name and f.rdflib) for name in ("ttl", "rdf", "jsonld"))
FORMS: tuple[Format, ...] = (*RDF_FORMS, HTML)
# ?format= spellings besides the registry's
FORM_ALIASES = {**FORMAT_ALIASES, "xml": "rdf", "owl": "rdf", "json": "jsonld", "htm": "html"}


class OntologyForms:
    """The bytes of each form of the ontology, made once for the loaded sources."""

    def __init__(self, cache: SourceCache):
        self.cache = cache
        self._forms: dict[str, bytes] = {}
        self._sources: Sources | None = None
        self._lock = threading.Lock()

    def sources(self) -> Sources:
        return self.cache.get()

    def body(self, fmt: Format) -> bytes:
        sources = self.cache.get()
        with self._lock:
            if sources is not self._sources:
                self._sources, self._forms = sources, {}
            if fmt.name not in self._forms:
                self._forms[fmt.name] = self._make(sources, fmt)
            return self._forms[fmt.name]

    @staticmethod
    def _make(sources: Sources, fmt: Format) -> bytes:
        if fmt is HTML:
            return docs_html().encode("utf-8")
        # the core's own file: the modules are documents of their own (/ontology/schemes ...)
        return file_body(default_data_dir().folder("ontology") / ONTOLOGY_FILE, fmt)


INSTANCES_ONTOLOGY_FILE = "gmg-instances.ttl"
RELEASE = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+")
MODULE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def file_body(path, fmt: Format) -> bytes:
    """A committed Turtle file in one of the RDF forms (Turtle as committed; the others
    under the file's own prefixes, the empty one aside: it is no JSON-LD term)."""
    turtle = path.read_bytes()
    if fmt.name == "ttl":
        return turtle
    parsed = Graph(bind_namespaces="none").parse(data=turtle, format="turtle")
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in parsed.namespaces():
        if prefix:
            graph.bind(prefix, namespace)
    for triple in parsed:
        graph.add(triple)
    if fmt.name == "jsonld":
        return graph.serialize(format=fmt.rdflib, auto_compact=True, encoding="utf-8")
    return graph.serialize(format=fmt.rdflib, encoding="utf-8")


def module_file(name: str):
    """The file of the module <ONTOLOGY_IRI/name> of the core, or None."""
    if not MODULE.fullmatch(name) or RELEASE.fullmatch(name):
        return None
    path = default_data_dir().folder("ontology") / MODULE_FILE.format(name)
    return path if path.is_file() else None


def module_names() -> list[str]:
    """The names of the core's modules present in ontology/ (schemes, sources)."""
    before, after = MODULE_FILE.split("{}")
    pattern = re.compile(re.escape(before) + "(.+)" + re.escape(after))
    found = (pattern.fullmatch(p.name) for p in default_data_dir().files("ontology"))
    return sorted(m.group(1) for m in found if m and module_file(m.group(1)))


def current_version(sources: Sources, iri: str = ONTOLOGY_IRI) -> tuple[str, str] | None:
    """(version, versionIRI) from the owl:versionIRI of the header of `iri` (the core by default)."""
    version_iri = sources.ontology.value(URIRef(iri), OWL.versionIRI)
    if version_iri is None:
        return None
    return str(version_iri).rstrip("/").rsplit("/", 1)[-1], str(version_iri)


def choose_form(accept: str | None, override: str | None) -> Format:
    """?format= wins; then a browser gets HTML; then Accept picks among the RDF forms."""
    if override:
        wanted = override.strip().lower()
        wanted = FORM_ALIASES.get(wanted, wanted)
        for fmt in FORMS:
            if wanted in (fmt.name, fmt.media_type, *fmt.aliases):
                return fmt
        raise ProtocolError(406, not_acceptable(f"Unknown format {override!r}."))
    if prefers_html(accept, "graph"):
        return HTML
    ranges = parse_accept(accept)
    if not ranges:
        return RDF_FORMS[0]
    best, chosen = 0.0, None
    for fmt in RDF_FORMS:  # registry order breaks ties
        q = quality(fmt, ranges)
        if q > best:
            best, chosen = q, fmt
    if chosen is None:
        if quality(HTML, ranges) > 0:
            return HTML
        raise ProtocolError(406, not_acceptable("Not acceptable."))
    return chosen


def not_acceptable(reason: str) -> str:
    return (f"{reason} The ontology can be served as: " + ", ".join(f.media_type for f in FORMS)
            + " (or ?format=" + "|".join(f.name for f in FORMS) + ").")


def ontology_router(settings: Settings, cache: SourceCache) -> APIRouter:
    router = APIRouter()
    forms = OntologyForms(cache)

    def link_header(request: Request) -> str:
        # the core's alternate forms, and its modules: the core's header cannot name them (see
        # the README, "Modules and Protégé"), so follow-your-nose goes through this header
        root = public_root(settings, request)
        alternates = [f'<{root}/ontology.{f.name}>; rel="alternate"; type="{f.media_type}"' for f in FORMS]
        modules = [f'<{ONTOLOGY_IRI}/{name}>; rel="related"' for name in module_names()]
        return ", ".join(alternates + modules)

    async def respond(request: Request, fmt: Format, negotiated: bool) -> Response:
        body = await run_in_threadpool(forms.body, fmt)
        headers = {"Link": link_header(request)}
        if negotiated:
            headers["Vary"] = "Accept"
            headers["Content-Location"] = f"{public_root(settings, request)}/ontology.{fmt.name}"
        if request.method == "HEAD":
            headers["Content-Length"] = str(len(body))
            body = b""
        return Response(body, media_type=fmt.content_type, headers=headers)

    async def negotiated(request: Request) -> Response:
        try:
            fmt = choose_form(request.headers.get("accept"), request.query_params.get("format"))
        except ProtocolError as err:
            err.headers.update({"Vary": "Accept", "Link": link_header(request)})
            return error_response(err)
        return await respond(request, fmt, negotiated=True)

    async def serve_file(request: Request, path, documented: bool = False) -> Response:
        """The file at `path` in the negotiated form. Browsers get the documentation page where
        the file is `documented` (a module of the core), else its Turtle."""
        try:
            fmt = choose_form(request.headers.get("accept"), request.query_params.get("format"))
        except ProtocolError as err:
            if documented:
                err.headers.update({"Vary": "Accept"})
            return error_response(err)
        if fmt is HTML and documented:
            body = await run_in_threadpool(forms.body, HTML)
        else:
            if fmt is HTML:  # no documentation page for these: their Turtle
                fmt = RDF_FORMS[0]
            body = await run_in_threadpool(file_body, path, fmt)
        headers = {"Vary": "Accept"}
        if request.method == "HEAD":
            headers["Content-Length"] = str(len(body))
            body = b""
        return Response(body, media_type=fmt.content_type, headers=headers)

    @router.api_route("/instances", methods=["GET", "HEAD"])
    async def instances_ontology(request: Request) -> Response:
        return await serve_file(request, default_data_dir().folder("instances") / INSTANCES_ONTOLOGY_FILE)

    @router.api_route("/instances/{module}", methods=["GET", "HEAD"])
    async def instances_module(request: Request, module: str) -> Response:
        path = default_data_dir().folder("instances") / f"{module}.ttl"
        if not MODULE.fullmatch(module) or module == INSTANCES_ONTOLOGY_FILE[:-4] or not path.is_file():
            return error_response(ProtocolError(404, f"No module {module!r} of the instances ontology."))
        return await serve_file(request, path)

    @router.api_route("/ontology", methods=["GET", "HEAD"])
    async def ontology(request: Request) -> Response:
        return await negotiated(request)

    for form in FORMS:
        def fixed(form: Format = form):
            async def serve(request: Request) -> Response:
                return await respond(request, form, negotiated=False)
            return serve
        router.add_api_route(f"/ontology.{form.name}", fixed(), methods=["GET", "HEAD"],
                             name=f"ontology_{form.name}")

    @router.api_route("/ontology/{name}/{version}", methods=["GET", "HEAD"])
    async def module_version(request: Request, name: str, version: str) -> Response:
        path = module_file(name)
        if path is None:
            return error_response(ProtocolError(404, f"No module {name!r} of the ontology."))
        current = current_version(await run_in_threadpool(forms.sources), f"{ONTOLOGY_IRI}/{name}")
        if current is None or version != current[0]:
            now = f": the current version is {current[0]} ({current[1]})" if current else ""
            return error_response(ProtocolError(
                404, f"No version {version!r} of the module {name!r} is served here{now}; "
                     f"/ontology/{name} is always the current one."))
        return await serve_file(request, path, documented=True)

    @router.api_route("/ontology/{version}", methods=["GET", "HEAD"])
    async def ontology_version(request: Request, version: str) -> Response:
        path = module_file(version)
        if path is not None:  # /ontology/schemes, /ontology/sources: a module, not a version
            return await serve_file(request, path, documented=True)
        current = current_version(await run_in_threadpool(forms.sources))
        if current is None:
            return error_response(ProtocolError(404, "The ontology declares no owl:versionIRI."))
        release = default_data_dir().folder("ontology") / "releases" / f"gmg-{version}.ttl"
        if version != current[0] and RELEASE.fullmatch(version) and release.is_file():
            return await serve_file(request, release)
        if version != current[0]:
            return error_response(ProtocolError(
                404, f"No version {version!r} of the ontology is served here: the current version is "
                     f"{current[0]} ({current[1]}), at /ontology/{current[0]}; /ontology is always the current one."))
        return await negotiated(request)

    return router
