"""Backups of a PostgreSQL database, taken while any number of processes use it, and restores
into an empty one.

A backup reads every table in one read-only snapshot (REPEATABLE READ), so it is consistent
without stopping anything: the audit trail and its head, a request and the messages it queued,
all as of one instant. Each table becomes one part of the file, a row per line as JSON, spooled
to disk a chunk at a time so a long history never has to fit in memory. `backup.json` comes
first, with every part's hash.

A restore reads the file front to back inside one transaction: every row is written, every
audit row checked against the hash chain as it goes, and every part against its hash. Anything
wrong (a changed byte, a part missing, a broken chain, a database that is not empty) rolls the
whole restore back, so the database is left as it was found.
"""

from __future__ import annotations

import hashlib
import json
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

import psycopg
from psycopg import AsyncConnection, sql
from psycopg.types.json import Jsonb

from storage.archive import (
    ABOUT,
    POSTGRES,
    TINYDB,
    BackupReport,
    about,
    damaged,
    in_memory,
    pack,
    read_about,
    wrong_kind,
)
from storage.chain import ChainBroken, Head, Walk
from storage.postgres.schema import MIGRATION_LOCK, MIGRATIONS, migrate
from storage.postgres.store import CONNECT_SECONDS, describe, driver_reason
from workflows.kernel.ports import StorageError

# Every table that holds the district's data, each with the order its rows are written in; the
# audit head comes before the trail so a restore can check the trail against it as it goes.
# Left out: outbox_lanes (which process is sending to whom right now) and pagekeeper_schema
# (a restore's own migrations write it).
TABLES = {
    "audit_head": "one",
    "audit": "seq",
    "requests": "id",
    "pages": "id",
    "outbox": "id",
    "acknowledgements": "email",
    "message_handles": "key",
    "aways": "email",
    "submissions": "key",
    "once_keys": "key",
}
# What a restore refuses to write over, in words for the person running it.
HOLDINGS = {
    "requests": "requests",
    "pages": "pages",
    "audit": "audit entries",
    "outbox": "messages",
    "acknowledgements": "acknowledgements of the guidelines",
    "message_handles": "references to sent messages",
    "aways": "approvers away",
    "submissions": "forms carried out",
}
CHUNK = 1000
PART = "postgres/{}.jsonl"
# The first parts of a TinyDB backup (whose backup.json comes last).
TINYDB_FIRST = ("meta.json", "tables.json")


async def back_up_database(url: str, to: Path) -> BackupReport:
    """Write a consistent backup of the database at `url` to `to` (replacing it only once
    complete); the database may be in use."""
    to.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{to.name}-", dir=to.parent) as spool:
        try:
            async with await _connect(url) as connection:
                schema, spooled = await _spool_tables(connection, Path(spool))
        except psycopg.Error as error:
            raise _failure("read", url, error) from None
        hashes = {PART.format(table): digest for table, (_, _, digest) in spooled.items()}
        header = about(POSTGRES, hashes, schema=schema)
        with ExitStack() as files:
            parts = [in_memory(ABOUT, header)]
            for table, (path, _, _) in spooled.items():
                parts.append(
                    (PART.format(table), files.enter_context(path.open("rb")), _size(path))
                )
            size = pack(parts, to)
    return BackupReport(len(spooled), size, spooled["audit"][1])


async def restore_database(backup: Path, url: str) -> BackupReport:
    """Restore `backup` into the database at `url`, which must hold no records yet; the
    schema is created or brought up to date first, in the same transaction."""
    try:
        async with await _connect(url) as connection, connection.transaction():
            await connection.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            await migrate(connection)
            await _refuse_unless_empty(connection, url)
            for table in ("audit_head", "once_keys", "outbox_lanes"):
                await connection.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(table)))
            report = await _load(connection, backup)
            await connection.execute(
                "SELECT setval(pg_get_serial_sequence('audit', 'seq'), coalesce(max(seq), 1),"
                " max(seq) IS NOT NULL) FROM audit"
            )
    except psycopg.Error as error:
        raise _failure("restore into", url, error) from None
    return report


async def _spool_tables(
    connection: AsyncConnection[Any], spool: Path
) -> tuple[int, dict[str, tuple[Path, int, str]]]:
    """The schema version, and each table written to a file in `spool` (path, rows, hash)."""
    spooled: dict[str, tuple[Path, int, str]] = {}
    async with connection.transaction():
        await connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor = await connection.execute("SELECT coalesce(max(version), 0) FROM pagekeeper_schema")
        row = await cursor.fetchone()
        schema = int(row[0]) if row else 0
        for table, order in TABLES.items():
            path = spool / f"{table}.jsonl"
            digest, rows = hashlib.sha256(), 0
            query = sql.SQL("SELECT row_to_json(t)::text FROM {} t ORDER BY {}").format(
                sql.Identifier(table), sql.Identifier(order)
            )
            with path.open("wb") as out:
                async with connection.cursor(name=f"backup_{table}") as rows_of:
                    rows_of.itersize = CHUNK
                    await rows_of.execute(query)
                    async for (text,) in rows_of:
                        line = text.encode() + b"\n"
                        out.write(line)
                        digest.update(line)
                        rows += 1
            spooled[table] = (path, rows, digest.hexdigest())
    return schema, spooled


