"""The lexer-level guard that runs before any SPARQL parser sees query or update text."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from gmg.querytext import Limits, QueryRejected, QueryText, inspect

ROOT = Path(__file__).resolve().parents[1]

PROLOGUE = """\
PREFIX gmg: <https://w3id.org/gmg/ontology#>
PREFIX id: <https://w3id.org/gmg/id/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX ex: <http://example.org/ns#>
"""

# (text, is_update, expected form, expected has_dataset_clause)
ORDINARY = {
    "select-nested-optional-filter": (
        PROLOGUE
        + """
# Governors and, where known, their founding year; SERVICE { in a comment is fine
SELECT DISTINCT ?g ?label ?year WHERE {
  ?g a/rdfs:subClassOf* gmg:Governor ;
     rdfs:label ?label .
  OPTIONAL {
    ?g gmg:period ?p .
    OPTIONAL { ?p gmg:startYear ?year . FILTER (?year > 1990 && ?year <= 2020) }
  }
  FILTER (langMatches(lang(?label), "en") && !BOUND(?missing))
  FILTER NOT EXISTS { ?g gmg:dissolved true }
}
ORDER BY DESC(?year) ?label
LIMIT 100
""",
        False,
        "SELECT",
        False,
    ),
    "select-strings-with-braces-and-keywords": (
        PROLOGUE
        + "\nSELECT ?s (CONCAT(\"{{{\", STR(?o), \"}}} # not a comment\") AS ?text) WHERE {\n"
        + "  ?s rdfs:comment ?o .\n"
        + "  FILTER (?o != \"SERVICE <http://evil/> {}\" && ?o != 'LOAD <http://evil/>')\n"
        + '  FILTER (CONTAINS(?o, """a "long" string with { ( [ and\n'
        + 'a line break and \\""" and \'\'\' inside""") || STRSTARTS(?o, \'\'\'((((!!!!\'\'\'))\n'
        + '  BIND ("escaped \\" quote and \\\\ backslash \\u007B" AS ?e)\n'
        + "}\n",
        False,
        "SELECT",
        False,
    ),
    "select-iris-with-hash-and-parens": (
        """
SELECT ?type WHERE {
  <https://w3id.org/gmg/id/iom> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ?type .
  ?type <http://www.w3.org/2000/01/rdf-schema#label> "x"^^<http://www.w3.org/2001/XMLSchema#string> .
  ?x <http://en.wikipedia.org/wiki/Mercury_(planet)> ?y # a comment { ( [
}
""",
        False,
        "SELECT",
        False,
    ),
    "select-property-paths": (
        PROLOGUE
        + """
SELECT ?a ?b WHERE {
  ?a ^ex:p/!ex:q ?b .
  ?a (ex:r|ex:s)+/ex:t? ?c .
  ?a !(ex:u|^ex:v) ?d .
  ?a ex:w* ?e .
}
""",
        False,
        "SELECT",
        False,
    ),
    "select-arithmetic-and-comparisons": (
        PROLOGUE
        + """
SELECT ?a ?b (?a - -?b AS ?diff) (-?a + +?b AS ?sum) WHERE {
  ?x ex:a ?a ; ex:b ?b .
  FILTER (?a > -1 && ?b<10 && ?a<?b && ?a >= -2.5e3 && !(?a = ?b) && ?a != ?b)
  FILTER (?a IN (1, 2, -3) || ?b NOT IN (<http://example.org/ns#x>))
}
GROUP BY ?a ?b
HAVING (COUNT(*) > 1)
""",
        False,
        "SELECT",
        False,
    ),
    "select-from-named-values-subquery": (
        PROLOGUE
        + """
SELECT ?g ?n FROM <https://w3id.org/gmg/graph/instances>
FROM NAMED <https://w3id.org/gmg/graph/ontology>
WHERE {
  VALUES (?country ?code) { (id:kazakhstan "KZ") (id:kyrgyzstan UNDEF) (<http://example.org/ns#uz> "UZ") }
  GRAPH ?g { ?country skos:prefLabel ?n }
  { SELECT ?country (COUNT(?x) AS ?k) WHERE { ?x gmg:inCountry ?country } GROUP BY ?country }
}
""",
        False,
        "SELECT",
        True,
    ),
    "ask": (PROLOGUE + "ASK { id:iom a gmg:Governor }", False, "ASK", False),
    "construct-with-collection": (
        PROLOGUE
        + """
CONSTRUCT { ?s ex:members (?a ?b) ; ex:tag [ ex:value "x"@en-US ] }
WHERE { ?s ex:first ?a ; ex:second ?b }
""",
        False,
        "CONSTRUCT",
        False,
    ),
    "describe": (
        "BASE <https://w3id.org/gmg/id/>\nDESCRIBE <iom> ?x WHERE { ?x <http://www.w3.org/2002/07/owl#sameAs> <iom> }",
        False,
        "DESCRIBE",
        False,
    ),
    "lowercase-keywords": (
        "prefix ex: <http://example.org/ns#>\nselect * where { ?s ex:p ?o } limit 5",
        False,
        "SELECT",
        False,
    ),
    "service-and-load-lookalikes": (
        PROLOGUE
        + """
SELECT ?service ?loader WHERE {
  ?service ex:load "LOAD" , <http://x/SERVICE> , ex:SERVICE , 'service' .
  ?loader ex:service ?x . # SERVICE <http://evil/> { }
  FILTER (?x != <http://example.org/LOAD#SERVICE>)
}
""",
        False,
        "SELECT",
        False,
    ),
    "update-insert-data": (
        PROLOGUE
        + """
INSERT DATA {
  GRAPH <https://w3id.org/gmg/graph/test> {
    id:a rdfs:label "{ SERVICE }"@en ; ex:n -5 ; ex:list (1 (2 3) [ ex:p "x" ]) .
  }
}
""",
        True,
        "UPDATE",
        False,
    ),
    "update-delete-insert-where": (
        PROLOGUE
        + """
WITH <https://w3id.org/gmg/graph/test>
DELETE { ?s ex:old ?o }
INSERT { ?s ex:new ?o }
WHERE { ?s ex:old ?o FILTER (!isBlank(?s)) } ;
CLEAR SILENT GRAPH <https://w3id.org/gmg/graph/other>
""",
        True,
        "UPDATE",
        False,
    ),
}


def parses(text: str, update: bool) -> None:
    """Let the real engine parse (and run, on an empty store) text the guard accepted."""
    store = ox.Store()
    if update:
        store.update(text)
    else:
        result = store.query(text)
        if not isinstance(result, ox.QueryBoolean):
            list(result)


@pytest.mark.parametrize("name", sorted(ORDINARY))
def test_ordinary_text_is_accepted_with_form_and_dataset(name):
    text, update, form, dataset = ORDINARY[name]
    parses(text, update)  # the fixture itself is valid SPARQL
    result = inspect(text, update=update)
    assert isinstance(result, QueryText)
    assert result.text == text
    assert result.form == form
    assert result.has_dataset_clause is dataset


def test_form_of_update_text_without_the_flag():
    assert inspect(PROLOGUE + "INSERT DATA { ex:a ex:b ex:c }").form == "UPDATE"
    assert inspect("clear all").form == "UPDATE"
    assert inspect("WITH <http://g/> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }").form == "UPDATE"
    assert inspect("SELECT * WHERE {}", update=True).form == "UPDATE"
    assert inspect("").form == "UNKNOWN"
    assert inspect("# only a comment\n").form == "UNKNOWN"
    assert inspect("hello world").form == "UNKNOWN"


def test_keywords_are_reported_upper_case():
    result = inspect("select distinct ?s where { ?s ?p ?o optional { ?o ?q ?r } } limit 1")
    assert {"SELECT", "DISTINCT", "WHERE", "OPTIONAL", "LIMIT"} <= result.keywords
    assert all(k == k.upper() for k in result.keywords)


@pytest.mark.parametrize("text, sorts", [
    ("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s", True),
    ("select (count(*) as ?n) where { ?s ?p ?o } group by ?p", True),
    ('SELECT ?s WHERE { ?s ?p "in order, by group" }', False),  # the words in a string
    ("SELECT ?s WHERE { ?s ?p ?o } # order by ?s", False),  # and in a comment
    ("SELECT ?s WHERE { ?s ex:order ?o }", False),  # and in a prefixed name
])
def test_sorting_or_grouping_is_read_from_the_keywords(text, sorts):
    assert inspect(PROLOGUE + text).sorts_or_groups is sorts


def test_project_queries_are_accepted():
    files = sorted((ROOT / "queries").glob("*.rq"))
    if not files:
        pytest.skip("no example queries in this checkout")
    for path in files:
        assert inspect(path.read_text(encoding="utf-8")).form in {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}


@pytest.mark.parametrize(
    "text, dataset",
    [
        ("SELECT * FROM <http://g/> WHERE { ?s ?p ?o }", True),
        ("select * from named <http://g/> { graph ?g { ?s ?p ?o } }", True),
        ("SELECT*FROM<http://g/>{}", True),
        ('SELECT * WHERE { ?s ?p "FROM <http://g/>" }', False),
        ("SELECT * WHERE { ?s ?p <http://x/FROM> }", False),
        ("SELECT * WHERE { ?s ?p ?o } # FROM <http://g/>", False),
        ("PREFIX ex: <http://x/> SELECT ?from WHERE { ?from ex:from ?o }", False),
    ],
)
def test_dataset_clause_detection(text, dataset):
    assert inspect(text).has_dataset_clause is dataset


# --- SERVICE and LOAD ------------------------------------------------------------------

SERVICE_TEXTS = [
    "SELECT * WHERE { SERVICE <http://internal.example/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <http://internal.example/sparql> { ?s ?p ?o } }",
    "select * where { service <http://internal.example/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o . Service ?endpoint { ?s ?p ?o } }",
    "INSERT { ?s ?p ?o } WHERE { SERVICE <http://internal.example/> { ?s ?p ?o } }",
    # keywords glued to their neighbours, all of which the engine accepts
    "SELECT * WHERE { SERVICE<http://internal.example/>{?s ?p ?o} }",
    "SELECT * WHERE { SERVICEsilent<http://internal.example/>{?s ?p ?o} }",
    "SELECT * WHERE { ?s ?p trueSERVICE <http://internal.example/> {} }",
    "SELECT * WHERE { ?s ?p 1SERVICE <http://internal.example/> {} }",
    "SELECT * WHERE { ?s ?p true.SERVICE <http://internal.example/> {} }",
    'SELECT * WHERE { ?s ?p "x"@en.SERVICE<http://internal.example/> {} }',
    "PREFIX : <http://internal.example/> SELECT * WHERE { SERVICE:x{?s ?p ?o} }",
    "PREFIX ex: <http://internal.example/> SELECT * WHERE { ?s ?p ?o SERVICEex:x { } }",
    # a triple quote that never closes is an empty string and a new one, not a string to the end
    "SELECT * WHERE { VALUES ?x { '''abc' } SERVICE <http://internal.example/> {} }",
    # an invalid escape means the triple-quoted string is not one either
    "SELECT * WHERE { VALUES ?x { '''a' } SERVICE <http://internal.example/> {} # \\x'''\n}",
    # "<" is less-than unless a valid IRIREF (no spaces, braces, ...) closes it
    "SELECT * WHERE { ?s ?p ?o FILTER(?o < 5) SERVICE ?endpoint { } FILTER(?o > 1) }",
    # "<?b#>" might be an IRI, or "<" then a comment that hides the opening triple quote
    "SELECT * WHERE { FILTER(?a<?b#>'''\n) SERVICE <http://internal.example/> {} # '''\n}",
]


@pytest.mark.parametrize("text", SERVICE_TEXTS)
def test_service_is_rejected(text):
    with pytest.raises(QueryRejected) as info:
        inspect(text, update=text.startswith("INSERT"))
    if "<?b#>" in text:
        assert info.value.limit == "ambiguous"
        assert "less-than" in str(info.value)
    else:
        assert info.value.limit == "service"
        assert "SERVICE" in str(info.value)


LOAD_TEXTS = [
    "LOAD <http://internal.example/data.ttl>",
    "load silent <http://internal.example/data.ttl> into graph <http://g/>",
    "CLEAR ALL ; LOAD <http://internal.example/data.ttl>",
    "LOAD<http://internal.example/data.ttl>",
    "LOADsilent<http://internal.example/data.ttl>",
    "PREFIX ex: <http://internal.example/> LOADex:data",
    "PREFIX : <http://internal.example/> CLEAR ALL;LOAD:data",
]


@pytest.mark.parametrize("text", LOAD_TEXTS)
def test_load_is_rejected_in_updates_and_queries(text):
    for update in (True, False):
        with pytest.raises(QueryRejected) as info:
            inspect(text, update=update)
        assert info.value.limit == "load"
        assert "LOAD" in str(info.value)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT ?service WHERE { ?service ?p ?o }",
        "PREFIX ex: <http://x/> SELECT * WHERE { ?s ex:load ?o ; ex:SERVICE ?p ; ex:loader ?q }",
        'SELECT * WHERE { ?s ?p "LOAD" , "SERVICE" }',
        "SELECT * WHERE { ?s ?p <http://x/SERVICE> , <http://x/load> }",
        "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/> { }",
        "PREFIX service: <http://x/> SELECT * WHERE { GRAPH service:g { service:a service:b ?c } }",
        "PREFIX loader: <http://x/> INSERT DATA { loader:a loader:b loader:c }",
        'SELECT * WHERE { ?s ?p ?o FILTER(?o != "x"@en-service) }',
    ],
)
def test_service_and_load_lookalikes_are_accepted(text):
    inspect(text, update=text.startswith("PREFIX loader"))


