"""The journal: the order of record of accepted updates, and alone enough to recover them.

One JSON line per accepted update, numbered 1, 2, 3 … (`seq`) and checksummed.
An entry is written and fsynced *before* the store applies the update, and the
store records the sequence number of the last entry it applied in the same
transaction as the update itself (see `sequence_marker`). So after any crash:

- the journal holds every acknowledged update (the 2xx is sent after the fsync);
- the store is at some entry S <= the journal's last entry J, never half-way
  through one; a start replays S+1 … J, or rebuilds and replays everything when
  the store is lost or damaged.

A last line without its newline is a torn write that was never acknowledged: it
is dropped with a warning. Any other damage refuses the start, naming the file
and the line, because silently skipping an entry would lose an acknowledged update.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

from .iris import BASE, METADATA_GRAPH

log = logging.getLogger("gmg.journal")

JOURNAL = "journal.jsonl"  # beside the store's RocksDB folder, never inside it

# where the store keeps the number of the last journal entry it applied
SEQUENCE_SUBJECT = BASE + "journal"
SEQUENCE_PREDICATE = BASE + "journal#appliedSequence"


class JournalCorrupt(Exception):
    """The journal is damaged somewhere other than a torn last line: the start is refused."""


class JournalWriteError(Exception):
    """An entry could not be made durable; nothing of it is left in the journal."""

    def __init__(self, message: str, errno: int | None):
        super().__init__(message)
        self.errno = errno


@dataclass
class JournalEntry:
    update: str
    base_iri: str | None
    time: float
    seq: int = 0
    digest: str | None = None  # the source files the update was validated against

    def fields(self) -> dict:
        return {"seq": self.seq, "update": self.update, "base_iri": self.base_iri, "time": self.time,
                "digest": self.digest}

    def to_json(self) -> str:
        body = self.fields()
        body["crc"] = _crc(body)
        return json.dumps(body, ensure_ascii=False)


def _crc(fields: dict) -> int:
    return zlib.crc32(json.dumps(fields, sort_keys=True, ensure_ascii=False).encode("utf-8"))


class Journal:
    """The accepted updates, in order. On disk, or (no --store) in the server's memory."""

    def __init__(self, path: Path | None = None):
        self.path = path
        self._entries: list[JournalEntry] = []
        self.dropped_torn_bytes = 0  # a torn last write removed at start
        self.write_error: str | None = None  # the last append that failed, until one succeeds
        if path is not None and path.exists():
            self._entries, good_length, torn = read_entries(path)
            if torn:
                self.dropped_torn_bytes = torn
                log.warning("%s: dropped a torn last line (%d bytes, never acknowledged)", path, torn)
                with open(path, "r+b") as f:
                    f.truncate(good_length)
                    os.fsync(f.fileno())

    @property
    def last_seq(self) -> int:
        return self._entries[-1].seq if self._entries else 0

    def append(self, update: str, base_iri: str | None, digest: str | None = None) -> JournalEntry:
        """Add an entry and make it durable; on failure the file is as it was (JournalWriteError)."""
        entry = JournalEntry(update, base_iri, time.time(), self.last_seq + 1, digest)
        if self.path is not None:
            self._write(entry)
        self._entries.append(entry)
        self.write_error = None
        return entry

    def _write(self, entry: JournalEntry) -> None:
        from . import faults

        data = (entry.to_json() + "\n").encode("utf-8")
        try:
            if faults.read_only():
                raise OSError(errno.EROFS, "Read-only file system (injected)")
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        except OSError as err:
            self.write_error = f"cannot open {self.path.name}: {err.strerror}"
            raise JournalWriteError(self.write_error, err.errno) from err
        try:
            start = os.fstat(fd).st_size
            try:
                faults.io_error("journal-write")
                written = 0
                while written < len(data):
                    written += os.write(fd, data[written:])
                os.fsync(fd)
            except OSError as err:
                self.write_error = f"cannot write {self.path.name}: {err.strerror}"
                self._cut(fd, start)
                raise JournalWriteError(self.write_error, err.errno) from err
        finally:
            os.close(fd)

    def probe(self, size: int = 4096) -> bool:
        """Whether an append would succeed now; if so, the last failure is cleared.

        The journal is opened for appending (nothing written), and `size` bytes are
        written, fsynced and removed in a file beside it: the same disk, folder and
        permissions as an entry of that size. So /health reports a failed write only
        while its cause lasts, not until the next update happens to succeed.
        """
        from . import faults

        if self.path is None or self.write_error is None:
            return True
        probe = self.path.with_name(self.path.name + ".probe")
        try:
            if faults.read_only():
                raise OSError(errno.EROFS, "Read-only file system (injected)")
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644))
            fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            try:
                faults.io_error("journal-write")
                written = 0
                while written < size:
                    written += os.write(fd, b"\0" * (size - written))
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as err:
            log.debug("%s: still cannot be written: %s", self.path, err)
            return False
        finally:
            try:
                probe.unlink(missing_ok=True)
            except OSError:
                pass
        log.info("%s can be written again (the failed write: %s)", self.path, self.write_error)
        self.write_error = None
        return True

    def _cut(self, fd: int, length: int) -> None:
        """Remove the bytes of a failed append (a partial line would corrupt the next one)."""
        try:
            os.ftruncate(fd, length)
            os.fsync(fd)
        except OSError as err:  # the start will find the torn line and drop it
            log.error("%s: could not remove a failed write: %s", self.path, err)

    def remove_last(self, entry: JournalEntry) -> bool:
        """Take back the last entry (the store could not apply it); True when it is gone for good."""
        if not self._entries or self._entries[-1] is not entry:
            return False
        if self.path is not None:
            length = self.path.stat().st_size - len((entry.to_json() + "\n").encode("utf-8"))
            try:
                with open(self.path, "r+b") as f:
                    f.truncate(length)
                    os.fsync(f.fileno())
            except OSError as err:
                log.error("%s: could not take back entry %d: %s", self.path, entry.seq, err)
                return False
        self._entries.pop()
        return True

    def entries(self) -> list[JournalEntry]:
        return list(self._entries)

    def after(self, seq: int) -> list[JournalEntry]:
        return [e for e in self._entries if e.seq > seq]

    def __len__(self) -> int:
        return len(self._entries)


