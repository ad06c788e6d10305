"""The query editor's assets and its completion lists.

The editor (YASGUI's query editor) is fetched by scripts/fetch-assets.sh into assets/,
which is not in the repository; our own script that sets it up is in static/. The
completion lists come from the store, so the editor offers the ontology as served.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from ..engine import EngineSupervisor
from ..iris import PREFIXES
from ..settings import Settings
from . import internal

HERE = Path(__file__).parent
ASSETS = HERE / "assets"
STATIC = HERE / "static"
EDITOR_BUNDLE = ASSETS / "yasgui" / "yasgui.min.js"

TERMS = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?term ?kind WHERE {
  VALUES (?type ?kind) { (owl:Class "class") (rdfs:Class "class") (owl:ObjectProperty "property")
                         (owl:DatatypeProperty "property") (owl:AnnotationProperty "property") (rdf:Property "property") }
  ?term a ?type FILTER(isIRI(?term))
}"""


def editor_installed() -> bool:
    return EDITOR_BUNDLE.is_file()


async def editor_config(engine: EngineSupervisor, settings: Settings) -> dict | None:
    """Prefixes, classes and properties for completion; None when the editor is not installed."""
    if not editor_installed():
        return None
    rows = await internal.rows(engine, settings, TERMS)
    return {"prefixes": PREFIXES,
            "classes": sorted({r["term"]["value"] for r in rows if r["kind"]["value"] == "class"}),
            "properties": sorted({r["term"]["value"] for r in rows if r["kind"]["value"] == "property"})}


def mount_assets(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    if ASSETS.is_dir():
        app.mount("/assets", StaticFiles(directory=ASSETS), name="assets")