# --- nesting and unary runs ------------------------------------------------------------


def timed_rejection(text: str, limit: str, **kwargs) -> QueryRejected:
    start = time.perf_counter()
    with pytest.raises(QueryRejected) as info:
        inspect(text, **kwargs)
    elapsed = time.perf_counter() - start
    assert info.value.limit == limit, str(info.value)
    assert elapsed < 1.0, f"{elapsed:.3f}s"
    return info.value


def test_engine_crashing_texts_are_rejected_quickly():
    braces = "SELECT * WHERE " + "{" * 3000 + "}" * 3000
    err = timed_rejection(braces, "nesting")
    assert "64" in str(err) and "{ ( [" in str(err)
    timed_rejection("SELECT * WHERE { FILTER(" + "(" * 10_000 + "1" + ")" * 10_000 + ") }", "nesting")
    err = timed_rejection("SELECT * WHERE { FILTER(" + "!" * 20_000 + "true) }", "unary")
    assert "32" in str(err)
    timed_rejection("SELECT * WHERE { ?s ?p " + "( " * 400 + "1" + " )" * 400 + " }", "nesting")
    timed_rejection("SELECT * WHERE { ?s ?p " + "[ ?p " * 3000 + "1" + " ]" * 3000 + " }", "nesting")
    timed_rejection("SELECT * WHERE { " + "<< " * 3000 + "?s ?p ?o" + " >> ?p ?o" * 3000 + " }", "nesting")