def read_entries(path: Path) -> tuple[list[JournalEntry], int, int]:
    """The entries of a journal file, the length of its good part, and the size of a torn tail."""
    data = path.read_bytes()
    lines = data.split(b"\n")
    tail = lines.pop()  # after the last newline: empty, or a torn write
    entries: list[JournalEntry] = []
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        entry = _parse(path, number, raw, len(entries) + 1)
        entries.append(entry)
    return entries, len(data) - len(tail), len(tail)


def _parse(path: Path, number: int, raw: bytes, expected_seq: int) -> JournalEntry:
    def corrupt(what: str) -> JournalCorrupt:
        return JournalCorrupt(
            f"The update journal {path} is damaged at line {number}: {what}. Every line holds an "
            "acknowledged update, so the server will not start without it. Restore the file from a "
            f"backup; or, to give up the updates from line {number} on, cut the file before that line "
            "and delete the store's oxigraph/ folder so that it is rebuilt from the sources and the journal.")

    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise corrupt(f"not a JSON line ({err})") from None
    if not isinstance(body, dict) or not isinstance(body.get("update"), str):
        raise corrupt("not a journal entry")
    if "crc" in body:
        crc = body.pop("crc")
        if crc != _crc(body):
            raise corrupt("the checksum does not match the content")
        if body.get("seq") != expected_seq:
            raise corrupt(f"entry number {body.get('seq')!r} where {expected_seq} was expected")
    # (entries written before numbering are numbered by their position)
    return JournalEntry(body["update"], body.get("base_iri"), body.get("time", 0.0), expected_seq,
                        body.get("digest"))


def sequence_marker(seq: int) -> str:
    """SPARQL update operations that record `seq` as the store's last applied entry."""
    graph, s, p = str(METADATA_GRAPH), SEQUENCE_SUBJECT, SEQUENCE_PREDICATE
    return (f"DELETE WHERE {{ GRAPH <{graph}> {{ <{s}> <{p}> ?seq }} }} ;\n"
            f"INSERT DATA {{ GRAPH <{graph}> {{ <{s}> <{p}> {int(seq)} }} }}")


def sequence_query() -> str:
    return f"SELECT ?seq WHERE {{ GRAPH <{METADATA_GRAPH}> {{ <{SEQUENCE_SUBJECT}> <{SEQUENCE_PREDICATE}> ?seq }} }}"
