"""A table spread over many small TinyDB files, so a write rewrites one small file.

Stock TinyDB rewrites its whole file on every change, so its cost grows with the data. Here
each record lives in one of a fixed number of bucket files chosen by a hash of its id; a write
rewrites only the buckets it touches, each atomically (temporary file, fsync, rename).

In memory each record is kept as its JSON text, decoded when it is read: a decoded record
takes several times the memory of its text, and a large district has years of them.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tinydb.queries import QueryLike
from tinydb.storages import Storage

from storage.files import fsync_directory, read_json, write_atomically

TABLE = "records"


class BufferedAtomicStorage(Storage):
    """A TinyDB storage keeping one bucket's records in memory as their JSON text, by TinyDB
    document id; `flush()` replaces the file atomically if it changed. The file is TinyDB's
    own JSON, so TinyDB can open any bucket (`read`/`write` are its storage interface)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.exists = path.exists()
        self.texts: dict[str, str] = {}
        self._loaded: list[tuple[str, dict[str, Any]]] = []
        if self.exists:
            for doc_id, record, text in _records_in(path):
                self.texts[doc_id] = text
                self._loaded.append((doc_id, record))
        self._dirty = False

    def take_loaded(self) -> list[tuple[str, dict[str, Any]]]:
        """The records as read from the file, decoded, once (for the table's indexes)."""
        loaded, self._loaded = self._loaded, []
        return loaded

    def read(self) -> dict[str, dict[str, Any]] | None:
        if not self.texts and not self.exists:
            return None
        return {TABLE: {doc_id: json.loads(text) for doc_id, text in self.texts.items()}}

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        self.texts = {doc_id: _text(record) for doc_id, record in data.get(TABLE, {}).items()}
        self._dirty = True

    def touch(self) -> None:
        """The records changed: the next flush writes them."""
        self._dirty = True

    def flush(self) -> bool:
        """Write the bucket if it changed; True when a file was written."""
        snapshot = self.snapshot()
        if snapshot is None:
            return False
        try:
            snapshot.write()
        except OSError:
            snapshot.failed()
            raise
        snapshot.written()
        return True

    def snapshot(self) -> BucketSnapshot | None:
        """The bucket as it is now, to be written (by any thread), if it changed since it was
        last written; it counts as written from now on, until it changes again."""
        if not self._dirty:
            return None
        self._dirty = False
        return BucketSnapshot(self, dict(self.texts))

    def close(self) -> None:
        return None


@dataclass(frozen=True)
class BucketSnapshot:
    """One bucket's records at a moment: `write` may run on another thread while the bucket
    changes; `written` or `failed` then run where the bucket is used."""

    bucket: BufferedAtomicStorage
    texts: dict[str, str]

    def write(self) -> None:
        records = ",".join(f"{json.dumps(key)}:{text}" for key, text in self.texts.items())
        write_atomically(self.bucket.path, f'{{"{TABLE}":{{{records}}}}}'.encode())

    def written(self) -> None:
        self.bucket.exists = True

    def failed(self) -> None:
        self.bucket.touch()  # written again next time


def write_snapshots(snapshots: Sequence[BucketSnapshot]) -> None:
    """Write each bucket file (atomically), then make their names durable."""
    for snapshot in snapshots:
        snapshot.write()
    for folder in {snapshot.bucket.path.parent for snapshot in snapshots}:
        fsync_directory(folder)


