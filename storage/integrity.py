"""What a TinyDB data folder must hold before Pagekeeper writes to it: every table file it has
written, and an audit trail that matches its hash chain and the head the journal recorded.

A damaged folder is refused with the file named and nothing written, so a backup can be
restored with nothing lost; serving an empty or partial registry would be worse than not
starting. (A partial last line of the journal or the audit trail is the one damage a crash
leaves; it belongs to a commit the journal still holds, and recovery finishes it.)
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from storage.chain import ChainBroken, Head, Walk
from storage.files import try_lock
from workflows.kernel.ports import StorageError

MANIFEST = "tables.json"
RESTORE = "restore the data folder from a backup"
# The trail's bytes already checked are hashed this many at a time.
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class FolderState:
    """What the checks found: the audit trail's head (its complete lines), the SHA-256 of
    those lines (to go on with as lines are added: see Checked), and the table files written
    (None for a folder from before the list was kept)."""

    audit: Head
    audit_digest: Any
    tables: frozenset[str] | None


@dataclass(frozen=True)
class Checked:
    """How much of the trail a start checked line by line (written in the journal's first
    line at each checkpoint): its first `size` bytes, their SHA-256, the head they reach and
    whether they carry hashes. A later start whose trail begins with the very same bytes
    checks only the lines after them; any change in them (one byte) has it check them all."""

    size: int
    sha256: str
    head: Head
    hashed: bool

    def as_dict(self) -> dict[str, Any]:
        """As stored in the journal's first line."""
        return {"size": self.size, "sha256": self.sha256, "hashed": self.hashed}


def check_folder(folder: Path, *, whole: bool = False) -> FolderState:
    """Raise StorageError, naming the file, when the folder is damaged (a bot may be writing
    to it: then it only adds to the journal and the trail). With `whole`, every line of the
    trail is checked even where the journal says a start already did."""
    meta = folder / "meta.json"
    has_data = (folder / "tables").exists() or _has_lines(folder / "audit.jsonl")
    if not meta.exists() and has_data:
        raise StorageError(f"{meta} is missing from a folder that holds data; {RESTORE}")
    tables = _check_tables(folder)
    journal = folder / "journal.jsonl"
    if tables is not None and not _has_lines(journal):
        # Since the list of tables is kept, the journal always begins with the trail's head.
        raise StorageError(f"{journal} is missing; {RESTORE}")
    checked = None if whole else _checked_before(journal)
    audit = _walk_audit(folder / "audit.jsonl", checked)
    # The journal is read after the trail: a bot running meanwhile only adds to both, the
    # journal first, so the place the trail reached is still in it. Audit lines reach the disk
    # at checkpoints (the journal is what is synced at each commit), so after a crash of the
    # machine the trail may stand where any commit since the journal's start left it.
    places = _journal_heads(journal)
    _check_end(folder / "audit.jsonl", audit, places)
    return FolderState(audit.head, audit.digest, tables)


def verify_folder(folder: Path, attempts: int = 3) -> Head:
    """The audit trail's head after checking the whole folder, even while a bot writes to it:
    the trail must end where a commit in the journal left it (since its start, or the
    journal's last restart), and a check that overlapped the journal starting over is made
    again."""
    if not (folder / "meta.json").is_file():
        raise StorageError(f"{folder} is not a Pagekeeper data folder (it has no meta.json)")
    lock = try_lock(folder)
    if lock is not None:
        try:
            return check_folder(folder, whole=True).audit
        finally:
            lock.close()
    journal = folder / "journal.jsonl"
    for _ in range(attempts - 1):
        before = _identity(journal)
        try:
            return check_folder(folder, whole=True).audit
        except StorageError:
            if _identity(journal) == before:
                raise
    return check_folder(folder, whole=True).audit


def _identity(path: Path) -> tuple[int, int] | None:
    """Which file is at `path`: the journal starts over by replacing it."""
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return found.st_ino, found.st_mtime_ns


def manifest(files: set[str]) -> bytes:
    """The content of the list of table files (the caller writes it atomically)."""
    return json.dumps({"files": sorted(files)}).encode()


def _check_tables(folder: Path) -> frozenset[str] | None:
    manifest = folder / MANIFEST
    if not manifest.exists():
        return None  # a folder from before the manifest: it is written at this start
    try:
        listed = json.loads(manifest.read_bytes())["files"]
    except (ValueError, KeyError, TypeError):
        raise StorageError(f"{manifest} is damaged; {RESTORE}") from None
    tables = folder / "tables"
    if listed and not tables.is_dir():
        raise StorageError(f"{tables} is missing ({len(listed)} table files); {RESTORE}")
    missing = [name for name in listed if not (tables / name).is_file()]
    if missing:
        raise StorageError(f"{tables / missing[0]} is missing; {RESTORE}")
    return frozenset(listed)


