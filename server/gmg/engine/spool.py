"""An answer's bytes between the engine and a client that may read slowly, or not at all.

The engine's thread and the query's slot are held only while the engine computes:
its chunks go into a spool as fast as it sends them (in memory up to a size, then
in a temporary file), and the client is served from the spool at its own pace.
Spooled files share one disk budget; past it, the spool waits for its reader
(and the slot is held, as before spooling) rather than fill the disk.
"""

from __future__ import annotations

import asyncio
import tempfile

MEMORY_BYTES = 1 << 20  # per answer, before it goes to a temporary file
READ_BYTES = 64 * 1024


class DiskBudget:
    """The bytes all spools may keep in temporary files at once."""

    def __init__(self, limit: int):
        self.limit, self.used = limit, 0

    def take(self, count: int) -> bool:
        if self.used + count > self.limit:
            return False
        self.used += count
        return True

    def give_back(self, count: int) -> None:
        self.used -= count


class Spool:
    def __init__(self, budget: DiskBudget, memory_bytes: int = MEMORY_BYTES):
        self._file = tempfile.SpooledTemporaryFile(max_size=memory_bytes, prefix="gmg-answer-")
        self._memory_bytes = memory_bytes
        self._budget, self._charged = budget, 0
        self._written = self._read = 0
        self._done = False
        self._error: BaseException | None = None
        self._changed = asyncio.Event()  # set on every write, read, end or close
        self.closed = False

    async def write(self, data: bytes) -> None:
        """Add bytes; waits for the reader when the disk budget is spent."""
        while not self.closed:
            beyond_memory = max(0, self._written + len(data) - self._memory_bytes) - self._charged
            if beyond_memory <= 0 or self._budget.take(beyond_memory):
                self._charged += max(0, beyond_memory)
                break
            if self._read >= self._written:  # nothing left for the reader to take: let this one through
                break
            self._changed.clear()
            await self._changed.wait()
        if self.closed:
            return
        self._file.seek(self._written)
        self._file.write(data)
        self._written += len(data)
        self._changed.set()

    def finish(self, error: BaseException | None = None) -> None:
        self._done, self._error = True, error
        self._changed.set()

    async def read(self) -> bytes | None:
        """The next bytes, or None at the end; raises the engine's error if the answer failed."""
        while True:
            if self._read < self._written:
                self._file.seek(self._read)
                data = self._file.read(min(READ_BYTES, self._written - self._read))
                self._read += len(data)
                self._changed.set()
                return data
            if self._done:
                if self._error is not None:
                    raise self._error
                return None
            self._changed.clear()
            await self._changed.wait()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._file.close()
            self._budget.give_back(self._charged)
            self._charged = 0
            self._changed.set()
