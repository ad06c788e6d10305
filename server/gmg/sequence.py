"""The article's reading order of its passages and notes, and its paragraphs as groups of passages.

Plain data in, plain data out: nothing here talks to the store. The web layer asks the
store for every passage (its IRI, section order, note number, label and quote) and
hands the rows to `ReadingOrder`.

Passages are named `passage/<section>-p<paragraph>` or `passage/<section>-p<paragraph>-<part>`
(`passage/s3-p5-c`: section 3, paragraph 5, its third excerpt). The order is:

1. sections by `gmg:sectionOrder` (title, abstract, introduction, ..., notes);
2. in a section, paragraphs by number;
3. in a paragraph, the passage named after the whole paragraph (`s3-p3`), when there is
   one, before its lettered parts (`s3-p3-a`, `s3-p3-b`, ...), which follow in letter order;
4. notes (section "Notes") by number, the unnumbered author note first, as the article
   prints it on its first page.

A passage whose name does not follow the pattern is kept, after the named ones of its
section, in the order of its IRI: nothing is dropped from the sequence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PASSAGE_NAME = re.compile(r"^(?P<section>[a-z0-9]+(?:-[a-z0-9]+)*?)-p(?P<paragraph>\d+)(?:-(?P<part>[a-z]+))?$")


@dataclass(frozen=True)
class Item:
    """A passage or note of the article, with what places it in the reading order."""

    iri: str
    label: str
    quote: str = ""
    section_order: int | None = None  # the section's gmg:sectionOrder
    note_number: int | None = None  # notes only; None for the author note
    is_note: bool = False


@dataclass(frozen=True)
class Name:
    """What a passage's IRI says of its place: its paragraph and its lettered part, if any."""

    paragraph: str  # the paragraph's own name: "s3-p5"
    number: int
    part: str  # "" for a passage that is the whole paragraph


def parse_name(local: str) -> Name | None:
    """`s3-p5-c` -> Name("s3-p5", 5, "c"); None for names outside the pattern."""
    match = PASSAGE_NAME.fullmatch(local)
    if not match:
        return None
    paragraph = f"{match['section']}-p{match['paragraph']}"
    return Name(paragraph, int(match["paragraph"]), match["part"] or "")


def part_key(part: str) -> tuple[int, str]:
    """a < b < ... < z < aa: by length, then letters."""
    return len(part), part


def sort_key(item: Item, passage_base: str) -> tuple:
    section = item.section_order if item.section_order is not None else 10**6
    if item.is_note:
        # the author note (no number) first, then notes 1, 2, ...
        return section, 0, -1 if item.note_number is None else item.note_number, (0, ""), item.iri
    name = parse_name(item.iri[len(passage_base):]) if item.iri.startswith(passage_base) else None
    if name is None:
        return section, 1, 0, (0, ""), item.iri
    return section, 0, name.number, part_key(name.part), item.iri


@dataclass
class ReadingOrder:
    """Every passage and note in the article's order, with neighbours and paragraph groups."""

    items: list[Item]
    passage_base: str  # the IRI every passage name follows: https://w3id.org/gmg/id/passage/
    _index: dict[str, int] = field(init=False, repr=False)
    _paragraphs: dict[str, list[Item]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.items = sorted(self.items, key=lambda item: sort_key(item, self.passage_base))
        self._index = {item.iri: i for i, item in enumerate(self.items)}
        self._paragraphs = {}
        for item in self.items:
            if item.is_note or not item.iri.startswith(self.passage_base):
                continue
            name = parse_name(item.iri[len(self.passage_base):])
            if name is not None and name.part:
                self._paragraphs.setdefault(self.passage_base + name.paragraph, []).append(item)

    def __contains__(self, iri: str) -> bool:
        return iri in self._index

    def __len__(self) -> int:
        return len(self.items)

    def item(self, iri: str) -> Item | None:
        """The passage or note with this IRI, or None."""
        i = self._index.get(iri)
        return self.items[i] if i is not None else None

    def position(self, iri: str) -> int | None:
        """Where the passage or note comes in the article (0 first), or None."""
        return self._index.get(iri)

    def neighbours(self, iri: str) -> tuple[Item | None, Item | None]:
        """The passage or note before and after this one in the article (None at either end)."""
        i = self._index[iri]
        return (self.items[i - 1] if i > 0 else None,
                self.items[i + 1] if i + 1 < len(self.items) else None)

    def parts(self, paragraph_iri: str) -> list[Item]:
        """The lettered parts of a paragraph (`.../passage/s3-p5`), in order; [] if it has none."""
        return list(self._paragraphs.get(paragraph_iri, []))

    def paragraph_of(self, iri: str) -> str | None:
        """The paragraph IRI a lettered passage belongs to (`.../s3-p5` for `.../s3-p5-c`)."""
        if not iri.startswith(self.passage_base):
            return None
        name = parse_name(iri[len(self.passage_base):])
        if name is None or not name.part:
            return None
        return self.passage_base + name.paragraph

    def paragraph_neighbours(self, paragraph_iri: str) -> tuple[Item | None, Item | None]:
        """For a paragraph page: the item before its first part and the one after its last."""
        parts = self._paragraphs[paragraph_iri]
        before, _ = self.neighbours(parts[0].iri)
        _, after = self.neighbours(parts[-1].iri)
        return before, after
