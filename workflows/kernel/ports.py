"""What the core needs from the outside world, one port per role, and the clock.

Each part of the code asks only for the role it uses: handlers read `Records` (only the
engine commits), the dispatcher works the `Outbox`, the duties loop takes the `DutyLock`,
/healthz asks `Health`, platform adapters keep `MessageHandles`, and the dashboard's sign-ins
are `Passes`. A store implements
them all (`Store`); the same contract tests run against every store.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

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

# Waits until a commit is durable (see Records.commit_in_turn).
Durable = Callable[[], Awaitable[None]]


async def already_durable() -> None:
    """The wait of a store whose commits are durable once written."""


class ConflictError(Exception):
    """Someone else changed a record between our read and our write; nothing was written."""


class StorageError(Exception):
    """The store cannot be used (unreadable file, full disk); the message names the place."""


@dataclass(frozen=True)
class Changes:
    """Everything one command changes, written all together or not at all.

    Each record carries the version it will have once written: 1 for a new record, one more
    than the stored version for an update. A stale version raises ConflictError. Outbox
    entries are written as given (only the dispatcher changes them once stored), and so are
    message handles (where a platform put a delivered message, kept with its delivery).
    """

    requests: tuple[PageRequest, ...] = ()
    pages: tuple[Page, ...] = ()
    audit: tuple[AuditEntry, ...] = ()
    outbox: tuple[OutboxEntry, ...] = ()
    acknowledgements: tuple[Acknowledgement, ...] = ()
    handles: tuple[tuple[str, str], ...] = ()
    aways: tuple[Away, ...] = ()
    # Written once: a key already stored raises ConflictError (another process acted first).
    submissions: tuple[Submission, ...] = ()


@dataclass(frozen=True)
class RequestChecks:
    """What a request someone sends or edits is checked against, read together: their
    requests' submission times from a moment on (`Records.request_times`), the pages and the
    requests with its name (`Records.find_pages` and `find_requests` by `page_name`), and
    every approver's absence (`Records.aways`)."""

    times: tuple[datetime, ...]
    pages: tuple[Page, ...]
    requests: tuple[PageRequest, ...]
    aways: tuple[Away, ...]


@dataclass(frozen=True)
class Claim:
    """Messages one sender may deliver now, and how many senders share the platforms' limits."""

    entries: tuple[OutboxEntry, ...]
    senders: int = 1


class Records(Protocol):
    """Requests, pages, acknowledgements and the append-only audit trail."""

    # How many commands the engine may carry out side by side on this store: 1, unless the
    # store refuses every write made on a stale read (a record's version, a submission's key,
    # an address already active) with ConflictError, for commits made in this process as for
    # those of another one, and gains from it (its reads and writes wait on a server).
    turns: int

    async def get_request(self, request_id: str) -> PageRequest | None: ...

    async def get_page(self, page_id: str) -> Page | None: ...

    async def find_requests(
        self,
        *,
        requester: str | None = None,
        approver: str | None = None,
        status: RequestStatus | None = None,
        page_name: str | None = None,
    ) -> list[PageRequest]:
        """Requests matching every filter given, oldest first (page names in any case)."""
        ...

    async def request_times(self, requester: str, since: datetime) -> list[datetime]:
        """When each of `requester`'s requests submitted at `since` or later was submitted,
        earliest first: what a limit on requests per hour needs, without reading requests."""
        ...

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
        """Pages matching every filter given, oldest first (page names in any case, addresses
        as `workflows.pages.addresses.comparable` compares them; `school`: a school's id).

        `due_by`: pages whose duties are due by then, or not yet known (see
        Page.duties_due_at), in the order they fell due, not yet known first, then by id;
        `limit`: at most so many of them, so a run reads what it can handle, not the backlog."""
        ...

    async def request_checks(
        self, *, requester: str, since: datetime, page_name: str
    ) -> RequestChecks:
        """The four reads RequestChecks names, each as its own method answers it, in one
        read where that saves waiting on a server (they are not one snapshot)."""
        ...

    async def acknowledgements(self) -> list[Acknowledgement]:
        """Each person's latest acknowledgement of the staff guidelines."""
        ...

    async def aways(self) -> list[Away]:
        """Each approver's latest absence and delegate (past ones included)."""
        ...

    async def submission(self, key: str) -> Submission | None:
        """The submission stored under `key`, if it was carried out before; kept for at
        least conversation.repeats.SUBMISSIONS_KEPT after it was made, maybe not longer."""
        ...

    def iter_audit(self, start: datetime | None, end: datetime | None) -> AsyncIterator[AuditEntry]:
        """The audit trail between two moments (either may be open), read a little at a time."""
        ...

    async def commit(self, changes: Changes) -> None:
        """Write `changes` atomically and durably, or raise and write nothing."""
        ...

    async def commit_in_turn(self, changes: Changes) -> Durable:
        """Write `changes` as `commit` does, but return once every later read sees them,
        with a wait for them to be durable. The engine, which makes commits one at a time,
        waits after giving its turn up, so the commits made meanwhile share one sync of the
        disk (a store whose commits are durable once written returns `already_durable`)."""
        ...


