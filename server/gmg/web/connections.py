"""The connection limits uvicorn's HTTP protocols lack: a cap, and no stalling on a client.

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
from urllib.parse import unquote, urlsplit

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("gmg.connections")

REFUSED = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
           b"Retry-After: 2\r\nConnection: close\r\nContent-Length: 47\r\n\r\n"
           b"Too many open connections; retry in a moment.\r\n")
HEADERS_TOO_LARGE = (b"HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain; charset=utf-8\r\n"
                     b"Connection: close\r\nContent-Length: 67\r\n\r\n"
                     b"The request line and headers are too long; send the query by POST\r\n")
MAX_PARSED_URL = 0xFFFF  # the longest URL httptools.parse_url takes
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


def guarded_protocol(timeout: float, max_connections: int, *, max_header_bytes: int) -> type:
    """uvicorn's HTTP protocol class with these limits (uvicorn takes a class).

    On httptools (C, a dependency), or on h11 (pure Python) where httptools cannot be
    installed. Either way a request's line and headers may hold at most
    `max_header_bytes` (h11 is given the same limit by the caller).
    """
    refusals = _RateLimitedLog()
    try:
        import httptools  # noqa: F401
    except ImportError:
        httptools = None

    class Guard:
        """The limits; the parser's subclass says whether a request body is being received."""

        def _receiving_body(self) -> bool:
            raise NotImplementedError

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
                    and not self._receiving_body()
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
            return self._receiving_body() and not self.flow.read_paused

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

    if httptools is None:
        class GuardedH11Protocol(Guard, H11Protocol):
            def _receiving_body(self) -> bool:
                return self.conn.their_state == h11.SEND_BODY

        return GuardedH11Protocol

    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class GuardedHttpToolsProtocol(Guard, HttpToolsProtocol):
        """httptools has no limit of its own on a request's headers: this one counts them."""

        _body = False  # between a request's headers and the end of its body
        _header_bytes = 0
        _refused = False

        def _receiving_body(self) -> bool:
            return self._body

        def _count(self, size: int) -> None:
            self._header_bytes += size
            if self._header_bytes > max_header_bytes and not self._refused:
                self._refused = True
                self.transport.write(HEADERS_TOO_LARGE)
                self.transport.close()
                raise ValueError("request headers over the limit")  # stops the parser

        def on_message_begin(self) -> None:
            self._header_bytes = 0
            super().on_message_begin()

        def on_url(self, url: bytes) -> None:
            self._count(len(url))
            super().on_url(url)

        def on_header(self, name: bytes, value: bytes) -> None:
            self._count(len(name) + len(value) + 4)
            super().on_header(name, value)

        def on_headers_complete(self) -> None:
            self._body = True
            if len(self.url) <= MAX_PARSED_URL:
                super().on_headers_complete()
                return
            # httptools' URL parser stops at 64 KB (16-bit offsets), below gmg's limit for a
            # query sent by GET: past that, uvicorn is handed a stand-in and the scope the URL
            # itself, split here as uvicorn would.
            url, self.url = self.url, b"/"
            super().on_headers_complete()
            self.url = url
            if "path" in self.scope:  # (not an upgrade)
                target = urlsplit(url)  # origin-form or absolute-form
                raw_path = target.path or b"/"
                path = raw_path.decode("ascii")
                self.scope["path"] = self.root_path + (unquote(path) if "%" in path else path)
                self.scope["raw_path"] = self.root_path.encode("ascii") + raw_path
                self.scope["query_string"] = target.query

        def on_message_complete(self) -> None:
            self._body = False
            super().on_message_complete()

        def send_400_response(self, msg: str) -> None:
            if not self._refused:  # (the parser's error after a refusal above: answered already)
                super().send_400_response(msg)

    return GuardedHttpToolsProtocol
