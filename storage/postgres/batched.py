"""A commit as one statement, carried out in one round trip, a transaction of its own.

Each versioned record is written only if it is still at the version it was read at (an
INSERT the primary key refuses for an existing id, an UPDATE ... WHERE version = n); the
server's `pagekeeper_written` (schema 13) ends the statement with SQLSTATE PK409 when one was
not, so nothing of the commit is written. Outbox entries, acknowledgements, aways,
submissions and message handles each go as one JSON array, unpacked by the server into the
table's own row type (`jsonb_populate_recordset`); audit lines go as one array to the
server's `pagekeeper_append_audit`, which hashes them on after the chain's head while it
locks it. All of them are data-modifying WITH clauses of the one statement.

Written as a transaction of several statements (BEGIN, each record, the rest, COMMIT), a
request form's commit cost the web process about 0.6 ms of psycopg's work, a third of the
form's; one statement per kind and row had cost 0.1 ms apiece."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import orjson
from psycopg import AsyncConnection, sql
from psycopg.types.json import Jsonb

from storage.postgres.audit_chain import lines_to_hash
from storage.postgres.rows import (
    acknowledgement_row,
    away_row,
    fixed,
    outbox_row,
    page_row,
    request_row,
    submission_row,
)
from workflows.kernel.ports import Changes

# kind: table, columns, ON CONFLICT clause, and the column keeping one row per key in a
# commit (an upsert may not touch one row twice in a statement; the last one given wins,
# as it did written one after another).
KINDS: dict[str, tuple[str, tuple[str, ...], str, str | None]] = {
    "outbox": (
        "outbox",
        ("id", "recipient", "settled", "failed", "created_at", "next_attempt_at", "bulk", "doc"),
        "ON CONFLICT (id) DO UPDATE SET settled = excluded.settled, failed = excluded.failed,"
        " next_attempt_at = excluded.next_attempt_at, doc = excluded.doc",
        "id",
    ),
    "acknowledgements": (
        "acknowledgements",
        ("email", "doc"),
        "ON CONFLICT (email) DO UPDATE SET doc = excluded.doc",
        "email",
    ),
    "aways": (
        "aways",
        ("email", "doc"),
        "ON CONFLICT (email) DO UPDATE SET doc = excluded.doc",
        "email",
    ),
    # A plain INSERT: a key already there is a repeat someone carried out first.
    "submissions": ("submissions", ("key", "doc"), "", None),
    "handles": (
        "message_handles",
        ("key", "handle"),
        "ON CONFLICT (key) DO UPDATE SET handle = excluded.handle",
        "key",
    ),
}

# Versioned records of one table written by one clause: the table, its rows' columns, and
# whether they are new (version 1) or replace the version before theirs.
Versioned = tuple[str, tuple[str, ...], bool]


async def write_changes(
    connection: AsyncConnection[Any], changes: Changes, *, wait_for_disk: bool
) -> None:
    """Write `changes` on `connection` (in autocommit) as one transaction; without
    `wait_for_disk`, the transaction commits without waiting for the server's disk (for it
    alone: synchronous_commit off, set inside the statement)."""
    values: dict[str, Any] = {}
    versioned: list[Versioned] = []
    given_records = (
        ("requests", [request_row(request) for request in changes.requests]),
        ("pages", [page_row(page) for page in changes.pages]),
    )
    for table, records in given_records:
        for new in (True, False):
            rows = [row for row in records if (row["version"] == 1) == new]
            if rows:
                number = len(versioned)
                versioned.append((table, tuple(rows[0]), new))
                values[f"records_{number}"] = Jsonb(rows, dumps=_dumps)
                values[f"count_{number}"] = len(rows)
                values[f"conflict_{number}"] = _conflict([(r["id"], r["version"]) for r in rows])
    if changes.audit:
        values["audit"] = Jsonb(lines_to_hash(changes.audit), dumps=_dumps)
    given: tuple[tuple[str, Sequence[Any], Callable[[Any], dict[str, Any]]], ...] = (
        ("outbox", changes.outbox, outbox_row),
        ("acknowledgements", changes.acknowledgements, acknowledgement_row),
        ("aways", changes.aways, away_row),
        ("submissions", changes.submissions, submission_row),
        ("handles", changes.handles, lambda pair: {"key": pair[0], "handle": pair[1]}),
    )
    kinds = []
    for kind, written, to_row in given:
        if written:
            unique = KINDS[kind][3]
            rows = [to_row(record) for record in written]
            if unique is not None:
                rows = list({row[unique]: row for row in rows}.values())
            values[kind] = Jsonb(rows, dumps=_dumps)
            kinds.append(kind)
    if not values:
        return
    statement = _text(tuple(versioned), tuple(kinds), bool(changes.audit), wait_for_disk)
    await connection.execute(statement, values)


def _conflict(records: list[tuple[str, int]]) -> str:
    """What ConflictError says when one of `records` (id, version) was written first."""
    if len(records) == 1:
        key, version = records[0]
        return f"{key}: version {version} was already written by someone else"
    listed = ", ".join(f"{key} version {version}" for key, version in records[:5])
    more = f" and {len(records) - 5} more" if len(records) > 5 else ""
    return f"one of {listed}{more} was already written by someone else"


@functools.lru_cache(maxsize=64)
def _text(
    versioned: tuple[Versioned, ...], kinds: tuple[str, ...], audit: bool, wait_for_disk: bool
) -> bytes:
    """The statement writing the versioned records, the kinds named (keys of `KINDS`) and
    audit lines. Its WITH clauses that change nothing run only because its SELECT reads
    them, one row each."""
    clauses: list[sql.Composable] = []
    read: list[str] = []
    if not wait_for_disk:
        clauses.append(sql.SQL("quick AS (SELECT set_config('synchronous_commit', 'off', true))"))
        read.append("quick")
    for number, (table, columns, new) in enumerate(versioned):
        clauses.extend(_versioned(number, table, columns, new))
        read.append(f"checked_{number}")
    for kind in kinds:
        table, columns, conflict, _key = KINDS[kind]
        names = sql.SQL(", ").join(map(sql.Identifier, columns))
        clauses.append(
            sql.SQL(
                "{} AS (INSERT INTO {} ({}) SELECT {} FROM"
                " jsonb_populate_recordset(NULL::{}, {}) WITH ORDINALITY AS given"
                " ORDER BY given.ordinality {})"
            ).format(
                sql.Identifier(f"added_{kind}"),
                sql.Identifier(table),
                names,
                names,
                sql.Identifier(table),
                sql.Placeholder(kind),
                sql.SQL(conflict),
            )
        )
    if audit:
        clauses.append(sql.SQL("appended AS (SELECT pagekeeper_append_audit(%(audit)s))"))
        read.append("appended")
    last: sql.Composable = sql.SQL("SELECT 1")
    if read:
        last = sql.SQL("SELECT 1 FROM {}").format(sql.SQL(", ").join(map(sql.Identifier, read)))
    return fixed(sql.SQL("WITH {} {}").format(sql.SQL(", ").join(clauses), last))


def _versioned(
    number: int, table: str, columns: tuple[str, ...], new: bool
) -> tuple[sql.Composable, sql.Composable]:
    """The WITH clauses writing versioned records `number` (rows of `columns`) from their
    JSON, and checking that each was written (as many rows as given, or
    `pagekeeper_written` ends the statement)."""
    names = sql.SQL(", ").join(map(sql.Identifier, columns))
    if new:
        write = sql.SQL(
            "INSERT INTO {table} ({names}) SELECT {names} FROM {given}"
            " ON CONFLICT (id) DO NOTHING RETURNING 1"
        )
    else:
        write = sql.SQL(
            "UPDATE {table} AS stored SET ({names}) = ({from_given}) FROM {given}"
            " WHERE stored.id = given.id AND stored.version = given.version - 1 RETURNING 1"
        )
    written = sql.Identifier(f"written_{number}")
    return (
        sql.SQL("{} AS ({})").format(
            written,
            write.format(
                table=sql.Identifier(table),
                names=names,
                from_given=sql.SQL(", ").join(
                    sql.SQL("given.{}").format(sql.Identifier(column)) for column in columns
                ),
                given=sql.SQL("jsonb_populate_recordset(NULL::{}, {}) AS given").format(
                    sql.Identifier(table), sql.Placeholder(f"records_{number}")
                ),
            ),
        ),
        sql.SQL("{} AS (SELECT pagekeeper_written(count(*), {}, {}) FROM {})").format(
            sql.Identifier(f"checked_{number}"),
            sql.Placeholder(f"count_{number}"),
            sql.Placeholder(f"conflict_{number}"),
            written,
        ),
    )


def _unwrapped(value: object) -> object:
    """A row's document, already wrapped for a statement of its own."""
    if isinstance(value, Jsonb):
        return value.obj
    raise TypeError(f"{type(value).__name__} cannot be written as JSON")


_dumps = functools.partial(orjson.dumps, default=_unwrapped)
