"""The SPARQL the site's reading, bibliography and picture pages send to the store.

Plain strings (and helpers that fill in IRIs): the web layer runs them through the
supervised engine like any client's query, and plain modules (`sequence`, `bibliography`,
`pictures`) turn the rows into pages and files.
"""

from __future__ import annotations

from collections.abc import Iterable

from .iris import ARTICLE

PREFIXES = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX bibo: <http://purl.org/ontology/bibo/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX gmg: <https://w3id.org/gmg/ontology#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX oa: <http://www.w3.org/ns/oa#>
"""

# A passage's words: gmg:quote, or the exact text of a Web Annotation selector.
QUOTE = "(gmg:quote|oa:hasSelector/oa:exact)"

# Every passage and note of the article, with what places it in the reading order. Found
# through the article's sections, not through the classes: a store may hold the passages of
# other works (the benchmark's synthetic report has 195,000 at ten million triples), and this
# way the query reads the article's few hundred only (62 ms at that size; by class, 19 s). The
# kind is joined, not asked with BIND(EXISTS …), which Virtuoso 7 answered false for every note.
PASSAGES = PREFIXES + """
SELECT ?item (SAMPLE(?l) AS ?label) (SAMPLE(?q) AS ?quote) (SAMPLE(?o) AS ?sectionOrder)
       (SAMPLE(?n) AS ?noteNumber) (MAX(?isNote) AS ?note) WHERE {
  ?section dcterms:isPartOf <""" + str(ARTICLE) + """> .
  ?item gmg:inSection ?section ; a ?kind .
  FILTER(isIRI(?item) && ?kind IN (gmg:Passage, gmg:Note))
  BIND(IF(?kind = gmg:Note, "true", "false") AS ?isNote)
  OPTIONAL { ?section gmg:sectionOrder ?o }
  OPTIONAL { ?item rdfs:label ?l FILTER(langMatches(lang(?l), "en")) }
  OPTIONAL { ?item """ + QUOTE + """ ?q }
  OPTIONAL { ?item gmg:noteNumber ?n }
} GROUP BY ?item"""

# The works the notes cite, and the edited volumes that hold a cited chapter (the notes
# print those too): every statement about them, with the label of what they point at and
# whether that is a person (authors and editors) or not (an organization as author).
WORKS = PREFIXES + """
SELECT ?work ?p ?o (SAMPLE(?ol) AS ?olabel) (MAX(?person) AS ?isPerson) WHERE {
  { SELECT DISTINCT ?work WHERE {
      { ?citation gmg:citedWork ?work }
      UNION { ?citation gmg:citedWork ?part . ?part dcterms:isPartOf ?work FILTER NOT EXISTS { ?work a gmg:Journal } }
  } }
  ?work ?p ?o .
  BIND(EXISTS { ?o a gmg:Person } AS ?person)
  OPTIONAL { ?o rdfs:label ?ol FILTER(langMatches(lang(?ol), "en")) }
} GROUP BY ?work ?p ?o"""

# The notes that cite each work.
CITING_NOTES = PREFIXES + """
SELECT DISTINCT ?work ?number WHERE {
  ?citation gmg:citedWork ?work ; gmg:citingNote/gmg:noteNumber ?number .
} ORDER BY ?work ?number"""

# The governance network's edges: relationships (from -> to, or between participants),
# fundings (funder -> funded activity) and memberships (member -> organization). A
# relationship is what has a gmg:relationshipKind (the shapes require one of each): no class
# path (a/rdfs:subClassOf*), which Virtuoso 7 evaluates wrongly over a dataset of several graphs.
NETWORK_EDGES = PREFIXES + """
SELECT ?fact ?kind ?from ?to ?directed (SAMPLE(?fl) AS ?factLabel) (SAMPLE(?kl) AS ?kindLabel) WHERE {
  {
    ?fact gmg:relationshipKind ?kind ; gmg:fromAgent ?from ; gmg:toAgent ?to .
    BIND(true AS ?directed)
  } UNION {
    ?fact gmg:relationshipKind ?kind ; gmg:participant ?from , ?to .
    FILTER(STR(?from) < STR(?to))
    BIND(false AS ?directed)
  } UNION {
    ?fact a gmg:Funding ; gmg:funder ?from ; gmg:fundedActivity ?to .
    BIND(gmg:Funding AS ?kind) BIND(true AS ?directed)
  } UNION {
    ?fact a gmg:Membership ; org:member ?from ; org:organization ?to .
    BIND(gmg:Membership AS ?kind) BIND(true AS ?directed)
  }
  FILTER(isIRI(?fact) && isIRI(?from) && isIRI(?to))
  OPTIONAL { ?fact rdfs:label ?fl FILTER(langMatches(lang(?fl), "en")) }
  OPTIONAL { ?kind rdfs:label ?kl FILTER(langMatches(lang(?kl), "en")) }
} GROUP BY ?fact ?kind ?from ?to ?directed ORDER BY ?fact ?from ?to"""

# What each node of the network is: its label, and the classes that decide its shape.
NODE_CLASSES = ("GlobalMigrationGovernor", "Programme", "ExpertNetwork", "Person", "Country", "CollectiveAgent")


_NOT_IN_IRIREF = set('<>"{}|^`\\ ')


def iri_values(iris: Iterable[str]) -> str:
    """IRIs as the terms of a VALUES block, an IRI that `<…>` cannot hold (a store may keep one) left out."""
    return " ".join(f"<{iri}>" for iri in iris if not _NOT_IN_IRIREF.intersection(iri))


def network_nodes(iris: list[str]) -> str:
    values = iri_values(iris)
    classes = " ".join(f"gmg:{c}" for c in NODE_CLASSES)
    return PREFIXES + f"""
