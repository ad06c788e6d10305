"""Plain-text rendering of query answers for the terminal."""

from __future__ import annotations

import pyoxigraph as ox

from .query import QueryError
from .querytext import Limits, QueryRejected, inspect
from .store import GraphStore


def term_text(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return term.value
    return term.value if hasattr(term, "value") else str(term)


def render_table(store: GraphStore, text: str) -> str:
    """SELECT as an aligned table, ASK as true/false, CONSTRUCT/DESCRIBE as Turtle."""
    try:
        checked = inspect(text, Limits(max_bytes=10**9))
        result = store.query(text, use_query_dataset=checked.has_dataset_clause)
        if isinstance(result, ox.QueryBoolean):
            return ("true" if bool(result) else "false") + "\n"
        if isinstance(result, ox.QueryTriples):
            return result.serialize(format=ox.RdfFormat.TURTLE).decode("utf-8")
        names = [v.value for v in result.variables]
        rows = [[term_text(solution[name]) for name in names] for solution in result]
    except QueryRejected as err:
        raise QueryError(str(err)) from err
    except SyntaxError as err:
        raise QueryError(f"SPARQL syntax error: {err}") from err
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    line = lambda cells: " | ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()
    out = [line(names), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"
