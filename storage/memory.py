"""The store in memory: for tests and for trying things out. Nothing survives a restart."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

from storage.lanes import Lanes
from storage.versions import check_versions
from workflows.model import (
    Acknowledgement,
    AuditEntry,
    Page,
    PageRequest,
    PageStatus,
    RequestStatus,
)
from workflows.outbox import OutboxMessage
from workflows.ports import Changes, Claim
from workflows.urls import comparable


class MemoryStore:
    def __init__(self) -> None:
        self._requests: dict[str, PageRequest] = {}
        self._pages: dict[str, Page] = {}
        self._audit: list[AuditEntry] = []
        self._messages: dict[str, str] = {}
        self._outbox: dict[str, OutboxMessage] = {}
        self._acknowledgements: dict[str, Acknowledgement] = {}
        self._lanes = Lanes()

    async def get_request(self, request_id: str) -> PageRequest | None:
        return self._requests.get(request_id)

    async def get_page(self, page_id: str) -> Page | None:
        return self._pages.get(page_id)

    async def find_requests(
        self,
        *,
        requester: str | None = None,
        approver: str | None = None,
        status: RequestStatus | None = None,
        page_name: str | None = None,
    ) -> list[PageRequest]:
        found = [
            request
            for request in self._requests.values()
            if (requester is None or request.requester.email == requester)
            and (approver is None or approver in request.approvers)
            and (status is None or request.status is status)
            and (page_name is None or _same_name(request.details.page_name, page_name))
        ]
        return sorted(found, key=lambda request: (request.submitted_at, request.id))

    async def find_pages(
        self,
        *,
        owner: str | None = None,
        status: PageStatus | None = None,
        page_name: str | None = None,
        url: str | None = None,
    ) -> list[Page]:
        found = [
            page
            for page in self._pages.values()
            if (owner is None or page.is_owned_by(owner))
            and (status is None or page.status is status)
            and (page_name is None or _same_name(page.details.page_name, page_name))
            and (url is None or (page.url is not None and comparable(page.url) == comparable(url)))
        ]
        return sorted(found, key=lambda page: (page.approved_at, page.id))

    async def commit(self, changes: Changes) -> None:
        check_versions(lambda key: _version(self._requests.get(key)), changes.requests)
        check_versions(lambda key: _version(self._pages.get(key)), changes.pages)
        self._requests.update((request.id, request) for request in changes.requests)
        self._pages.update((page.id, page) for page in changes.pages)
        self._audit.extend(changes.audit)
        self._outbox.update((message.id, message) for message in changes.outbox)
        self._acknowledgements.update((a.person.email, a) for a in changes.acknowledgements)

    async def audit_entries(self, subject: str | None = None) -> list[AuditEntry]:
        return [entry for entry in self._audit if subject is None or entry.subject == subject]

    async def acknowledgements(self) -> list[Acknowledgement]:
        return list(self._acknowledgements.values())

    async def iter_audit(
        self, start: datetime | None, end: datetime | None
    ) -> AsyncIterator[AuditEntry]:
        for entry in list(self._audit):
            if (start is None or entry.at >= start) and (end is None or entry.at < end):
                yield entry

    async def due_messages(
        self, now: datetime, limit: int, skip: frozenset[str] = frozenset()
    ) -> list[OutboxMessage]:
        due = [
            m
            for m in self._outbox.values()
            if not m.settled and m.next_attempt_at <= now and m.id not in skip
        ]
        return sorted(due, key=lambda m: (m.next_attempt_at, m.id))[:limit]

    async def claim_messages(
        self,
        holder: str,
        now: datetime,
        limit: int,
        lease: timedelta,
        skip: frozenset[str] = frozenset(),
    ) -> Claim:
        due = await self.due_messages(now, len(self._outbox), skip)
        return self._lanes.claim(holder, due, now, limit, lease)

    async def release_messages(self, holder: str) -> None:
        self._lanes.release(holder)

    async def hold_duty(self, duty: str) -> bool:
        return True  # one process has this store

    async def failed_messages(self) -> list[OutboxMessage]:
        failed = [m for m in self._outbox.values() if m.failed_reason]
        return sorted(failed, key=lambda m: (m.created_at, m.id))

    async def remember_message(self, key: str, handle: str) -> None:
        self._messages[key] = handle

    async def recall_message(self, key: str) -> str | None:
        return self._messages.get(key)

    async def check(self) -> None:
        return None

    async def close(self) -> None:
        return None


def _version(record: PageRequest | Page | None) -> int | None:
    return record.version if record else None


def _same_name(stored: str, wanted: str) -> bool:
    return stored.casefold() == wanted.casefold()
