"""Where the data folders are: at the top of a checkout, or inside the installed wheel."""

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
    #: how it was found: "checkout", "installed package" or "GMG_DATA_DIR"
    origin: str = "given"

    def folder(self, name: str) -> Path:
        return self.root / name

    def files(self, name: str, pattern: str = "*.ttl") -> list[Path]:
        return sorted(self.folder(name).glob(pattern))

    def describe(self) -> str:
        """One line for logs and /health: which files this process serves."""
        return f"{self.root} ({self.origin})"


def checkout_root() -> Path | None:
    """The checkout this package was imported from (an editable install or PYTHONPATH), if any."""
    root = Path(__file__).resolve().parents[2]
    if (root / "pyproject.toml").is_file() and (root / "ontology").is_dir():
        return root
    return None


def default_data_dir() -> DataDir:
    """$GMG_DATA_DIR if set; else the checkout the code runs from; else the wheel's gmg/data.

    The checkout comes first so that an edit of instances/*.ttl is what
    `gmg validate`, `gmg build` and `gmg serve --watch` see; an installed wheel
    (no checkout around its code) reads the copy packaged with it.
    """
    override = os.environ.get("GMG_DATA_DIR")
    if override:
        return DataDir(Path(override).resolve(), "GMG_DATA_DIR")
    checkout = checkout_root()
    if checkout is not None:
        return DataDir(checkout, "checkout")
    packaged = resources.files("gmg").joinpath("data")
    if packaged.is_dir():
        return DataDir(Path(str(packaged)), "installed package")
    raise FileNotFoundError(
        "gmg data folders not found: reinstall the gmg package (pip install .), "
        "run from a checkout of the repository, or set GMG_DATA_DIR to a folder holding "
        + ", ".join(f"{name}/" for name in DATA_FOLDERS)
    )
