"""Records as table rows: the JSON document plus the columns look-ups need beside it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from storage.codec import to_dict
from workflows.kernel.messages import OutboxEntry
from workflows.kernel.model import (
    Acknowledgement,
    AuditEntry,
    Away,
    Page,
    PageRequest,
    Submission,
)
from workflows.pages.addresses import comparable


def request_row(request: PageRequest) -> dict[str, Any]:
    return {
        "id": request.id,
        "version": request.version,
        "requester": request.requester.email,
        "approvers": list(request.approvers),
        "status": request.status.value,
        "name_key": request.details.page_name.casefold(),
        "submitted_at": request.submitted_at,
        "doc": Jsonb(to_dict(request)),
    }


def page_row(page: Page) -> dict[str, Any]:
    return {
        "id": page.id,
        "version": page.version,
        "owners": [owner.email for owner in page.owners],
        "status": page.status.value,
        "name_key": page.details.page_name.casefold(),
        "url_key": comparable(page.url) if page.url else None,
        "approved_at": page.approved_at,
        "duties_due_at": page.duties_due_at,
        "doc": Jsonb(to_dict(page)),
    }


def outbox_row(message: OutboxEntry) -> dict[str, Any]:
    return {
        "id": message.id,
        "recipient": message.message.to,
        "settled": message.settled,
        "failed": bool(message.failed_reason),
        "created_at": message.created_at,
        "next_attempt_at": message.next_attempt_at,
        "bulk": message.message.bulk,
        "doc": Jsonb(to_dict(message)),
    }


def audit_row(entry: AuditEntry) -> dict[str, Any]:
    return {"at": entry.at, "subject": entry.subject, "doc": Jsonb(to_dict(entry))}


def acknowledgement_row(acknowledgement: Acknowledgement) -> dict[str, Any]:
    return {
        "email": acknowledgement.person.email,
        "doc": Jsonb(to_dict(acknowledgement)),
    }


def away_row(away: Away) -> dict[str, Any]:
    return {"email": away.person, "doc": Jsonb(to_dict(away))}


def submission_row(submission: Submission) -> dict[str, Any]:
    return {"key": submission.key, "doc": Jsonb(to_dict(submission))}


def fixed(query: sql.Composable) -> bytes:
    """`query` made into text once: psycopg composes a composed query again on every
    execution, a tenth of a form's writes."""
    return query.as_bytes(None)


def insert(table: str, columns: Iterable[str], conflict: str = "") -> sql.Composed:
    """INSERT of one row given as named values, with an optional ON CONFLICT clause."""
    names = list(columns)
    return sql.SQL("INSERT INTO {} ({}) VALUES ({}) {}").format(
        sql.Identifier(table),
        sql.SQL(", ").join(map(sql.Identifier, names)),
        sql.SQL(", ").join(map(sql.Placeholder, names)),
        sql.SQL(conflict),
    )