def _journal_heads(path: Path) -> list[list[Head]]:
    """Where the journal says the audit trail may stand: where the journal began, then for
    each commit it holds, every place from before its first line to after its last (a crash
    may stop the trail part-way through a commit)."""
    places: list[list[Head]] = []
    for number, line in enumerate(_complete_lines(path)[0], start=1):
        record = _parsed(path, line, number)
        try:
            if "head" in record:
                places.append([Head.of(record["head"])])
            elif "audit_head" in record:
                after = Head.of(record["audit_head"])
                lines = record["audit"]
                first = after.count - len(lines)
                commit = [
                    Head(first + index, str(audit["hash"]))
                    for index, audit in enumerate(lines, start=1)
                ]
                before = places[-1][-1:] if places else []
                places.append([*before, *commit, after])
        except (KeyError, TypeError, ValueError):
            raise StorageError(f"{path} is damaged at line {number}; {RESTORE}") from None
    return places


@dataclass(frozen=True)
class _Walk:
    head: Head
    exists: bool
    partial: bool  # a last line without its end, as a crash mid-append leaves
    digest: Any  # hashlib's SHA-256 of the complete lines


def _checked_before(journal: Path) -> Checked | None:
    """What the journal's first line says a start checked, if it says so."""
    try:
        with open(journal, "rb") as reader:
            first = json.loads(reader.readline())
        audit = first["audit"]
        return Checked(
            int(audit["size"]), str(audit["sha256"]), Head.of(first["head"]), bool(audit["hashed"])
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None  # from before it was kept, or damaged: the whole trail is checked


def _walk_audit(path: Path, checked: Checked | None) -> _Walk:
    if not path.exists():
        return _Walk(Head(), exists=False, partial=False, digest=hashlib.sha256())
    with open(path, "rb") as reader:  # streamed: the trail may be large
        digest, walk = _skip_checked(reader, checked)
        for number, line in enumerate(reader, start=walk.head.count + 1):
            if not line.endswith(b"\n"):
                return _Walk(walk.head, exists=True, partial=True, digest=digest)
            try:
                walk.add(_parsed(path, line, number))
            except ChainBroken as broken:
                raise StorageError(f"{path}: {broken}; {RESTORE}") from None
            digest.update(line)
    return _Walk(walk.head, exists=True, partial=False, digest=digest)


def _skip_checked(reader: BinaryIO, checked: Checked | None) -> tuple[Any, Walk]:
    """Past the lines a start checked, if the trail still begins with exactly those bytes
    (hashing bytes is some fifty times faster than checking lines); else at the start."""
    digest = hashlib.sha256()
    if checked is None:
        return digest, Walk()
    left = checked.size
    while left > 0:
        chunk = reader.read(min(left, CHUNK))
        if not chunk:
            break
        digest.update(chunk)
        left -= len(chunk)
    if left == 0 and digest.hexdigest() == checked.sha256:
        return digest, Walk(checked.head, checked.hashed)
    reader.seek(0)
    return hashlib.sha256(), Walk()


def _check_end(path: Path, audit: _Walk, places: list[list[Head]]) -> None:
    anchors = [head for commit in places for head in commit]
    if not anchors:
        return  # a folder from before the chain
    if not audit.exists and anchors[-1].count:
        raise StorageError(f"{path} is missing; the trail had {anchors[-1].count} lines; {RESTORE}")
    # After a crash the trail may lag the journal's last commit; it must stand where the
    # journal's start or one of its lines left it, never anywhere else.
    if audit.head not in anchors:
        raise StorageError(
            f"{path} has {audit.head.count} lines but the journal says the trail reached "
            f"{anchors[-1].count}: its end was cut or lines were changed; {RESTORE}"
        )
    if audit.partial and audit.head == anchors[-1]:
        raise StorageError(f"{path} ends with a damaged line; {RESTORE}")


def _has_lines(path: Path) -> bool:
    return path.exists() and path.stat().st_size > 0


def _complete_lines(path: Path) -> tuple[list[bytes], bool]:
    """The file's complete lines, and whether a partial one follows them."""
    if not path.exists():
        return [], False
    data = path.read_bytes()
    end = data.rfind(b"\n") + 1
    return data[:end].splitlines(), end < len(data)


def _parsed(path: Path, line: bytes, number: int) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except ValueError:
        record = None
    if not isinstance(record, dict):
        raise StorageError(f"{path} is damaged at line {number}; {RESTORE}")
    return record
