"""Durable file primitives: atomic replacement and fsynced append-only JSON lines."""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import orjson

from workflows.kernel.ports import StorageError


def write_atomically(path: Path, data: bytes, *, sync: bool = True) -> None:
    """Replace `path` with `data` so a crash leaves the old file or the new one, never a mix.

    The caller fsyncs the folder afterwards (once for several files) to make the rename durable.
    Without `sync`, a crash of the machine may leave the file empty or torn (for caches that
    check what they read).
    """
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        if sync:
            os.fsync(handle.fileno())
    os.replace(temporary, path)


def fsync_directory(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def read_json(path: Path) -> Any:
    """Parse a JSON file, or raise StorageError naming it: never guess at a damaged file."""
    try:
        return parsed(path.read_bytes())
    except (OSError, ValueError) as error:
        raise StorageError(f"{path} is unreadable ({error}); restore it from a backup") from None


def try_lock(folder: Path) -> IO[str] | None:
    """The data folder's lock, held until the handle is closed; None while another process
    holds it. The holder's process id is written in it, for `lock_holder`."""
    handle = open(folder / ".lock", "a+")  # noqa: SIM115 - held by the caller
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    handle.truncate(0)
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def lock_holder(folder: Path) -> int | None:
    """The id of the process holding the data folder's lock, or None when nobody holds it."""
    try:
        handle = open(folder / ".lock")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        return None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:  # held: the holder wrote its id
            text = handle.read().strip()
            return int(text) if text.isdigit() else None
        return None  # free (released when the handle closes)


class JsonLines:
    """An append-only file of JSON objects, one per line, each append fsynced.

    A crash can only leave a partial last line, from an append that was never acknowledged;
    opening the file cuts it off. A damaged line anywhere else is reported, not repaired.

    Lines may also be queued (`queue`) and written later by another thread (`write_queued`):
    a write is a system call, and the thread that makes it gives up the GIL until it gets it
    back, which takes milliseconds while other threads are busy. Whatever reads or syncs the
    file writes the queue first. Appends, queued or not, come from one thread at a time.
    """

    def __init__(
        self, path: Path, digest: Any = None, *, written_after: JsonLines | None = None
    ) -> None:
        """`digest`: a hashlib hash of the file's complete lines, kept going as lines are
        appended (see `digest()`). `written_after`: a file whose queued lines are written
        before this one's (a line here is never on disk before the line it follows there)."""
        self.path = path
        self._digest = digest
        self._queued: deque[bytes] = deque()  # appends and pops are atomic: no lock to take
        self._writing = threading.Lock()  # one thread uses the handle at a time
        self.written_after = written_after
        self._handle = open(path, "ab+")  # noqa: SIM115 - kept open for the store's lifetime
        self._cut_partial_tail()
        self._written = self._handle.seek(0, os.SEEK_END)  # on disk (in the kernel's hands)
        self._size = self._written  # with the queued lines
        tail = self.tail(1)
        self.last: dict[str, Any] | None = tail[0] if tail else None

    def append(
        self, records: list[dict[str, Any]], *, sync: bool = True, lines: bytes | None = None
    ) -> None:
        """Write `records` (after any queued) durably (with `sync`; without it they survive
        the process but not the machine's crash); on failure the file is left as it was.
        `lines`: the records already encoded, one line each (see `encoded_entry`)."""
        if not records:
            return
        data = lines if lines is not None else b"".join(_line(record) for record in records)
        with self._writing:
            self._write_queued()
            self._write(data, sync=sync)
        self._appended(data, records)

    def queue(self, records: list[dict[str, Any]], *, lines: bytes | None = None) -> None:
        """Append `records` without writing them: `write_queued` does, or whatever next reads
        or syncs the file. A process that dies meanwhile loses them (a caller that must not
        lose them syncs: see `written_descriptor`). `lines` as for `append`."""
        if not records:
            return
        data = lines if lines is not None else b"".join(_line(record) for record in records)
        self._queued.append(data)
        self._appended(data, records)

    def write_queued(self) -> None:
        """Write the queued lines (none is lost if that fails: they stay queued)."""
        with self._writing:
            self._write_queued()

    def written_descriptor(self) -> int | None:
        """A new descriptor of the file with every queued line written (the caller syncs and
        closes it), or None once the file is closed."""
        with self._writing:
            if self._handle.closed:
                return None
            self._write_queued()
            return os.dup(self._handle.fileno())

    def _write_queued(self) -> None:
        if not self._queued or self._handle.closed:
            return
        parts = []
        while self._queued:  # only this thread pops; others may append meanwhile
            parts.append(self._queued.popleft())
        try:
            if self.written_after is not None:
                self.written_after.write_queued()
            self._write(b"".join(parts), sync=False)
        except BaseException:
            self._queued.extendleft(reversed(parts))  # still first, in their order
            raise

    def _write(self, data: bytes, *, sync: bool) -> None:
        try:
            self._handle.write(data)
            self._handle.flush()
            if sync:
                os.fsync(self._handle.fileno())
        except OSError:
            self._handle.truncate(self._written)
            raise
        self._written += len(data)

    def _appended(self, data: bytes, records: list[dict[str, Any]]) -> None:
        self._size += len(data)
        if self._digest is not None:
            self._digest.update(data)
        self.last = records[-1]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        self.write_queued()
        with open(self.path, "rb") as reader:
            for number, line in enumerate(reader, start=1):
                yield self._parse(line, number)

    def chunk(self, offset: int, lines: int, first: int = 1) -> tuple[list[dict[str, Any]], int]:
        """Up to `lines` records starting at byte `offset` (line number `first`, for naming a
        damaged line), and the offset after them."""
        self.write_queued()
        with open(self.path, "rb") as reader:
            reader.seek(offset)
            records = []
            for number in range(first, first + lines):
                line = reader.readline()
                if not line.endswith(b"\n"):
                    break  # end of file, or an append still being written
                records.append(self._parse(line, number))
                offset += len(line)
        return records, offset

    def lines_from(self, offset: int, count: int) -> tuple[list[tuple[int, dict[str, Any]]], int]:
        """Up to `count` records from byte `offset`, each with the offset it starts at, and
        the offset after them."""
        self.write_queued()
        found = []
        with open(self.path, "rb") as reader:
            reader.seek(offset)
            for _ in range(count):
                line = reader.readline()
                if not line.endswith(b"\n"):
                    break  # end of file, or an append still being written
                found.append((offset, self._parse(line, None)))
                offset += len(line)
        return found, offset

    def lines_at(self, offsets: Sequence[int]) -> list[dict[str, Any]]:
        """The records starting at each of `offsets` (as `lines_from` gave them)."""
        self.write_queued()
        with open(self.path, "rb") as reader:
            found = []
            for offset in offsets:
                reader.seek(offset)
                found.append(self._parse(reader.readline(), None))
        return found

    def sync(self) -> None:
        """Make every line appended so far durable."""
        self.write_queued()
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def tail(self, count: int) -> list[dict[str, Any]]:
        """The last `count` records (fewer if the file is shorter), oldest first."""
        with self._writing:
            self._write_queued()
            size = self._handle.seek(0, os.SEEK_END)
            start = size
            for _ in range(count):
                if start == 0:
                    break
                start = self._end_of_last_complete_line(start - 1)
            self._handle.seek(start)
            lines = self._handle.read(size - start).splitlines()
        return [self._parse(line, None) for line in lines]

    def digest(self) -> str:
        """The SHA-256 of every line, as kept since the file was opened with a digest."""
        assert self._digest is not None, "opened without a digest"
        return str(self._digest.hexdigest())

    def size(self) -> int:
        """Bytes appended, queued lines included (known without asking the file system)."""
        return self._size

    def cut_to(self, size: int) -> None:
        """Drop whatever was appended after the file was `size` bytes long (durably)."""
        if self._size > size:
            with self._writing:
                self._write_queued()
                self._handle.truncate(size)
                self._written = self._size = size
            self.sync()
            tail = self.tail(1)
            self.last = tail[0] if tail else None

    def clear(self) -> None:
        with self._writing:
            self._queued.clear()
            self._handle.truncate(0)
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._written = self._size = 0
        self.last = None

    def close(self) -> None:
        """Write the queued lines, then close."""
        with self._writing:
            if not self._handle.closed:
                self._write_queued()
                self._handle.close()

    def _cut_partial_tail(self) -> None:
        size = self._handle.seek(0, os.SEEK_END)
        if size == 0:
            return
        self._handle.seek(max(0, size - 1))
        if self._handle.read(1) == b"\n":
            return
        end = self._end_of_last_complete_line(size)
        self._handle.truncate(end)
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def _end_of_last_complete_line(self, size: int) -> int:
        position = size
        while position > 0:
            start = max(0, position - 65536)
            self._handle.seek(start)
            chunk = self._handle.read(position - start)
            newline = chunk.rfind(b"\n")
            if newline >= 0:
                return start + newline + 1
            position = start
        return 0

    def _parse(self, line: bytes, number: int | None) -> dict[str, Any]:
        try:
            record = parsed(line)
        except ValueError:
            record = None
        if not isinstance(record, dict):
            where = f"line {number}" if number else "one of its last lines"
            raise StorageError(f"{self.path} is damaged at {where}; restore it from a backup")
        return record


def record_text(record: dict[str, Any]) -> str:
    """A record as the compact JSON text every file of the store keeps it in: the text
    `json.dumps(record, ensure_ascii=False, separators=(",", ":"))` makes, made by orjson, at
    a tenth of the cost (a form's records are encoded on every commit)."""
    return orjson.dumps(record).decode()


def parsed(text: str | bytes) -> Any:
    """JSON text as Python values, by orjson (about three times faster than `json`). What
    orjson refuses and `json` reads (a lone surrogate escaped, NaN) is read as before: an
    older version may have written it."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def _line(record: dict[str, Any]) -> bytes:
    return record_text(record).encode() + b"\n"
