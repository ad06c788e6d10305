"""A remote store read as the incremental check reads the embedded one: quads by pattern.

`gmg.incremental` checks an update on the nodes it affects, reading their
neighbourhoods through `quads_for_pattern`, which pyoxigraph's store answers from
its indexes. `RemoteQuads` answers the same calls with SELECT queries to the
remote store over gmg's named graphs, each pattern asked once per update, so that an
update is checked by reading a few dozen small answers instead of the whole dataset.

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
        if g is not None and (s, p, o, None) in self._answers:  # (a graph's part of an answer already read)
            yield from (q for q in self._answers[(s, p, o, None)] if q.graph_name == g)
            return
        quads: list[ox.Quad] = []
        for offset, limit in ((0, PAGE), (PAGE, None)):
            page = self._page(s, p, o, g, offset, limit)
            quads.extend(page)
            yield from page
            if limit is None or len(page) < limit:
                self._answers[key] = quads
                return

    def prefetch(self, subjects: Iterable) -> None:
        """Read the statements of several subjects in one query, so that `quads_for_pattern(s)` of
        each is answered from what was read. The check reads those of a focus node's values one
        by one: 61 of the 77 requests of a one-label update of the World Bank on the article's
        graph. Subjects whose statements are too many for one answer (PAGE in all) are left to be
        asked one by one, as before."""
        wanted = [s for s in dict.fromkeys(subjects)
                  if isinstance(s, ox.NamedNode) and (s, None, None, None) not in self._answers]
        for start in range(0, len(wanted), PREFETCH):
            chunk = wanted[start:start + PREFETCH]
            inner = (f"SELECT * WHERE {{ VALUES ?s {{ {' '.join(map(str, chunk))} }} GRAPH ?g {{ ?s ?p ?o }} }} "
                     f"LIMIT {PAGE}")
            quads = self._read(inner, {"s": None, "p": None, "o": None, "g": None}, blank=("o",))
            if len(quads) >= PAGE:  # (perhaps cut short: not kept as whole)
                continue
            found: dict = {s: [] for s in chunk}
            for quad in quads:
                found[quad.subject].append(quad)
            for s, its in found.items():
                self._answers[(s, None, None, None)] = its

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


def _add(quads: list, quad: ox.Quad) -> None:
    if quad not in quads:
        quads.append(quad)


def _matches(quad: ox.Quad, s, p, o, g) -> bool:
    return ((s is None or quad.subject == s) and (p is None or quad.predicate == p)
            and (o is None or quad.object == o) and (g is None or quad.graph_name == g))
