"""The delta API: what a SPARQL update would change, as concrete quads, without changing any store.

`delta(text, base_iri, select)` returns the quads the update would insert and
delete. It reads the store only through `select`, a callable that runs a SELECT
query and returns its rows (each a mapping from variable name to a pyoxigraph
term, or None when unbound), so it works the same on the embedded store
(`store_select`) and on a remote SPARQL endpoint; `Delta.as_update()` is then
the same change as a DELETE DATA / INSERT DATA pair.

How each form is turned into quads:
- INSERT DATA / DELETE DATA: their quads, read by pyoxigraph's own parser on an
  empty scratch store (a DELETE DATA is read as the INSERT DATA of the same
  quads). A sequence of them (`;`) is folded in order.
- CLEAR / DROP SILENT of one graph or DEFAULT (what Graph Store PUT sends): the
  graph's content, asked with `select`, as deleted quads; may be in a sequence.
- DELETE/INSERT … WHERE and DELETE WHERE, as the only operation: the WHERE is
  run as a SELECT (USING becomes FROM, WITH the default graph); the templates
  are then filled with its rows by pyoxigraph on a scratch store (a VALUES block
  of the rows), so blank nodes of an INSERT template are fresh per row, unbound
  variables drop their quad, and WITH applies, exactly as SPARQL says.
Anything else (LOAD, ADD/MOVE/COPY, CREATE, CLEAR/DROP NAMED or ALL, a
non-silent DROP, an operation with a WHERE after another one, which must see
the earlier one's effects) raises `Unsupported`: the caller takes the long way
(apply to a copy).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from .querytext import keyword_offsets

Row = Mapping[str, "ox.NamedNode | ox.BlankNode | ox.Literal | None"]
Select = Callable[[str], Iterable[Row]]

# Stands for a blank node of the store inside a VALUES block, where blank nodes are not allowed.
_BNODE_IRI = "urn:x-gmg-delta-bnode:"
_DECLARATION = re.compile(r"(?i)(PREFIX\s*[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)")
_GRAPH_TARGET = re.compile(r"(?is)\s*(SILENT\s+)?(GRAPH\s*<([^>]*)>|DEFAULT)\s*;?\s*$")


class Unsupported(Exception):
    """The update's form is not turned into a delta here: apply it to a copy instead."""


@dataclass(frozen=True)
class Delta:
    inserted: frozenset[ox.Quad]
    deleted: frozenset[ox.Quad]

    def as_update(self) -> str:
        """The same change as DELETE DATA then INSERT DATA (fresh blank nodes for those of `inserted`).

        SPARQL cannot name a stored blank node: deleted quads with one become a
        DELETE WHERE with the blank node as a variable, which matches every blank
        node that has all those quads.
        """
        parts = []
        ground = {q for q in self.deleted if not _has_blank(q)}
        if ground:
            parts.append("DELETE DATA {\n" + _quads_text(ground) + "\n}")
        if len(ground) < len(self.deleted):
            parts.append("DELETE WHERE {\n" + _quads_text(set(self.deleted) - ground, blank_as_variable=True) + "\n}")
        if self.inserted:
            parts.append("INSERT DATA {\n" + _quads_text(self.inserted) + "\n}")
        return " ;\n".join(parts)


def store_select(store: ox.Store, base_iri: str | None = None) -> Select:
    """`select` over a pyoxigraph store, seeing its own default graph (as its updates do)."""

    def run(query: str) -> list[dict]:
        solutions = store.query(query, base_iri=base_iri)
        names = [v.value for v in solutions.variables]
        return [{name: solution[name] for name in names} for solution in solutions]

    return run


def delta(text: str, base_iri: str | None, select: Select) -> Delta:
    """The quads `text` would insert and delete, read from the store through `select`.

    Raises SyntaxError for text that does not parse, and `Unsupported` (above).
    """
    _scratch(text, base_iri)  # the parser's verdict first: a syntax error is the caller's 400
    words = [(word, offset) for word, offset, depth in keyword_offsets(text) if depth == 0]
    operations = [w for w in words if w[0] not in ("PREFIX", "BASE")]
    if not operations:
        return Delta(frozenset(), frozenset())
    if _is_modify(operations):
        return _modify(text, base_iri, select, words, operations)
    return _sequence(text, base_iri, select, operations)


