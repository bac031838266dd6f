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
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from tinydb.queries import QueryLike
from tinydb.storages import Storage

from storage.bucket_keys import TABLE, Derived, KeyFile, Span, as_kept, laid_out, read_keys
from storage.files import fsync_directory, parsed, read_json, record_text, write_atomically


class BufferedAtomicStorage(Storage):
    """A TinyDB storage keeping one bucket's records in memory as their JSON text, by TinyDB
    document id, with what the table derives from each (`derived`: see bucket_keys); `flush()`
    replaces the file atomically if it changed. The file is TinyDB's own JSON, so TinyDB can
    open any bucket (`read`/`write` are its storage interface)."""

    def __init__(self, path: Path, derive: Callable[[dict[str, Any]], Derived], code: str) -> None:
        self.path = path
        self.exists = path.exists()
        self.texts: dict[str, str] = {}
        self.derived: dict[str, Derived] = {}
        # Read without a usable key file: the one to write for it (see `key_file`).
        self._unkeyed: tuple[int, int, list[Span]] | None = None  # CRC-32, size, places
        self._derive = derive
        self._code = code
        if self.exists:
            self._load()
        self._dirty = False
        # The dicts are a snapshot's too (see `snapshot`): copied before they next change.
        self._shared = False

    def _load(self) -> None:
        data = self.path.read_bytes()
        try:
            text = data.decode()
        except UnicodeDecodeError:
            text = ""  # damaged: read_json below names the file
        kept = read_keys(self.path, data, self._code)
        if kept is not None and text:
            for (doc_id, start, end), derived in kept:
                self.texts[doc_id] = text[start:end]
                self.derived[doc_id] = derived
            return
        records, spans = _records_in(self.path, text)
        for doc_id, record, text_of_record in records:
            self.texts[doc_id] = text_of_record
            self.derived[doc_id] = self._derive(record)
        if spans is not None:
            self._unkeyed = (zlib.crc32(data), len(data), spans)

    def key_file(self) -> KeyFile | None:
        """The key file to write for a bucket read without one, while it holds what its file
        holds (once changed, it is written with its keys)."""
        if self._unkeyed is None or self._dirty:
            return None
        (crc, size, spans), self._unkeyed = self._unkeyed, None
        return KeyFile(self.path, crc, size, spans, dict(self.derived), self._code)

    def read(self) -> dict[str, dict[str, Any]] | None:
        if not self.texts and not self.exists:
            return None
        return {TABLE: {doc_id: parsed(text) for doc_id, text in self.texts.items()}}

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        records = data.get(TABLE, {})
        self.texts = {doc_id: record_text(record) for doc_id, record in records.items()}
        self.derived = {doc_id: self._derive(record) for doc_id, record in records.items()}
        self._shared = False
        self._dirty = True

    def put(self, doc_id: str, text: str, derived: Derived) -> None:
        """Keep a record's text and what was derived from it under `doc_id`."""
        self._own()
        self.texts[doc_id] = text
        self.derived[doc_id] = derived
        self._dirty = True

    def drop(self, doc_id: str) -> Derived:
        """Forget the record under `doc_id`; returns what was derived from it."""
        self._own()
        del self.texts[doc_id]
        self._dirty = True
        return self.derived.pop(doc_id)

    def _own(self) -> None:
        if self._shared:
            self.texts, self.derived = dict(self.texts), dict(self.derived)
            self._shared = False

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
        self._unkeyed = None  # written with its keys
        # Shared, not copied: a checkpoint takes every changed bucket at once (copying them
        # all held the store's thread 10-18 ms at 50,000 pages); a bucket changed meanwhile
        # copies its own first (see `_own`).
        self._shared = True
        return BucketSnapshot(self, self.texts, self.derived, self._code)

    def close(self) -> None:
        return None


@dataclass(frozen=True)
class BucketSnapshot:
    """One bucket's records at a moment: `write` may run on another thread while the bucket
    changes; `written` or `failed` then run where the bucket is used."""

    bucket: BufferedAtomicStorage
    texts: dict[str, str]
    derived: dict[str, Derived]
    code: str

    def write(self) -> None:
        data, spans = laid_out(self.texts)
        write_atomically(self.bucket.path, data)
        KeyFile.of(self.bucket.path, data, spans, self.derived, self.code).write()

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


K = TypeVar("K")
V = TypeVar("V")