SELECT ?node (SAMPLE(?l) AS ?label) (GROUP_CONCAT(DISTINCT STR(?class); separator=" ") AS ?classes) WHERE {{
  VALUES ?node {{ {values} }}
  OPTIONAL {{ ?node rdfs:label ?l FILTER(langMatches(lang(?l), "en")) }}
  OPTIONAL {{ VALUES ?class {{ {classes} }} ?node a/rdfs:subClassOf* ?class }}
}} GROUP BY ?node"""


# The country figures: observations with a reference area, their values (a value, a range,
# or a fraction), unit, period, and the hedges of the statements that assert them.
OBSERVATIONS = PREFIXES + """
SELECT ?obs (SAMPLE(?ol) AS ?label) ?measure (SAMPLE(?ml) AS ?measureLabel) ?area (SAMPLE(?al) AS ?areaLabel)
       (SAMPLE(?v) AS ?value) (SAMPLE(?min) AS ?minValue) (SAMPLE(?max) AS ?maxValue)
       (SAMPLE(?num) AS ?numerator) (SAMPLE(?den) AS ?denominator)
       (SAMPLE(?u) AS ?unit) (SAMPLE(?ul) AS ?unitLabel)
       (SAMPLE(?pl) AS ?periodLabel) (SAMPLE(?start) AS ?startYear) (SAMPLE(?end) AS ?endYear)
       (SAMPLE(?lateEnd) AS ?latestEndYear)
       (GROUP_CONCAT(DISTINCT ?hl; separator="|") AS ?hedges)
       (GROUP_CONCAT(DISTINCT ?hx; separator="|") AS ?hedgeExpressions) WHERE {
  ?obs a gmg:Observation ; gmg:measure ?measure ; gmg:refArea ?area .
  OPTIONAL { ?obs rdfs:label ?ol FILTER(langMatches(lang(?ol), "en")) }
  OPTIONAL { ?measure rdfs:label ?ml FILTER(langMatches(lang(?ml), "en")) }
  OPTIONAL { ?area rdfs:label ?al FILTER(langMatches(lang(?al), "en")) }
  OPTIONAL { ?obs gmg:value ?v }
  OPTIONAL { ?obs gmg:minValue ?min }
  OPTIONAL { ?obs gmg:maxValue ?max }
  OPTIONAL { ?obs gmg:numerator ?num }
  OPTIONAL { ?obs gmg:denominator ?den }
  OPTIONAL { ?obs gmg:unit ?u OPTIONAL { ?u rdfs:label ?ul FILTER(langMatches(lang(?ul), "en")) } }
  OPTIONAL { ?obs gmg:refPeriod ?period
             OPTIONAL { ?period rdfs:label ?pl FILTER(langMatches(lang(?pl), "en")) }
             OPTIONAL { ?period gmg:startYear ?start }
             OPTIONAL { ?period gmg:endYear ?end }
             OPTIONAL { ?period gmg:latestEndYear ?lateEnd } }
  OPTIONAL { ?statement gmg:asserts ?obs .
             OPTIONAL { ?statement gmg:hedge ?hedge . ?hedge rdfs:label ?hl FILTER(langMatches(lang(?hl), "en")) }
             OPTIONAL { ?statement gmg:hedgeExpression ?hx } }
} GROUP BY ?obs ?measure ?area"""


# --- a resource page (gmg.web.entry): two queries, whatever the resource -------------------
#
# The facts around a resource: itself when it is one, the fact nodes it points at and that
# point at it, and the facts asserted by statements that point at it (a passage's, a quoted
# actor's). A fact node is anything a statement gmg:asserts (facts and claims alike).
# No GROUP BY: a value with two English labels comes twice, and the page keeps the first.

def _facts_around(iri: str) -> str:
    # Written so that Virtuoso 7 evaluates it as the embedded store does: a branch that is a
    # lone BIND makes it lose the subquery's join with the rest (every subject came out as a
    # fact), so the resource itself comes in through a triple; and a join, not FILTER EXISTS.
    return f"""{{ SELECT DISTINCT ?f WHERE {{
      {{ ?asserter gmg:asserts <{iri}> BIND(<{iri}> AS ?f) }} UNION {{ <{iri}> ?p ?f }} UNION {{ ?f ?p <{iri}> }}
      UNION {{ ?x ?p <{iri}> . ?x gmg:asserts ?f }}
      ?statement gmg:asserts ?f .
      FILTER(isIRI(?f))
  }} }}"""


def entry_links(iri: str, limit: int = 4000) -> str:
    """The resource's own triples (?p ?o) and those that point at it (?s ?p), with English
    labels, whether the other end is a fact node, and what a statement that points here asserts."""
    return PREFIXES + f"""
