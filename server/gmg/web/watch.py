"""`gmg serve --watch`: rebuild when a source file changes; keep serving the last good build otherwise.

Polling modification times once a second is enough for a handful of files
saved by hand (from Protégé or an editor) and needs no extra dependency.
"""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from ..engine import EngineSupervisor
from ..sources import SourceError, load_sources, source_files
from ..validate import validate
from .validation import SourceCache

log = logging.getLogger("gmg.watch")


def snapshot() -> dict:
    """File -> (mtime, size) of every source file: any change (or new or removed file) shows."""
    out = {}
    for path, _ in source_files():
        try:
            stat = path.stat()
        except OSError:
            continue
        out[str(path)] = (stat.st_mtime_ns, stat.st_size)
    return out


def check_sources() -> list[str]:
    """Parse and validate the sources; the problems as lines of text (none: fit to serve)."""
    try:
        sources = load_sources()
    except SourceError as err:
        return [str(err)]
    report = validate(sources)
    if report.failed():
        return [report.render()]
    return []


async def watch(app: FastAPI, engine: EngineSupervisor, cache: SourceCache, interval: float = 1.0) -> None:
    """Runs for the life of the app."""
    seen = snapshot()
    while True:
        await asyncio.sleep(interval)
        current = await run_in_threadpool(snapshot)
        if current == seen:
            continue
        seen = current
        log.info("source files changed: checking them")
        problems = await run_in_threadpool(check_sources)
        if problems:
            app.state.build_errors = problems
            log.error("the changed sources cannot be served; still serving the last good build:\n%s",
                      "\n".join(problems))
            continue
        await engine.reload()
        cache.invalidate()
        app.state.build_errors = []
        log.info("rebuilt from the changed sources")
