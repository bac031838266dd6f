"""Records as table rows: the JSON document plus the columns look-ups need beside it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from psycopg.types.json import Jsonb

from storage import codec
from storage.card_codec import outbox_to_dict
from workflows.model import Page, PageRequest
from workflows.outbox import OutboxMessage
from workflows.urls import comparable


def request_row(request: PageRequest) -> dict[str, Any]:
    return {
        "id": request.id,
        "version": request.version,
        "requester": request.requester.email,
        "approvers": list(request.approvers),
        "status": request.status.value,
        "name_key": request.details.page_name.casefold(),
        "submitted_at": request.submitted_at,
        "doc": Jsonb(codec.request_to_dict(request)),
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
        "doc": Jsonb(codec.page_to_dict(page)),
    }


def outbox_row(message: OutboxMessage) -> Sequence[Any]:
    return (
        message.id,
        message.notice.to,
        message.settled,
        bool(message.failed_reason),
        message.created_at,
        message.next_attempt_at,
        Jsonb(outbox_to_dict(message)),
    )
