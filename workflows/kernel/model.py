"""The records Pagekeeper keeps: people, page requests, official pages and the audit trail."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from workflows.kernel.policy import Clause

# The actor named in the audit trail for what Pagekeeper does by itself (reminders, reports).
SYSTEM = "pagekeeper"

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def is_email(value: str) -> bool:
    """Looks like a work email address (the only way Pagekeeper identifies people)."""
    return bool(_EMAIL.match(value.strip()))


@dataclass(frozen=True)
class Person:
    """A staff member, identified by work email (always stored in lower case)."""

    email: str
    name: str
    title: str = ""

    @property
    def display(self) -> str:
        """Name with title, as it should appear in a message."""
        return f"{self.name}, {self.title}" if self.title else self.name


class RequestStatus(StrEnum):
    PENDING = "pending"
    HELD = "held"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    DENIED = "denied"


class Verdict(StrEnum):
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"
    DENY = "deny"


class PageStatus(StrEnum):
    SETTING_UP = "setting_up"
    ACTIVE = "active"
    RETIRED = "retired"


@dataclass(frozen=True)
class PageDetails:
    """What the requester fills in on the form."""

    kind: str
    school: str | None
    platform: str
    page_name: str
    purpose: str
    audience: str
    co_owners: tuple[Person, ...] = ()


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    by: Person
    at: datetime
    note: str
    revision: int


@dataclass(frozen=True)
class PageRequest:
    """A request for an official page, from submission to decision."""

    id: str
    requester: Person
    details: PageDetails
    status: RequestStatus
    approvers: tuple[str, ...]
    route: str
    submitted_at: datetime
    revision: int = 1
    decisions: tuple[Decision, ...] = ()
    page_id: str | None = None
    routed_at: datetime | None = None
    reminded_at: datetime | None = None
    escalated_at: datetime | None = None
    version: int = 1

    @property
    def last_decision(self) -> Decision | None:
        return self.decisions[-1] if self.decisions else None

    @property
    def waiting_since(self) -> datetime:
        """When the current approvers got it (first submission, resubmission or re-routing)."""
        return self.routed_at or self.submitted_at


@dataclass(frozen=True)
class Removal:
    """A post an owner removed, with the viewpoint-neutral reason and where its copy is kept."""

    at: datetime
    by: Person
    reason: str
    description: str
    saved_copy: str


@dataclass(frozen=True)
class Page:
    """An official district page in the registry."""

    id: str
    request_id: str
    details: PageDetails
    owners: tuple[Person, ...]
    status: PageStatus
    approved_by: Person
    approved_at: datetime
    url: str | None = None
    live_at: datetime | None = None
    retired_at: datetime | None = None
    retired_reason: str = ""
    next_check_due: datetime | None = None
    nudged_at: datetime | None = None
    nudge_answered_at: datetime | None = None
    escalated_at: datetime | None = None
    setup_reminded_at: datetime | None = None
    removals: tuple[Removal, ...] = ()
    transfer_to: Person | None = None
    transfer_from: str | None = None
    version: int = 1

    def is_owned_by(self, email: str) -> bool:
        return any(owner.email == email for owner in self.owners)

    @property
    def nudge_open(self) -> bool:
        """A monitoring check was sent and nobody has answered it yet."""
        answered = self.nudge_answered_at
        return self.nudged_at is not None and (answered is None or answered < self.nudged_at)


@dataclass(frozen=True)
class Acknowledgement:
    """A staff member confirmed reading the guidelines on official social media."""

    person: Person
    at: datetime
    reminded_at: datetime | None = None


@dataclass(frozen=True)
class AuditEntry:
    """One line of the append-only audit trail."""

    at: datetime
    actor: str
    action: str
    subject: str
    clause: Clause
    detail: str = ""


Versioned = TypeVar("Versioned", PageRequest, Page)


def next_version(record: Versioned, **changes: object) -> Versioned:
    """The record with `changes` applied and its version moved on by one."""
    return dataclasses.replace(record, version=record.version + 1, **changes)  # type: ignore[arg-type]
