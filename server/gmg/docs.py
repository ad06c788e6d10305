"""`gmg docs` and /ontology: the ontology's HTML documentation, from a template of our own.

Why not pyLODE (used before): it takes one ontology per page and guessed it wrong when the
graph held concept schemes (the title and IRI of the last scheme, "units", headed the page);
it lists every declared term, BIBO's and FOAF's among gmg's, with duplicate anchors; and
it has no section per SKOS concept scheme. Fixing its input would mean hiding the schemes
and the external declarations, which the page must show. So the page is ours: one header
for the ontology (title, IRI, version, licence, citation, its modules), gmg's own terms in
the main sections (one anchor each: the term's local name, so `…/ontology#Term` opens its
entry), each concept scheme as a section, external terms apart. It takes a graph of several
modules: every owl:Ontology under the gmg base is a module of the one at the ontology IRI.
"""

from __future__ import annotations

import html
import sys
import threading
from pathlib import Path

from rdflib import OWL, RDF, RDFS, SKOS, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from .iris import GMG, ONTOLOGY_IRI, PREFIXES
from .paths import DataDir, default_data_dir
from .sources import SourceError, digest_files, parse_turtle

DEFAULT_OUT_DIR = Path("docs")
PAGE_NAME = "index.html"

_lock = threading.Lock()
_cached: tuple[str, str] | None = None  # (digest of the ontology files, page)

KINDS = (  # main sections: (anchor, heading, types, marker)
    ("classes", "Classes", (OWL.Class, RDFS.Class), "c"),
    ("object-properties", "Object properties", (OWL.ObjectProperty,), "op"),
    ("datatype-properties", "Datatype properties", (OWL.DatatypeProperty,), "dp"),
    ("annotation-properties", "Annotation properties", (OWL.AnnotationProperty,), "ap"),
    ("individuals", "Named individuals", (OWL.NamedIndividual,), "ni"),
)
CHARACTERISTICS = (OWL.FunctionalProperty, OWL.InverseFunctionalProperty, OWL.TransitiveProperty,
                   OWL.SymmetricProperty, OWL.AsymmetricProperty, OWL.ReflexiveProperty, OWL.IrreflexiveProperty)


def anchor_of(term) -> str:
    """The anchor of a term on the page: gmg's terms by local name, other vocabularies' terms as
    `external-prefix-Name` (the page documents those it declares in a section of their own)."""
    iri, ns = str(term), str(GMG)
    if iri.startswith(ns) and len(iri) > len(ns):
        return iri[len(ns):]
    return "external-" + Renderer.curie(iri).replace(":", "-")


class DocsError(Exception):
    """The documentation could not be generated; str() says why."""


def ontology_files(data: DataDir | None = None) -> list[Path]:
    return (data or default_data_dir()).files("ontology")


def render_html(ontology: Graph) -> str:
    """The documentation page of an ontology graph of one or several modules (the graph is not changed)."""
    return Renderer(ontology).page()


def docs_html(data: DataDir | None = None) -> str:
    """The documentation page of the ontology files, generated once per version of the files."""
    global _cached
    files = ontology_files(data)
    key = digest_files(files)
    with _lock:
        if _cached is None or _cached[0] != key:
            graph = Graph()
            for path in files:
                parse_turtle(path, graph)
            _cached = (key, render_html(graph))
        return _cached[1]


