"""What the coverage test extracts from the article and what counts as covering it.

Items are taken from the article proper — the title, the author's name, the abstract,
the body and the notes (the author note and notes 1-88) — never from the header that
describes the source file. Three kinds:

- **numbers** written in figures: integers, decimals, thousands with commas (300,000),
  identifiers made of figures (331925, 14.B25.31.0009, 2013/44), decades (1990s);
  a range such as 2011–2015 gives both ends;
- **years** are the numbers from 1900 to 2099 (reported with kind "year");
- **proper names**: runs of capitalised words (Latin or Cyrillic, acronyms included)
  that may contain the connectors of names ("of", "for", "and", "the", "on", "in", "de",
  ...), with a leading sentence-initial word dropped when the article also uses it in
  lower case (so "However" or "Migration" opening a sentence is not a name);
- **web addresses** in the notes;
- **scores** printed in quotation marks ("A+").

Numbers written in words are read only in the forms of NUMBER_WORDS ("one-third" is 1/3, the
"nine countries"), which the article uses for stated quantities: telling a quantity from
ordinary prose in general is beyond a pattern. Per paragraph, only what the statements of that
paragraph's passages (and the entities mentioned there) state covers an item
(paragraph_literals).

An item is covered when the graph states it outside the article's own wording: the
words quoted by passages and notes (their selectors' ``oa:exact``, ``oa:prefix`` and
``oa:suffix``; a note's ``gmg:quote``) and the transcribed references
(``dcterms:bibliographicCitation``) do not count, nor do the editors' remarks
(``rdfs:comment``, ``skos:note``), nor does any literal of the article's own passages,
paragraphs, selectors and notes (their labels "Note 10" and note numbers would cover every small number),
so that what is covered is what the graph encodes as labels, titles, names, values and
other literals of the things the article talks about. A number is covered by a literal
with that value or a literal that contains it as a number token (so "345–360" covers
345 and 360); a name by a literal that contains it as whole words (case, dashes, quotes
and diacritics aside); a name joined with "and" is covered when each part is.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from dataclasses import dataclass

from rdflib import RDF, RDFS, Graph, Literal, Namespace

from article import normalise, read_article
from gmg.iris import GMG

DCT = Namespace("http://purl.org/dc/terms/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
OA = Namespace("http://www.w3.org/ns/oa#")
NOT_COVERING = {GMG.quote, OA.exact, OA.prefix, OA.suffix, DCT.bibliographicCitation, RDFS.comment, SKOS.note}

CONNECTORS = {"of", "for", "and", "the", "on", "in", "de", "di", "du", "des", "la", "le", "et"}
NUMBER = re.compile(r"(?<![\w.])\d+(?:\.[A-Z]\d+)?(?:[.,/]\d+)*(?:s\b)?")
# a web address may be printed broken across a line ("http://blogs.worldbank.org /peoplemove/...")
URL = re.compile(r"(?:https?://|www\.)\S+(?: [/-]\S+)*")
WORD = re.compile(r"[^\W\d_][\w'’\-]*|\S")


@dataclass(frozen=True, order=True)
class Item:
    kind: str  # number, year, name, url
    text: str

    def key(self) -> str:
        return f"{self.kind}\t{self.text}"


def article_items_text() -> str:
    """The article proper: everything after the header's horizontal rule."""
    raw = read_article()
    _, _, body = raw.partition("\n---\n")
    lines = strip_note_numbers(body).splitlines()
    # A heading or a line that ends without punctuation and is followed by a line that
    # starts with a capital ends a sentence (title, byline, headings); page breaks inside a
    # sentence are followed by a lower-case word and are left alone.
    following = [next((l for l in lines[i + 1:] if l.strip()), "") for i in range(len(lines))]
    out = []
    for line, after in zip(lines, following):
        heading = line.startswith("#")
        line = re.sub(r"^#+\s*", "", line)
        ends_open = not re.search(r"[.!?:;,\"”)]\s*$", line)
        if line.strip() and (heading or (ends_open and (after[:1].isupper() or after.startswith("#")))):
            line = line.rstrip() + "."
        out.append(line)
    return normalise("\n".join(out))


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("’", "'").replace("“", '"').replace("”", '"')
    text = re.sub(r"[—–‐-]", "-", text)
    text = re.sub(r"'s\b", "", text)
    text = re.sub(r"[\"']", "", text)
    return re.sub(r"\s+", " ", text).strip().casefold()


