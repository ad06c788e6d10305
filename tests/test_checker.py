"""The checker of updates (gmg.engine.validator) never outlives its engine."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from conftest import ROOT

ENGINE = """
import sys, time
from gmg.engine.validator import Checker
checker = Checker(None)
checker.start()
print(checker.process.pid, flush=True)
time.sleep(120)
"""


def _state(pid: int) -> str | None:
    """The process's state letter (R, S, T, Z ...), or None once it is gone."""
    try:
        stat = (open(f"/proc/{pid}/stat").read()).rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return None
    return stat[0]


def _niceness(pid: int) -> int:
    return int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[16])


def test_the_checker_ends_when_its_engine_is_killed_even_mid_check():
    env = {**os.environ, "PYTHONPATH": str(ROOT / "server")}
    engine = subprocess.Popen([sys.executable, "-c", ENGINE], stdout=subprocess.PIPE, text=True, env=env)
    checker = int(engine.stdout.readline())
    try:
        deadline = time.monotonic() + 30
        # it is niced just after it asks to end with its parent: from then on, freeze it, as a
        # long check would keep it from noticing the closed socket
        while _niceness(checker) == 0:
            assert time.monotonic() < deadline, "the checker did not start"
            time.sleep(0.05)
        os.kill(checker, signal.SIGSTOP)
        engine.kill()
        engine.wait()
        while _state(checker) not in (None, "Z"):
            assert time.monotonic() < deadline, f"the checker outlived its engine (state {_state(checker)})"
            time.sleep(0.05)
    finally:
        engine.kill()
        if _state(checker) not in (None, "Z"):
            os.kill(checker, signal.SIGKILL)
