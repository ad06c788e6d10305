"""scripts/quote_share.py on a small made-up text: runs of words, overlaps once, case and punctuation aside."""

from __future__ import annotations

import pytest

from conftest import ROOT, load_script

quote_share_module = load_script("quote_share")
quote_share = quote_share_module.quote_share
article_parts = quote_share_module.article_parts

TEXT = "one two three four five six seven eight nine ten"


def test_nothing_quoted_is_zero():
    share = quote_share(TEXT, ["an unrelated literal with many words in it"], min_words=3)
    assert share.characters == len(TEXT) and share.covered == 0 and share.ratio == 0


def test_a_quoted_run_counts_its_characters():
    share = quote_share(TEXT, ["as printed: one two three four, and more"], min_words=3)
    assert share.covered == len("one two three four")


def test_overlapping_quotes_count_once():
    share = quote_share(TEXT, ["two three four five", "four five six", "two three four five"], min_words=3)
    assert share.covered == len("two three four five six")


def test_a_run_shorter_than_the_threshold_does_not_count():
    assert quote_share(TEXT, ["five six", "nine ten"], min_words=3).covered == 0
    assert quote_share(TEXT, ["five six"], min_words=2).covered == len("five six")


def test_case_punctuation_and_note_markers_are_aside():
    text = "Alpha, beta gamma<sup>3</sup> delta."
    share = quote_share(text, ["ALPHA BETA — GAMMA delta"], min_words=4)
    assert share.ratio == 1.0


def test_sources_are_measured_alone_and_together():
    share = quote_share(TEXT, {"gmg:quote": ["one two three"], "gmg:description": ["eight nine ten"]}, min_words=3)
    assert share.by_source == {"gmg:quote": len("one two three"), "gmg:description": len("eight nine ten")}
    assert share.covered == len("one two three") + len("eight nine ten")


def test_separate_runs_do_not_count_the_gap():
    share = quote_share(TEXT, ["one two three", "five six seven"], min_words=3)
    assert share.covered == len("one two three") + len("five six seven")


def test_the_notes_are_apart_from_the_body():
    markdown = "# Source\n\nheader\n\n---\n\n## Title\n\nBody text<sup>1</sup> here.\n\n#### Notes\n\n1. A reference.\n"
    body, notes = article_parts(markdown)
    assert body == "Title Body text here." and notes == "1. A reference."


@pytest.mark.parametrize("min_words", [1, 3])
def test_the_whole_text_quoted_is_all(min_words):
    assert quote_share(TEXT, [TEXT], min_words=min_words).ratio == 1.0


# --- the graph itself: how much of the article's body it reproduces ---------------------

BOUND = 0.35


@pytest.mark.needs("article")
def test_the_graph_reproduces_at_most_35_percent_of_the_article_body():
    """Every literal of the ontology and the instances counts (selectors' words, labels,
    comments, definitions ...), overlaps once; the notes are not part of the body, so their
    texts (mostly references) count only where they repeat the body's words."""
    from article import read_article

    body, notes = article_parts(read_article())
    files = sorted((ROOT / "ontology").glob("*.ttl")) + sorted((ROOT / "instances").glob("*.ttl"))
    literals = quote_share_module.graph_literals(files)
    share = quote_share(body, literals)
    worst = sorted(share.by_source.items(), key=lambda kv: -kv[1])[:5]
    assert share.ratio <= BOUND, (
        f"the graph reproduces {share.ratio:.1%} of the article's body (bound {BOUND:.0%}); "
        "by property, alone: " + ", ".join(f"{p} {c / share.characters:.1%}" for p, c in worst)
        + " (run scripts/quote_share.py; quote only the words that support a statement)")
    assert notes and notes not in body and not body.endswith("Notes")


@pytest.mark.needs("article")
def test_the_tests_read_the_same_body_text_as_the_script():
    """Selector offsets count in this text: tests/article.py and scripts/quote_share.py agree on it."""
    from article import article_body, read_article

    assert article_parts(read_article())[0] == article_body()
