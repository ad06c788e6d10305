"""Where the data folders are: inside the installed wheel, or at the top of a checkout."""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

DATA_FOLDERS = ("ontology", "instances", "shapes", "inferred", "queries")


@dataclass(frozen=True)
class DataDir:
    """The root that holds ontology/, instances/, shapes/, inferred/ and queries/."""

    root: Path

    def folder(self, name: str) -> Path:
        return self.root / name

    def files(self, name: str, pattern: str = "*.ttl") -> list[Path]:
        return sorted(self.folder(name).glob(pattern))


def default_data_dir() -> DataDir:
    """$GMG_DATA_DIR if set; else the wheel's gmg/data; else the repository root in a checkout.

    An editable install has no gmg/data (hatchling maps the folders only into
    built wheels), so fall back to the checkout the package was imported from.
    """
    override = os.environ.get("GMG_DATA_DIR")
    if override:
        return DataDir(Path(override))
    packaged = resources.files("gmg").joinpath("data")
    if packaged.is_dir():
        return DataDir(Path(str(packaged)))
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "ontology").is_dir():
        return DataDir(checkout)
    raise FileNotFoundError(
        "gmg data folders not found: reinstall the gmg package (pip install .) "
        "or run from a checkout of the repository"
    )