def _is_modify(operations: list[tuple[str, int]]) -> bool:
    first, after = operations[0][0], operations[1][0] if len(operations) > 1 else None
    return first == "WITH" or (first in ("INSERT", "DELETE") and after != "DATA")


def _sequence(text, base_iri, select, operations) -> Delta:
    """INSERT DATA, DELETE DATA and CLEAR/DROP SILENT of one graph, folded in order."""
    other = {w for w, _ in operations} - {"INSERT", "DELETE", "DATA", "CLEAR", "DROP", "SILENT", "GRAPH", "DEFAULT"}
    if other:
        raise Unsupported(f"{', '.join(sorted(other))} in a sequence of operations is not turned into a delta")
    inserted: set[ox.Quad] = set()
    deleted: set[ox.Quad] = set()
    starts = [(w, o) for w, o in operations if w in ("INSERT", "DELETE", "CLEAR", "DROP")]
    for index, (word, offset) in enumerate(starts):
        end = starts[index + 1][1] if index + 1 < len(starts) else len(text)
        # (declarations after the operation belong to the next one, which reads them all again)
        end = min([o for o, w in _declaration_offsets(text) if offset < o < end] + [end])
        body = text[offset:end]
        if word in ("INSERT", "DELETE"):
            quads = _data_quads(_declarations(text, offset) + "INSERT" + body[len(word):], base_iri)
            if word == "INSERT":
                inserted |= quads
                deleted -= quads
            else:
                deleted |= quads
                inserted -= quads
        else:
            graph = _cleared_graph(body[len(word):])
            cleared = _graph_quads(select, graph) | {q for q in inserted if q.graph_name == graph}
            deleted |= cleared
            inserted -= cleared
    return Delta(frozenset(inserted), frozenset(deleted))


def _cleared_graph(rest: str):
    """The graph of `CLEAR|DROP [SILENT] GRAPH <iri>|DEFAULT`; a non-silent named graph is unsupported.

    (Without SILENT, a graph that does not exist fails the update: the store decides that, not us.)
    """
    match = _GRAPH_TARGET.match(rest)
    if not match:
        raise Unsupported("CLEAR/DROP of NAMED or ALL graphs is not turned into a delta")
    if match.group(3) is None:
        return ox.DefaultGraph()
    if not match.group(1):
        raise Unsupported("CLEAR/DROP of a named graph without SILENT is left to the store")
    return ox.NamedNode(match.group(3))


