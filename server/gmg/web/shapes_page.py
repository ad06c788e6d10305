"""/shapes for browsers: each node shape with its target, severity, message and property constraints."""

from __future__ import annotations

import html

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS

from .layout import page
from .terms import curie, local_href

SH = Namespace("http://www.w3.org/ns/shacl#")
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
CONSTRAINTS = (SH.minCount, SH.maxCount, SH["class"], SH.datatype, SH.nodeKind, SH["in"], SH.pattern,
               SH.hasValue, SH.node)


def english(graph: Graph, node, predicate) -> str:
    values = [v for v in graph.objects(node, predicate) if isinstance(v, Literal)]
    best = next((v for v in values if (v.language or "").startswith("en")), values[0] if values else None)
    return str(best) if best is not None else ""


def term(graph: Graph, value) -> str:
    if isinstance(value, URIRef):
        return f'<a href="{html.escape(local_href(str(value)))}">{html.escape(curie(str(value)))}</a>'
    if isinstance(value, Literal):
        return f"<code>{html.escape(str(value))}</code>"
    items = list(graph.items(value)) if (value, RDF.first, None) in graph else []
    if items:  # an RDF list, as in sh:in
        return "(" + ", ".join(term(graph, item) for item in items) + ")"
    return "<i>a nested shape</i>"


def shapes_page(graph: Graph) -> str:
    sections = []
    for shape in sorted(set(graph.subjects(RDF.type, SH.NodeShape)), key=lambda s: english(graph, s, RDFS.label) or str(s)):
        title = english(graph, shape, RDFS.label) or curie(str(shape))
        targets = ", ".join(term(graph, t) for p in TARGETS for t in graph.objects(shape, p)) or "what other shapes point to it"
        severity = str(graph.value(shape, SH.severity) or SH.Violation).rsplit("#", 1)[-1]
        rows = []
        for prop in graph.objects(shape, SH.property):
            path = graph.value(prop, SH.path)
            limits = "; ".join(f"{curie(str(c))} {term(graph, v)}" for c in CONSTRAINTS for v in graph.objects(prop, c))
            rows.append(f"<tr><td>{term(graph, path) if path is not None else ''}</td><td>{limits}</td>"
                        f"<td>{html.escape(english(graph, prop, SH.message))}</td></tr>")
        table = ("<table><thead><tr><th scope=\"col\">path</th><th scope=\"col\">constraints</th>"
                 f"<th scope=\"col\">message</th></tr></thead><tbody>{''.join(sorted(rows))}</tbody></table>"
                 if rows else "")
        anchor = html.escape(str(shape).rsplit("#", 1)[-1], quote=True)
        sections.append(
            f'<section id="{anchor}"><h2>{html.escape(title)}</h2><p class="iri">{html.escape(str(shape))}</p>'
            f"<p>Applies to {targets}; severity {html.escape(severity)}. "
            f"{html.escape(english(graph, shape, RDFS.comment))}</p>"
            + (f"<p>Message: {html.escape(english(graph, shape, SH.message))}</p>" if graph.value(shape, SH.message) else "")
            + table + "</section>")
    formats = " · ".join(f'<a href="/shapes?format={f}">{f}</a>' for f in ("ttl", "nt", "jsonld", "rdf"))
    main = (f"<h1>Shapes</h1><p>The SHACL shapes that data added to gmg must satisfy ({len(sections)} node shapes; "
            f"as data: {formats}). Check your own data against them by POSTing it to <code>/validate</code>.</p>"
            + "".join(sections))
    return page("Shapes — gmg", main)
