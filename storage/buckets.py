"""A table spread over many small TinyDB files, so a write rewrites one small file.

Stock TinyDB rewrites its whole file on every change, so its cost grows with the data. Here
each record lives in one of a fixed number of bucket files chosen by a hash of its id; a write
rewrites only the buckets it touches, each atomically (temporary file, fsync, rename).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from tinydb import Query, TinyDB
from tinydb.queries import QueryLike
from tinydb.storages import Storage

from storage.files import read_json, write_atomically

TABLE = "records"


class BufferedAtomicStorage(Storage):
    """Keeps the bucket in memory; `flush()` replaces the file atomically if it changed."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self.path = path
        self.exists = path.exists()
        self._data: dict[str, dict[str, Any]] | None = read_json(path) if self.exists else None
        self._dirty = False

    def read(self) -> dict[str, dict[str, Any]] | None:
        return self._data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        self._data = data
        self._dirty = True

    def flush(self) -> bool:
        """Write the bucket if it changed; True when a file was written."""
        if not self._dirty:
            return False
        payload = json.dumps(self._data, ensure_ascii=False, separators=(",", ":"))
        write_atomically(self._path, payload.encode())
        self._dirty = False
        self.exists = True
        return True

    def close(self) -> None:
        return None


class BucketedTable:
    """Records keyed by their "id" field, spread over `count` TinyDB files in `folder`, each
    in the file its `bucket_key` (by default the id itself) hashes to.

    With `indexes` (name -> the key, or keys, of a record), the table also keeps in-memory
    indexes from those keys to record ids, so looking records up by them does not walk every
    bucket.
    """

    def __init__(
        self,
        folder: Path,
        name: str,
        count: int,
        indexes: dict[str, Callable[[dict[str, Any]], str | tuple[str, ...]]] | None = None,
        bucket_key: Callable[[str], str] = lambda record_id: record_id,
    ) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._bucket_key = bucket_key
        self._databases = [
            TinyDB(folder / f"{name}-{index:03d}.json", storage=BufferedAtomicStorage)
            for index in range(count)
        ]
        self._keys = indexes or {}
        self._indexes: dict[str, dict[str, set[str]]] = {name: {} for name in self._keys}
        for record in self.search(None) if self._keys else ():
            self._add(record)

    def by_index(self, index: str, key: str) -> list[dict[str, Any]]:
        """The records whose `index` key is `key`."""
        ids = sorted(self._indexes[index].get(key, ()))
        found = (self.get(record_id) for record_id in ids)
        return [record for record in found if record is not None]

    def _add(self, record: dict[str, Any]) -> None:
        for name, key in self._keys.items():
            for each in _as_keys(key(record)):
                self._indexes[name].setdefault(each, set()).add(str(record["id"]))

    def _remove(self, record: dict[str, Any]) -> None:
        for name, key in self._keys.items():
            for each in _as_keys(key(record)):
                self._indexes[name].get(each, set()).discard(str(record["id"]))

    def get(self, record_id: str) -> dict[str, Any] | None:
        found = self._database(record_id).table(TABLE).get(Query().id == record_id)
        return dict(found) if isinstance(found, dict) else None

    def search(self, condition: QueryLike | None) -> Iterator[dict[str, Any]]:
        for database in self._databases:
            table = database.table(TABLE)
            yield from table.search(condition) if condition is not None else table.all()

    def upsert(self, records: Iterable[dict[str, Any]]) -> None:
        """Change records in memory; `flush()` makes it durable."""
        for record in records:
            if self._keys:
                old = self.get(record["id"])
                if old is not None:
                    self._remove(old)
                self._add(record)
            self._database(record["id"]).table(TABLE).upsert(record, Query().id == record["id"])

    def flush(self) -> int:
        """Write every bucket changed since the last flush; returns how many were written."""
        return sum(self._storage(database).flush() for database in self._databases)

    def files(self) -> set[str]:
        """The names of this table's bucket files that exist (written at least once)."""
        return {
            storage.path.name
            for storage in (self._storage(database) for database in self._databases)
            if storage.exists
        }

    def _database(self, record_id: str) -> TinyDB:
        key = self._bucket_key(record_id)
        return self._databases[zlib.crc32(key.encode()) % len(self._databases)]

    @staticmethod
    def _storage(database: TinyDB) -> BufferedAtomicStorage:
        storage = database.storage
        assert isinstance(storage, BufferedAtomicStorage)
        return storage


def _as_keys(found: str | tuple[str, ...]) -> tuple[str, ...]:
    return (found,) if isinstance(found, str) else found
