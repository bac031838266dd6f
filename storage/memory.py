"""The store in memory: for tests and for trying things out. Nothing survives a restart."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta

from storage.lanes import Lanes, in_turn
from storage.once import first_time_in
from storage.passes import PassBook
from storage.request_checks import read_one_by_one
from storage.versions import check_new_submissions, check_versions
from workflows.kernel.messages import OutboxEntry
from workflows.kernel.model import (
    Acknowledgement,
    AuditEntry,
    Away,
    Page,
    PageRequest,
    PageStatus,
    RequestStatus,
    Submission,
)
from workflows.kernel.ports import Changes, Claim, Durable, RequestChecks, already_durable
from workflows.pages.addresses import comparable


class MemoryStore:
    # Its reads and writes never wait: commands side by side would gain nothing.
    turns = 1

    def __init__(self) -> None:
        self._requests: dict[str, PageRequest] = {}
        self._pages: dict[str, Page] = {}
        self._audit: list[AuditEntry] = []
        self._messages: dict[str, str] = {}
        self._outbox: dict[str, OutboxEntry] = {}
        self._acknowledgements: dict[str, Acknowledgement] = {}
        self._aways: dict[str, Away] = {}
        self._lanes = Lanes()
        self._once: dict[str, datetime] = {}
        self._submissions: dict[str, Submission] = {}
        self._passes = PassBook()

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

    async def request_times(self, requester: str, since: datetime) -> list[datetime]:
        return sorted(
            request.submitted_at
            for request in self._requests.values()
            if request.requester.email == requester and request.submitted_at >= since
        )

    async def find_pages(
        self,
        *,
        owner: str | None = None,
        status: PageStatus | None = None,
        page_name: str | None = None,
        url: str | None = None,
        due_by: datetime | None = None,
        school: str | None = None,
        limit: int | None = None,
    ) -> list[Page]:
        found = [
            page
            for page in self._pages.values()
            if (school is None or page.details.school == school)
            and (due_by is None or page.duties_due_at is None or page.duties_due_at <= due_by)
            and (owner is None or page.is_owned_by(owner))
            and (status is None or page.status is status)
            and (page_name is None or _same_name(page.details.page_name, page_name))
            and (url is None or (page.url is not None and comparable(page.url) == comparable(url)))
        ]
        if due_by is not None:
            return sorted(found, key=_due_order)[:limit]
        return sorted(found, key=lambda page: (page.approved_at, page.id))

    async def commit_in_turn(self, changes: Changes) -> Durable:
        await self.commit(changes)
        return already_durable

    async def commit(self, changes: Changes) -> None:
        check_versions(lambda key: _version(self._requests.get(key)), changes.requests)
        check_versions(lambda key: _version(self._pages.get(key)), changes.pages)
        check_new_submissions(self._submissions.__contains__, changes.submissions)
        self._submissions.update((s.key, s) for s in changes.submissions)
        self._requests.update((request.id, request) for request in changes.requests)
        self._pages.update((page.id, page) for page in changes.pages)
        self._audit.extend(changes.audit)
        self._outbox.update((entry.id, entry) for entry in changes.outbox)
        self._acknowledgements.update((a.person.email, a) for a in changes.acknowledgements)
        self._messages.update(changes.handles)
        self._aways.update((away.person, away) for away in changes.aways)

    async def acknowledgements(self) -> list[Acknowledgement]:
        return list(self._acknowledgements.values())

    async def submission(self, key: str) -> Submission | None:
        return self._submissions.get(key)

    async def aways(self) -> list[Away]:
        return list(self._aways.values())

    async def request_checks(
        self, *, requester: str, since: datetime, page_name: str
    ) -> RequestChecks:
        return await read_one_by_one(self, requester=requester, since=since, page_name=page_name)

    async def iter_audit(
        self, start: datetime | None, end: datetime | None
    ) -> AsyncIterator[AuditEntry]:
        for entry in list(self._audit):
            if (start is None or entry.at >= start) and (end is None or entry.at < end):
                yield entry

    async def audit_after(
        self, position: int, limit: int
    ) -> tuple[list[tuple[int, AuditEntry]], int]:
        lines = self._audit[position : position + limit]
        return list(enumerate(lines, start=position + 1)), position + len(lines)

    async def audit_at(self, positions: Sequence[int]) -> list[AuditEntry]:
        return [self._audit[position - 1] for position in positions]

    async def claim_messages(
        self,
        holder: str,
        now: datetime,
        limit: int,
        lease: timedelta,
        resting: frozenset[str] = frozenset(),
    ) -> Claim:
        due = [
            (entry.next_attempt_at, entry.id, entry.message.to, entry.message.bulk)
            for entry in self._outbox.values()
            if not entry.settled
            and entry.next_attempt_at <= now
            and entry.message.to not in resting
        ]
        ordered = (self._outbox[key] for key in in_turn(due))
        return self._lanes.claim(holder, ordered, now, limit, lease)

    async def release_messages(self, holder: str) -> None:
        self._lanes.release(holder)

    async def outbox_waiting(self) -> tuple[int, datetime | None]:
        waiting = [entry.created_at for entry in self._outbox.values() if not entry.settled]
        return len(waiting), min(waiting, default=None)

    async def pages_by_status(self) -> dict[PageStatus, int]:
        return dict(Counter(page.status for page in self._pages.values()))

    async def renew_lease(self, holder: str, until: datetime) -> None:
        self._lanes.renew(holder, until)

    async def hold_duty(self, duty: str) -> bool:
        return True  # one process has this store

    async def failed_messages(self) -> list[OutboxEntry]:
        failed = [entry for entry in self._outbox.values() if entry.failed_reason]
        return sorted(failed, key=lambda entry: (entry.created_at, entry.id))

    async def remember_message(self, key: str, handle: str) -> None:
        self._messages[key] = handle

    async def recall_message(self, key: str) -> str | None:
        return self._messages.get(key)

    async def first_time(self, key: str, now: datetime, keep_for: timedelta) -> bool:
        return first_time_in(self._once, key, now, keep_for)

    async def keep_pass(self, key: str, email: str, expires: datetime) -> None:
        self._passes.keep(key, email, expires)

    async def take_pass(self, key: str, now: datetime) -> str | None:
        return self._passes.take(key, now)

    async def read_pass(self, key: str, now: datetime) -> str | None:
        return self._passes.read(key, now)

    async def drop_pass(self, key: str) -> None:
        self._passes.drop(key)

    async def check(self) -> None:
        return None

    async def close(self) -> None:
        return None


def _version(record: PageRequest | Page | None) -> int | None:
    return record.version if record else None


def _same_name(stored: str, wanted: str) -> bool:
    return stored.casefold() == wanted.casefold()


# Pages stored before due times were kept have none: they come first, as if long due.
_LONG_DUE = datetime.min.replace(tzinfo=UTC)


def _due_order(page: Page) -> tuple[datetime, str]:
    """The order a reminders run reads pages in: the earliest due first."""
    return (page.duties_due_at or _LONG_DUE, page.id)
