"""What some tests need beyond Python, and how to say that it is missing.

Mark a test `@pytest.mark.needs("article")` (or "java", "chromium"); conftest
skips it with the reason below when the thing is missing, or fails it under CI
(CI=true), where everything is installed and a skip would hide a broken set-up.
"""

from __future__ import annotations

import shutil
from functools import lru_cache

from article import ARTICLE_NAME, article_path


def missing_article() -> str | None:
    path = article_path()
    if path.is_file():
        return None
    return (f"needs the source article (not in the repository: it is copyrighted): set GMG_SOURCE_ARTICLE "
            f"to the path of its Markdown text, {ARTICLE_NAME} (not found at {path})")


def missing_java() -> str | None:
    from gmg import owlapi

    if not (shutil.which("java") and shutil.which("javac")):
        return ("needs Java and the OWL API: install default-jdk-headless and libowlapi-java "
                "(bash scripts/install-system-deps.sh, as root)")
    try:
        owlapi.classpath()
    except owlapi.OwlApiUnavailable as err:
        return f"needs the OWL API: {err}"
    return None


def missing_chromium() -> str | None:
    browser = next((b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
    if browser and shutil.which("chromedriver"):
        return None
    return ("needs Chromium and its WebDriver: install chromium and chromium-driver "
            "(bash scripts/install-system-deps.sh, as root)")


def missing_oxigraph() -> str | None:
    from remote_stores import oxigraph_command

    if oxigraph_command():
        return None
    return "needs the Oxigraph server (the `oxigraph` command): pip install -e '.[test]' (bash scripts/setup-venv.sh)"


def missing_virtuoso() -> str | None:
    import shutil

    if shutil.which("virtuoso-t") and (shutil.which("isql-vt") or shutil.which("isql")):
        return None
    return ("needs Virtuoso Open Source 7 (virtuoso-t and isql-vt): install virtuoso-opensource-7-bin "
            "(bash scripts/install-system-deps.sh, as root)")


CHECKS = {"article": missing_article, "java": missing_java, "chromium": missing_chromium,
          "oxigraph": missing_oxigraph, "virtuoso": missing_virtuoso}


@lru_cache(maxsize=None)
def missing(name: str) -> str | None:
    """Why the tests that need `name` cannot run here, or None when they can."""
    if name not in CHECKS:
        raise ValueError(f"unknown need {name!r}: use one of {', '.join(CHECKS)}")
    return CHECKS[name]()