SELECT ?s ?p ?o ?slabel ?plabel ?olabel ?isFact ?asserts WHERE {{
  {{ <{iri}> ?p ?o .
     OPTIONAL {{ ?o rdfs:label ?olabel FILTER(langMatches(lang(?olabel), "en")) }}
     BIND(EXISTS {{ ?statement gmg:asserts ?o }} AS ?isFact) }}
  UNION
  {{ ?s ?p <{iri}> .
     FILTER(isIRI(?s))
     OPTIONAL {{ ?s rdfs:label ?slabel FILTER(langMatches(lang(?slabel), "en")) }}
     BIND(EXISTS {{ ?statement gmg:asserts ?s }} AS ?isFact)
     OPTIONAL {{ ?s gmg:asserts ?asserts }} }}
  OPTIONAL {{ ?p rdfs:label ?plabel FILTER(langMatches(lang(?plabel), "en")) }}
}} LIMIT {limit}"""


# A statement's properties; labels only where the page shows them (passages and notes come
# with their labels and words from the reading order the site holds).
_EVIDENCE = """?statement ?sp ?so .
    FILTER(?sp NOT IN (rdf:type, rdfs:label, gmg:asserts))
    OPTIONAL { FILTER(?sp IN (gmg:hedge, gmg:statedBy, prov:hadPrimarySource))
               ?so rdfs:label ?solabel FILTER(langMatches(lang(?solabel), "en")) }
    OPTIONAL { FILTER(?sp = prov:hadPrimarySource)
               ?so dcterms:title ?title FILTER(langMatches(lang(?title), "en") || lang(?title) = "") }"""


def entry_facts(iri: str) -> str:
    """The facts around the resource and the evidence on the page, in one answer:
    - the roles of each fact node (?f ?role ?v, labelled);
    - the statements that assert it, with every property (?f ?statement ?sp ?so);
    - the statements behind the resource's plain triples, in and out (?s ?p ?o ?statement ?sp ?so,
      keyed by the annotated triple), and the curators' remarks on those triples' axioms
      (?s ?p ?o ?sp ?so, no ?statement)."""
    return PREFIXES + f"""
SELECT ?f ?role ?v ?vlabel ?s ?p ?o ?statement ?sp ?so ?solabel ?title WHERE {{
  {{ {_facts_around(iri)}
     {{ ?f ?role ?v .
        FILTER(?role != gmg:mentionedIn)
        OPTIONAL {{ FILTER(isIRI(?v)) ?v rdfs:label ?vlabel FILTER(langMatches(lang(?vlabel), "en")) }} }}
     UNION {{ ?statement gmg:asserts ?f . {_EVIDENCE} }}
  }}
  UNION {{ ?ax owl:annotatedSource <{iri}> ; owl:annotatedProperty ?p ; owl:annotatedTarget ?o ;
               gmg:statement ?statement . BIND(<{iri}> AS ?s) {_EVIDENCE} }}
  UNION {{ ?ax owl:annotatedTarget <{iri}> ; owl:annotatedProperty ?p ; owl:annotatedSource ?s ;
               gmg:statement ?statement . BIND(<{iri}> AS ?o) {_EVIDENCE} }}
  UNION {{ ?ax owl:annotatedSource <{iri}> ; owl:annotatedProperty ?p ; owl:annotatedTarget ?o ; rdfs:comment ?so .
          BIND(<{iri}> AS ?s) BIND(rdfs:comment AS ?sp) }}
  UNION {{ ?ax owl:annotatedTarget <{iri}> ; owl:annotatedProperty ?p ; owl:annotatedSource ?s ; rdfs:comment ?so .
          BIND(<{iri}> AS ?o) BIND(rdfs:comment AS ?sp) }}
}}"""


# The terms the ontology documents besides its own (anchored `external-prefix-Name` on /ontology).
DOCUMENTED_EXTERNAL_TERMS = PREFIXES + """
SELECT DISTINCT ?term WHERE {
  GRAPH <https://w3id.org/gmg/graph/ontology> {
    VALUES ?kind { owl:Class rdfs:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty
                   owl:NamedIndividual }
    ?term a ?kind .
  }
  FILTER(isIRI(?term) && !STRSTARTS(STR(?term), "https://w3id.org/gmg/ontology"))
}"""
