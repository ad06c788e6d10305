"""A remote store read as the incremental check reads the embedded one: quads by pattern.

`gmg.incremental` checks an update on the nodes it affects, reading their
neighbourhoods through `quads_for_pattern`, which pyoxigraph's store answers from
its indexes. `RemoteQuads` answers the same calls with SELECT queries to the
remote store over gmg's named graphs, each pattern asked once per update, so that an
update is checked by reading a few small answers instead of the whole dataset. What
the check will read next is asked for together where it can say so (`prefetch`: the
statements of several subjects; `prefetch_incoming`: those pointing at several
objects), and a pattern inside one read whole is answered from it: a one-label update
of the World Bank asks 10 queries, where one per pattern made 77.

Blank nodes: SPARQL cannot name a stored blank node in a later query, so every
query also brings, for each blank node it returns, its own statements and those
that point at it (gmg's blank nodes are axioms and selectors, one level deep).
Anything further about a stored blank node (a blank node met only inside another
one's statements) raises `NotIncremental`, and the caller checks the update the
long way. A blank node the store never gave is one the update makes: the store
holds nothing about it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import pyoxigraph as ox

from ..incremental import NotIncremental

Rows = Callable[[str], list[dict]]  # runs a SELECT over gmg's named graphs: rows of pyoxigraph terms

PAGE = 1000  # quads of the first answer to a pattern; the rest only if the caller reads on
PREFETCH = 100  # subjects whose statements one query reads (`prefetch`)


class RemoteQuads:
    """`quads_for_pattern` and membership over a remote store's named graphs, asked through `rows`."""

    def __init__(self, rows: Rows):
        self._rows = rows
        self._answers: dict[tuple, list[ox.Quad]] = {}
        self._out: dict[str, list[ox.Quad]] = {}  # a stored blank node's own statements
        self._in: dict[str, list[ox.Quad]] = {}  # and those that point at it
        self._seen: set[str] = set()  # every stored blank node met, read in full or not

    def quads_for_pattern(self, s=None, p=None, o=None, graph_name=None) -> Iterator[ox.Quad]:
        for node, known in ((s, self._out), (o, self._in)):
            if isinstance(node, ox.BlankNode):
                if node.value in known:
                    yield from (q for q in known[node.value] if _matches(q, s, p, o, graph_name))
                elif node.value in self._seen:
                    raise NotIncremental("a blank node of the store inside another one")
                return  # (a blank node the update makes: the store holds nothing about it)
        if isinstance(graph_name, ox.DefaultGraph):
            return  # (the store's own default graph holds none of gmg's graphs)
        yield from self._ask(s, p, o, graph_name)

    def __contains__(self, quad: ox.Quad) -> bool:
        return quad in self.present([quad])

    def present(self, quads: Iterable[ox.Quad]) -> set[ox.Quad]:
        """Which of the quads the store holds, asked in one query (those of a stored blank node
        from what was read of it)."""
        found, ground = set(), []
        for q in set(quads):
            if isinstance(q.graph_name, ox.DefaultGraph):
                continue
            if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode):
                if q in set(self.quads_for_pattern(q.subject, q.predicate, q.object, q.graph_name)):
                    found.add(q)
            else:
                ground.append(q)
        for start in range(0, len(ground), PAGE):
            values = " ".join(f"({q.subject} {q.predicate} {q.object} {q.graph_name})"
                              for q in ground[start:start + PAGE])
            rows = self._rows(f"SELECT ?s ?p ?o ?g WHERE {{ VALUES (?s ?p ?o ?g) {{ {values} }} "
                              "GRAPH ?g { ?s ?p ?o } }")
            found |= {ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows}
        return found

    # -- asking ----------------------------------------------------------------------
    def _ask(self, s, p, o, g) -> Iterator[ox.Quad]:
        key = (s, p, o, g)
        if key in self._answers:
            yield from self._answers[key]
            return
        for wider in _wider(s, p, o, g):  # (part of an answer already read: its graph's, its predicate's …)
            if wider in self._answers:
                yield from (q for q in self._answers[wider] if _matches(q, s, p, o, g))
                return
        quads: list[ox.Quad] = []
        for offset, limit in ((0, PAGE), (PAGE, None)):
            page = self._page(s, p, o, g, offset, limit)
            quads.extend(page)
            whole = limit is None or len(page) < limit
            if whole:  # (kept before it is read: a caller that stops at the first quads does not ask again)
                self._answers[key] = quads
            yield from page
            if whole:
                return

    def prefetch(self, subjects: Iterable) -> None:
        """Read the statements of several subjects in one query, so that `quads_for_pattern(s)` of
        each (or of s and a predicate …) is answered from what was read. The check reads those of a
        focus node's values one by one: 61 of the 77 requests of a one-label update of the World
        Bank on the article's graph."""
        wanted = [(s,) for s in dict.fromkeys(subjects)
                  if isinstance(s, ox.NamedNode) and (s, None, None, None) not in self._answers]
        self._read_together(("s",), wanted, lambda s: (s, None, None, None),
                            lambda q: (q.subject, None, None, None), blank=("o",))

    def prefetch_incoming(self, pairs: Iterable[tuple]) -> None:
        """Read, for several (predicate, object) pairs, the statements that point at the object
        through the predicate, in one query (the check reads those of each focus node for each
        inverse path of the shapes, one pattern at a time)."""
        wanted = [(p, o) for p, o in dict.fromkeys(pairs)
                  if isinstance(o, ox.NamedNode) and (None, p, o, None) not in self._answers]
        self._read_together(("p", "o"), wanted, lambda p, o: (None, p, o, None),
                            lambda q: (None, q.predicate, q.object, None), blank=("s",))

    def _read_together(self, names: tuple[str, ...], rows: list[tuple], key: Callable, key_of: Callable,
                       blank: tuple[str, ...]) -> None:
        """One query per PREFETCH of `rows` (values of the variables `names`), whose quads are kept
        as the answers to each row's pattern (`key`; `key_of` a quad: the pattern it answers).
        A query with PAGE quads or more may have been cut short: its rows are left to be asked
        one by one, as before."""
        variables = " ".join("?" + name for name in names)
        for start in range(0, len(rows), PREFETCH):
            chunk = rows[start:start + PREFETCH]
            values = " ".join("(" + " ".join(map(str, row)) + ")" for row in chunk)
            inner = f"SELECT * WHERE {{ VALUES ({variables}) {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} LIMIT {PAGE}"
            quads = self._read(inner, {"s": None, "p": None, "o": None, "g": None}, blank)
            if len(quads) >= PAGE:
                continue
            found: dict = {key(*row): [] for row in chunk}
            for quad in quads:
                its = found.get(key_of(quad))
                if its is None:  # (a term the store gave back in another form: asked one by one instead)
                    break
                its.append(quad)
            else:
                self._answers.update(found)

    def _page(self, s, p, o, g, offset: int, limit: int | None) -> list[ox.Quad]:
        """One page of the pattern's quads, with what the blank nodes among them are read alongside."""
        given = {"s": s, "p": p, "o": o, "g": g}
        term = {v: str(t) if t is not None else "?" + v for v, t in given.items()}
        inner = f"SELECT * WHERE {{ GRAPH {term['g']} {{ {term['s']} {term['p']} {term['o']} }} }}"
        if offset or limit is not None:  # (the pattern's rows are counted here, before their blank nodes' rows)
            inner += (f" OFFSET {offset}" if offset else "") + (f" LIMIT {limit}" if limit is not None else "")
        return self._read(inner, given, blank=tuple(v for v in ("s", "o") if given[v] is None))

    def _read(self, inner: str, given: dict, blank: tuple[str, ...]) -> list[ox.Quad]:
        """The quads of `inner`'s rows (its variables s, p, o and g, or the `given` terms), reading
        alongside the statements of the blank nodes that variables named in `blank` bring."""
        around = " ".join(
            f"OPTIONAL {{ FILTER(isBlank(?{v})) GRAPH ?{v}og {{ ?{v} ?{v}op ?{v}oo }} }} "
            f"OPTIONAL {{ FILTER(isBlank(?{v})) GRAPH ?{v}ig {{ ?{v}is ?{v}ip ?{v} }} }}"
            for v in blank)
        quads: dict[ox.Quad, None] = {}
        for row in self._rows(f"SELECT * WHERE {{ {{ {inner} }} {around} }}"):
            value = {v: given[v] if given[v] is not None else row[v] for v in given}
            quads[ox.Quad(value["s"], value["p"], value["o"], value["g"])] = None
            for v in ("s", "o"):
                node = value[v]
                if isinstance(node, ox.BlankNode):
                    self._read_blank(node, row, v)
        return list(quads)

    def _read_blank(self, node: ox.BlankNode, row: dict, v: str) -> None:
        self._seen.add(node.value)
        out, incoming = self._out.setdefault(node.value, []), self._in.setdefault(node.value, [])
        if row.get(v + "op") is not None:
            _add(out, ox.Quad(node, row[v + "op"], row[v + "oo"], row[v + "og"]))
            if isinstance(row[v + "oo"], ox.BlankNode):
                self._seen.add(row[v + "oo"].value)
        if row.get(v + "ip") is not None:
            _add(incoming, ox.Quad(row[v + "is"], row[v + "ip"], node, row[v + "ig"]))
            if isinstance(row[v + "is"], ox.BlankNode):
                self._seen.add(row[v + "is"].value)


def _wider(s, p, o, g) -> list[tuple]:
    """Patterns whose answers, once read whole, hold this one's (each keeps or drops its terms):
    the same in every graph; the subject's statements (`prefetch`); the statements pointing at
    the object through the predicate (`prefetch_incoming`)."""
    key = (s, p, o, g)
    return [wider for wider in ((s, p, o, None), (s, None, None, None), (None, p, o, None)) if wider != key]


def _add(quads: list, quad: ox.Quad) -> None:
    if quad not in quads:
        quads.append(quad)


def _matches(quad: ox.Quad, s, p, o, g) -> bool:
    return ((s is None or quad.subject == s) and (p is None or quad.predicate == p)
            and (o is None or quad.object == o) and (g is None or quad.graph_name == g))