class LastingDict(dict[K, V]):
    """A dict for what lives as long as the table: the garbage collector tracks it from the
    start, so the freeze that follows start-up (see bot/bootstrap.py) keeps it out of full
    collections for good.

    Full collections stop the event loop and walk every dict they track, entry by entry. A
    plain dict is tracked only once it holds a container (and again after each new one), so
    one that began empty, or changes, was walked whole: ten thousand flows in, the indexes,
    the pages' summaries and the heaps of pages due had each full collection take 11-16 ms,
    not 5-11.
    """

    __slots__ = ()


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
        code: str = "",
    ) -> None:
        """`summary` must make JSON values of lists, numbers, strings and booleans (lists are
        kept as tuples); `code` fingerprints the code of `indexes` and `summary` (see
        bucket_keys: a key file written under another fingerprint is not used)."""
        folder.mkdir(parents=True, exist_ok=True)
        self._bucket_key = bucket_key
        self._keys = indexes or {}
        # Key -> the one record id with it, or two or more as the keys of a dict: neither is
        # walked by a collection, where a set is (one per page name and address, and every
        # approved request in one, were most of the walk).
        self._indexes: dict[str, LastingDict[str, str | dict[str, None]]] = {
            name: LastingDict() for name in self._keys
        }
        self._summary = summary
        self.summaries: LastingDict[str, Any] = LastingDict()
        self._buckets = []
        # Per bucket: record id -> TinyDB document id, and the next document id to give.
        self._doc_ids: list[dict[str, str]] = []
        self._next_doc_id: list[int] = []
        self._records = 0  # kept as they change: a table is counted often, e.g. aways each form
        code = f"{code}:{name}:{','.join(self._keys)}:{summary is not None}"
        for index in range(count):
            bucket = BufferedAtomicStorage(folder / f"{name}-{index:03d}.json", self._derive, code)
            ids = {}
            for doc_id, derived in bucket.derived.items():
                ids[derived[0]] = doc_id
                self._add(derived)
            self._buckets.append(bucket)
            self._doc_ids.append(ids)
            self._records += len(ids)
            self._next_doc_id.append(max(map(int, bucket.texts), default=0) + 1)

    def by_index(self, index: str, key: str) -> list[dict[str, Any]]:
        """The records whose `index` key is `key`."""
        return [_decoded(text) for text in self.texts_by_index(index, key)]

    def texts_by_index(self, index: str, key: str) -> list[str]:
        """The records whose `index` key is `key`, as stored (JSON text)."""
        found = (self._stored(record_id) for record_id in sorted(self._ids(index, key)))
        return [text for text in found if text is not None]

    def summaries_by_index(self, index: str, key: str) -> list[Any]:
        """The summaries of the records whose `index` key is `key`, in no order."""
        return [self.summaries[record_id] for record_id in self._ids(index, key)]

    def indexed(self, index: str, key: str) -> int:
        """How many records have `key` as their `index` key."""
        return len(self._ids(index, key))

    def _ids(self, index: str, key: str) -> Collection[str]:
        found = self._indexes[index].get(key, ())
        return (found,) if isinstance(found, str) else found

    def _derive(self, record: dict[str, Any]) -> Derived:
        keys = tuple(_as_keys(key(record)) for key in self._keys.values())
        summary = None if self._summary is None else as_kept(self._summary(record))
        return str(record["id"]), keys, summary

    def _add(self, derived: Derived) -> None:
        record_id, keys, summary = derived
        for index, each in zip(self._indexes.values(), keys, strict=True):
            for key in each:
                found = index.setdefault(key, record_id)
                if isinstance(found, dict):
                    found[record_id] = None
                elif found != record_id:
                    index[key] = dict.fromkeys((found, record_id))
        if summary is not None:
            self.summaries[record_id] = summary

    def _remove(self, derived: Derived) -> None:
        record_id, keys, _ = derived
        for index, each in zip(self._indexes.values(), keys, strict=True):
            for key in each:
                found = index.get(key)
                if found == record_id:
                    del index[key]
                elif isinstance(found, dict):
                    found.pop(record_id, None)
                    if len(found) == 1:
                        index[key] = next(iter(found))
        self.summaries.pop(record_id, None)

    def get(self, record_id: str) -> dict[str, Any] | None:
        text = self._stored(record_id)
        return None if text is None else _decoded(text)

    def _stored(self, record_id: str) -> str | None:
        index = self._bucket(record_id)
        doc_id = self._doc_ids[index].get(record_id)
        return None if doc_id is None else self._buckets[index].texts[doc_id]

    def __len__(self) -> int:
        return self._records

    @property
    def bucket_count(self) -> int:
        return len(self._buckets)

    def bucket_records(self, index: int) -> list[dict[str, Any]]:
        """Every record in bucket `index` (a table read a bucket at a time stays small)."""
        return [_decoded(text) for text in list(self._buckets[index].texts.values())]

    def search(self, condition: QueryLike | None) -> Iterator[dict[str, Any]]:
        """Every record `condition` (a TinyDB query) holds for, or every record."""
        for bucket in self._buckets:
            if not bucket.texts:  # most of a small table's buckets: nothing to copy
                continue
            for text in list(bucket.texts.values()):
                record = _decoded(text)
                if condition is None or condition(record):
                    yield record

    def upsert(self, records: Iterable[dict[str, Any]], texts: Iterable[str] | None = None) -> None:
        """Change records in memory; `flush()` makes it durable. `texts`: each record's
        `record_text`, when the caller has it already."""
        pairs = (
            zip(records, texts, strict=True)
            if texts is not None
            else ((record, record_text(record)) for record in records)
        )
        for record, text in pairs:
            record_id = str(record["id"])
            index = self._bucket(record_id)
            doc_id = self._doc_ids[index].get(record_id)
            bucket = self._buckets[index]
            if doc_id is None:
                doc_id = str(self._next_doc_id[index])
                self._next_doc_id[index] += 1
                self._doc_ids[index][record_id] = doc_id
                self._records += 1
            else:
                self._remove(bucket.derived[doc_id])
            derived = self._derive(record)
            self._add(derived)
            bucket.put(doc_id, text, derived)

    def remove(self, record_ids: Iterable[str]) -> None:
        """Drop records from memory; `flush()` drops them from their files."""
        for record_id in record_ids:
            index = self._bucket(record_id)
            doc_id = self._doc_ids[index].pop(record_id, None)
            if doc_id is None:
                continue
            self._records -= 1
            self._remove(self._buckets[index].drop(doc_id))

    def flush(self) -> int:
        """Write every bucket changed since the last flush; returns how many were written."""
        return sum(bucket.flush() for bucket in self._buckets)

    def snapshot(self) -> list[BucketSnapshot]:
        """Every bucket changed since it was last written, as it is now (see `flush`)."""
        return [found for bucket in self._buckets if (found := bucket.snapshot()) is not None]

    def key_files(self) -> list[KeyFile]:
        """The key files to write for buckets read without one (see bucket_keys)."""
        return [found for bucket in self._buckets if (found := bucket.key_file()) is not None]

    def files(self) -> set[str]:
        """The names of this table's bucket files that exist (written at least once)."""
        return {bucket.path.name for bucket in self._buckets if bucket.exists}

    def _bucket(self, record_id: str) -> int:
        key = self._bucket_key(record_id)
        return zlib.crc32(key.encode()) % len(self._buckets)