def test_brackets_hidden_in_an_iri_shaped_span_still_count():
    # "?a<((((...?b>0" is "?a < ((((...?b > 0": the parser never sees an IRI there
    timed_rejection("SELECT * WHERE { FILTER(?a<" + "(" * 10_000 + "?b>0" + ")" * 10_000 + ") }", "nesting")
    timed_rejection("SELECT * WHERE { FILTER(?a<" + "!" * 20_000 + "?b>0) }", "unary")


@pytest.mark.parametrize("opener, closer", [("{", "}"), ("(", ")"), ("[", "]")])
def test_nesting_limit_is_exact(opener, closer):
    def text(depth):
        return opener * depth + closer * depth

    inspect(text(64))
    err = timed_rejection(text(65), "nesting")
    assert err.position == 64


def test_nesting_counts_all_bracket_kinds_together():
    mixed = "{ ( [ " * 21 + "{"  # 64 deep
    inspect(mixed + "}" + " ] ) }" * 21)
    timed_rejection(mixed + "(" + ")" + "}" + " ] ) }" * 21, "nesting")
    # siblings do not add up
    inspect("SELECT * WHERE { " + ("{ " * 40 + "}" * 40 + " ") * 50 + "}")


def test_nesting_inside_strings_iris_and_comments_is_not_counted():
    deep = "{" * 500
    inspect(f'SELECT * WHERE {{ ?s ?p "{deep}" , \'{deep}\' , """{deep}""" , \'\'\'{deep}\'\'\' }}')
    inspect("SELECT * WHERE { ?s ?p ?o } #" + deep + "\n")
    inspect("SELECT * WHERE { ?s ?p <http://x/" + "(" * 500 + "> }")


