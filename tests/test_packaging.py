"""`pip install .` into a fresh virtual environment gives a `gmg serve` that works anywhere."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import httpx
import pytest

from conftest import ROOT, Server

DATA = ("ontology/gmg.ttl", "ontology/gmg-schemes.ttl", "ontology/gmg-sources.ttl", "ontology/catalog-v001.xml",
        "shapes/core.ttl", "instances/actors.ttl", "instances/catalog-v001.xml")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)],
                   check=True, capture_output=True, text=True)
    (built,) = out.glob("gmg-*.whl")
    return built


def test_wheel_carries_the_data_folders(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in DATA:
        assert f"gmg/data/{path}" in names, f"{path} missing from the wheel"
    assert "gmg/cli.py" in names
    assert any(n.startswith("gmg/data/queries/") for n in names) or not list((ROOT / "queries").glob("*.rq"))


def test_installed_wheel_serves_from_any_directory(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)],
                             capture_output=True, text=True)
    assert install.returncode == 0, install.stdout + install.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    server = Server(executable=[str(env_dir / "bin" / "gmg")], cwd=elsewhere,
                    env={"GMG_DATA_DIR": "", "PYTHONPATH": ""})
    try:
        server.wait_ready(timeout=60)
        response = httpx.get(server.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"},
                             headers={"Accept": "application/sparql-results+json"})
        assert response.json() == {"head": {}, "boolean": True}
        # the data comes from the installed package, not from this checkout
        assert Path(_data_dir(python, elsewhere)).is_relative_to(env_dir)
        assert httpx.get(server.url + "/health").json()["data"].endswith("(installed package)")
        assert server.output().splitlines()[0].endswith("(installed package)")
    finally:
        server.stop()


def _data_dir(python: Path, cwd: Path) -> str:
    code = "from gmg.paths import default_data_dir; print(default_data_dir().root)"
    return subprocess.run([str(python), "-c", code], capture_output=True, text=True, cwd=cwd,
                          env={"PATH": "/usr/bin:/bin"}, check=True).stdout.strip()