def number_value(token: str) -> str:
    """300,000 -> 300000; other tokens as printed."""
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", token):
        return token.replace(",", "")
    return token


def strip_note_numbers(text: str) -> str:
    """Note numbers are structure, not facts: the "N. " opening each note, and the note
    markers that are printed as plain digits after punctuation (outcomes."28)."""
    text = re.sub(r"^\d{1,2}\. ", "", text, flags=re.M)
    return re.sub(r"(?<=[.,\"”?])\d{1,2}(?=\s|$)", "", text, flags=re.M)


def extract_items(text: str | None = None, lower_words: set[str] | None = None) -> set[Item]:
    """The items of `text` (default: the whole article). A capitalised word opening a sentence
    is a name only if `lower_words` (default: the words of `text`) lacks it in lower case."""
    text = article_items_text() if text is None else text
    items: set[Item] = set()
    for url in URL.findall(text):
        items.add(Item("url", url.rstrip(".,;)").replace(" ", "")))
    text = URL.sub(" ", text)
    for score in re.findall(r'"([A-E][+-]?)"', text):  # evaluation scores such as "A+"
        items.add(Item("score", score))
    text = re.sub(r"\bNo\. (?=\d)", "number ", text)  # "Working Paper No. 26": the name ends before "No."
    for token in NUMBER.findall(text):
        value = number_value(token.rstrip(".,"))
        kind = "year" if re.fullmatch(r"(19|20)\d\d", value) else "number"
        items.add(Item(kind, value))
    if lower_words is None:
        lower_words = {w for w in re.findall(r"\b[a-z][\w'-]*", text)}
    for sentence in re.split(r"(?<=[.!?:;])\s+|(?<=[.!?]\")\s+", text):
        tokens = WORD.findall(sentence)
        run: list[str] = []
        start = True  # the first word of the sentence
        first_is_initial = False
        previous = None

        def flush():
            words = list(run)
            while words and words[-1].lower() in CONNECTORS:
                words.pop()
            if words and first_is_initial and len(words) > 1:
                # "Analyses of the International Organization for Migration": the
                # sentence-initial word is an item of its own
                first = words.pop(0)
                if first.lower() not in lower_words:
                    items.add(Item("name", first))
                while words and words[0].lower() in CONNECTORS:
                    words.pop(0)
            if len(words) == 1 and words[0].lower() in lower_words:
                words.pop(0)
            if words and words[0][0].isupper():
                items.add(Item("name", " ".join(words)))

        for token in tokens:
            capital = token[0].isupper() and token[0].isalpha()
            if capital:
                if not run:
                    # sentence-initial, or after a figure (a note marker printed as digits)
                    first_is_initial = start or previous is None or previous[0].isdigit()
                run.append(token)
            elif run and token in CONNECTORS:
                run.append(token)
            else:
                if run:
                    flush()
                    run = []
            if token[0].isalpha() or token[0].isdigit():
                start = False
            previous = token
        if run:
            flush()
    return items


