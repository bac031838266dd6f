"""What happened, in the past tense. Each event becomes one line of the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from workflows.kernel.model import AuditEntry
from workflows.kernel.policy import Clause, Rule


@dataclass(frozen=True)
class Event:
    subject: str
    actor: str
    at: datetime
    rule: ClassVar[Rule] = Rule.AUTHORIZATION

    def detail(self) -> str:
        """Extra words for the audit trail beyond who, what, when and which record."""
        return ""

    def audit_entry(self, cite: Callable[[Rule], Clause]) -> AuditEntry:
        """This event as a line of the audit trail, citing the district's own clause."""
        return AuditEntry(
            self.at, self.actor, type(self).__name__, self.subject, cite(self.rule), self.detail()
        )


@dataclass(frozen=True)
class PageRequested(Event):
    approvers: tuple[str, ...]

    def detail(self) -> str:
        return "sent to " + ", ".join(self.approvers)


@dataclass(frozen=True)
class RequestHeld(Event):
    reason: str

    def detail(self) -> str:
        return f"held for the district contact: {self.reason}"


@dataclass(frozen=True)
class RequestRouted(Event):
    """A held request sent on to approvers by the district contact."""

    approvers: tuple[str, ...]

    def detail(self) -> str:
        return "sent to " + ", ".join(self.approvers)


@dataclass(frozen=True)
class RequestResubmitted(Event):
    revision: int
    approvers: tuple[str, ...]

    def detail(self) -> str:
        return f"revision {self.revision} sent to " + ", ".join(self.approvers)


@dataclass(frozen=True)
class ChangesRequested(Event):
    comment: str

    def detail(self) -> str:
        return self.comment


@dataclass(frozen=True)
class StepApproved(Event):
    """One approver approved (or, on a review step, confirmed) one step of the chain."""

    step: int
    steps: int
    title: str
    verdict: str
    evidence: str
    next: str

    def detail(self) -> str:
        text = f"step {self.step} of {self.steps} ({self.title}) {self.verdict}"
        text += f"; {self.evidence}" if self.evidence else ""
        return text + f"; {self.next}"


@dataclass(frozen=True)
class RequestWithdrawn(Event):
    reason: str

    def detail(self) -> str:
        return "withdrawn by the requester" + (f": {self.reason}" if self.reason else "")


@dataclass(frozen=True)
class AwaySet(Event):
    delegate: str
    first_day: str
    last_day: str

    def detail(self) -> str:
        return f"away {self.first_day} to {self.last_day}; {self.delegate} decides meanwhile"


@dataclass(frozen=True)
class RequestDelegated(Event):
    """A request waiting for an approver who is away also went to their delegate."""

    away: str
    delegate: str

    def detail(self) -> str:
        return f"{self.away} is away; also sent to their delegate {self.delegate}"


@dataclass(frozen=True)
class RequestApproved(Event):
    page_id: str
    comment: str

    def detail(self) -> str:
        return f"page {self.page_id} registered" + (f"; {self.comment}" if self.comment else "")


@dataclass(frozen=True)
class PageRegistered(Event):
    """An approved page enters the registry; its own audit history starts here."""

    request_id: str

    def detail(self) -> str:
        return f"registered as setting up, from request {self.request_id}"


@dataclass(frozen=True)
class RequestDenied(Event):
    reason: str

    def detail(self) -> str:
        return self.reason


@dataclass(frozen=True)
class DecisionRefused(Event):
    reason: str

    def detail(self) -> str:
        return self.reason


@dataclass(frozen=True)
class PageWentLive(Event):
    url: str
    rule: ClassVar[Rule] = Rule.REQUIRED_NOTICES

    def detail(self) -> str:
        return f"live at {self.url}; owner confirmed the required notices are displayed"


@dataclass(frozen=True)
class AddressChanged(Event):
    old: str
    new: str
    rule: ClassVar[Rule] = Rule.DEFINITIONS

    def detail(self) -> str:
        return f"address changed from {self.old} to {self.new}"


@dataclass(frozen=True)
class PageRetired(Event):
    reason: str

    def detail(self) -> str:
        return self.reason


@dataclass(frozen=True)
class MessageUndeliverable(Event):
    """A message about this record could not reach `recipient` on a chat platform."""

    recipient: str
    platform: str
    reason: str

    def detail(self) -> str:
        return f"could not reach {self.recipient} in {self.platform}: {self.reason}"


@dataclass(frozen=True)
class DeliveryFailed(Event):
    """A message about this record was given up after repeated failures."""

    recipient: str
    problem: str
    attempts: int

    def detail(self) -> str:
        return f"gave up sending to {self.recipient} after {self.attempts} tries: {self.problem}"


@dataclass(frozen=True)
class ActionRefused(Event):
    """Someone tried to act on a page or request that is not theirs to act on."""

    action: str
    reason: str

    def detail(self) -> str:
        return f"{self.action}: {self.reason}"


@dataclass(frozen=True)
class OutsiderRefused(Event):
    """Someone from another workspace or tenant was refused (subject: where they came from)."""

    platform: str

    def detail(self) -> str:
        return f"{self.platform}: not the district's workspace or tenant; refused"


@dataclass(frozen=True)
class MonitoringCheckSent(Event):
    rule: ClassVar[Rule] = Rule.MONITORING


