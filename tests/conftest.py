"""Shared fixtures: the real server as a process on a free port, and the CI guard."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]


def load_script(name: str):
    """scripts/<name>.py as a module (the scripts are not a package); skips the calling test
    module where the tree has no scripts/ (the sdist carries tests/ but not scripts/)."""
    path = ROOT / "scripts" / f"{name}.py"
    if not path.exists():
        pytest.skip(f"scripts/{name}.py is not in this tree", allow_module_level=True)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A `gmg serve` process and the base URL it answers on."""

    def __init__(self, args: list[str] = (), env: dict | None = None, cwd: Path | None = None,
                 executable: list[str] | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = (executable or [sys.executable, "-m", "gmg.cli"]) + ["serve", "--port", str(self.port), *args]
        # A file, not a pipe: a full pipe would block the server's logging.
        self.log = tempfile.NamedTemporaryFile("w+", prefix="gmg-serve-", suffix=".log")
        self.process = subprocess.Popen(
            command, cwd=cwd, env={**os.environ, **(env or {})},
            stdout=self.log, stderr=subprocess.STDOUT, text=True)

    def output(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")

    def wait_ready(self, timeout: float = 30.0) -> "Server":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gmg serve exited with {self.process.returncode}:\n{self.output()}")
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gmg serve did not answer within {timeout} s:\n{self.output()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="session")
def server():
    """One real server for the whole test session."""
    srv = Server().wait_ready()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def client(server):
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


# --- what a test needs beyond Python: skip it when missing, fail it under CI ------

def pytest_configure(config):
    config.addinivalue_line("markers", "needs(name): the test needs the source article, java, chromium, "
                                       "oxigraph or virtuoso")


def required_everywhere() -> bool:
    """CI (and anyone who sets CI=true) wants every test run: a missing need is a failure."""
    return os.environ.get("CI") == "true"


@pytest.hookimpl(tryfirst=True)  # before any fixture is set up
def pytest_runtest_setup(item):
    from needs import missing

    for marker in item.iter_markers("needs"):
        reason = missing(*marker.args)
        if reason and required_everywhere():
            pytest.fail(f"CI=true and this test {reason}", pytrace=False)
        if reason:
            pytest.skip(reason)


# --- CI: a skipped or xfailed test is not a pass ---------------------------------

_not_run: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped:
        kind = "xfailed" if hasattr(report, "wasxfail") else "skipped"
        _not_run.append(f"{report.nodeid} ({kind})")


def pytest_sessionfinish(session, exitstatus):
    if os.environ.get("CI") == "true" and _not_run and exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter):
    if os.environ.get("CI") == "true" and _not_run:
        terminalreporter.write_line("CI=true: skipped or xfailed tests count as failures:", red=True)
        for item in _not_run:
            terminalreporter.write_line(f"  {item}", red=True)
