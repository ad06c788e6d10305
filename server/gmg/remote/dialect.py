"""What stores say differently, said the way every store reads and every client expects.

Queries: Virtuoso 7 does not read escaped characters in prefixed names (`id:section\\/s1`,
legal SPARQL 1.1): such a name is written out as its full IRI (`<…/id/section/s1>`),
which means the same. Strings, IRIs and comments are left as they are.

Answers: Virtuoso 7 gives a stored xsd:boolean back as "1" or "0", legal lexical forms
of the same values; gmg gives them in their canonical form ("true", "false"), as the
embedded store does, so that a page or a client comparing strings sees the same.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

PREFIX_DECL = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)
# a prefixed name whose local part has a backslash escape (PN_LOCAL_ESC)
ESCAPED_NAME = re.compile(r"([A-Za-z][\w.-]*)?:((?:[\w.:%-]|\\[_~.\-!$&'()*+,;=/?#@%])*\\[_~.\-!$&'()*+,;=/?#@%]"
                          r"(?:[\w.:%-]|\\[_~.\-!$&'()*+,;=/?#@%])*)")
LOCAL_ESCAPE = re.compile(r"\\(.)")


def _code_spans(text: str):
    """(start, end, is_code) spans: code, or a string, IRI or comment left alone."""
    i, n, start = 0, len(text), 0
    while i < n:
        c = text[i]
        if c == "#":
            end = text.find("\n", i)
            end = n if end < 0 else end
        elif c == "<" and re.match(r"<[^<>\"{}|^`\\\s]*>", text[i:]):
            end = i + re.match(r"<[^<>\"{}|^`\\\s]*>", text[i:]).end()
        elif c in "'\"":
            quote = text[i:i + 3] if text[i:i + 3] in ("'''", '"""') else c
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            end = min(n, j + len(quote))
        else:
            i += 1
            continue
        if start < i:
            yield start, i, True
        yield i, end, False
        i = start = end
    if start < n:
        yield start, n, True


def portable(text: str) -> str:
    """The query with escaped prefixed names written as full IRIs (the text itself when it has none)."""
    if "\\" not in text:
        return text
    prefixes = {m.group(1) or "": m.group(2) for m in PREFIX_DECL.finditer(text)}
    out = []
    for start, end, is_code in _code_spans(text):
        piece = text[start:end]
        if is_code and "\\" in piece:
            def expand(match):
                prefix = match.group(1) or ""
                if prefix not in prefixes:
                    return match.group(0)
                return "<" + prefixes[prefix] + LOCAL_ESCAPE.sub(r"\1", match.group(2)) + ">"
            piece = ESCAPED_NAME.sub(expand, piece)
        out.append(piece)
    return "".join(out)


XSD_BOOLEAN = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
_CANONICAL_BOOLEAN = {"1": ox.Literal("true", datatype=XSD_BOOLEAN), "0": ox.Literal("false", datatype=XSD_BOOLEAN)}


def canonical(term):
    """The term, with a "1"/"0" xsd:boolean written "true"/"false"."""
    if isinstance(term, ox.Literal) and term.value in _CANONICAL_BOOLEAN and term.datatype == XSD_BOOLEAN:
        return _CANONICAL_BOOLEAN[term.value]
    return term


def canonical_row(row) -> tuple:
    """A solution's terms in variable order (None where unbound), booleans canonical."""
    return tuple(canonical(term) for term in row)


def canonical_triple(triple) -> ox.Triple:
    obj = canonical(triple.object)
    return triple if obj is triple.object else ox.Triple(triple.subject, triple.predicate, obj)
