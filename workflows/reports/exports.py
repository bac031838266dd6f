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
REMOVALS = ("page", "page name", "removed at", "removed by", "reason", "description", "saved copy")


def within(moment: datetime | None, start: datetime | None, end: datetime | None) -> bool:
    return (
        moment is not None and (start is None or moment >= start) and (end is None or moment < end)
    )


async def page_rows(
    store: Records, start: datetime | None, end: datetime | None
) -> AsyncIterator[tuple[str, ...]]:
    for page in await store.find_pages():
        if within(page.approved_at, start, end):
            yield _page(page)


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
        for removal in page.removals:
            if within(removal.at, start, end):
                yield (
                    page.id,
                    page.details.page_name,
                    removal.at.isoformat(),
                    removal.by.email,
                    removal.reason,
                    removal.description,
                    removal.saved_copy,
                )


def _page(page: Page) -> tuple[str, ...]:
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
