"""Backups of a TinyDB data folder, taken while the bot runs, and restores into an empty one.

A backup is one `.tar.gz` file: the folder's files, each read whole, and `backup.json` with
each file's SHA-256. It is consistent without stopping the bot because of the order files are
read in: the list of table files first (it only ever lists files already written), then the
tables and the audit trail, the journal last. Every change is in the journal before it reaches
a table or the trail, so the journal copied last holds every change the copied tables and trail
show part of, and restoring finishes them exactly as a restart after a crash would. If the
journal started over while the copy was made (the bot restarted), the copy is made again.

Restoring checks every file against its hash, unpacks into a new folder beside the target,
opens it as the store does at start (the whole audit trail checked against its hash chain,
unfinished changes finished), and only then moves it into place.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from storage.files import fsync_directory
from storage.tinydb_store import open_once
from workflows.kernel.ports import StorageError

MARK = "pagekeeper-backup"
# In the order they are read; see the module's docstring.
FIRST = ("meta.json", "tables.json")
LAST = ("audit.jsonl", "once.jsonl", "journal.jsonl")
ATTEMPTS = 3


@dataclass(frozen=True)
class BackupReport:
    files: int
    size: int
    audit_lines: int


def back_up(folder: Path, to: Path) -> BackupReport:
    """Write a consistent backup of `folder` to `to` (replacing it only once complete)."""
    if not (folder / "meta.json").is_file():
        raise StorageError(f"{folder} is not a Pagekeeper data folder (it has no meta.json)")
    for _ in range(ATTEMPTS):
        journal = _inode(folder / "journal.jsonl")
        files = _read_files(folder)
        if _inode(folder / "journal.jsonl") == journal:
            return _write(files, to)
    raise StorageError(f"{folder} kept starting over while it was copied; try again")


def restore(backup: Path, folder: Path) -> BackupReport:
    """Restore `backup` into `folder`, which must be empty or not exist yet."""
    if folder.exists() and any(folder.iterdir()):
        found = ", ".join(sorted(path.name for path in folder.iterdir())[:5])
        raise StorageError(
            f"{folder} is not empty (it holds {found}); restore into an empty folder"
        )
    files = _read_backup(backup)
    folder.parent.mkdir(parents=True, exist_ok=True)
    unpacked = Path(tempfile.mkdtemp(prefix=f".{folder.name}-restoring-", dir=folder.parent))
    try:
        for name, data in files.items():
            path = unpacked / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        open_once(unpacked)  # as at start: the audit chain checked, changes finished
        if folder.exists():
            folder.rmdir()
        os.replace(unpacked, folder)
        fsync_directory(folder.parent)
    except BaseException:
        shutil.rmtree(unpacked, ignore_errors=True)
        raise
    audit = files.get("audit.jsonl", b"")
    return BackupReport(len(files), sum(map(len, files.values())), audit.count(b"\n"))


def _read_files(folder: Path) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for name in FIRST:
        if (folder / name).is_file():
            files[name] = (folder / name).read_bytes()
    tables = folder / "tables"
    if tables.is_dir():
        for path in sorted(tables.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                files[f"tables/{path.name}"] = path.read_bytes()
    for name in LAST:
        if (folder / name).is_file():
            data = (folder / name).read_bytes()
            files[name] = data[: data.rfind(b"\n") + 1]  # an append still being written waits
    return files


def _write(files: dict[str, bytes], to: Path) -> BackupReport:
    about = {
        "mark": MARK,
        "made_at": datetime.now(UTC).isoformat(),
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in files.items()},
    }
    to.parent.mkdir(parents=True, exist_ok=True)
    partial = to.with_name(f".{to.name}.partial")
    with tarfile.open(partial, "w:gz") as archive:
        for name, data in [*files.items(), ("backup.json", json.dumps(about).encode())]:
            entry = tarfile.TarInfo(name)
            entry.size, entry.mode = len(data), 0o600
            archive.addfile(entry, io.BytesIO(data))
    with open(partial, "rb+") as written:
        os.fsync(written.fileno())
    os.replace(partial, to)
    audit = files.get("audit.jsonl", b"")
    return BackupReport(len(files), to.stat().st_size, audit.count(b"\n"))


def _read_backup(backup: Path) -> dict[str, bytes]:
    damaged = f"{backup} is not a whole Pagekeeper backup"
    try:
        with tarfile.open(backup, "r:gz") as archive:
            files: dict[str, bytes] = {}
            for entry in archive:
                if not entry.isfile() or not _safe(entry.name):
                    raise StorageError(f"{damaged}: it holds {entry.name!r}")
                handle = archive.extractfile(entry)
                files[entry.name] = handle.read() if handle else b""
    except (tarfile.TarError, EOFError, OSError, zlib.error) as error:
        raise StorageError(f"{damaged} ({error})") from None
    try:
        about = json.loads(files.pop("backup.json"))
        hashes = about["files"] if about.get("mark") == MARK else None
    except (KeyError, ValueError, AttributeError):
        hashes = None
    if not isinstance(hashes, dict) or set(hashes) != set(files):
        raise StorageError(f"{damaged}: its list of files is missing or does not match")
    for name, data in files.items():
        if hashlib.sha256(data).hexdigest() != hashes[name]:
            raise StorageError(f"{damaged}: {name} was changed or damaged")
    return files


def _safe(name: str) -> bool:
    parts = Path(name).parts
    return bool(parts) and not Path(name).is_absolute() and ".." not in parts and len(parts) <= 2


def _inode(path: Path) -> int | None:
    try:
        return path.stat().st_ino
    except FileNotFoundError:
        return None
