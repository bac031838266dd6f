"""A TinyDB data folder read a part at a time, without loading it: what `migrate-data` copies.

Opening a folder as the bot does loads every record and builds the indexes (270 MB at 50,000
pages with their history), which a copy does not need: it reads each record once. So a folder
the bot closed cleanly is read file by file, one bucket or a thousand log lines at a time, and
the copy's memory stays the same whatever the folder's size. A folder that still has commits
in its journal (the bot stopped without closing it) or that an older version wrote is first
opened and closed as the bot would, which finishes or upgrades it, then read the same way.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO, Any, TypeVar

from storage.buckets import records_in_file
from storage.codec import from_dict
from storage.files import JsonLines, read_json
from storage.integrity import check_folder
from storage.tinydb_store import AUDIT_CHUNK, FORMAT, lock_folder, open_once
from workflows.kernel.messages import OutboxEntry
from workflows.kernel.model import Acknowledgement, AuditEntry, Away, Page, PageRequest
from workflows.kernel.ports import StorageError

T = TypeVar("T")


class FolderReader:
    """The records of a closed data folder, each kind a part at a time; holds the folder's
    lock (no bot may use it meanwhile) until `close`."""

    def __init__(self, folder: Path, lock: IO[str], buckets: int) -> None:
        self.folder = folder
        self._lock = lock
        self._buckets = buckets

    @classmethod
    async def open(cls, folder: Path) -> FolderReader:
        """StorageError when the folder is in use, damaged, or not a data folder."""
        if not _closed_cleanly(folder):
            await asyncio.to_thread(open_once, folder)
        lock = lock_folder(folder)
        try:
            await asyncio.to_thread(check_folder, folder)  # damage is refused, as at a start
            if not _closed_cleanly(folder):
                raise StorageError(f"{folder} was used by a bot while it was being read; try again")
            meta = read_json(folder / "meta.json")
            return cls(folder, lock, int(meta["buckets"]))
        except BaseException:
            lock.close()
            raise

    def close(self) -> None:
        self._lock.close()

    def requests(self) -> AsyncIterator[list[PageRequest]]:
        return _decoded(PageRequest, self._table("requests"))

    def pages(self) -> AsyncIterator[list[Page]]:
        return _decoded(Page, self._table("pages"))

    def audit(self) -> AsyncIterator[list[AuditEntry]]:
        """The audit trail in its order."""
        return _decoded(AuditEntry, self._log("audit.jsonl"))

    async def outbox(self) -> AsyncIterator[list[OutboxEntry]]:
        """Every message: settled ones (the oldest first), then those waiting or given up."""
        for parts in (self._log("settled.jsonl"), self._table("outbox")):
            async for entries in _decoded(OutboxEntry, parts):
                yield entries

    async def acknowledgements(self) -> list[Acknowledgement]:
        return await self._all("acknowledgements", Acknowledgement)

    async def aways(self) -> list[Away]:
        return await self._all("aways", Away)

    async def message_handles(self) -> AsyncIterator[list[tuple[str, str]]]:
        async for records in self._table("messages"):
            yield [(str(record["id"]), str(record["handle"])) for record in records]

    async def _all(self, table: str, kind: type[T]) -> list[T]:
        return [each async for part in _decoded(kind, self._table(table)) for each in part]

    async def _table(self, name: str) -> AsyncIterator[list[dict[str, Any]]]:
        for index in range(self._buckets):
            path = self.folder / "tables" / f"{name}-{index:03d}.json"
            records = await asyncio.to_thread(records_in_file, path)
            if records:
                yield records

    async def _log(self, name: str) -> AsyncIterator[list[dict[str, Any]]]:
        path = self.folder / name
        if not path.exists():
            return
        lines = JsonLines(path)
        try:
            offset, read = 0, 0
            while True:
                records, offset = await asyncio.to_thread(
                    lines.chunk, offset, AUDIT_CHUNK, read + 1
                )
                if not records:
                    return
                read += len(records)
                yield records
        finally:
            lines.close()


async def _decoded(
    kind: type[T], parts: AsyncIterator[list[dict[str, Any]]]
) -> AsyncIterator[list[T]]:
    async for records in parts:
        yield [from_dict(kind, record) for record in records]


def _closed_cleanly(folder: Path) -> bool:
    """The folder is of this version's format and its journal holds only where it began (the
    bot writes every table and empties the journal when it closes the folder)."""
    meta = folder / "meta.json"
    journal = folder / "journal.jsonl"
    if not (meta.is_file() and journal.is_file()):
        return False
    found = read_json(meta)
    if not isinstance(found, dict) or found.get("format") != FORMAT:
        return False
    with open(journal, "rb") as reader:
        first, rest = reader.readline(), reader.read(1)
    try:
        line = json.loads(first)
    except ValueError:
        return False  # not a journal this version wrote: opening it says what is wrong
    return not rest and isinstance(line, dict) and "head" in line