class AuditReader(Protocol):
    """The audit trail read by position, so a view kept up to date reads each line once."""

    async def audit_after(
        self, position: int, limit: int
    ) -> tuple[list[tuple[int, AuditEntry]], int]:
        """Up to `limit` lines written after `position` (0: from the first), each with its
        own position, and the position to read from next."""
        ...

    async def audit_at(self, positions: Sequence[int]) -> list[AuditEntry]:
        """The lines at `positions` (as `audit_after` gave them), in that order."""
        ...


class Outbox(Protocol):
    """Messages waiting to be delivered, shared out among the processes that send them."""

    async def claim_messages(
        self,
        holder: str,
        now: datetime,
        limit: int,
        lease: timedelta,
        resting: frozenset[str] = frozenset(),
    ) -> Claim:
        """Due messages for `holder` to deliver, earliest due first, leaving out those to the
        people in `resting` (who may not be sent more yet: their messages stay where they are).

        Each person's messages go to one holder at a time (so they stay in order) until the
        holder releases them or `lease` runs out (so a holder that died loses nothing).
        `senders` counts the holders sending right now, this one included.
        """
        ...

    async def release_messages(self, holder: str) -> None:
        """Let other holders deliver to the people `holder` claimed."""
        ...

    async def renew_lease(self, holder: str, until: datetime) -> None:
        """Keep the people `holder` claimed until `until` (a send still in flight)."""
        ...

    async def commit(self, changes: Changes) -> None:
        """Write outbox entries (and the handles of delivered messages) as given."""
        ...


class MessageHandles(Protocol):
    """Where platforms put messages, and what adapters must keep across restarts."""

    async def remember_message(self, key: str, handle: str) -> None:
        """Keep `handle` under `key`, durably (through the same journal as every record)."""
        ...

    async def recall_message(self, key: str) -> str | None:
        """The handle remembered under `key`, if any."""
        ...


class DutyLock(Protocol):
    async def hold_duty(self, duty: str) -> bool:
        """True when this process is the one (of all sharing the store) to carry out `duty`;
        once held, it stays held until the process stops."""
        ...


class Health(Protocol):
    async def check(self) -> None:
        """Raise StorageError when the store cannot take writes."""
        ...

    async def failed_messages(self) -> list[OutboxEntry]:
        """Messages the dispatcher gave up on, oldest first."""
        ...

    async def outbox_waiting(self) -> tuple[int, datetime | None]:
        """How many messages wait to be delivered, and when the oldest of them was made."""
        ...

    async def pages_by_status(self) -> dict[PageStatus, int]:
        """How many pages are in each status (those with none left out), counted without
        reading the pages themselves: monitoring asks often."""
        ...


class OnceOnly(Protocol):
    async def first_time(self, key: str, now: datetime, keep_for: timedelta) -> bool:
        """Record `key` durably, for every process sharing the store: True the first time it
        is seen within `keep_for`, False for a repeat (a replayed request, a second click)."""
        ...


class Passes(Protocol):
    """What lets a person into the dashboard: one-time sign-in links and sessions, kept by
    the store so that every process sharing it knows them. Keys are hashes of what the
    person holds, never the secret itself."""

    async def keep_pass(self, key: str, email: str, expires: datetime) -> None:
        """Remember that `key` lets `email` in until `expires`."""
        ...

    async def take_pass(self, key: str, now: datetime) -> str | None:
        """The email `key` lets in, forgotten as it is read (a sign-in link works once, even
        with two processes racing); None when unknown or expired."""
        ...

    async def read_pass(self, key: str, now: datetime) -> str | None:
        """The email `key` lets in, if it has not expired (a session, read on every page)."""
        ...

    async def drop_pass(self, key: str) -> None:
        """Forget `key` (signing out)."""
        ...


class Store(
    Records, AuditReader, Outbox, MessageHandles, DutyLock, Health, OnceOnly, Passes, Protocol
):
    """Every role at once: what a storage implementation provides to the composition root."""

    async def close(self) -> None: ...


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...
