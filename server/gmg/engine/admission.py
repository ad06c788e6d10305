"""Admission of queries: a fixed number answered at once, a bounded queue for the rest.

Shared by the embedded engine's supervisor and the remote store: a query waits for a
slot at most `queue_timeout` seconds, and is refused at once when `max_waiting` are
already waiting, so an overloaded server says so (429) instead of piling up requests.
"""

from __future__ import annotations

import asyncio
import time


class EngineBusy(Exception):
    """Too many requests are waiting; try again later."""


class Admission:
    def __init__(self, max_active: int, max_waiting: int, queue_timeout: float):
        self.max_waiting, self.queue_timeout = max_waiting, queue_timeout
        self._slots = asyncio.Semaphore(max_active)
        self._waiting = 0
        self._answering = 0
        self._last_seen = float("-inf")  # (monotonic) when a query last waited or was answered

    async def acquire(self) -> None:
        """A slot for one request; wait in the queue, or refuse when it is full or slow."""
        if self._waiting >= self.max_waiting:
            raise EngineBusy("Too many queries are waiting.")
        self._waiting += 1
        self._last_seen = time.monotonic()
        try:
            if self._slots.locked():  # (a free slot is taken at once, without a timed wait's task)
                await asyncio.wait_for(self._slots.acquire(), self.queue_timeout)
            else:
                await self._slots.acquire()
        except asyncio.TimeoutError:
            raise EngineBusy("The server is busy.") from None
        finally:
            self._waiting -= 1
        self._answering += 1

    def release(self) -> None:
        self._answering -= 1
        self._last_seen = time.monotonic()
        self._slots.release()

    def busy_since(self, moment: float) -> bool:
        """Whether a query has waited or been answered at any time since `moment` (monotonic)."""
        return self._answering > 0 or self._waiting > 0 or self._last_seen >= moment
