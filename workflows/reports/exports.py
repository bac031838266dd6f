"""What the district hands over for a records request: rows for pages, audit and removals.

Rows are produced one at a time so a long audit trail never has to fit in memory.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

from workflows.kernel.model import Page
from workflows.kernel.ports import Records

PAGES = (
    "page",
    "name",
    "kind",
    "school",
    "platform",
    "address",
    "status",
    "owners",
    "approved by",
    "approved at",
    "live since",
    "retired at",
    "retired because",
)
AUDIT = ("at", "actor", "action", "record", "rule", "detail")
# Every moderation action (removals above all, hence the export's name); the columns after
# "saved copy" came with other actions and are added at the end so readers of 0.1.0 keep working.
REMOVALS = (
    "page",
    "page name",
    "removed at",
    "removed by",
    "reason",
    "description",
    "saved copy",
    "action",
    "account",
    "days",
    "state",
    "decided by",
    "decided at",
    "lifted at",
    "id",
)


def within(moment: datetime | None, start: datetime | None, end: datetime | None) -> bool:
    return (
        moment is not None and (start is None or moment >= start) and (end is None or moment < end)
    )


async def page_rows(
    store: Records, start: datetime | None, end: datetime | None
) -> AsyncIterator[tuple[str, ...]]:
    for page in await store.find_pages():
        if within(page.approved_at, start, end):
            yield page_row(page)


async def audit_rows(
    store: Records, start: datetime | None, end: datetime | None
) -> AsyncIterator[tuple[str, ...]]:
    async for entry in store.iter_audit(start, end):
        yield (
            entry.at.isoformat(),
            entry.actor,
            entry.action,
            entry.subject,
            entry.clause,
            entry.detail,
        )


async def removal_rows(
    store: Records, start: datetime | None, end: datetime | None
) -> AsyncIterator[tuple[str, ...]]:
    for page in await store.find_pages():
        for action in page.moderation:
            if within(action.at, start, end):
                yield (
                    page.id,
                    page.details.page_name,
                    action.at.isoformat(),
                    action.by.email,
                    action.reason,
                    action.description,
                    action.saved_copy,
                    action.action.value,
                    action.account,
                    str(action.days) if action.days else "",
                    action.state.value,
                    action.decided_by.email if action.decided_by else "",
                    _moment(action.decided_at),
                    _moment(action.lifted_at),
                    action.id,
                )


def _moment(at: datetime | None) -> str:
    return at.isoformat() if at else ""


def page_row(page: Page) -> tuple[str, ...]:
    return (
        page.id,
        page.details.page_name,
        page.details.kind,
        page.details.school or "",
        page.details.platform,
        page.url or "",
        page.status.value,
        "; ".join(owner.email for owner in page.owners),
        page.approved_by.email,
        page.approved_at.isoformat(),
        page.live_at.isoformat() if page.live_at else "",
        page.retired_at.isoformat() if page.retired_at else "",
        page.retired_reason,
    )