class Cover:
    """The graph's literals that can cover an item."""

    def __init__(self, instances: Graph, ontology: Graph | None = None):
        source_nodes = set()
        for cls in (GMG.Passage, GMG.Note, GMG.Paragraph, OA.TextQuoteSelector, OA.TextPositionSelector):
            source_nodes.update(instances.subjects(RDF.type, cls))
        self._index(o for s, p, o in instances
                    if isinstance(o, Literal) and p not in NOT_COVERING and s not in source_nodes)

    @classmethod
    def of_literals(cls, literals) -> "Cover":
        cover = cls.__new__(cls)
        cover._index(literals)
        return cover

    def _index(self, literals) -> None:
        texts, numbers = [], set()
        for o in literals:
            lexical = str(o)
            texts.append(fold(lexical))
            numbers.update(number_value(t.rstrip(".,")) for t in NUMBER.findall(lexical))
            numbers.add(lexical)
            value = o.toPython()
            if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
                numbers.add(str(value))
                if float(value).is_integer():
                    numbers.add(str(int(value)))
        self.text = "\n".join(texts)
        self.numbers = numbers

    def covers(self, item: Item) -> bool:
        if item.kind in ("number", "year"):
            return item.text in self.numbers
        if item.kind == "score":
            return item.text in self.numbers
        if item.kind == "url":
            return fold(item.text).rstrip("/") in self.text
        return self._name(item.text)

    def _name(self, name: str) -> bool:
        folded = fold(name)
        if re.search(r"(?<!\w)" + re.escape(folded) + r"(?!\w)", self.text):
            return True
        if name.endswith("-based"):  # "Moscow-based" names Moscow, the seat the graph records
            return self._name(name[: -len("-based")])
        parts = [re.sub(r"^the ", "", p) for p in re.split(r",? and |, ", name) if p]
        if len(parts) > 1:
            return all(self._name(p) for p in parts)
        return False


# Numbers written in words that state a quantity: the article's "approximately one-third"
# and "the nine countries". Only these forms are read (see the module docstring).
NUMBER_WORDS = {
    "one-third": "1/3", "one-quarter": "1/4", "one-half": "1/2", "two-thirds": "2/3",
    "nine countries": "9", "first four years": "4", "four-year": "4",
}


def number_word_items(text: str) -> set[Item]:
    folded = text.lower()
    return {Item("number", value) for words, value in NUMBER_WORDS.items() if words in folded}


def paragraph_literals(graph: Graph, passages: set) -> list[Literal]:
    """What the graph states on the strength of these passages (or notes), as literals.

    The statements derived from them, the facts they assert and the triples whose
    owl:Axiom points at them, the records derived from them (citations, works, interviews
    of a note), two links deep (a funding -> its amount -> the amount's value); and the
    names of the entities they mention. Passages and notes themselves never count."""
    from rdflib import OWL
    prov = Namespace("http://www.w3.org/ns/prov#")
    derived = {s for p in passages for s in graph.subjects(prov.wasDerivedFrom, p)}
    statements = {s for s in derived if (s, RDF.type, GMG.Statement) in graph}
    start = set(derived)
    for statement in statements:
        start.update(graph.objects(statement, GMG.asserts))
        for axiom in graph.subjects(GMG.statement, statement):
            start.update((graph.value(axiom, OWL.annotatedSource), graph.value(axiom, OWL.annotatedTarget)))
    sources = {n for cls in (GMG.Passage, GMG.Note) for n in graph.subjects(RDF.type, cls)}
    literals, seen, frontier = [], set(start), set(start)
    for depth in range(3):
        following = set()
        for node in frontier:
            numerator, denominator = graph.value(node, GMG.numerator), graph.value(node, GMG.denominator)
            if numerator is not None and denominator is not None:  # "one-third" is 1/3
                literals.append(Literal(f"{numerator}/{denominator}"))
            for p, o in graph.predicate_objects(node):
                if p in NOT_COVERING:
                    continue
                if isinstance(o, Literal):
                    literals.append(o)
                elif depth < 2 and o not in seen and o not in sources:
                    seen.add(o)
                    following.add(o)
        frontier = following
    mentioned = {e for p in passages for e in graph.subjects(GMG.mentionedIn, p)}
    literals += [o for e in mentioned for p in (RDFS.label, SKOS.altLabel) for o in graph.objects(e, p)]
    return literals