def build_docs(out_dir: Path, data: DataDir | None = None) -> Path:
    """Write the documentation page to out_dir/index.html and return its path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    page = out_dir / PAGE_NAME
    page.write_text(docs_html(data), encoding="utf-8")
    return page


def cmd_docs(out_dir: Path | None) -> int:
    """The `gmg docs` command: 0 when written (the path is printed), 2 when it cannot run."""
    try:
        page = build_docs(out_dir if out_dir is not None else DEFAULT_OUT_DIR)
    except (SourceError, DocsError, OSError) as err:
        print(f"gmg: {err}", file=sys.stderr)
        return 2
    print(page)
    return 0


class Renderer:
    """One page for one ontology graph; each method renders one part of it."""

    def __init__(self, graph: Graph):
        self.g = graph
        self.ns = str(GMG)
        ontologies = sorted(o for o in graph.subjects(RDF.type, OWL.Ontology) if isinstance(o, URIRef))
        if not ontologies:
            raise DocsError("The ontology files declare no owl:Ontology: there is nothing to head the page.")
        self.ontology = URIRef(ONTOLOGY_IRI) if URIRef(ONTOLOGY_IRI) in ontologies else ontologies[0]
        self.modules = [o for o in ontologies if o != self.ontology and str(o).startswith(ONTOLOGY_IRI)]
        self.schemes = sorted((s for s in graph.subjects(RDF.type, SKOS.ConceptScheme) if self.ours(s)),
                              key=self.label)
        # each concept under its first scheme: one anchor per term
        self.scheme_of: dict[URIRef, URIRef] = {}
        for scheme in self.schemes:
            for concept in graph.subjects(SKOS.inScheme, scheme):
                if self.ours(concept):
                    self.scheme_of.setdefault(concept, scheme)

    # --- words --------------------------------------------------------------------------------

    def ours(self, term) -> bool:
        return isinstance(term, URIRef) and str(term).startswith(self.ns) and len(str(term)) > len(self.ns)

    def english(self, node, predicate) -> list[str]:
        values = [v for v in self.g.objects(node, predicate) if isinstance(v, Literal)]
        english = [v for v in values if (v.language or "en").startswith("en")]
        return [" ".join(str(v).split()) for v in sorted(english or values)]

    def label(self, term) -> str:
        labels = self.english(term, RDFS.label) or self.english(term, SKOS.prefLabel)
        return labels[0] if labels else self.curie(term)

    @staticmethod
    def curie(term) -> str:
        for prefix, namespace in PREFIXES.items():
            if str(term).startswith(namespace) and len(str(term)) > len(namespace):
                return f"{prefix}:{str(term)[len(namespace):]}"
        return str(term)

    def anchor(self, term) -> str:
        return anchor_of(term)

    def link(self, term) -> str:
        if isinstance(term, URIRef):
            documented = self.ours(term) or term in self.external_terms()
            href = "#" + self.anchor(term) if documented else str(term)
            return f'<a href="{html.escape(href)}" title="{html.escape(str(term))}">{html.escape(self.label(term))}</a>'
        if isinstance(term, Literal):
            return html.escape(str(term))
        return self.expression(term)

    def expression(self, node) -> str:
        """An anonymous class: restrictions, unions, intersections, complements, enumerations."""
        g = self.g
        for operator, word in ((OWL.unionOf, " or "), (OWL.intersectionOf, " and "), (OWL.oneOf, ", ")):
            members = g.value(node, operator)
            if members is not None:
                inner = word.join(self.link(m) for m in g.items(members))
                return "{" + inner + "}" if operator == OWL.oneOf else f"({inner})"
        if (node, OWL.complementOf, None) in g:
            return "not " + self.link(g.value(node, OWL.complementOf))
        prop = g.value(node, OWL.onProperty)
        if prop is not None:
            for predicate, word in ((OWL.someValuesFrom, "some"), (OWL.allValuesFrom, "only"), (OWL.hasValue, "value")):
                value = g.value(node, predicate)
                if value is not None:
                    return f"{self.link(prop)} {word} {self.link(value)}"
            for predicate, word in ((OWL.minQualifiedCardinality, "min"), (OWL.maxQualifiedCardinality, "max"),
                                    (OWL.qualifiedCardinality, "exactly"), (OWL.minCardinality, "min"),
                                    (OWL.maxCardinality, "max"), (OWL.cardinality, "exactly")):
                value = g.value(node, predicate)
                if value is not None:
                    on = g.value(node, OWL.onClass) or g.value(node, OWL.onDataRange)
                    return f"{self.link(prop)} {word} {value}" + (f" {self.link(on)}" if on is not None else "")
        return "<i>an anonymous class</i>"

    # --- terms --------------------------------------------------------------------------------

    def terms_of(self, types) -> list[URIRef]:
        found = {t for kind in types for t in self.g.subjects(RDF.type, kind) if self.ours(t)}
        if OWL.NamedIndividual in types:  # individuals of a scheme are documented in its section
            found -= set(self.scheme_of) | set(self.schemes)
        return sorted(found, key=lambda t: self.label(t).lower())

    def external_terms(self) -> list[URIRef]:
        if not hasattr(self, "_external"):
            kinds = [k for _, _, types, _ in KINDS for k in types]
            self._external = sorted({t for k in kinds for t in self.g.subjects(RDF.type, k)
                                     if isinstance(t, URIRef) and not self.ours(t)
                                     and not str(t).startswith(ONTOLOGY_IRI)}, key=self.curie)
        return self._external

    def rows(self, term) -> list[tuple[str, str]]:
        g, out = self.g, []

        def add(heading: str, values) -> None:
            values = [v for v in values if v]
            if values:
                out.append((heading, "<br>".join(values)))

        add("IRI", [f"<code>{html.escape(str(term))}</code>"])
        add("Definition", [html.escape(d) for d in self.english(term, SKOS.definition)])
        add("Also called", [html.escape(a) for a in self.english(term, SKOS.altLabel)])
        add("Description", [html.escape(d) for d in self.english(term, RDFS.comment) + self.english(term, SKOS.scopeNote)])
        add("Example", [html.escape(e) for e in self.english(term, SKOS.example)])
        add("Types", [self.link(t) for t in sorted(g.objects(term, RDF.type), key=str)
                      if t not in (OWL.NamedIndividual, OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty,
                                   OWL.AnnotationProperty, RDFS.Class, *CHARACTERISTICS)])
        add("Characteristics", [self.curie(c).replace("owl:", "") for c in CHARACTERISTICS if (term, RDF.type, c) in g])
        add("Sub-class of", [self.link(c) for c in sorted(g.objects(term, RDFS.subClassOf), key=self._order)])
        add("Equivalent to", [self.link(c) for c in sorted(g.objects(term, OWL.equivalentClass), key=self._order)])
        add("Super-class of", [self.link(c) for c in sorted(g.subjects(RDFS.subClassOf, term), key=self._order)
                               if isinstance(c, URIRef)])
        add("Disjoint with", [self.link(c) for c in sorted(g.objects(term, OWL.disjointWith), key=self._order)])
        add("Sub-property of", [self.link(p) for p in sorted(g.objects(term, RDFS.subPropertyOf), key=self._order)])
        add("Inverse of", [self.link(p) for p in g.objects(term, OWL.inverseOf)])
        add("Domain", [self.link(d) for d in sorted(g.objects(term, RDFS.domain), key=self._order)])
        add("Range", [self.link(r) for r in sorted(g.objects(term, RDFS.range), key=self._order)])
        add("Broader", [self.link(b) for b in g.objects(term, SKOS.broader)])
        add("Matches", [self.link(m) for p in (SKOS.exactMatch, SKOS.closeMatch, OWL.sameAs)
                        for m in g.objects(term, p)])
        add("Source", [self.link(s) for s in g.objects(term, DCTERMS.source)])
        return out

    def _order(self, term) -> tuple:
        return (isinstance(term, BNode), self.label(term).lower() if isinstance(term, URIRef) else "")

    def entry(self, term, marker: str, kind: str) -> str:
        table = "".join(f"<tr><th>{heading}</th><td>{value}</td></tr>" for heading, value in self.rows(term))
        return (f'<div class="entity" id="{html.escape(self.anchor(term))}"><h3>{html.escape(self.label(term))}'
                f'<sup class="kind" title="{kind}">{marker}</sup></h3><table>{table}</table></div>')

    # --- the page -----------------------------------------------------------------------------

    def header(self) -> str:
        o, g = self.ontology, self.g
        title = (self.english(o, DCTERMS.title) or self.english(o, RDFS.label) or [str(o)])[0]
        facts = [("IRI", f"<code>{html.escape(str(o))}</code>")]
        for predicate, heading in ((OWL.versionIRI, "Version IRI"), (OWL.versionInfo, "Version"),
                                   (OWL.priorVersion, "Prior version"), (DCTERMS.license, "Licence"),
                                   (DCTERMS.creator, "Creators"), (DCTERMS.created, "Created"),
                                   (DCTERMS.modified, "Modified"), (DCTERMS.source, "Source"),
                                   (DCTERMS.bibliographicCitation, "Cite the source as")):
            values = [f'<a href="{html.escape(str(v))}">{html.escape(str(v))}</a>' if isinstance(v, URIRef)
                      else html.escape(" ".join(str(v).split())) for v in sorted(g.objects(o, predicate), key=str)]
            if values:
                facts.append((heading, "<br>".join(values)))
        if self.modules:
            facts.append(("Modules", "<br>".join(
                f'{html.escape((self.english(m, DCTERMS.title) or self.english(m, RDFS.label) or [str(m)])[0])} '
                f"<code>{html.escape(str(m))}</code>" for m in self.modules)))
        description = "".join(f"<p>{html.escape(d)}</p>" for d in self.english(o, DCTERMS.description))
        table = "".join(f"<tr><th>{h}</th><td>{v}</td></tr>" for h, v in facts)
        return title, f'<header><h1>{html.escape(title)}</h1><table class="meta">{table}</table>{description}</header>'

    def page(self) -> str:
        title, header = self.header()
        toc, sections = [], []
        for anchor, heading, types, marker in KINDS:
            terms = self.terms_of(types)
            if terms:
                toc.append(f'<li><a href="#{anchor}">{heading}</a> ({len(terms)})</li>')
                sections.append(f'<section id="{anchor}"><h2>{heading}</h2>'
                                + "".join(self.entry(t, marker, heading.lower().rstrip("s")) for t in terms)
                                + "</section>")
        for scheme in self.schemes:
            concepts = sorted((c for c, s in self.scheme_of.items() if s == scheme), key=lambda c: self.label(c).lower())
            anchor = self.anchor(scheme)
            toc.append(f'<li><a href="#{html.escape(anchor)}">Concept scheme: {html.escape(self.label(scheme))}</a> '
                       f"({len(concepts)})</li>")
            about = "".join(f"<tr><th>{h}</th><td>{v}</td></tr>" for h, v in self.rows(scheme))
            sections.append(f'<section class="scheme" id="{html.escape(anchor)}"><h2>Concept scheme: '
                            f'{html.escape(self.label(scheme))}</h2><table>{about}</table>'
                            + "".join(self.entry(c, "co", "concept") for c in concepts) + "</section>")
        external = self.external_terms()
        if external:
            toc.append(f'<li><a href="#external">Terms of other vocabularies</a> ({len(external)})</li>')
            items = "".join(
                f'<li id="{html.escape(self.anchor(t))}"><code>{html.escape(self.curie(t))}</code> — '
                f'{html.escape(self.label(t))}: <a href="{html.escape(str(t))}">{html.escape(str(t))}</a>'
                + "".join(f"<br><span class=\"muted\">{html.escape(d)}</span>" for d in self.english(t, SKOS.definition))
                + "</li>" for t in external)
            sections.append('<section id="external"><h2>Terms of other vocabularies</h2><p>Declared here so that '
                            "the ontology is complete in OWL 2 DL and reusable offline; they are defined by their "
                            f"own vocabularies, linked below.</p><ul>{items}</ul></section>")
        return PAGE.format(title=html.escape(title), header=header, toc="".join(toc), sections="".join(sections))


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
 body {{ font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 70rem; padding: 1rem 1.5rem 3rem; color: #1d2330; }}
 h1 {{ font-size: 1.6rem; margin: .3rem 0; }} h2 {{ font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #e1e5ee; }}
 h3 {{ font-size: 1.05rem; margin: 1.4rem 0 .3rem; }} sup.kind {{ color: #8a93a6; font-size: 11px; margin-left: .3rem; }}
 a {{ color: #2456a6; }} code {{ font: 13px ui-monospace, monospace; }} .muted {{ color: #4a5468; }}
 table {{ border-collapse: collapse; width: 100%; font-size: 14px; }}
 th {{ text-align: left; vertical-align: top; width: 11rem; padding: .25rem .5rem; color: #4a5468; font-weight: 600; }}
 td {{ padding: .25rem .5rem; vertical-align: top; }} tr {{ border-bottom: 1px solid #f0f2f6; }}
 nav.toc ol {{ columns: 2; }} .entity:target {{ background: #fff8d6; }}
</style></head>
<body>
{header}
<nav class="toc" aria-label="contents"><h2>Contents</h2><ol>{toc}</ol></nav>
<main>{sections}</main>
</body></html>
"""