def _graph_quads(select: Select, graph) -> set[ox.Quad]:
    if isinstance(graph, ox.DefaultGraph):
        rows = select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    else:
        rows = select(f"SELECT ?s ?p ?o WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
    return {ox.Quad(r["s"], r["p"], r["o"], graph) for r in rows}


def _modify(text, base_iri, select, words, operations) -> Delta:
    """One DELETE/INSERT … WHERE (or DELETE WHERE): run the WHERE, fill the templates with its rows."""
    names = [w for w, _ in operations]
    offsets = dict((w, o) for w, o in reversed(operations))  # each keyword's first offset
    if names == ["DELETE", "WHERE"] and not text[offsets["DELETE"] + len("DELETE"):offsets["WHERE"]].strip():
        # the short form, DELETE WHERE { … }: the pattern is the template
        where = _group(text[offsets["WHERE"] + len("WHERE"):])
        return _fill(text, base_iri, select, operations, where, None, where, None)
    with_iri = None
    if names[0] == "WITH":
        with_iri = text[offsets["WITH"] + len("WITH"):operations[1][1]].strip()
        names, operations = names[1:], operations[1:]
    shape = [n for n in names if n not in ("USING", "NAMED")]
    if shape not in (["DELETE", "INSERT", "WHERE"], ["DELETE", "WHERE"], ["INSERT", "WHERE"]):
        raise Unsupported("only a single DELETE/INSERT … WHERE operation is turned into a delta")
    templates = {}
    for i, (word, offset) in enumerate(operations):
        if word in ("DELETE", "INSERT"):
            templates[word] = text[offset + len(word):operations[i + 1][1]]
    where_offset = offsets["WHERE"]
    usings = [o for w, o in operations if w == "USING"]
    if usings:  # USING becomes FROM, USING NAMED becomes FROM NAMED
        bounds = usings + [where_offset]
        dataset = " ".join("FROM" + text[a + len("USING"):b] for a, b in zip(bounds, bounds[1:]))
    else:
        dataset = f"FROM {with_iri}" if with_iri else ""
    where = _group(text[where_offset + len("WHERE"):])
    return _fill(text, base_iri, select, operations, templates.get("DELETE"), templates.get("INSERT"),
                 where, with_iri, dataset)


def _fill(text, base_iri, select, operations, delete, insert, where, with_iri, dataset="") -> Delta:
    prologue = _declarations(text, operations[0][1])
    try:
        rows = list(select(f"{prologue}SELECT * {dataset} WHERE {where}\n"))
    except SyntaxError as err:  # our slicing of the text went wrong: let the caller take the long way
        raise Unsupported(f"the WHERE clause could not be read on its own: {err}") from err
    if not rows:
        return Delta(frozenset(), frozenset())
    names = sorted({name for row in rows for name in row})
    values = " ".join(f"?{n}" for n in names)
    table = "\n".join("(" + " ".join(_value(row.get(n)) for n in names) + ")" for row in rows)
    with_clause = f"WITH {with_iri} " if with_iri else ""
    made = []
    for template in (delete, insert):
        if template is None:
            made.append(frozenset())
            continue
        update = f"{prologue}{with_clause}INSERT {template} WHERE {{ VALUES ({values}) {{\n{table}\n}} }}"
        made.append(frozenset(_restore(q) for q in _data_quads(update, base_iri)))
    deleted, inserted = made
    return Delta(inserted, deleted - inserted)


def _group(rest: str) -> str:
    """The group pattern at the start of `rest`, without the `;` that may end the operation."""
    rest = rest.strip()
    return rest[:-1].rstrip() if rest.endswith(";") else rest


def _declaration_offsets(text: str) -> list[tuple[int, str]]:
    return [(o, w) for w, o, depth in keyword_offsets(text) if depth == 0 and w in ("PREFIX", "BASE")]


def _declarations(text: str, before: int) -> str:
    """Every PREFIX and BASE declaration before `before`, in order (they carry across operations)."""
    parts = []
    for offset, _ in _declaration_offsets(text[:before]):
        match = _DECLARATION.match(text, offset)
        if match:
            parts.append(match.group(1))
    return "\n".join(parts) + ("\n" if parts else "")


def _scratch(text: str, base_iri: str | None) -> ox.Store:
    store = ox.Store()
    try:
        store.update(text, base_iri=base_iri)
    except RuntimeError as err:  # fails on an empty store (DROP of a missing graph): the store's call
        raise Unsupported(f"the update fails on an empty store: {err}") from err
    return store


def _data_quads(text: str, base_iri: str | None) -> frozenset[ox.Quad]:
    return frozenset(_scratch(text, base_iri))


def _value(term) -> str:
    if term is None:
        return "UNDEF"
    if isinstance(term, ox.BlankNode):
        return f"<{_BNODE_IRI}{term.value}>"
    return str(term)


def _restore_term(term):
    if isinstance(term, ox.NamedNode) and term.value.startswith(_BNODE_IRI):
        return ox.BlankNode(term.value[len(_BNODE_IRI):])
    return term


def _restore(quad: ox.Quad) -> ox.Quad:
    return ox.Quad(_restore_term(quad.subject), quad.predicate, _restore_term(quad.object), quad.graph_name)


def _has_blank(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


def _quads_text(quads: Iterable[ox.Quad], blank_as_variable: bool = False) -> str:
    def term(t) -> str:
        return f"?b_{t.value}" if blank_as_variable and isinstance(t, ox.BlankNode) else str(t)

    lines = []
    for q in sorted(quads, key=str):
        triple = f"{term(q.subject)} {q.predicate} {term(q.object)} ."
        lines.append(triple if isinstance(q.graph_name, ox.DefaultGraph) else f"GRAPH {q.graph_name} {{ {triple} }}")
    return "\n".join(lines)