def test_one_line_strings_end_at_a_line_break():
    # the engine stops at the bad string; the guard keeps checking what follows it
    for quote in "'\"":
        text = f"SELECT * WHERE {{ ?s ?p {quote}a\n}} SERVICE <http://x/> {{}} # {quote}\n"
        with pytest.raises(QueryRejected) as info:
            inspect(text)
        assert info.value.limit == "service"
        inspect(f"SELECT * WHERE {{ ?s ?p {quote}a}} SERVICE <http://x/> {{}} # {quote} }}")


def test_custom_limits():
    limits = Limits(max_bytes=1000, max_nesting=3, max_unary_run=2)
    inspect("{{{}}}", limits)
    timed_rejection("{{{{}}}}", "nesting", limits=limits)
    inspect("FILTER(!!?x)", limits)
    timed_rejection("FILTER(!!!?x)", "unary", limits=limits)


def test_unary_limit_is_exact():
    def bangs(k):
        return "SELECT * WHERE { FILTER(" + "!" * k + "true) }"

    inspect(bangs(32))
    err = timed_rejection(bangs(33), "unary")
    assert "32" in str(err)
    # whitespace and comments between them do not break a run
    inspect("SELECT * WHERE { FILTER(" + "! " * 32 + "true) }")
    timed_rejection("SELECT * WHERE { FILTER(" + "! #c\n" * 33 + "true) }", "unary")
    # unary minus and plus count, and mix with !
    inspect("SELECT * WHERE { FILTER(" + "- " * 32 + "1 > 0) }")
    timed_rejection("SELECT * WHERE { FILTER(" + "!-+" * 11 + "true) }", "unary")