_DECODER = json.JSONDecoder()


def records_in_file(path: Path) -> list[dict[str, Any]]:
    """The records in one bucket file, read from disk (none when it was never written)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    try:
        text = data.decode()
    except UnicodeDecodeError:
        text = ""  # damaged: read_json names the file
    records, _ = _records_in(path, text)
    return [record for _, record, _ in records]


Record = tuple[str, dict[str, Any], str]  # document id, record, its JSON text


def _records_in(path: Path, text: str) -> tuple[list[Record], list[Span] | None]:
    """Each record in a bucket file whose text is `text`, and where each lies in it. The file
    as this module writes it is split record by record as it is decoded, so each record's text
    is the file's own; any other layout TinyDB accepts is decoded whole and each record
    encoded (no places: the file is not laid out as a key file says)."""
    opening, closing = f'{{"{TABLE}":{{', "}}"
    if text.startswith(opening) and text.endswith(closing):
        try:
            return _split(text, len(opening), len(text) - len(closing))
        except (ValueError, IndexError):
            pass  # not laid out as expected: decoded whole below
    data = read_json(path)
    records = data.get(TABLE, {}) if isinstance(data, dict) else {}
    return [(str(key), record, record_text(record)) for key, record in records.items()], None


def _split(text: str, position: int, end: int) -> tuple[list[Record], list[Span]]:
    found: list[Record] = []
    spans: list[Span] = []
    decode = _DECODER.raw_decode
    while position < end:
        key, position = decode(text, position)
        if text[position] != ":":
            raise ValueError("expected ':'")
        record, after = decode(text, position + 1)
        if not isinstance(key, str) or not isinstance(record, dict):
            raise ValueError("not a TinyDB document")
        found.append((key, record, text[position + 1 : after]))
        spans.append((key, position + 1, after))
        position = after
        if position < end:
            if text[position] != ",":
                raise ValueError("expected ','")
            position += 1
    return found, spans


def _decoded(text: str) -> dict[str, Any]:
    record = parsed(text)
    assert isinstance(record, dict)
    return record


def _as_keys(found: str | tuple[str, ...]) -> tuple[str, ...]:
    return (found,) if isinstance(found, str) else found
