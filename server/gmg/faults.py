"""Test-only fault points: stop the process, or fail an I/O call, at a named place.

GMG_FAULT_KILL=name[:n] kills the process (SIGKILL, no clean-up) the n-th time
(default: first) it passes the point `name`; GMG_FAULT_IO=name[:n] raises an
OSError(EIO) there instead, and GMG_FAULT_IO=name@path raises it at every pass
while a file exists at `path` (a lasting fault that the test then takes away). Unset (always, outside the fault tests), each point
costs one dictionary look-up. Points: validated (engine: an update passed its
checks, before the journal), journalled (server: journal fsynced, before the
store applies it), applied (engine: store applied, before the server hears it),
acknowledged (server: just before the 2xx), journal-write and store-write (an I/O
error instead: the journal's append, the engine's write to the store).

GMG_FAULT_READONLY=path: while a file exists at `path`, the store's folder behaves
as if on a read-only filesystem (EROFS) for the server and its engine: the check
before an update, the journal's append, the store's writes and its reopening.
"""

from __future__ import annotations

import errno
import os
import signal
from collections import Counter

_passes: Counter = Counter()


def _armed(variable: str, name: str) -> bool:
    spec = os.environ.get(variable)
    if not spec:
        return False
    point, _, nth = spec.partition(":")
    if point != name:
        return False
    _passes[(variable, name)] += 1
    return _passes[(variable, name)] == int(nth or 1)


def point(name: str) -> None:
    if _armed("GMG_FAULT_KILL", name):
        os.kill(os.getpid(), signal.SIGKILL)


def io_error(name: str) -> None:
    spec = os.environ.get("GMG_FAULT_IO", "")
    point_name, at, flag = spec.partition("@")
    if at and point_name == name and os.path.exists(flag):
        raise OSError(errno.EIO, "Input/output error (injected)")
    if not at and _armed("GMG_FAULT_IO", name):
        raise OSError(errno.EIO, "Input/output error (injected)")


def read_only() -> bool:
    flag = os.environ.get("GMG_FAULT_READONLY")
    return bool(flag) and os.path.exists(flag)