def test_binary_operators_do_not_count_as_unary():
    chain = " - ".join(f"?v{k}" for k in range(200))
    inspect(f"SELECT (({chain}) AS ?x) WHERE {{}}")
    inspect("SELECT * WHERE { FILTER(" + " != ".join(["?a"] * 100) + ") }")
    inspect("SELECT * WHERE { FILTER(?a - -?b > 0 && ?c + -1 < 2 && !BOUND(?d)) }")
    # after a value, the first - is binary and only the 32 that follow are unary
    inspect("SELECT * WHERE { FILTER(?a " + "- " * 33 + "1 > 0) }")
    timed_rejection("SELECT * WHERE { FILTER(?a + " + "- " * 33 + "1 > 0) }", "unary")
    # property paths: ! and ^ are not arithmetic, + after a path is a modifier
    inspect("PREFIX ex: <http://x/> SELECT * WHERE { " + " . ".join(["?a ^ex:p/!ex:q+ ?b"] * 100) + " }")


# --- size ------------------------------------------------------------------------------


def test_size_limit():
    limits = Limits()
    inspect("#" + "x" * (limits.max_bytes - 1))
    err = timed_rejection("#" + "x" * limits.max_bytes, "size")
    assert str(limits.max_bytes) in str(err)
    # measured in UTF-8 bytes, not characters
    inspect("#" + "é" * (limits.max_bytes // 2 - 1))
    err = timed_rejection("#" + "é" * (limits.max_bytes // 2), "size")
    assert str(limits.max_bytes) in str(err)


def test_size_is_checked_before_scanning():
    # a megabyte of the most expensive text to scan is refused without looking at it
    text = "{" * 1_000_000
    start = time.perf_counter()
    with pytest.raises(QueryRejected) as info:
        inspect(text)
    assert info.value.limit == "size"
    assert time.perf_counter() - start < 0.05


# --- robustness and linear time ---------------------------------------------------------

ALPHABET = list("{}()[]<>'\"#\\!+-?$@:._^|/*=&,; \t\r\n0aeEuUSLx\u00e9\ud800") + [
    "SERVICE", "LOAD", "SELECT", "FROM", "'''", '"""', "<http://x/>", "\\u0041", "<<", ">>",
]  # fmt: skip


# Without the words rejected on sight, so that a scan goes through the whole text.
SCAN_ALPHABET = [piece for piece in ALPHABET if piece not in ("SERVICE", "LOAD")]


def garbage(rng: random.Random, length: int, alphabet: list[str] = ALPHABET) -> str:
    parts, size = [], 0
    while size < length:
        piece = rng.choice(alphabet)
        parts.append(piece)
        size += len(piece)
    return "".join(parts)[:length]


def test_random_garbage_raises_nothing_but_query_rejected():
    rng = random.Random(20240611)
    outcomes = {"accepted": 0, "rejected": 0}
    for _ in range(3000):
        text = garbage(rng, rng.randint(0, 300))
        for update in (False, True):
            try:
                result = inspect(text, update=update)
            except QueryRejected as err:
                assert err.limit and str(err)
                outcomes["rejected"] += 1
            else:
                assert result.form in {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "UPDATE", "UNKNOWN"}
                outcomes["accepted"] += 1
    assert outcomes["accepted"] and outcomes["rejected"]


def best_time(text: str, limits: Limits) -> float:
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        try:
            inspect(text, limits)
        except QueryRejected:
            pass
        best = min(best, time.perf_counter() - start)
    return best


# Inputs built to defeat a careless scanner: no early rejection, so the whole text is scanned.
ADVERSARIAL = {
    "random": None,
    "unclosed-iris": lambda k: "<a" * k,
    "iri-then-space": lambda k: "<aaaaaaaa " * k,
    "unclosed-long-strings": lambda k: "'''" + "a" * k,
    "many-long-string-openers": lambda k: "{}'''a'\n" * k,
    "unclosed-short-strings": lambda k: "'a\n" * k,
    "backslashes": lambda k: "'''" + "\\" * k,
    "bad-escapes": lambda k: "'''\\x'" * k,
    "comments-with-cr": lambda k: "#a\r" * k,
    "ambiguous-spans-with-hash": lambda k: "(?a<?b#>" * k,
    "glued-words": lambda k: "ex:a.b-c_d%41\\#" * k,
}


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_inspect_takes_linear_time(name):
    limits = Limits(max_bytes=1 << 30, max_nesting=1 << 30, max_unary_run=1 << 30)
    make = ADVERSARIAL[name]
    if make is None:
        big = garbage(random.Random(0), 100_000, SCAN_ALPHABET)
        inspect(big, limits)  # nothing in it stops the scan early
        small = big[:12_500]
    else:
        big, small = make(100_000)[:100_000], make(12_500)[:12_500]
    small_time, big_time = best_time(small, limits), best_time(big, limits)
    assert big_time < 1.0, f"{big_time:.3f}s for 100 KB"
    # eight times the text: about eight times the time (quadratic would be sixty-four)
    assert big_time < 24 * max(small_time, 0.001), f"{small_time:.4f}s -> {big_time:.4f}s"


def test_large_ordinary_query_is_fast():
    union = " UNION ".join(
        f'{{ ?g gmg:code "c{k}" ; rdfs:label ?label . FILTER (?label != "x{k}"@en) }}' for k in range(3000)
    )
    text = PROLOGUE + f"SELECT ?g ?label WHERE {{ {union} }}"
    assert 240_000 < len(text.encode()) < Limits().max_bytes
    start = time.perf_counter()
    result = inspect(text)
    assert time.perf_counter() - start < 1.0
    assert result.form == "SELECT"


def test_the_servers_guard_keeps_verdicts_on_short_texts_but_never_a_refusal():
    from gmg.settings import Settings
    from gmg.web.errors import ProtocolError
    from gmg.web.query_operation import REMEMBERED_TEXT, guard, inspected

    settings = Settings()
    text = "SELECT ?p WHERE { <https://w3id.org/gmg/id/iom> ?p ?o } # guard-cache test"
    assert guard(text, settings) is guard(text, settings)  # the second is the kept verdict
    assert guard(text, settings).form == "SELECT"
    nested = "SELECT * WHERE " + "{" * 100 + "}" * 100
    for _ in range(2):  # refused every time: a refusal is not kept as a verdict
        with pytest.raises(ProtocolError) as refused:
            guard(nested, settings)
        assert refused.value.status == 400 and "nesting" in refused.value.message
    long_text = "ASK {} #" + "x" * REMEMBERED_TEXT
    kept = inspected.cache_info().currsize
    assert guard(long_text, settings).form == "ASK"
    assert inspected.cache_info().currsize == kept  # a long text is scanned, never kept


def test_the_servers_form_fields_are_kept_for_short_bodies_but_never_a_refusal():
    from gmg.web.query_operation import REMEMBERED_TEXT, form_fields, remembered_form

    body = b"query=ASK+%7B%7D+%23+form-cache+test&default-graph-uri=urn%3Aa"
    assert form_fields(body) == {"query": ["ASK {} # form-cache test"], "default-graph-uri": ["urn:a"]}
    assert form_fields(body) is form_fields(body)  # the second is the kept parse
    kept = remembered_form.cache_info().currsize
    for _ in range(2):  # a body that is not UTF-8 is refused every time, never kept
        with pytest.raises(UnicodeDecodeError):
            form_fields(b"query=ASK+%7B%7D&x=\xff")
    long_body = b"query=ASK+%7B%7D+%23" + b"x" * REMEMBERED_TEXT
    assert form_fields(long_body)["query"] == ["ASK {} #" + "x" * REMEMBERED_TEXT]
    assert remembered_form.cache_info().currsize == kept  # a long body is parsed, never kept