@dataclass(frozen=True)
class MonitoringChecked(Event):
    rule: ClassVar[Rule] = Rule.MONITORING

    def detail(self) -> str:
        return "checked; nothing to remove"


@dataclass(frozen=True)
class ModerationRecorded(Event):
    """An owner did something about a post or a user (or asked to, where it needs approval)."""

    action_id: str
    what: str
    reason: str
    description: str
    saved_copy: str
    account: str = ""
    repeat: str = ""
    rule: ClassVar[Rule] = Rule.MONITORING

    def detail(self) -> str:
        parts = [f"reason: {self.reason}"]
        parts += [f"account: {self.account}"] if self.account else []
        parts += [self.description, f"copy kept at {self.saved_copy}"]
        parts += [self.repeat] if self.repeat else []
        return "; ".join(parts) + f" ({self.action_id}: {self.what})"


@dataclass(frozen=True)
class PostRemoved(ModerationRecorded):
    """A removed post: the audit trail has called it this since 0.1.0."""


@dataclass(frozen=True)
class ModerationAwaitingApproval(ModerationRecorded):
    approvers: tuple[str, ...] = ()

    def detail(self) -> str:
        return super().detail() + "; waiting for approval by " + ", ".join(self.approvers)


@dataclass(frozen=True)
class ModerationDecided(Event):
    action_id: str
    what: str
    approved: bool
    note: str = ""
    rule: ClassVar[Rule] = Rule.MONITORING

    def detail(self) -> str:
        verdict = "approved" if self.approved else "refused"
        return f"{self.action_id}: {self.what} {verdict}" + (f"; {self.note}" if self.note else "")


@dataclass(frozen=True)
class SuspensionEnded(Event):
    """A suspension's days are over: the owners were asked to lift it."""

    action_id: str
    account: str
    rule: ClassVar[Rule] = Rule.MONITORING

    def detail(self) -> str:
        return f"{self.action_id}: suspension of {self.account} ended; owners asked to lift it"


@dataclass(frozen=True)
class SuspensionLifted(Event):
    action_id: str
    account: str
    rule: ClassVar[Rule] = Rule.MONITORING

    def detail(self) -> str:
        return f"{self.action_id}: suspension of {self.account} lifted"


@dataclass(frozen=True)
class MonitoringSnoozed(Event):
    rule: ClassVar[Rule] = Rule.MONITORING


@dataclass(frozen=True)
class MonitoringOverdue(Event):
    since: str
    rule: ClassVar[Rule] = Rule.MONITORING

    def detail(self) -> str:
        return f"check unanswered since {self.since}; approver told"


@dataclass(frozen=True)
class SetupReminded(Event):
    rule: ClassVar[Rule] = Rule.REQUIRED_NOTICES


@dataclass(frozen=True)
class SetupEscalated(Event):
    """An approved page still not live after its owners' reminders: the approver is told."""

    reminders: int
    rule: ClassVar[Rule] = Rule.REQUIRED_NOTICES

    def detail(self) -> str:
        return f"not live after {self.reminders} reminders; approver told"


@dataclass(frozen=True)
class ApprovalReminded(Event):
    approvers: tuple[str, ...]

    def detail(self) -> str:
        return "reminded " + ", ".join(self.approvers)


@dataclass(frozen=True)
class RequestEscalated(Event):
    added: tuple[str, ...]

    def detail(self) -> str:
        if not self.added:
            return "nobody else can decide it; the district contact was asked to follow up"
        return "also sent to " + ", ".join(self.added)


@dataclass(frozen=True)
class GuidelinesAcknowledged(Event):
    rule: ClassVar[Rule] = Rule.STAFF_INFORMATION


@dataclass(frozen=True)
class GuidelinesReminded(Event):
    rule: ClassVar[Rule] = Rule.STAFF_INFORMATION


@dataclass(frozen=True)
class TransferOffered(Event):
    to: str

    def detail(self) -> str:
        return f"offered to {self.to}"


@dataclass(frozen=True)
class TransferAnswered(Event):
    to: str
    accepted: bool

    def detail(self) -> str:
        return f"{self.to} {'accepted' if self.accepted else 'declined'}"


@dataclass(frozen=True)
class PageReassigned(Event):
    from_email: str
    to: str

    def detail(self) -> str:
        return f"owner {self.from_email} replaced by {self.to}"


@dataclass(frozen=True)
class DistrictFileAdopted(Event):
    """The district file read again is in force (subject: "district")."""

    fingerprint: str
    moved: int

    def detail(self) -> str:
        return f"district file {self.fingerprint} in force; {self.moved} waiting requests moved"


@dataclass(frozen=True)
class DistrictFileRefused(Event):
    """A district file read again was refused; the one in force stays (subject: "district")."""

    problem: str

    def detail(self) -> str:
        return f"district file read again was refused, the one in force stays: {self.problem}"


@dataclass(frozen=True)
class RequestHandedOver(Event):
    """A waiting request moved from approvers who no longer hold its step's role to those who
    do, under the district file now in force."""

    before: tuple[str, ...]
    after: tuple[str, ...]

    def detail(self) -> str:
        left = f"no longer with {', '.join(self.before)}" if self.before else ""
        joined = f"now also with {', '.join(self.after)}" if self.after else ""
        return "; ".join(filter(None, (left, joined)))
