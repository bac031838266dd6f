"""What a commit writes after its versioned records, in one statement.

Outbox entries, acknowledgements, aways, submissions and message handles each go as one JSON
array, unpacked by the server into the table's own row type (`jsonb_populate_recordset`), in
one statement of data-modifying WITH clauses; audit lines go as one array to the server's
`pagekeeper_append_audit` (schema 13), which hashes them on after the chain's head. As one
statement per kind and row, a form's commit cost the process about 0.1 ms apiece of
psycopg's work, and the server as much again."""

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


@functools.lru_cache(maxsize=64)
def _text(kinds: tuple[str, ...], audit: bool) -> bytes:
    """The statement writing the kinds named (each a key of `KINDS`), and audit lines."""
    clauses: list[sql.Composable] = []
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
    # A WITH clause that changes nothing runs only if the statement reads it.
    if audit:
        clauses.append(sql.SQL("appended AS (SELECT pagekeeper_append_audit(%(audit)s))"))
    last = sql.SQL("SELECT 1 FROM appended" if audit else "SELECT 1")
    return fixed(sql.SQL("WITH {} {}").format(sql.SQL(", ").join(clauses), last))


async def write_after_records(connection: AsyncConnection[Any], changes: Changes) -> None:
    """Everything in `changes` but its requests and pages, inside the caller's transaction."""
    values: dict[str, Any] = {}
    if changes.audit:
        values["audit"] = Jsonb(lines_to_hash(changes.audit), dumps=_dumps)
    given: tuple[tuple[str, Sequence[Any], Callable[[Any], dict[str, Any]]], ...] = (
        ("outbox", changes.outbox, outbox_row),
        ("acknowledgements", changes.acknowledgements, acknowledgement_row),
        ("aways", changes.aways, away_row),
        ("submissions", changes.submissions, submission_row),
        ("handles", changes.handles, lambda pair: {"key": pair[0], "handle": pair[1]}),
    )
    for kind, records, row in given:
        if records:
            values[kind] = [row(record) for record in records]
    kinds = tuple(kind for kind in KINDS if kind in values)
    if not values:
        return
    for kind in kinds:
        key = KINDS[kind][3]
        rows = values[kind]
        if key is not None:
            rows = list({row[key]: row for row in rows}.values())
        values[kind] = Jsonb(rows, dumps=_dumps)
    await connection.execute(_text(kinds, bool(changes.audit)), values)


def _unwrapped(value: object) -> object:
    """A row's document, already wrapped for a statement of its own."""
    if isinstance(value, Jsonb):
        return value.obj
    raise TypeError(f"{type(value).__name__} cannot be written as JSON")


_dumps = functools.partial(orjson.dumps, default=_unwrapped)
