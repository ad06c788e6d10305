"""The connection limits uvicorn's h11 protocol lacks: a cap, and no stalling on a client.

- At most `max_connections` open connections (below the open-file limit, so
  accept() never fails for want of a descriptor). At the cap, a new connection
  takes the place of the one that has waited longest for request headers (a
  slow-headers attacker evicts its own connections, not a normal client); when
  none waits for headers it is answered 503 at once and closed, with one log line
  per interval however many are refused.
- Request headers must arrive within `timeout` seconds of the connection (or of
  the previous answer); a connection waiting on its client for a request body, or
  for the client to take the bytes of its answer, is closed after `timeout`
  seconds without progress. Progress is any byte received or taken, so an honest
  slow download of a large answer completes.
"""

from __future__ import annotations

import logging
import resource
import time

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("gmg.connections")

REFUSED = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
           b"Retry-After: 2\r\nConnection: close\r\nContent-Length: 47\r\n\r\n"
           b"Too many open connections; retry in a moment.\r\n")
RESERVED_DESCRIPTORS = 64  # the engine's pipe, the store's files, logs, spools


def accept_backlog() -> int:
    """How many connections asyncio accepts in one go (and the listen backlog).

    asyncio accepts up to this many sockets before any of them reaches
    connection_made, where the cap is applied: so the cap must leave room for
    two such batches below the open-file limit.
    """
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return max(8, min(128, soft // 8))


def default_max_connections() -> int:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return max(16, soft - RESERVED_DESCRIPTORS - 2 * accept_backlog())


class _AcceptErrorFilter(logging.Filter):
    """asyncio logs a traceback for every accept() that fails (e.g. out of descriptors): one line per interval."""

    def __init__(self, interval: float = 10.0):
        super().__init__()
        self.interval, self.last, self.count = interval, 0.0, 0

    def filter(self, record: logging.LogRecord) -> bool:
        if "accept" not in str(record.msg):
            return True
        self.count += 1
        now = time.monotonic()
        if now - self.last < self.interval:
            return False
        record.msg, record.args, record.exc_info, record.exc_text = (
            f"accept() failed {self.count} time(s) in the last {self.interval:g} s: {record.exc_info[1] if record.exc_info else record.msg}",
            (), None, None)
        self.last, self.count = now, 0
        return True


def quiet_accept_errors() -> None:
    logging.getLogger("asyncio").addFilter(_AcceptErrorFilter())


class _RateLimitedLog:
    def __init__(self, interval: float = 10.0):
        self.interval, self.last, self.count = interval, 0.0, 0

    def refused(self, limit: int) -> None:
        self.count += 1
        now = time.monotonic()
        if now - self.last >= self.interval:
            log.warning("refused %d connection(s) over the limit of %d open connections", self.count, limit)
            self.last, self.count = now, 0


def guarded_protocol(timeout: float, max_connections: int) -> type[H11Protocol]:
    """An H11Protocol class with these limits (uvicorn takes a class)."""
    refusals = _RateLimitedLog()

    class GuardedH11Protocol(H11Protocol):
        def connection_made(self, transport) -> None:
            super().connection_made(transport)
            self._watch = None
            self._since = time.monotonic()  # waiting for request headers since
            if len(self.connections) > max_connections and not self._evict_one():
                transport.write(REFUSED)
                transport.close()
                refusals.refused(max_connections)
                return
            self._progress = time.monotonic()
            self._buffered = 0
            self._watch = self.loop.call_later(timeout, self._check_progress)

        def data_received(self, data: bytes) -> None:
            self._progress = time.monotonic()
            super().data_received(data)

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._since = time.monotonic()  # the next request's headers are due from now

        def _awaiting_headers(self) -> bool:
            """Waiting for a request's headers (not while one is answered)."""
            return (self._watch is not None and not self.transport.is_closing()
                    and self.conn.their_state == h11.IDLE
                    and (self.cycle is None or self.cycle.response_complete))

        def _evict_one(self) -> bool:
            waiting = [c for c in self.connections if c is not self and getattr(c, "_awaiting_headers", None)
                       and c._awaiting_headers()]
            if not waiting:
                return False
            victim = min(waiting, key=lambda c: c._since)
            victim.transport.abort()
            refusals.refused(max_connections)
            return True

        def connection_lost(self, exc) -> None:
            if self._watch is not None:
                self._watch.cancel()
            super().connection_lost(exc)

        def _waiting_on_client(self) -> bool:
            """Waiting for a request body, or for the client to take its answer."""
            if self.flow.write_paused:
                buffered = self.transport.get_write_buffer_size()
                if buffered < self._buffered:
                    self._progress = time.monotonic()
                self._buffered = buffered
                return True
            self._buffered = 0
            # (not while uvicorn itself holds back reading because the app is busy)
            return self.conn.their_state == h11.SEND_BODY and not self.flow.read_paused

        def _check_progress(self) -> None:
            if self.transport.is_closing():
                return
            now = time.monotonic()
            due = now + timeout
            if self._awaiting_headers():  # headers: a deadline, not a pace
                if now - self._since >= timeout:
                    self.transport.abort()
                    return
                due = self._since + timeout
            elif self._waiting_on_client():
                if now - self._progress >= timeout:
                    self.transport.abort()
                    return
                due = self._progress + timeout
            else:
                self._progress = now
            self._watch = self.loop.call_later(max(0.2, due - now), self._check_progress)

    return GuardedH11Protocol
