"""The source article as tests read it: located beside the checkout, normalised for quote matching."""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTICLE_NAME = "korneev-2017-global-migration-governors.md"


def article_path() -> Path:
    """$GMG_SOURCE_ARTICLE, else the shared source folder next to the checkout."""
    if os.environ.get("GMG_SOURCE_ARTICLE"):
        return Path(os.environ["GMG_SOURCE_ARTICLE"])
    return ROOT.parent / "shared" / "source" / ARTICLE_NAME


def normalise(text: str) -> str:
    """What quote matching compares: no note markers, no markdown emphasis or escapes, single spaces."""
    text = re.sub(r"<sup>.*?</sup>", "", text)
    text = text.replace("*", "")
    text = re.sub(r"\\([$_\[\]#])", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=1)
def article_text() -> str:
    return normalise(read_article())


@lru_cache(maxsize=1)
def article_body() -> str:
    """The article's body text, the text that selector offsets count in: after the header's rule,
    before the Notes heading, heading marks dropped, normalised (scripts/quote_share.py's
    article_parts, which tests/test_quote_share.py checks this against)."""
    _, _, proper = read_article().partition("\n---\n")
    body, _, _ = proper.partition("\n#### Notes")
    return normalise("\n".join(re.sub(r"^#+\s*", "", line) for line in body.splitlines()))


def read_article() -> str:
    """The article's Markdown; a test that reads it must be marked @pytest.mark.needs("article")."""
    path = article_path()
    if not path.is_file():
        raise FileNotFoundError(f"the source article is not at {path}: set GMG_SOURCE_ARTICLE to {ARTICLE_NAME}, "
                                'and mark this test @pytest.mark.needs("article")')
    return path.read_text(encoding="utf-8")
