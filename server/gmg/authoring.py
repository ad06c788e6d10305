"""Facts from a spreadsheet: each CSV row becomes a fact and the statement that asserts it.

Writing a fact by hand is two nodes (the fact, its statement) and often a third (the
passage it cites); `gmg add` takes one row per fact instead:

    kind,id,label,passage,attribution,hedge,hedge_expression,stated_by,primary_source,gmg:funder,gmg:fundedActivity
    funding,dfid-mirpal-example,DFID funded MIRPAL,s3-p5-h,ArticleOwnStatement,,,,,id:dfid,id:mirpal

`kind` is the folder of the fact's IRI (funding, status, observation …; the IRI shapes of
shapes/identifiers.ttl say which class each folder holds), `id` its local name. The
statement is `statement:<kind>-<id>-1`. Columns named by a prefixed name (`gmg:funder`)
are the fact's own properties: a prefixed name of a known prefix (`id:dfid`,
`gmg:Percent`) is an IRI, anything else a literal typed by the property's range in the
ontology. Several values go in one cell separated by ` | `. The new triples are validated
together with the whole graph before anything is written: one violation and nothing is.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import PROV

from .iris import GMG
from .sources import Sources

SH = Namespace("http://www.w3.org/ns/shacl#")
ID = "https://w3id.org/gmg/id/"
STATEMENT_COLUMNS = ("kind", "id", "label", "passage", "attribution", "hedge", "hedge_expression",
                     "stated_by", "primary_source")
REQUIRED = ("kind", "id", "label", "passage", "attribution")
LOCAL_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
PREFIXES = {
    "gmg": str(GMG), "id": ID, "prov": str(PROV), "rdfs": str(RDFS),
    "org": "http://www.w3.org/ns/org#", "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
}
for folder in ("passage", "note", "period", "amount", "work", "statement"):
    PREFIXES[folder] = f"{ID}{folder}/"


class AuthoringError(ValueError):
    """The CSV cannot be read as facts: a person must fix the file (named with its line)."""


@dataclass
class Added:
    """What a CSV adds: the triples, and the facts and statements they describe."""

    graph: Graph
    facts: list[URIRef]
    statements: list[URIRef]


def fact_classes(shapes: Graph, ontology: Graph) -> dict[str, URIRef]:
    """IRI folder -> the fact (or claim) class whose IRIs live there, from the IRI shapes
    (id:funding/ -> gmg:Funding); folders of other kinds of node are not offered."""
    asserted = set(ontology.transitive_subjects(RDFS.subClassOf, GMG.Fact)) | {GMG.Claim}
    out = {}
    for shape, cls in shapes.subject_objects(SH.targetClass):
        if cls not in asserted:
            continue
        pattern = shapes.value(shape, SH.pattern)
        match = re.match(r"\^https://w3id\\\.org/gmg/id/([a-z-]+)/", str(pattern)) if pattern else None
        if match:
            out[match.group(1)] = cls
    return out


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    try:
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            if reader.fieldnames is None:
                raise AuthoringError(f"{path}: the file is empty; the first line names the columns")
            missing = [c for c in REQUIRED if c not in reader.fieldnames]
            if missing:
                raise AuthoringError(f"{path}:1: missing column(s) {', '.join(missing)}")
            unknown = [c for c in reader.fieldnames if c not in STATEMENT_COLUMNS and ":" not in c]
            if unknown:
                raise AuthoringError(f"{path}:1: unknown column(s) {', '.join(unknown)}: a property column is a "
                                     f"prefixed name such as gmg:funder")
            return [(reader.line_num, {k: (v or "").strip() for k, v in row.items()}) for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise AuthoringError(f"{path}: cannot read it as UTF-8 CSV: {err}") from err


def expand(name: str, where: str) -> URIRef:
    prefix, sep, local = name.partition(":")
    if not sep or prefix not in PREFIXES:
        raise AuthoringError(f"{where}: {name!r} is not a prefixed name of a known prefix "
                             f"({', '.join(sorted(PREFIXES))})")
    return URIRef(PREFIXES[prefix] + local)


NUMERIC = (XSD.integer, XSD.decimal, XSD.double, XSD.nonNegativeInteger)


def value_of(cell: str, prop: URIRef, ontology: Graph, where: str) -> URIRef | Literal:
    """An IRI for a prefixed name of a known prefix; otherwise a literal typed by the property's range."""
    prefix, sep, local = cell.partition(":")
    if sep and prefix in PREFIXES and local and " " not in cell:
        return expand(cell, where)
    if (prop, RDF.type, OWL.ObjectProperty) in ontology:
        raise AuthoringError(f"{where}: {cell!r} is not a prefixed name of a known prefix "
                             f"({', '.join(sorted(PREFIXES))}), and {prop} points to nodes, not text")
    datatype = ontology.value(prop, RDFS.range)
    if datatype in NUMERIC:
        literal = Literal(cell, datatype=datatype)
        if literal.value is None:
            raise AuthoringError(f"{where}: {cell!r} is not a number, as the range of {prop} asks")
        return literal
    if datatype == XSD.string:
        return Literal(cell)
    return Literal(cell, lang="en")


