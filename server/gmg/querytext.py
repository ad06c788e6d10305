"""A lexer-level guard for SPARQL query and update text, run before any parser sees it.

The engine's parser is recursive: very deep nesting of { ( [ << or long runs of
unary ``!`` overflow its stack and abort the whole process, deeply nested
collections and blank-node lists take polynomial time, and SERVICE / LOAD make
the engine fetch arbitrary URLs.  ``inspect`` rejects such text up front with a
``QueryRejected`` whose message a person can act on, and reports the query form
and whether the text has a FROM clause.

The scanner is a single hand-written pass; its regular expressions only match
runs of characters at a given position and never need to backtrack, and the
work spent on strings that do not close is capped, so the time is linear.  It skips
string literals, IRIs and comments exactly as the SPARQL grammar delimits them
and counts only what lies outside them.  Where the grammar itself is ambiguous
at the lexical level it errs on the side of rejecting:

* triple quotes (three ' or three ") that do not close are read, as the grammar does, as an
  empty string followed by a new one, not as "string to the end of the text";
* keywords may be glued to neighbouring tokens (``SERVICEsilent<...>``,
  ``trueSERVICE``, ``SERVICE:x{``, ``LOADex:x``), so SERVICE and LOAD are also
  found inside such words;
* ``<`` right after a value inside parentheses may be the less-than operator
  even when an IRI-shaped ``<...>`` follows; inside such a span brackets and
  ``!`` still count, and a ``'`` (or a ``#`` followed on its line by a
  triple-quoted string) is rejected because the two readings would scan the
  rest of the text differently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Limits", "QueryRejected", "QueryText", "inspect", "keyword_offsets"]


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 256 * 1024  # query text size limit (UTF-8 bytes)
    max_nesting: int = 64  # total nesting depth of { ( [ (and << triple terms) combined
    max_unary_run: int = 32  # unary operators ! + - in a row


class QueryRejected(ValueError):
    """The text is refused before parsing.

    ``limit`` is a short name ("size", "nesting", "unary", "service", "load",
    "ambiguous", "strings"); ``str()`` is a message naming the limit and its value.
    ``position`` is the character offset the scanner stopped at, when known.
    """

    def __init__(self, limit: str, message: str, position: int | None = None):
        super().__init__(message)
        self.limit = limit
        self.position = position


@dataclass(frozen=True)
class QueryText:
    text: str
    form: str  # "SELECT" | "ASK" | "CONSTRUCT" | "DESCRIBE" | "UPDATE" | "UNKNOWN"
    has_dataset_clause: bool  # a FROM (or FROM NAMED) keyword outside strings/IRIs/comments
    # "GRAPH" in any word or prefixed name outside strings/IRIs/comments (glued to its neighbours
    # too): False means the query reads the default graph only
    names_graphs: bool = True
    keywords: frozenset[str] = field(default_factory=frozenset)  # upper-cased keywords seen
    # (keyword, character offset, nesting depth of { ( [) of every keyword, in order
    keyword_positions: tuple[tuple[str, int, int], ...] = ()

    @property
    def sorts_or_groups(self) -> bool:
        """ORDER or GROUP is a keyword of the query (not a word in a string or a comment)."""
        return "ORDER" in self.keywords or "GROUP" in self.keywords


QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
UPDATE_FIRST = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"})

KEYWORDS = frozenset(
    """
    BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK DISTINCT REDUCED AS FROM NAMED WHERE ORDER BY
    ASC DESC LIMIT OFFSET GROUP HAVING VALUES UNDEF OPTIONAL GRAPH SERVICE SILENT BIND MINUS
    FILTER UNION EXISTS NOT IN LATERAL LOAD CLEAR DROP CREATE ADD MOVE COPY INSERT DELETE DATA
    WITH USING DEFAULT ALL INTO TO
    STR LANG LANGMATCHES LANGDIR DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT
    STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH
    DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512
    COALESCE IF STRLANG STRLANGDIR STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC
    REGEX SUBSTR REPLACE COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR
    TRIPLE SUBJECT PREDICATE OBJECT ISTRIPLE HASLANG HASLANGDIR
    """.split()
)
# Words that stand for a value (so a following "<" or "-" may be an operator).
_VALUE_WORDS = frozenset({"TRUE", "FALSE", "A", "UNDEF"})

# Kinds of token that end a value: after one, "<" may be less-than and "+" / "-" are binary.
_OPERAND = frozenset({"VAR", "STR", "IRI", "DECL", "PN", "WORD", "LANG", ")", "]", "}", ">>"})

# Characters inside an IRI-shaped span that would matter if the "<" were an operator.
_STRUCTURAL = frozenset("#'()[]!")

_WORD_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_:")
_WS = re.compile(r"[ \t\r\n]+")
_EOL = re.compile(r"[^\r\n]*")
_WORD = re.compile(r"(?:[A-Za-z0-9_:\x80-\U0010ffff])(?:[A-Za-z0-9_\-.:%\x80-\U0010ffff]|\\.)*", re.S)
_VARNAME = re.compile(r"[A-Za-z0-9_\x80-\U0010ffff]+")
_LANGTAG = re.compile(r"[A-Za-z]+(?:-[A-Za-z0-9]+)*(?:--[A-Za-z]+)?")
_ALPHA = re.compile(r"[A-Z]+")
# Runs of ordinary characters and valid escapes: a nested repeat with nothing after it,
# so a match never backtracks; the scanner then looks at the character where it stopped.
_ESC = r"""\\[tbnrf"'\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"""
_STRING_BODY = {q: re.compile(r"(?:[^" + q + r"\\\r\n]+|" + _ESC + ")*") for q in "'\""}
_LONG_BODY = {q: re.compile(r"(?:[^" + q + r"\\]+|" + _ESC + ")*") for q in "'\""}
# An IRIREF has no < > " { } | ^ ` \ or code points up to 0x20, except in \u / \U escapes.
_IRI_BODY = re.compile(r"(?:[^<>\"{}|^`\\\x00-\x20]+|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*")
_DANGER_PREFIX = re.compile(r"(?:TRUE|FALSE)?(SERVICE|LOAD)")


def _where(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"line {line}, column {column}"


def _check_size(text: str, limits: Limits) -> None:
    if len(text) > limits.max_bytes:  # every character is at least one byte
        raise QueryRejected(
            "size",
            f"Query text is larger than the limit of {limits.max_bytes} bytes "
            f"(at least {len(text)} bytes); shorten the query.",
        )
    if len(text) * 4 > limits.max_bytes:
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > limits.max_bytes:
            raise QueryRejected(
                "size",
                f"Query text is {size} bytes, larger than the limit of {limits.max_bytes} bytes; "
                "shorten the query.",
            )


def _iri_end(text: str, i: int, n: int) -> int:
    """End (after ">") of a valid IRIREF starting with the "<" at i, or -1.

    The scan stops at the next "<", so scans from different starts never overlap.
    """
    j = _IRI_BODY.match(text, i + 1).end()
    return j + 1 if j < n and text[j] == ">" else -1


class _Scanner:
    def __init__(self, text: str, limits: Limits):
        self.text = text
        self.n = len(text)
        self.limits = limits
        self.stack: list[str] = []
        self.run = 0  # unary operators in a row
        self.prev: str | None = None  # kind of the previous significant token
        self.prev2: str | None = None
        self.first_word: str | None = None
        self.keywords: set[str] = set()
        self.positions: list[tuple[str, int, int]] = []  # (keyword, offset, nesting depth)
        self.has_from = False
        self.names_graphs = False
        # Work spent on string literals that did not close, bounded to keep the scan linear.
        self.budget = 8 * self.n + 4096
        # (searched from, found at) for each triple quote, for the ambiguous-"<" check.
        self.next_long = {"'''": (self.n + 1, -1), '"""': (self.n + 1, -1)}
        self.eol = (self.n + 1, -1)  # (searched from, end of that line)

    # -- helpers -------------------------------------------------------------------------

    def token(self, kind: str) -> None:
        self.prev2, self.prev = self.prev, kind
        self.run = 0

    def open(self, kind: str, pos: int) -> None:
        self.stack.append(kind)
        if len(self.stack) > self.limits.max_nesting:
            raise QueryRejected(
                "nesting",
                f"Query nesting of {{ ( [ is deeper than {self.limits.max_nesting} "
                f"(at {_where(self.text, pos)}); simplify the query.",
                pos,
            )

    def close(self) -> None:
        if self.stack:
            self.stack.pop()

    def unary(self, pos: int) -> None:
        self.run += 1
        if self.run > self.limits.max_unary_run:
            raise self.too_many_unary(pos)

    def too_many_unary(self, pos: int) -> QueryRejected:
        return QueryRejected(
            "unary",
            f"More than {self.limits.max_unary_run} unary operators (! + -) in a row "
            f"(at {_where(self.text, pos)}); simplify the expression.",
            pos,
        )

    def spend(self, amount: int, pos: int) -> None:
        self.budget -= amount
        if self.budget < 0:
            raise QueryRejected(
                "strings",
                f"Too many unterminated or malformed string literals to check the query "
                f"(near {_where(self.text, pos)}); fix the quotes.",
                pos,
            )

    def service(self, pos: int) -> QueryRejected:
        return QueryRejected(
            "service",
            f"SERVICE (federated query) is not allowed on this endpoint (at {_where(self.text, pos)}); "
            "remove the SERVICE clause and query this endpoint's own data.",
            pos,
        )

    def load(self, pos: int) -> QueryRejected:
        return QueryRejected(
            "load",
            f"LOAD (fetching data from a URL) is not allowed on this endpoint (at {_where(self.text, pos)}); "
            "send the data itself instead.",
            pos,
        )

    def ambiguous(self, pos: int, why: str) -> QueryRejected:
        return QueryRejected(
            "ambiguous",
            f"The '<' at {_where(self.text, pos)} reads both as the start of an IRI and as the "
            f"less-than operator, and {why}; put spaces around the operator or percent-encode the IRI.",
            pos,
        )

    def skip_blank(self, j: int) -> int:
        """Position of the next character that is not whitespace or part of a comment."""
        text, n = self.text, self.n
        while j < n:
            m = _WS.match(text, j)
            if m:
                j = m.end()
                continue
            if text[j] == "#":
                j = _EOL.match(text, j).end()
                continue
            break
        return j

    # -- strings -------------------------------------------------------------------------

    def short_string_end(self, i: int, q: str) -> int:
        """End of the one-line string opening at i, or -1 if it does not close."""
        j = _STRING_BODY[q].match(self.text, i + 1).end()
        if j < self.n and self.text[j] == q:
            return j + 1
        self.spend(j - i, i)  # stopped at a line break, a bad escape or the end
        return -1

    def long_string_end(self, i: int, q: str) -> int:
        """End of the triple-quoted string opening at i, or -1 if it is not one."""
        text, n, body, triple = self.text, self.n, _LONG_BODY[q], q * 3
        j = i + 3
        while True:
            j = body.match(text, j).end()
            if j >= n:
                break
            if text[j] != q:
                break  # a backslash that starts no valid escape
            if text.startswith(triple, j):
                return j + 3
            j += 1
        self.spend(j - i, i)
        return -1

    # -- IRI-shaped spans that may follow the less-than operator -------------------------

    def long_quote_on_line(self, start: int) -> bool:
        """Whether a triple quote appears between start and the end of its line.

        Spans are checked in text order, so each cached search result serves every
        later start up to the position it found; the searches never overlap, which
        keeps many such spans on one long line linear.
        """
        text = self.text
        line_from, eol = self.eol
        if not line_from <= start <= eol:
            eol = _EOL.match(text, start).end()
            self.eol = (start, eol)
        for triple in ("'''", '"""'):
            searched_from, found = self.next_long[triple]
            if searched_from > start or (found != -1 and found < start):
                found = text.find(triple, start)
                self.next_long[triple] = (start, found)
            if found != -1 and found < eol:
                return True
        return False

    def ambiguous_span(self, i: int, end: int) -> None:
        """Count an IRI-shaped span as the less-than reading would see it."""
        text = self.text
        hash_seen = False
        run = 0  # the "<" itself is a binary operator
        for j in range(i + 1, end - 1):
            ch = text[j]
            if ch == "'":
                raise self.ambiguous(i, "the span contains a quote")
            if ch == "#":
                hash_seen = True
                run = 0
            elif ch in "([":
                self.open(ch, j)
                run = 0
            elif ch in ")]":
                self.close()
                run = 0
            elif ch == "!" and text[j + 1] != "=":
                run += 1
                if run > self.limits.max_unary_run:
                    raise self.too_many_unary(j)
            else:
                run = 0
        if hash_seen and self.long_quote_on_line(end):
            raise self.ambiguous(i, "its '#' would turn a triple-quoted string on that line into a comment")

    # -- words ---------------------------------------------------------------------------

    def word(self, i: int, end: int) -> None:
        text = self.text
        word = text[i:end]
        up = word.upper()
        if "GRAPH" in up:
            self.names_graphs = True
        colon = up.find(":")
        if colon >= 0:
            # A prefixed name or blank node, unless its prefix is a keyword glued to
            # what follows (SERVICE:x {, SERVICEex:x {, LOAD:x, LOADsilentex:x).
            m = _DANGER_PREFIX.match(up, 0, colon)
            if m:
                if m.group(1) == "SERVICE":
                    if (
                        self.stack
                        and self.stack[-1] == "{"
                        and self.prev not in ("KW:GRAPH", "KW:FROM", "KW:NAMED")
                        and text.startswith("{", self.skip_blank(end))
                    ):
                        raise self.service(i)
                elif self.prev in (None, ";", "DECL"):
                    raise self.load(i)
            self.token("PN")
            return
        # A bare word: a keyword, a number, true/false/a, or several of these glued.
        if "SERVICE" in up:
            raise self.service(i)
        if "LOAD" in up or "FROM" in up:
            segments = _ALPHA.findall(up)
            if "LOAD" in segments or "LOADSILENT" in segments:
                raise self.load(i)
            if "FROM" in segments:
                self.has_from = True
        if up in KEYWORDS:
            self.keywords.add(up)
            self.positions.append((up, i, len(self.stack)))
        if self.first_word is None and not up[0].isdigit() and up not in ("BASE", "PREFIX"):
            self.first_word = up
        if up in KEYWORDS and up not in _VALUE_WORDS:
            self.token("KW:" + up)
        else:
            self.token("WORD")

    # -- the scan ------------------------------------------------------------------------

    def scan(self) -> None:
        text, n = self.text, self.n
        i = 0
        while i < n:
            ch = text[i]
            if ch in _WORD_START or ch >= "\x80":
                end = _WORD.match(text, i).end()
                self.word(i, end)
                i = end
            elif ch in " \t\r\n":
                i = _WS.match(text, i).end()
            elif ch == "#":
                i = _EOL.match(text, i).end()
            elif ch in "'\"":
                if text.startswith(ch * 3, i):
                    end = self.long_string_end(i, ch)
                    if end < 0:
                        # As the grammar reads it: an empty string, then a new one.
                        self.token("STR")
                        i += 2
                        continue
                else:
                    end = self.short_string_end(i, ch)
                    if end < 0:
                        self.token(ch)  # the parser stops here; keep scanning to be safe
                        i += 1
                        continue
                self.token("STR")
                i = end
            elif ch == "<":
                if i + 1 < n and text[i + 1] == "<" and _iri_end(text, i + 1, n) < 0:
                    self.open("<<", i)  # a quoted or reified triple
                    self.token("<<")
                    i += 2
                    continue
                end = _iri_end(text, i, n)
                if end < 0:
                    self.token("<")
                    i += 1
                    continue
                if self.prev in _OPERAND and self.stack and self.stack[-1] == "(":
                    if not _STRUCTURAL.isdisjoint(text[i + 1 : end - 1]):
                        self.ambiguous_span(i, end)
                if self.prev == "KW:BASE" or (self.prev == "PN" and self.prev2 == "KW:PREFIX"):
                    self.token("DECL")
                else:
                    self.token("IRI")
                i = end
            elif ch in "{([":
                self.open(ch, i)
                self.token(ch)
                i += 1
            elif ch in "})]":
                self.close()
                self.token(ch)
                i += 1
            elif ch == ">":
                if i + 1 < n and text[i + 1] == ">" and self.stack and self.stack[-1] == "<<":
                    self.close()
                    self.token(">>")
                    i += 2
                else:
                    self.token(">")
                    i += 1
            elif ch == "!":
                if i + 1 < n and text[i + 1] == "=":
                    self.token("!=")
                    i += 2
                else:
                    self.unary(i)
                    self.prev2, self.prev = self.prev, "!"
                    i += 1
            elif ch in "+-":
                if self.prev in _OPERAND:
                    self.token(ch)  # binary, or a path modifier
                else:
                    self.unary(i)
                    self.prev2, self.prev = self.prev, ch
                i += 1
            elif ch in "?$":
                m = _VARNAME.match(text, i + 1)
                if m:
                    self.token("VAR")
                    i = m.end()
                else:
                    self.token(ch)
                    i += 1
            elif ch == "@":
                m = _LANGTAG.match(text, i + 1)
                if m:
                    self.token("LANG")
                    i = m.end()
                else:
                    self.token("@")
                    i += 1
            elif ch == "\\":
                # Not valid outside names; never let it open a string or a comment.
                self.token("\\")
                i += 2
            else:
                self.token(ch)
                i += 1


def inspect(text: str, limits: Limits = Limits(), *, update: bool = False) -> QueryText:
    """Check query (or, with update=True, update) text; raise QueryRejected if it is refused."""
    if not isinstance(text, str):
        raise TypeError(f"query text must be str, not {type(text).__name__}")
    _check_size(text, limits)
    scanner = _Scanner(text, limits)
    scanner.scan()
    first = scanner.first_word
    if update or first in UPDATE_FIRST:
        form = "UPDATE"
    elif first in QUERY_FORMS:
        form = first
    else:
        form = "UNKNOWN"
    return QueryText(
        text=text,
        form=form,
        has_dataset_clause=scanner.has_from,
        names_graphs=scanner.names_graphs,
        keywords=frozenset(scanner.keywords),
        keyword_positions=tuple(scanner.positions),
    )


def keyword_offsets(text: str, limits: Limits = Limits()) -> tuple[tuple[str, int, int], ...]:
    """(keyword, offset, depth) of every keyword of an update text, outside strings, IRIs and comments."""
    return inspect(text, limits, update=True).keyword_positions