class BucketedTable:
    """Records keyed by their "id" field, spread over `count` TinyDB files in `folder`, each
    in the file its `bucket_key` (by default the id itself) hashes to.

    Each bucket's records are reached by their TinyDB document id, kept for every record id,
    so reading or writing one record costs the same however full its bucket is (TinyDB's own
    query look-ups and writes walk the whole bucket). With `indexes` (name -> the key, or keys,
    of a record), the table also keeps in-memory indexes from those keys to record ids, so
    looking records up by them does not walk every bucket; with `summary`, `summaries` holds
    what it makes of each record (records it makes None of left out), kept as they change.
    """

    def __init__(
        self,
        folder: Path,
        name: str,
        count: int,
        indexes: dict[str, Callable[[dict[str, Any]], str | tuple[str, ...]]] | None = None,
        bucket_key: Callable[[str], str] = lambda record_id: record_id,
        summary: Callable[[dict[str, Any]], Any] | None = None,
    ) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._bucket_key = bucket_key
        self._keys = indexes or {}
        self._indexes: dict[str, dict[str, set[str]]] = {name: {} for name in self._keys}
        self._summary = summary
        self.summaries: dict[str, Any] = {}
        self._buckets = []
        # Per bucket: record id -> TinyDB document id, and the next document id to give.
        self._doc_ids: list[dict[str, str]] = []
        self._next_doc_id: list[int] = []
        for index in range(count):
            bucket = BufferedAtomicStorage(folder / f"{name}-{index:03d}.json")
            ids = {}
            for doc_id, record in bucket.take_loaded():
                ids[str(record["id"])] = doc_id
                self._add(record)
            self._buckets.append(bucket)
            self._doc_ids.append(ids)
            self._next_doc_id.append(max(map(int, bucket.texts), default=0) + 1)

    def by_index(self, index: str, key: str) -> list[dict[str, Any]]:
        """The records whose `index` key is `key`."""
        ids = sorted(self._indexes[index].get(key, ()))
        found = (self.get(record_id) for record_id in ids)
        return [record for record in found if record is not None]

    def _add(self, record: dict[str, Any]) -> None:
        record_id = str(record["id"])
        for name, key in self._keys.items():
            for each in _as_keys(key(record)):
                self._indexes[name].setdefault(each, set()).add(record_id)
        if self._summary is not None:
            summary = self._summary(record)
            if summary is None:
                self.summaries.pop(record_id, None)
            else:
                self.summaries[record_id] = summary

    def _remove(self, record: dict[str, Any]) -> None:
        record_id = str(record["id"])
        for name, key in self._keys.items():
            for each in _as_keys(key(record)):
                self._indexes[name].get(each, set()).discard(record_id)
        self.summaries.pop(record_id, None)

    def get(self, record_id: str) -> dict[str, Any] | None:
        index = self._bucket(record_id)
        doc_id = self._doc_ids[index].get(record_id)
        return None if doc_id is None else _decoded(self._buckets[index].texts[doc_id])

    def __len__(self) -> int:
        return sum(len(ids) for ids in self._doc_ids)

    def search(self, condition: QueryLike | None) -> Iterator[dict[str, Any]]:
        """Every record `condition` (a TinyDB query) holds for, or every record."""
        for bucket in self._buckets:
            for text in list(bucket.texts.values()):
                record = _decoded(text)
                if condition is None or condition(record):
                    yield record

    def upsert(self, records: Iterable[dict[str, Any]]) -> None:
        """Change records in memory; `flush()` makes it durable."""
        for record in records:
            record_id = str(record["id"])
            index = self._bucket(record_id)
            doc_id = self._doc_ids[index].get(record_id)
            if doc_id is None:
                doc_id = str(self._next_doc_id[index])
                self._next_doc_id[index] += 1
                self._doc_ids[index][record_id] = doc_id
            elif self._keys or self._summary:
                self._remove(_decoded(self._buckets[index].texts[doc_id]))
            self._add(record)
            self._buckets[index].texts[doc_id] = _text(record)
            self._buckets[index].touch()

    def remove(self, record_ids: Iterable[str]) -> None:
        """Drop records from memory; `flush()` drops them from their files."""
        for record_id in record_ids:
            index = self._bucket(record_id)
            doc_id = self._doc_ids[index].pop(record_id, None)
            if doc_id is None:
                continue
            text = self._buckets[index].texts.pop(doc_id)
            if self._keys or self._summary:
                self._remove(_decoded(text))
            self._buckets[index].touch()

    def flush(self) -> int:
        """Write every bucket changed since the last flush; returns how many were written."""
        return sum(bucket.flush() for bucket in self._buckets)

    def snapshot(self) -> list[BucketSnapshot]:
        """Every bucket changed since it was last written, as it is now (see `flush`)."""
        return [found for bucket in self._buckets if (found := bucket.snapshot()) is not None]

    def files(self) -> set[str]:
        """The names of this table's bucket files that exist (written at least once)."""
        return {bucket.path.name for bucket in self._buckets if bucket.exists}

    def _bucket(self, record_id: str) -> int:
        key = self._bucket_key(record_id)
        return zlib.crc32(key.encode()) % len(self._buckets)


_DECODER = json.JSONDecoder()


def _records_in(path: Path) -> list[tuple[str, dict[str, Any], str]]:
    """(document id, record, its JSON text) of each record in a bucket file. The file as this
    module writes it is split record by record as it is decoded, so each record's text is the
    file's own; any other layout TinyDB accepts is decoded whole and each record encoded."""
    try:
        text = path.read_bytes().decode()
    except UnicodeDecodeError:
        text = ""  # damaged: read_json below names the file
    opening, closing = f'{{"{TABLE}":{{', "}}"
    if text.startswith(opening) and text.endswith(closing):
        try:
            return _split(text, len(opening), len(text) - len(closing))
        except (ValueError, IndexError):
            pass  # not laid out as expected: decoded whole below
    data = read_json(path)
    records = data.get(TABLE, {}) if isinstance(data, dict) else {}
    return [(str(key), record, _text(record)) for key, record in records.items()]


def _split(text: str, position: int, end: int) -> list[tuple[str, dict[str, Any], str]]:
    found: list[tuple[str, dict[str, Any], str]] = []
    decode = _DECODER.raw_decode
    while position < end:
        key, position = decode(text, position)
        if text[position] != ":":
            raise ValueError("expected ':'")
        record, after = decode(text, position + 1)
        if not isinstance(key, str) or not isinstance(record, dict):
            raise ValueError("not a TinyDB document")
        found.append((key, record, text[position + 1 : after]))
        position = after
        if position < end:
            if text[position] != ",":
                raise ValueError("expected ','")
            position += 1
    return found


def _decoded(text: str) -> dict[str, Any]:
    record = json.loads(text)
    assert isinstance(record, dict)
    return record


def _text(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def _as_keys(found: str | tuple[str, ...]) -> tuple[str, ...]:
    return (found,) if isinstance(found, str) else found
