"""The engine's pipe: pickled tuples over a socket pair, each behind its length.

The server reads its end on the event loop (`MessageReader`, an asyncio protocol), so an
answer reaches the waiting request without a reader thread: a thread blocked in recv()
must take the GIL back from the busy event loop for every message, and handing the message
over costs a wake-up of the loop besides (about a quarter of the server's time on small
answers). The engine reads and writes its end with blocking calls from its threads
(`Channel`).
"""

from __future__ import annotations

import asyncio
import logging
import pickle
import socket
import struct
import threading
from typing import Callable

LENGTH = struct.Struct("!Q")
log = logging.getLogger("gmg.engine")


def encode(message: tuple) -> bytes:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return LENGTH.pack(len(data)) + data


def socket_pair() -> tuple[socket.socket, socket.socket]:
    """(the server's end, the engine's end); the engine's is handed to its process as an argument."""
    return socket.socketpair()


class Channel:
    """The engine's end: send() from any thread, recv() from one."""

    def __init__(self, sock: socket.socket):
        sock.setblocking(True)
        self._sock = sock
        self._incoming = sock.makefile("rb")  # buffered: a message is usually one recv()
        self._send_lock = threading.Lock()

    def send(self, message: tuple) -> None:
        data = encode(message)
        with self._send_lock:
            self._sock.sendall(data)

    def recv(self) -> tuple:
        """The next message; EOFError when the server has closed its end."""
        (size,) = LENGTH.unpack(self._read(LENGTH.size))
        return pickle.loads(self._read(size))

    def _read(self, size: int) -> bytes:
        data = self._incoming.read(size)
        if len(data) < size:
            raise EOFError("the server closed the engine's pipe")
        return data

    def close(self) -> None:
        self._incoming.close()
        self._sock.close()


class MessageReader(asyncio.Protocol):
    """The server's end: each whole message goes to `on_message` as it arrives, in order,
    on the event loop; `on_gone` is called once when the engine's end closes."""

    def __init__(self, on_message: Callable[[tuple], None], on_gone: Callable[[], None]):
        self._on_message, self._on_gone = on_message, on_gone
        self._buffer = bytearray()
        self._outgoing: list[bytes] = []  # messages of this turn of the event loop, not yet written
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        messages, start, end = [], 0, len(buffer)
        with memoryview(buffer) as view:
            while end - start >= LENGTH.size:
                (size,) = LENGTH.unpack_from(view, start)
                if end - start - LENGTH.size < size:
                    break
                begin = start + LENGTH.size
                messages.append(pickle.loads(view[begin:begin + size]))
                start = begin + size
        del buffer[:start]
        for message in messages:
            try:
                self._on_message(message)
            except Exception:  # a fault in handling one message must not close the pipe (and the engine)
                log.exception("handling the engine's message %r failed", message[:2])

    def connection_lost(self, exc) -> None:
        self.transport = None
        self._on_gone()

    def send(self, message: tuple) -> bool:
        """Queue a message for the engine (never blocks); False if the pipe is closed.

        The messages of one turn of the event loop are written together at its end: one
        write, and one wake-up of the engine, for the queries of all the requests that
        turn began (each write to the pipe cost a fifth of the server's time on point queries).
        """
        if self.transport is None or self.transport.is_closing():
            return False
        self._outgoing.append(encode(message))
        if len(self._outgoing) == 1:
            asyncio.get_running_loop().call_soon(self._flush)
        return True

    def _flush(self) -> None:
        outgoing, self._outgoing = self._outgoing, []
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(b"".join(outgoing))

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()