async def _refuse_unless_empty(connection: AsyncConnection[Any], url: str) -> None:
    held = []
    for table, words in HOLDINGS.items():
        query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
        row = await (await connection.execute(query)).fetchone()
        if row and row[0]:
            held.append(f"{row[0]:,} {words}")
    if held:
        raise StorageError(
            f"the database at {describe(url)} is not empty (it holds {', '.join(held)}); "
            "restore into an empty database"
        )


async def _load(connection: AsyncConnection[Any], backup: Path) -> BackupReport:
    """Write every part of `backup`, checked as it is read; StorageError (and the caller's
    transaction rolled back) at the first thing wrong."""
    try:
        with tarfile.open(backup, "r|gz") as archive:
            hashes = _header(archive, backup)
            loaded: set[str] = set()
            walk, recorded = Walk(), Head()
            while (entry := archive.next()) is not None:  # on from the header
                table = _table_of(entry, hashes, loaded, backup)
                source = archive.extractfile(entry)
                assert source is not None  # a regular file, checked above
                digest = hashlib.sha256()
                for chunk in _chunks(source, digest, backup, entry.name):
                    if table == "audit":
                        for row in chunk:
                            walk.add(row["doc"])
                    elif table == "audit_head" and chunk:
                        recorded = Head(int(chunk[0]["count"]), str(chunk[0]["hash"]))
                    await _insert(connection, table, chunk, backup)
                if digest.hexdigest() != hashes[entry.name]:
                    raise StorageError(f"{damaged(backup)}: {entry.name} was changed or damaged")
                loaded.add(entry.name)
    except (tarfile.TarError, EOFError, OSError, zlib.error) as error:
        raise StorageError(f"{damaged(backup)} ({error})") from None
    except ChainBroken as broken:
        raise StorageError(f"{damaged(backup)}: its audit trail is damaged: {broken}") from None
    if loaded != set(hashes):
        raise StorageError(f"{damaged(backup)}: parts are missing from it")
    if walk.head != recorded:
        raise StorageError(
            f"{damaged(backup)}: its audit trail has {walk.head.count} entries but its head "
            f"records {recorded.count}"
        )
    return BackupReport(len(loaded), _size(backup), walk.head.count)


def _header(archive: tarfile.TarFile, backup: Path) -> dict[str, str]:
    """The part hashes from `backup.json`, which a PostgreSQL backup has first."""
    first = archive.next()
    if first is not None and first.name in TINYDB_FIRST:
        raise wrong_kind(backup, TINYDB)
    if first is None or first.name != ABOUT or not first.isfile():
        raise StorageError(f"{damaged(backup)}: it does not start with {ABOUT}")
    source = archive.extractfile(first)
    header = read_about(source.read() if source else b"", backup, POSTGRES)
    schema = header.get("schema")
    if not isinstance(schema, int):
        raise StorageError(f"{damaged(backup)}: it does not say which schema it holds")
    if schema > len(MIGRATIONS):
        raise StorageError(
            f"{backup} holds schema version {schema}, made by a newer Pagekeeper than this one "
            f"(which knows up to version {len(MIGRATIONS)}); restore it with that version"
        )
    hashes: dict[str, str] = header["files"]
    return hashes


def _table_of(
    entry: tarfile.TarInfo, hashes: dict[str, str], loaded: set[str], backup: Path
) -> str:
    table = entry.name.removeprefix("postgres/").removesuffix(".jsonl")
    if (
        not entry.isfile()
        or entry.name not in hashes
        or entry.name in loaded
        or PART.format(table) != entry.name
        or table not in TABLES
    ):
        raise StorageError(f"{damaged(backup)}: it holds {entry.name!r}")
    return table


def _chunks(
    source: IO[bytes], digest: Any, backup: Path, name: str
) -> Iterator[list[dict[str, Any]]]:
    """The rows of one part, CHUNK at a time, each line added to `digest` as it is read."""
    chunk: list[dict[str, Any]] = []
    for line in source:
        digest.update(line)
        try:
            row = json.loads(line)
        except ValueError:
            raise StorageError(f"{damaged(backup)}: {name} was changed or damaged") from None
        if not isinstance(row, dict):
            raise StorageError(f"{damaged(backup)}: {name} was changed or damaged")
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    yield chunk


async def _insert(
    connection: AsyncConnection[Any], table: str, rows: list[dict[str, Any]], backup: Path
) -> None:
    """Rows as the backup wrote them (row_to_json); the server turns each back into the
    table's own types. Only the columns the backup has are named, so a column added since it
    was made takes its default."""
    if not rows:
        return
    columns = sql.SQL(", ").join(map(sql.Identifier, rows[0]))
    query = sql.SQL(
        "INSERT INTO {0} ({1}) SELECT {1} FROM jsonb_populate_recordset(NULL::{0}, %s)"
    ).format(sql.Identifier(table), columns)
    try:
        await connection.execute(query, (Jsonb(rows),))
    except (psycopg.DataError, psycopg.IntegrityError, psycopg.ProgrammingError) as error:
        reason = driver_reason(error)
        raise StorageError(f"{damaged(backup)}: a row of {table} is not valid ({reason})") from None


async def _connect(url: str) -> AsyncConnection[Any]:
    return await AsyncConnection.connect(url, connect_timeout=int(CONNECT_SECONDS))


def _failure(doing: str, url: str, error: psycopg.Error) -> StorageError:
    return StorageError(
        f"could not {doing} the database at {describe(url)}: {driver_reason(error, hide=url)}"
    )


def _size(path: Path) -> int:
    return path.stat().st_size
