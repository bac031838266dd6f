"""What a table derives from each record of a bucket (its id, index keys and summary), kept in
a file beside the bucket's, so a start reads that instead of decoding every record: decoding
was most of a large district's start-up.

`<bucket>.keys` names the bucket file's exact bytes (their CRC-32 and size) and the code that
derived the keys (a fingerprint), and says where each record's text lies in the file. It is a
cache, written without fsync: any mismatch (the bucket rewritten since, other code, a torn or
lost write) and the start decodes the bucket as it always did.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storage.files import write_atomically

# What the table derives from one record: its id, its keys in each index, its summary.
Derived = tuple[str, tuple[tuple[str, ...], ...], Any]
# A record's TinyDB document id and where its text lies in the bucket file's text.
Span = tuple[str, int, int]

VERSION = 1
TABLE = "records"


def fingerprint(*modules: str) -> str:
    """A digest of the source of `modules` (dotted names), whose code derives the keys: a key
    file written by other code is not used."""
    digest = hashlib.sha256(str(VERSION).encode())
    for name in modules:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec else None
        digest.update(Path(origin).read_bytes() if origin else name.encode())
    return digest.hexdigest()[:32]


def laid_out(texts: dict[str, str]) -> tuple[bytes, list[Span]]:
    """The bucket file's bytes (TinyDB's own layout) and where each record's text lies."""
    opening = f'{{"{TABLE}":{{'
    pieces = [opening]
    position = len(opening)
    spans: list[Span] = []
    for number, (doc_id, text) in enumerate(texts.items()):
        key = ("," if number else "") + json.dumps(doc_id) + ":"
        pieces += (key, text)
        position += len(key)
        spans.append((doc_id, position, position + len(text)))
        position += len(text)
    pieces.append("}}")
    return "".join(pieces).encode(), spans


@dataclass(frozen=True)
class KeyFile:
    """A bucket file's keys, ready to be written (on any thread)."""

    bucket: Path
    crc: int
    size: int
    spans: list[Span]
    derived: dict[str, Derived]
    code: str

    @classmethod
    def of(
        cls, bucket: Path, data: bytes, spans: list[Span], derived: dict[str, Derived], code: str
    ) -> KeyFile:
        return cls(bucket, zlib.crc32(data), len(data), spans, derived, code)

    def write(self) -> None:
        records = [[doc_id, start, end, *self.derived[doc_id]] for doc_id, start, end in self.spans]
        payload = {
            "version": VERSION,
            "code": self.code,
            "crc": self.crc,
            "size": self.size,
            "records": records,
        }
        data = json.dumps(payload, separators=(",", ":")).encode()
        write_atomically(key_path(self.bucket), data, sync=False)


def key_path(bucket: Path) -> Path:
    return bucket.with_suffix(".keys")


def read_keys(bucket: Path, data: bytes, code: str) -> list[tuple[Span, Derived]] | None:
    """The keys kept for a bucket file holding `data`, if they were kept for exactly those
    bytes by the same code; else None (the bucket is decoded)."""
    try:
        payload = json.loads(key_path(bucket).read_bytes())
    except (OSError, ValueError):
        return None
    if not (
        isinstance(payload, dict)
        and payload.get("version") == VERSION
        and payload.get("code") == code
        and payload.get("size") == len(data)
        and payload.get("crc") == zlib.crc32(data)
    ):
        return None
    try:
        return [
            ((doc_id, start, end), (record_id, _tupled(keys), as_kept(summary)))
            for doc_id, start, end, record_id, keys, summary in payload["records"]
        ]
    except (TypeError, ValueError, KeyError):
        return None


def _tupled(keys: Iterable[Iterable[str]]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(each) for each in keys)


def as_kept(summary: Any) -> Any:
    """A summary as the table keeps it: lists as tuples (what a key file reads back)."""
    return tuple(summary) if isinstance(summary, list) else summary
