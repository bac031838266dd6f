"""The backup file both stores write: one `.tar.gz` whose `backup.json` names the store it
came from and the SHA-256 of every other part, so a restore can tell a damaged or foreign file
from a whole one before it trusts a byte of it."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from workflows.kernel.ports import StorageError

MARK = "pagekeeper-backup"
ABOUT = "backup.json"
TINYDB = "tinydb"
POSTGRES = "postgres"
# What each kind of backup is restored into, for the message when it is the wrong one.
RESTORED_INTO = {
    TINYDB: "an empty data folder (PAGEKEEPER_DATA, with DATABASE_URL not set)",
    POSTGRES: "an empty PostgreSQL database (DATABASE_URL)",
}


@dataclass(frozen=True)
class BackupReport:
    """What a backup or restore held: its parts (files or tables), size, audit entries."""

    parts: int
    size: int
    audit_lines: int


def about(kind: str, hashes: dict[str, str], **more: Any) -> bytes:
    """The `backup.json` part: what the file is, when it was made, each part's hash."""
    made = {"mark": MARK, "kind": kind, "made_at": datetime.now(UTC).isoformat()}
    return json.dumps({**made, **more, "files": hashes}).encode()


def read_about(data: bytes, backup: Path, kind: str) -> dict[str, Any]:
    """The parsed `backup.json` of a backup of `kind`; StorageError if it is not one."""
    try:
        found = json.loads(data)
        hashes = found["files"] if found.get("mark") == MARK else None
    except (KeyError, ValueError, AttributeError):
        hashes = None
    if not isinstance(hashes, dict):
        raise StorageError(f"{damaged(backup)}: its list of files is missing or does not match")
    taken_from = found.get("kind", TINYDB)  # TinyDB backups came first and had no kind
    if taken_from != kind:
        raise wrong_kind(backup, taken_from)
    return dict(found)


def wrong_kind(backup: Path, taken_from: str) -> StorageError:
    """The refusal of a backup taken from the other kind of store."""
    return StorageError(
        f"{backup} is a backup of a {_store_name(taken_from)}; restore it into "
        f"{RESTORED_INTO.get(taken_from, 'the store it came from')}"
    )


def damaged(backup: Path) -> str:
    """The start of every message about a backup file that cannot be trusted."""
    return f"{backup} is not a whole Pagekeeper backup"


def pack(parts: Iterable[tuple[str, IO[bytes], int]], to: Path) -> int:
    """Write `parts` (name, readable file, size) as a `.tar.gz` at `to`, replacing it only once
    the whole file is on disk; its size in bytes."""
    to.parent.mkdir(parents=True, exist_ok=True)
    partial = to.with_name(f".{to.name}.partial")
    try:
        with tarfile.open(partial, "w:gz") as archive:
            for name, source, size in parts:
                entry = tarfile.TarInfo(name)
                entry.size, entry.mode = size, 0o600
                archive.addfile(entry, source)
        with open(partial, "rb+") as written:
            os.fsync(written.fileno())
        os.replace(partial, to)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return to.stat().st_size


def in_memory(name: str, data: bytes) -> tuple[str, IO[bytes], int]:
    """A part for `pack` held in memory."""
    return name, io.BytesIO(data), len(data)


def sha256(data: bytes) -> str:
    """The hash `backup.json` records for a part."""
    return hashlib.sha256(data).hexdigest()


def _store_name(kind: str) -> str:
    return {TINYDB: "TinyDB data folder", POSTGRES: "PostgreSQL database"}.get(kind, kind)
