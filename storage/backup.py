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

import os
import shutil
import tarfile
import tempfile
import zlib
from pathlib import Path

from storage.archive import (
    ABOUT,
    TINYDB,
    BackupReport,
    about,
    damaged,
    in_memory,
    pack,
    read_about,
    sha256,
)
from storage.files import fsync_directory
from storage.tinydb_store import open_once
from workflows.kernel.ports import StorageError

# In the order they are read; see the module's docstring.
FIRST = ("meta.json", "tables.json")
LAST = ("audit.jsonl", "once.jsonl", "settled.jsonl", "journal.jsonl")
ATTEMPTS = 3


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
            # Key files are a cache of what the tables hold (see bucket_keys): left out.
            if path.is_file() and not path.name.startswith(".") and path.suffix != ".keys":
                files[f"tables/{path.name}"] = path.read_bytes()
    for name in LAST:
        if (folder / name).is_file():
            data = (folder / name).read_bytes()
            files[name] = data[: data.rfind(b"\n") + 1]  # an append still being written waits
    return files


def _write(files: dict[str, bytes], to: Path) -> BackupReport:
    hashes = {name: sha256(data) for name, data in files.items()}
    parts = [*files.items(), (ABOUT, about(TINYDB, hashes))]
    size = pack((in_memory(name, data) for name, data in parts), to)
    return BackupReport(len(files), size, files.get("audit.jsonl", b"").count(b"\n"))


def _read_backup(backup: Path) -> dict[str, bytes]:
    try:
        with tarfile.open(backup, "r:gz") as archive:
            files: dict[str, bytes] = {}
            for entry in archive:
                if not entry.isfile() or not _safe(entry.name):
                    raise StorageError(f"{damaged(backup)}: it holds {entry.name!r}")
                handle = archive.extractfile(entry)
                files[entry.name] = handle.read() if handle else b""
    except (tarfile.TarError, EOFError, OSError, zlib.error) as error:
        raise StorageError(f"{damaged(backup)} ({error})") from None
    hashes = read_about(files.pop(ABOUT, b""), backup, TINYDB)["files"]
    if set(hashes) != set(files):
        raise StorageError(f"{damaged(backup)}: its list of files is missing or does not match")
    for name, data in files.items():
        if sha256(data) != hashes[name]:
            raise StorageError(f"{damaged(backup)}: {name} was changed or damaged")
    return files


def _safe(name: str) -> bool:
    parts = Path(name).parts
    return bool(parts) and not Path(name).is_absolute() and ".." not in parts and len(parts) <= 2


def _inode(path: Path) -> int | None:
    try:
        return path.stat().st_ino
    except FileNotFoundError:
        return None
