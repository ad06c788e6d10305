"""The README's `sh` blocks run as written, in order, on a fresh copy of the repository.

Like Datasette's documentation tests: every ```sh block is extracted and run in
one bash session (so `source .venv/bin/activate` and `export TOKEN=...` carry
over, as in a reader's terminal). Two liberties, both mechanical: the ports the
README names are swapped for free ones (other servers may hold 8000 here), and a
line that starts a server in the foreground (`bash scripts/serve.sh`,
`gmg serve ...` without `&`) is started in the background and waited for, then
stopped at the end. A block whose first line is `# not run by
tests/test_readme.py: <reason>` is skipped, and says why in the README itself.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from conftest import ROOT, Server, free_port

README = ROOT / "README.md"
NOT_RUN = "# not run by tests/test_readme.py:"
#: blocks that must actually run: fewer means the README lost its examples or the marker spread
MIN_BLOCKS_RUN = 6
FOREGROUND_SERVER = re.compile(r"^(bash scripts/serve\.sh|gmg serve)\b(?!.*&\s*$)")
PORT = re.compile(r"(?<=127\.0\.0\.1:)(\d{4,5})\b|(?<=--port )(\d{4,5})\b")
COPY_IGNORE = shutil.ignore_patterns(".venv", ".venv.lock", ".git", "__pycache__", ".pytest_cache",
                                     "*.egg-info", "store", "dist", "build", "generated")


@dataclass
class Block:
    number: int
    text: str

    @property
    def reason_not_run(self) -> str | None:
        first = self.text.lstrip().splitlines()[0] if self.text.strip() else ""
        return first[len(NOT_RUN):].strip() if first.startswith(NOT_RUN) else None


def sh_blocks(markdown: str) -> list[Block]:
    found = re.findall(r"^```sh\n(.*?)^```", markdown, flags=re.M | re.S)
    return [Block(i, text) for i, text in enumerate(found, 1)]


def session_script(blocks: list[Block], ports: dict[str, int], logs: Path) -> str:
    """One bash script: each runnable block between markers, servers backgrounded and awaited."""
    lines = [
        "set -eo pipefail",
        f"export GMG_PORT={ports['8000']}  # scripts/serve.sh's default port, free here",
        "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT",
        "await() { curl --silent --output /dev/null --retry 120 --retry-connrefused --retry-delay 1 "
        "--retry-max-time 180 \"http://127.0.0.1:$1/health\"; }",
    ]
    for block in blocks:
        if block.reason_not_run:
            continue
        lines.append(f"echo '::block {block.number}'")
        text = PORT.sub(lambda m: str(ports[m.group(0)]), block.text)
        for line in text.splitlines():
            if FOREGROUND_SERVER.match(line):
                port = re.search(r"--port (\d+)", line)
                log = logs / f"server-{block.number}.log"
                lines.append(f"{line} >{log} 2>&1 &")
                lines.append(f"await {port.group(1) if port else ports['8000']} || {{ cat {log}; exit 1; }}")
            else:
                lines.append(line)
        lines.append(f"echo '::block {block.number} ran'")
    return "\n".join(lines) + "\n"


def test_the_readme_has_runnable_blocks_and_marks_the_others():
    blocks = sh_blocks(README.read_text(encoding="utf-8"))
    runnable = [b for b in blocks if not b.reason_not_run]
    assert len(runnable) >= MIN_BLOCKS_RUN, f"only {len(runnable)} runnable sh blocks in the README"
    for block in blocks:
        if block.reason_not_run is not None:
            assert block.reason_not_run, f"sh block {block.number} is marked not run but gives no reason"


@pytest.fixture(scope="module")
def fresh_copy(tmp_path_factory) -> Path:
    """The repository's files (no .venv, no .git) alone in an empty folder."""
    copy = tmp_path_factory.mktemp("readme") / "gmg"
    shutil.copytree(ROOT, copy, ignore=COPY_IGNORE)
    return copy


@pytest.fixture(scope="module")
def readme_run(fresh_copy, tmp_path_factory):
    blocks = sh_blocks(README.read_text(encoding="utf-8"))
    names = sorted({m.group(0) for b in blocks for m in PORT.finditer(b.text)} | {"8000"})
    ports = {name: free_port() for name in names}
    logs = tmp_path_factory.mktemp("readme-logs")
    script = logs / "session.sh"
    script.write_text(session_script(blocks, ports, logs), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GMG_", "VIRTUAL_ENV"))}
    process = subprocess.Popen(["bash", str(script)], cwd=fresh_copy, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=600)
    finally:
        try:  # whatever the session left behind (servers and their engines)
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    return blocks, process.returncode, output


def test_every_sh_block_of_the_readme_runs_as_written(readme_run):
    blocks, returncode, output = readme_run
    ran = [int(n) for n in re.findall(r"^::block (\d+) ran$", output, flags=re.M)]
    started = re.findall(r"^::block (\d+)$", output, flags=re.M)
    assert returncode == 0, (f"README sh block {started[-1] if started else '?'} failed "
                             f"(exit {returncode}):\n{output[-6000:]}")
    expected = [b.number for b in blocks if not b.reason_not_run]
    assert ran == expected
    assert len(ran) >= MIN_BLOCKS_RUN
    # the tour's answers, not only exit codes
    assert '"boolean":true' in output
    assert "Department for International Development" in output
    # the update example's query sees its update (the server it writes to is in memory: nothing else adds it)
    (update,) = [b.number for b in blocks if "INSERT DATA" in b.text and not b.reason_not_run]
    assert "the Bank" in output.split(f"::block {update}\n", 1)[1].split(f"::block {update} ran", 1)[0]


def test_an_edit_of_the_copy_is_what_its_commands_see(readme_run, fresh_copy):
    """The edit loop: a syntax error appended to an instance file reaches gmg serve --watch, validate and build."""
    gmg = fresh_copy / ".venv" / "bin" / "gmg"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GMG_")}
    watching = Server(["--watch"], env=env, cwd=fresh_copy, executable=[str(gmg)]).wait_ready(60)
    try:
        health = httpx.get(watching.url + "/health", timeout=10).json()
        assert health["data"] == f"{fresh_copy} (checkout)" and health["build_errors"] == []
        with (fresh_copy / "instances" / "actors.ttl").open("a", encoding="utf-8") as f:
            f.write("\nthis is not turtle .\n")
        deadline = time.monotonic() + 60
        while not health["build_errors"] and time.monotonic() < deadline:
            time.sleep(0.5)
            health = httpx.get(watching.url + "/health", timeout=10).json()
        assert "actors.ttl" in str(health["build_errors"]), health
        assert watching.output().splitlines()[0] == f"gmg serve: data from {fresh_copy} (checkout)"
    finally:
        watching.stop()
    for command in (["validate"], ["build"]):
        result = subprocess.run([str(gmg), *command], cwd=fresh_copy, env=env, capture_output=True, text=True,
                                timeout=300)
        assert result.returncode == 2, f"gmg {command[0]}: {result.stdout}{result.stderr}"
        assert "actors.ttl" in result.stderr and "syntax error" in result.stderr
