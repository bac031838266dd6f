"""The audit trail's hash chain on PostgreSQL (see storage/chain.py).

The head (how many rows, the last hash) is one row in `audit_head`. Every transaction that adds
audit rows locks it first, so rows are hashed and numbered in the order the chain has them, by
however many processes; a reader checks the rows against the head in one snapshot. A commit's
rows are hashed by the server (`pagekeeper_append_audit`, schema 13, from `lines_to_hash`), so
the lock is held for the server's work alone; `append` hashes here, for migrate-data.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from psycopg import AsyncConnection

from storage.chain import ChainBroken, Head, extend, hashed_text, verify
from storage.codec import to_dict
from storage.postgres.rows import audit_row, fixed, insert
from storage.postgres.schema import MIGRATION_LOCK
from workflows.kernel.model import AuditEntry
from workflows.kernel.ports import StorageError

WALK_CHUNK = 2000
ADD_AUDIT = fixed(insert("audit", ("at", "subject", "doc")))
ADD_IMPORTED_AUDIT = fixed(insert("audit", ("at", "subject", "doc", "import_key")))


async def append(
    connection: AsyncConnection[Any],
    entries: Sequence[AuditEntry],
    import_keys: Sequence[str] | None = None,
) -> None:
    """Add `entries` to the trail, hashed on after its head, inside the caller's transaction."""
    if not entries:
        return
    head, rows = rows_after(await locked_head(connection), entries)
    if import_keys is not None:
        for values, key in zip(rows, import_keys, strict=True):
            values["import_key"] = key
    async with connection.cursor() as writer:
        await writer.executemany(ADD_AUDIT if import_keys is None else ADD_IMPORTED_AUDIT, rows)
    await connection.execute("UPDATE audit_head SET count = %s, hash = %s", (head.count, head.hash))


async def locked_head(connection: AsyncConnection[Any]) -> Head:
    """The trail's head, locked until the caller's transaction ends: rows hashed on after it
    (`rows_after`) are the next in the chain."""
    cursor = await connection.execute("SELECT count, hash FROM audit_head FOR UPDATE")
    row = await cursor.fetchone()
    if row is None:
        raise StorageError("the audit trail's head is missing from the database")
    return Head(int(row[0]), str(row[1]))


def lines_to_hash(entries: Sequence[AuditEntry]) -> list[dict[str, Any]]:
    """`entries` as `pagekeeper_append_audit` (schema 13) takes them: each row with the text
    its hash covers (`storage.chain.hashed_text`), in the chain's order."""
    lines = []
    for entry in entries:
        doc = to_dict(entry)
        lines.append(
            {"at": entry.at, "subject": entry.subject, "doc": doc, "hashed": hashed_text(doc)}
        )
    return lines


def rows_after(head: Head, entries: Sequence[AuditEntry]) -> tuple[Head, list[dict[str, Any]]]:
    """`entries` hashed on after `head`, as table rows, and the head after them."""
    moved, hashed = extend(head, entries)
    return moved, [audit_row(entry) for entry in hashed]


async def start_head(connection: AsyncConnection[Any]) -> None:
    """Give a database from before the chain its head, linking in the rows it already has
    (once, whichever process starts first)."""
    async with connection.transaction():
        await connection.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        cursor = await connection.execute("SELECT 1 FROM audit_head")
        if await cursor.fetchone():
            return
        try:
            head = await verify(_lines(connection), None)
        except ChainBroken as broken:
            raise _damaged(broken) from None
        await connection.execute(
            "INSERT INTO audit_head (count, hash) VALUES (%s, %s)", (head.count, head.hash)
        )


async def check_trail(connection: AsyncConnection[Any]) -> Head:
    """Walk every row against the chain and the recorded head, in one snapshot; the head.
    StorageError when a row was edited, removed or added outside Pagekeeper."""
    async with connection.transaction():
        await connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor = await connection.execute("SELECT count, hash FROM audit_head")
        row = await cursor.fetchone()
        recorded = Head(int(row[0]), str(row[1])) if row else None
        try:
            return await verify(_lines(connection), recorded)
        except ChainBroken as broken:
            raise _damaged(broken) from None


def _damaged(broken: ChainBroken) -> StorageError:
    return StorageError(f"the database's audit trail is damaged: {broken}; restore a backup")


async def _lines(connection: AsyncConnection[Any]) -> AsyncIterator[dict[str, Any]]:
    """Every stored audit row in order, a chunk at a time (the trail can be long)."""
    after = 0
    while True:
        cursor = await connection.execute(
            "SELECT seq, doc FROM audit WHERE seq > %s ORDER BY seq LIMIT %s",
            (after, WALK_CHUNK),
        )
        rows = await cursor.fetchall()
        if not rows:
            return
        for seq, doc in rows:
            yield doc
            after = seq
