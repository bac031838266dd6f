"""Copy a TinyDB data folder into PostgreSQL, so a district moves up without losing history.

Safe to run again: a record already there at the same or a newer version is left alone, an
audit line already copied (known by its place in the folder's log and its content) is not
added twice, and nothing in the folder is changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from psycopg import AsyncConnection
from psycopg.types.json import Jsonb

from storage import codec
from storage.postgres.rows import outbox_row, page_row, request_row
from storage.postgres.store import PostgresStore
from storage.tinydb_store import TinyDBStore
from workflows.ports import StorageError

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
    source = await TinyDBStore.open(folder)
    report = CopyReport()
    try:
        async with await AsyncConnection.connect(database_url) as connection:
            requests = [request_row(r) for r in await source.find_requests()]
            await _copy_versioned(connection, "requests", requests, report.tally("requests"))
            pages = [page_row(p) for p in await source.find_pages()]
            await _copy_versioned(connection, "pages", pages, report.tally("pages"))
            await _copy_audit(connection, source, report.tally("audit entries"))
            await _copy_outbox(connection, source, report.tally("outbox messages"))
            await _copy_small(connection, source, report)
    finally:
        await source.close()
    return report


async def _copy_versioned(
    connection: AsyncConnection[Any], table: str, rows: list[dict[str, Any]], tally: Tally
) -> None:
    """Add records the database lacks; replace those it has at an older version."""
    for chunk in _chunks(rows):
        async with connection.transaction():
            cursor = await connection.execute(
                f"SELECT id, version FROM {table} WHERE id = ANY(%s)".encode(),
                ([row["id"] for row in chunk],),
            )
            stored = {key: version for key, version in await cursor.fetchall()}
            new = [row for row in chunk if row["id"] not in stored]
            newer = [
                row for row in chunk if row["id"] in stored and row["version"] > stored[row["id"]]
            ]
            columns = list(chunk[0])
            names = ", ".join(columns)
            places = ", ".join(f"%({column})s" for column in columns)
            updates = ", ".join(f"{column} = excluded.{column}" for column in columns)
            async with connection.cursor() as writer:
                if new or newer:
                    await writer.executemany(
                        f"INSERT INTO {table} ({names}) VALUES ({places})"
                        f" ON CONFLICT (id) DO UPDATE SET {updates}".encode(),
                        new + newer,
                    )
        tally.added += len(new)
        tally.updated += len(newer)
        tally.unchanged += len(chunk) - len(new) - len(newer)


async def _copy_audit(connection: AsyncConnection[Any], source: TinyDBStore, tally: Tally) -> None:
    """Audit lines in the folder's order, each keyed by its place and content."""
    batch: list[tuple[Any, ...]] = []
    position = 0
    async for entry in source.iter_audit(None, None):
        document = codec.audit_to_dict(entry)
        digest = hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()[:24]
        batch.append((entry.at, entry.subject, Jsonb(document), f"tinydb:{position}:{digest}"))
        position += 1
        if len(batch) == CHUNK:
            await _add_audit(connection, batch, tally)
            batch = []
    if batch:
        await _add_audit(connection, batch, tally)


async def _add_audit(
    connection: AsyncConnection[Any], batch: Sequence[tuple[Any, ...]], tally: Tally
) -> None:
    async with connection.transaction(), connection.cursor() as cursor:
        await cursor.execute(
            "SELECT import_key FROM audit WHERE import_key = ANY(%s)", ([row[3] for row in batch],)
        )
        known = {row[0] for row in await cursor.fetchall()}
        missing = [row for row in batch if row[3] not in known]
        if missing:
            await cursor.executemany(
                "INSERT INTO audit (at, subject, doc, import_key) VALUES (%s, %s, %s, %s)", missing
            )
    tally.added += len(missing)
    tally.unchanged += len(batch) - len(missing)


async def _copy_outbox(connection: AsyncConnection[Any], source: TinyDBStore, tally: Tally) -> None:
    """Messages not yet delivered will be delivered from the database; the rest are history."""
    for chunk in _chunks(await source.outbox_messages()):
        async with connection.transaction(), connection.cursor() as cursor:
            await cursor.executemany(
                "INSERT INTO outbox (id, recipient, settled, failed, created_at,"
                " next_attempt_at, doc) VALUES (%s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (id) DO NOTHING RETURNING id",
                [outbox_row(message) for message in chunk],
                returning=True,
            )
            added = 0
            while True:
                added += len(await cursor.fetchall())
                if not cursor.nextset():
                    break
        tally.added += added
        tally.unchanged += len(chunk) - added


async def _copy_small(
    connection: AsyncConnection[Any], source: TinyDBStore, report: CopyReport
) -> None:
    """Acknowledgements and message handles (Teams conversations, messages to update)."""
    handles = await source.message_handles()
    acknowledgements = await source.acknowledgements()
    async with connection.transaction(), connection.cursor() as cursor:
        await cursor.execute(
            "SELECT key FROM message_handles WHERE key = ANY(%s)", (list(handles),)
        )
        known = {row[0] for row in await cursor.fetchall()}
        await cursor.executemany(
            "INSERT INTO message_handles (key, handle) VALUES (%s, %s)",
            [(key, handle) for key, handle in handles.items() if key not in known],
        )
        emails = [a.person.email for a in acknowledgements]
        await cursor.execute("SELECT email FROM acknowledgements WHERE email = ANY(%s)", (emails,))
        acknowledged = {row[0] for row in await cursor.fetchall()}
        await cursor.executemany(
            "INSERT INTO acknowledgements (email, doc) VALUES (%s, %s)",
            [
                (a.person.email, Jsonb(codec.acknowledgement_to_dict(a)))
                for a in acknowledgements
                if a.person.email not in acknowledged
            ],
        )
    report.tally("message handles").added += len(handles) - len(known)
    report.tally("message handles").unchanged += len(known)
    report.tally("acknowledgements").added += len(acknowledgements) - len(acknowledged)
    report.tally("acknowledgements").unchanged += len(acknowledged)


def _chunks(rows: Sequence[Any]) -> list[Sequence[Any]]:
    return [rows[start : start + CHUNK] for start in range(0, len(rows), CHUNK)]
