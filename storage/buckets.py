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

from tinydb.queries import QueryLike
from tinydb.storages import Storage

from storage.files import read_json, write_atomically

TABLE = "records"


class BufferedAtomicStorage(Storage):
    """A TinyDB storage keeping the bucket in memory; `flush()` replaces the file atomically
    if it changed. The file is TinyDB's own JSON, so TinyDB can open any bucket."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.exists = path.exists()
        self._data: dict[str, dict[str, Any]] | None = read_json(path) if self.exists else None
        self._dirty = False

    def read(self) -> dict[str, dict[str, Any]] | None:
        return self._data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        self._data = data
        self._dirty = True

    def records(self) -> dict[str, Any]:
        """The bucket's records by TinyDB document id, to change in place (then `touch`)."""
        if self._data is None:
            self._data = {}
        return self._data.setdefault(TABLE, {})

    def touch(self) -> None:
        """The records changed: the next flush writes them."""
        self._dirty = True

    def flush(self) -> bool:
        """Write the bucket if it changed; True when a file was written."""
        if not self._dirty:
            return False
        payload = json.dumps(self._data, ensure_ascii=False, separators=(",", ":"))
        write_atomically(self.path, payload.encode())
        self._dirty = False
        self.exists = True
        return True

    def close(self) -> None:
        return None


class BucketedTable:
    """Records keyed by their "id" field, spread over `count` TinyDB files in `folder`, each
    in the file its `bucket_key` (by default the id itself) hashes to.

    Each bucket's records are reached by their TinyDB document id, kept for every record id,
    so reading or writing one record costs the same however full its bucket is (TinyDB's own
    query look-ups and writes walk the whole bucket). With `indexes` (name -> the key, or keys,
    of a record), the table also keeps in-memory indexes from those keys to record ids, so
    looking records up by them does not walk every bucket.
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
        self._buckets = [
            BufferedAtomicStorage(folder / f"{name}-{index:03d}.json") for index in range(count)
        ]
        # Per bucket: record id -> TinyDB document id, and the next document id to give.
        self._doc_ids: list[dict[str, str]] = []
        self._next_doc_id: list[int] = []
        for bucket in self._buckets:
            records = bucket.records()
            self._doc_ids.append({str(record["id"]): key for key, record in records.items()})
            self._next_doc_id.append(max(map(int, records), default=0) + 1)
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
        index = self._bucket(record_id)
        doc_id = self._doc_ids[index].get(record_id)
        return None if doc_id is None else dict(self._buckets[index].records()[doc_id])

    def __len__(self) -> int:
        return sum(len(ids) for ids in self._doc_ids)

    def search(self, condition: QueryLike | None) -> Iterator[dict[str, Any]]:
        """Every record `condition` (a TinyDB query) holds for, or every record."""
        for bucket in self._buckets:
            for record in list(bucket.records().values()):
                if condition is None or condition(record):
                    yield record

    def upsert(self, records: Iterable[dict[str, Any]]) -> None:
        """Change records in memory; `flush()` makes it durable."""
        for record in records:
            record_id = str(record["id"])
            if self._keys:
                old = self.get(record_id)
                if old is not None:
                    self._remove(old)
                self._add(record)
            index = self._bucket(record_id)
            doc_id = self._doc_ids[index].get(record_id)
            if doc_id is None:
                doc_id = str(self._next_doc_id[index])
                self._next_doc_id[index] += 1
                self._doc_ids[index][record_id] = doc_id
            self._buckets[index].records()[doc_id] = record
            self._buckets[index].touch()

    def remove(self, record_ids: Iterable[str]) -> None:
        """Drop records from memory; `flush()` drops them from their files."""
        for record_id in record_ids:
            index = self._bucket(record_id)
            doc_id = self._doc_ids[index].pop(record_id, None)
            if doc_id is None:
                continue
            record = self._buckets[index].records().pop(doc_id)
            if self._keys:
                self._remove(record)
            self._buckets[index].touch()

    def flush(self) -> int:
        """Write every bucket changed since the last flush; returns how many were written."""
        return sum(bucket.flush() for bucket in self._buckets)

    def files(self) -> set[str]:
        """The names of this table's bucket files that exist (written at least once)."""
        return {bucket.path.name for bucket in self._buckets if bucket.exists}

    def _bucket(self, record_id: str) -> int:
        key = self._bucket_key(record_id)
        return zlib.crc32(key.encode()) % len(self._buckets)


def _as_keys(found: str | tuple[str, ...]) -> tuple[str, ...]:
    return (found,) if isinstance(found, str) else found