def facts_from_csv(path: Path, sources: Sources) -> Added:
    classes = fact_classes(sources.shapes, sources.ontology)
    graph, facts, statements = Graph(), [], []
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    for line, row in read_rows(path):
        where = f"{path}:{line}"
        empty = [c for c in REQUIRED if not row.get(c)]
        if empty:
            raise AuthoringError(f"{where}: empty {', '.join(empty)}")
        kind, local = row["kind"], row["id"]
        if kind not in classes:
            raise AuthoringError(f"{where}: unknown kind {kind!r}; one of {', '.join(sorted(classes))}")
        if not LOCAL_NAME.match(local):
            raise AuthoringError(f"{where}: id {local!r} must be lowercase kebab-case ASCII (e.g. dfid-mirpal-2013)")
        graph.bind(kind, f"{ID}{kind}/")
        fact = URIRef(f"{ID}{kind}/{local}")
        statement = URIRef(f"{ID}statement/{kind}-{local}-1")
        graph.add((fact, RDF.type, classes[kind]))
        graph.add((fact, RDFS.label, Literal(row["label"], lang="en")))
        for column, cell in row.items():
            if ":" not in column or not cell:
                continue
            prop = expand(column, f"{path}:1")
            for part in (p.strip() for p in cell.split(" | ")):
                graph.add((fact, prop, value_of(part, prop, sources.ontology, where)))
        graph.add((statement, RDF.type, GMG.Statement))
        graph.add((statement, RDFS.label, Literal(f"statement: {row['label']}", lang="en")))
        graph.add((statement, GMG.asserts, fact))
        graph.add((statement, GMG.attribution, GMG[row["attribution"].removeprefix("gmg:")]))
        for passage in row["passage"].split(" | "):
            passage = passage.strip()
            target = expand(passage, where) if ":" in passage else URIRef(f"{ID}passage/{passage}")
            graph.add((statement, PROV.wasDerivedFrom, target))
        for hedge in filter(None, (h.strip() for h in row.get("hedge", "").split(" | "))):
            graph.add((statement, GMG.hedge, GMG[hedge.removeprefix("gmg:")]))
        if row.get("hedge_expression"):
            graph.add((statement, GMG.hedgeExpression, Literal(row["hedge_expression"])))
        if row.get("stated_by"):
            graph.add((statement, GMG.statedBy, expand(row["stated_by"], where)))
        if row.get("primary_source"):
            graph.add((statement, PROV.hadPrimarySource, expand(row["primary_source"], where)))
        facts.append(fact)
        statements.append(statement)
    if not facts:
        raise AuthoringError(f"{path}: no rows below the header")
    clashes = [str(f) for f in facts + statements if (f, None, None) in sources.instances]
    if clashes:
        raise AuthoringError("already in the graph (choose another id): " + ", ".join(clashes))
    return Added(graph, facts, statements)


def append_turtle(added: Added, target: Path) -> None:
    """Append the new triples to an instances module, in the prefixes that module declares."""
    existing = target.read_text(encoding="utf-8")
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in re.findall(r"^@prefix (\w*): <([^>]*)> \.$", existing, flags=re.M):
        graph.bind(prefix, namespace)
    graph += added.graph
    body = graph.serialize(format="turtle")
    triples = "\n".join(l for l in body.splitlines() if not l.startswith("@prefix")).strip()
    target.write_text(existing.rstrip("\n") + "\n\n# Added with `gmg add`.\n" + triples + "\n", encoding="utf-8")
