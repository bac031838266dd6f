"""The records Pagekeeper keeps: people, page requests, official pages and the audit trail."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from workflows.kernel.policy import Clause

# The actor named in the audit trail for what Pagekeeper does by itself (reminders, reports).
SYSTEM = "pagekeeper"
# A page's duties_due_at when the duties have nothing left to do for it (a retired page, a
# check already escalated): later than any run, so none reads it.
NOTHING_DUE = datetime.max.replace(tzinfo=UTC)

# The longest address mail systems accept (RFC 5321's path limit).
EMAIL_MAX = 254


def is_email(value: str) -> bool:
    """Looks like a work email address (the only way Pagekeeper identifies people): one "@",
    something before it, a dotted domain after it, no spaces. Checked in one pass over at most
    EMAIL_MAX characters (a pattern here once backtracked on hostile input)."""
    text = value.strip()
    if not text or len(text) > EMAIL_MAX or any(char.isspace() for char in text):
        return False
    local, at, domain = text.partition("@")
    if not at or not local or "@" in domain:
        return False
    name, dot, top = domain.rpartition(".")
    return bool(dot and name and top)


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
    WITHDRAWN = "withdrawn"

    @property
    def open(self) -> bool:
        """Still on its way to a decision (it may be withdrawn)."""
        return self in (RequestStatus.PENDING, RequestStatus.HELD, RequestStatus.CHANGES_REQUESTED)


class Verdict(StrEnum):
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"
    DENY = "deny"


class PageStatus(StrEnum):
    SETTING_UP = "setting_up"
    ACTIVE = "active"
    RETIRED = "retired"


class AnswerKind(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    CHOICE = "choice"
    NUMBER = "number"
    YES_NO = "yes_no"
    DATE = "date"


@dataclass(frozen=True)
class Question:
    """Something a district asks on a form (a request field, or evidence with a decision),
    in its own words. A `published` answer fills the placeholder `{id}` in the page's
    notices; any other answer is seen by approvers and kept in the records only."""

    id: str
    label: str
    kind: AnswerKind = AnswerKind.TEXT
    required: bool = True
    help: str = ""
    choices: tuple[str, ...] = ()
    max_length: int = 0
    minimum: float | None = None
    maximum: float | None = None
    published: bool = False


@dataclass(frozen=True)
class Answer:
    """One answer, kept with what was asked, so the record reads on its own."""

    id: str
    label: str
    value: str


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
    answers: tuple[Answer, ...] = ()
    # The forum type the page is (an id of the district's [forums]); "" when it has none.
    forum: str = ""

    def answer(self, question_id: str) -> str:
        return next((a.value for a in self.answers if a.id == question_id), "")


@dataclass(frozen=True)
class Step:
    """One step of a request's approval chain, as it was routed: who may act and how.

    A review step is someone confirming a walkthrough or training happened, not a decision:
    it can be confirmed or sent back, never denied. `evidence` is what must come with the
    decision (for example the Board's motion number); `escalate_to` is who also gets the
    request when it waits too long.
    """

    title: str
    approvers: tuple[str, ...]
    needs_all: bool = False
    review: bool = False
    evidence: tuple[Question, ...] = ()
    escalate_to: tuple[str, ...] = ()
    # Everyone who may act on this step (its roles, stand-ins and fallback), so a delegate
    # can be checked; and the delegates added for approvers who are away: (delegate, for).
    allowed: tuple[str, ...] = ()
    delegates: tuple[tuple[str, str], ...] = ()

    def standing_in_for(self, email: str) -> str:
        """Whom `email` decides for as a delegate, or "" when they decide as themselves."""
        return next((away for delegate, away in self.delegates if delegate == email), "")


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    by: Person
    at: datetime
    note: str
    revision: int
    step: int = 0
    evidence: tuple[Answer, ...] = ()
    # Set when a delegate decided in the place of an approver who is away.
    for_approver: str = ""


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
    # The approval chain as routed, and where the request stands in it. Requests stored
    # before chains existed have none: they are one-step chains (see `chain`).
    steps: tuple[Step, ...] = ()
    step: int = 0

    @property
    def last_decision(self) -> Decision | None:
        return self.decisions[-1] if self.decisions else None

    @property
    def chain(self) -> tuple[Step, ...]:
        return self.steps or (Step(self.route, self.approvers),)

    @property
    def current(self) -> Step:
        """The step the request waits on (the last one once it is decided)."""
        chain = self.chain
        return chain[min(self.step, len(chain) - 1)]

    def decisions_on(self, step: int, revision: int | None = None) -> tuple[Decision, ...]:
        """The decisions taken on one step of this revision (the current one by default)."""
        wanted = self.revision if revision is None else revision
        return tuple(d for d in self.decisions if d.step == step and d.revision == wanted)

    @property
    def waiting_since(self) -> datetime:
        """When the current approvers got it (first submission, resubmission or re-routing)."""
        return self.routed_at or self.submitted_at


class ModerationKind(StrEnum):
    """What an owner can do about a post or a user, where the district allows it."""

    REMOVE = "remove"
    HIDE = "hide"
    BLOCK = "block"
    BAN = "ban"
    SUSPEND = "suspend"
    REPORT = "report"
    REFER = "refer"


class ActionState(StrEnum):
    DONE = "done"
    AWAITING_APPROVAL = "awaiting_approval"
    REFUSED = "refused"
    LIFTED = "lifted"


@dataclass(frozen=True)
class ModerationAction:
    """Something an owner did about a post or a user (removed a post, above all), with the
    viewpoint-neutral reason, what was addressed, where its copy is kept and the account
    concerned. An action the district makes wait for approval is done once approved; a
    suspension lasts `days` and is lifted."""

    at: datetime
    by: Person
    reason: str
    description: str
    saved_copy: str
    action: ModerationKind = ModerationKind.REMOVE
    account: str = ""
    days: int = 0
    id: str = ""
    state: ActionState = ActionState.DONE
    decided_by: Person | None = None
    decided_at: datetime | None = None
    note: str = ""
    lifted_at: datetime | None = None
    lift_reminded_at: datetime | None = None

    @property
    def until(self) -> datetime | None:
        """When a suspension ends (counted from its approval, when it needed one)."""
        if self.action is not ModerationKind.SUSPEND or self.state is not ActionState.DONE:
            return None
        return (self.decided_at or self.at) + timedelta(days=self.days)


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
    setup_reminders: int = 0
    setup_escalated_at: datetime | None = None
    # Every moderation action on the page, removals first of all (called removals in 0.1.0).
    moderation: tuple[ModerationAction, ...] = ()
    transfer_to: Person | None = None
    transfer_from: str | None = None
    version: int = 1
    # When the duties next have something to do for the page (a check, an answer's deadline,
    # an ended suspension, a setup reminder), set as it is written, so a reminders run reads
    # only the pages due; NOTHING_DUE when they have nothing left to do; None for a page
    # stored before 0.2.0 (read by the next run, which writes it with its time).
    duties_due_at: datetime | None = None

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
class Submission:
    """A form or button a person sent that was carried out, kept under a key the chat
    platform gives the same to a repeat of it (the same form sent again, the same click), so
    a repeat is answered with what happened the first time and never acted on twice."""

    key: str
    at: datetime
    title: str
    text: str


@dataclass(frozen=True)
class Away:
    """An approver away from `first_day` to `last_day` (both included, in the district's
    time zone), and who may decide in their place meanwhile."""

    person: str
    delegate: Person
    first_day: date
    last_day: date
    set_at: datetime

    def covers(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


@dataclass(frozen=True)
class AuditEntry:
    """One line of the append-only audit trail. `hash` links it to every line before it (set
    by the store as it appends; see storage/chain.py), so a cut or an edit shows."""

    at: datetime
    actor: str
    action: str
    subject: str
    clause: Clause
    detail: str = ""
    hash: str = ""


Versioned = TypeVar("Versioned", PageRequest, Page)


def next_version(record: Versioned, **changes: object) -> Versioned:
    """The record with `changes` applied and its version moved on by one."""
    return dataclasses.replace(record, version=record.version + 1, **changes)  # type: ignore[arg-type]
