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


#: the terminal a table must fit (cells are cut with an ellipsis; --format csv|tsv|json gives full values)
TABLE_WIDTH = 100
SEPARATOR = " | "
ELLIPSIS = "…"


def fit_widths(widths: list[int], total: int = TABLE_WIDTH) -> list[int]:
    """Narrow the widest columns, one character at a time, until the row fits in `total` characters."""
    widths = list(widths)
    budget = total - len(SEPARATOR) * (len(widths) - 1)
    while sum(widths) > budget and max(widths, default=0) > 1:
        widest = widths.index(max(widths))
        widths[widest] -= 1
    return widths


def cut(cell: str, width: int) -> str:
    """One line of at most `width` characters, ending in an ellipsis when something was cut."""
    cell = " ".join(cell.split())
    return cell if len(cell) <= width else cell[: max(width - 1, 0)] + ELLIPSIS


def render_rows(names: list[str], rows: list[list[str]], total: int = TABLE_WIDTH) -> str:
    """An aligned table no wider than `total` characters (long cells cut), then the row count."""
    flat = [[" ".join(c.split()) for c in r] for r in rows]
    widths = fit_widths([max([len(n)] + [len(r[i]) for r in flat]) for i, n in enumerate(names)], total)
    line = lambda cells: SEPARATOR.join(cut(c, w).ljust(w) for c, w in zip(cells, widths)).rstrip()
    out = [line(names), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in flat]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


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
    return render_rows(names, rows)
