"""Copy a TinyDB data folder into PostgreSQL, so a district moves up without losing history.

Safe to run again: a record already there at the same or a newer version is left alone, an
audit line already copied (known by its place in the folder's log and its content) is not
added twice, and nothing in the folder is changed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from psycopg import AsyncConnection, sql

from storage.codec import to_dict
from storage.folder_reader import FolderReader
from storage.postgres import audit_chain
from storage.postgres.rows import (
    acknowledgement_row,
    away_row,
    insert,
    outbox_row,
    page_row,
    request_row,
)
from storage.postgres.store import PostgresStore
from workflows.kernel.model import AuditEntry
from workflows.kernel.ports import StorageError

CHUNK = 1000


@dataclass
class Tally:
    """What happened to one kind of record."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.added} added, {self.updated} updated, {self.unchanged} already there"


@dataclass
class CopyReport:
    tallies: dict[str, Tally] = field(default_factory=dict)

    def tally(self, kind: str) -> Tally:
        return self.tallies.setdefault(kind, Tally())


async def copy_folder(folder: Path, database_url: str) -> CopyReport:
    """Copy everything in `folder` (a TinyDB data folder) into the database."""
    if not (folder / "meta.json").is_file():
        raise StorageError(f"{folder} is not a Pagekeeper data folder (it has no meta.json)")
    target = await PostgresStore.open(database_url)  # creates or migrates the schema
    await target.close()
    source = await FolderReader.open(folder)
    report = CopyReport()
    try:
        async with await AsyncConnection.connect(database_url) as connection:
            # Each kind a part at a time: memory stays flat however long the history.
            tally = report.tally("requests")
            async for requests in source.requests():
                rows = [request_row(request) for request in requests]
                await _copy_versioned(connection, "requests", rows, tally)
            tally = report.tally("pages")
            async for pages in source.pages():
                await _copy_versioned(connection, "pages", [page_row(p) for p in pages], tally)
            tally = report.tally("audit entries")
            async for keyed in _audit_chunks(source):
                await _add_missing_audit(connection, keyed, tally)
            # Messages not yet delivered are delivered from the database; the rest are history.
            tally = report.tally("outbox messages")
            async for entries in source.outbox():
                outbox = [outbox_row(entry) for entry in entries]
                await _add_missing(connection, "outbox", "id", outbox, tally)
            acknowledged = [acknowledgement_row(a) for a in await source.acknowledgements()]
            tally = report.tally("acknowledgements")
            await _add_missing(connection, "acknowledgements", "email", acknowledged, tally)
            aways = [away_row(away) for away in await source.aways()]
            await _add_missing(connection, "aways", "email", aways, report.tally("absences"))
            # Handles include the Teams conversations, without which nobody there is reachable.
            tally = report.tally("message handles")
            async for pairs in source.message_handles():
                handles = [{"key": key, "handle": handle} for key, handle in pairs]
                await _add_missing(connection, "message_handles", "key", handles, tally)
    finally:
        source.close()
    return report


async def _copy_versioned(
    connection: AsyncConnection[Any], table: str, rows: list[dict[str, Any]], tally: Tally
) -> None:
    """Add records the database lacks; replace those it has at an older version."""
    for chunk in _chunks(rows):
        async with connection.transaction():
            stored = dict(await _present(connection, table, "id", chunk, "version"))
            new = [row for row in chunk if row["id"] not in stored]
            newer = [
                row for row in chunk if row["id"] in stored and row["version"] > stored[row["id"]]
            ]
            if new or newer:
                updates = sql.SQL(", ").join(
                    sql.SQL("{0} = excluded.{0}").format(sql.Identifier(column))
                    for column in chunk[0]
                )
                upsert = insert(table, chunk[0], "ON CONFLICT (id) DO UPDATE SET ")
                async with connection.cursor() as writer:
                    await writer.executemany(sql.Composed([upsert, updates]), new + newer)
        tally.added += len(new)
        tally.updated += len(newer)
        tally.unchanged += len(chunk) - len(new) - len(newer)


async def _add_missing(
    connection: AsyncConnection[Any],
    table: str,
    key: str,
    rows: list[dict[str, Any]],
    tally: Tally,
) -> None:
    """Add the rows whose `key` the table does not hold yet, in their order."""
    for chunk in _chunks(rows):
        async with connection.transaction():
            known = {found for found, _ in await _present(connection, table, key, chunk, key)}
            missing = [row for row in chunk if row[key] not in known]
            if missing:
                async with connection.cursor() as writer:
                    await writer.executemany(insert(table, missing[0]), missing)
        tally.added += len(missing)
        tally.unchanged += len(chunk) - len(missing)


async def _present(
    connection: AsyncConnection[Any],
    table: str,
    key: str,
    rows: Sequence[dict[str, Any]],
    column: str,
) -> list[tuple[Any, Any]]:
    """(key, column) of the stored rows among `rows`."""
    query = sql.SQL("SELECT {key}, {column} FROM {table} WHERE {key} = ANY(%s)").format(
        key=sql.Identifier(key), column=sql.Identifier(column), table=sql.Identifier(table)
    )
    cursor = await connection.execute(query, ([row[key] for row in rows],))
    return await cursor.fetchall()


async def _add_missing_audit(
    connection: AsyncConnection[Any], keyed: dict[str, AuditEntry], tally: Tally
) -> None:
    """Add the lines not copied before, in their order, onto the database's hash chain."""
    async with connection.transaction():
        rows = [{"import_key": key} for key in keyed]
        present = await _present(connection, "audit", "import_key", rows, "seq")
        known = {found for found, _ in present}
        missing = [key for key in keyed if key not in known]
        await audit_chain.append(connection, [keyed[key] for key in missing], missing)
    tally.added += len(missing)
    tally.unchanged += len(keyed) - len(missing)


async def _audit_chunks(source: FolderReader) -> AsyncIterator[dict[str, AuditEntry]]:
    """The folder's audit lines in order, CHUNK at a time, each keyed by its place and content
    (read a little at a time: the trail can be long). The folder's own chain hash is left out
    of the key, so a folder copied before the chain existed is recognised."""
    keyed: dict[str, AuditEntry] = {}
    position = 0
    async for part in source.audit():
        for entry in part:
            content = to_dict(dataclasses.replace(entry, hash=""))
            del content["hash"]
            document = json.dumps(content, sort_keys=True).encode()
            key = f"tinydb:{position}:{hashlib.sha256(document).hexdigest()[:24]}"
            keyed[key] = dataclasses.replace(entry, hash="")
            position += 1
            if len(keyed) == CHUNK:
                yield keyed
                keyed = {}
    if keyed:
        yield keyed


def _chunks(rows: Sequence[Any]) -> list[Sequence[Any]]:
    return [rows[start : start + CHUNK] for start in range(0, len(rows), CHUNK)]
