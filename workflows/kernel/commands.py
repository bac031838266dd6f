"""Orders a person gives Pagekeeper, as they arrive from any chat platform."""

from __future__ import annotations

from dataclasses import dataclass

from workflows.kernel.model import PageDetails, Person, Verdict


@dataclass(frozen=True)
class RequestPage:
    actor: Person
    details: PageDetails
    acknowledged_guidelines: bool


@dataclass(frozen=True)
class ResubmitRequest:
    """The requester's edited form after an approver asked for changes."""

    actor: Person
    request_id: str
    details: PageDetails
    acknowledged_guidelines: bool


@dataclass(frozen=True)
class Decide:
    """An approver's click; `revision` and `step` say which card it was on. `answers` hold
    what the step asks for with a decision (evidence, a review's confirmation), by field."""

    actor: Person
    request_id: str
    revision: int
    verdict: Verdict
    note: str = ""
    step: int = 0
    answers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class WithdrawRequest:
    """The requester no longer wants the page; nobody needs to decide it."""

    actor: Person
    request_id: str
    reason: str = ""


@dataclass(frozen=True)
class SetAway:
    """An approver will be away: `delegate` decides in their place from `first_day` to
    `last_day` (ISO dates, as typed; the engine checks them). Ending it early is a new
    `SetAway` whose last day has passed."""

    actor: Person
    delegate: Person
    first_day: str
    last_day: str


@dataclass(frozen=True)
class RouteAgain:
    """The district contact retries a held request, typically after fixing the configuration."""

    actor: Person
    request_id: str


@dataclass(frozen=True)
class ConfirmPageLive:
    actor: Person
    page_id: str
    url: str
    notices_displayed: bool


@dataclass(frozen=True)
class ChangeAddress:
    """An owner moves a live page's registered address (the page moved, or a typo)."""

    actor: Person
    page_id: str
    url: str


@dataclass(frozen=True)
class RetirePage:
    actor: Person
    page_id: str
    reason: str


@dataclass(frozen=True)
class RefuseOutsider:
    """Someone from outside the district's workspace or tenant tried to use Pagekeeper: `who`
    and `where` as their platform names them (ids, never trusted as staff)."""

    platform: str
    who: str
    where: str


@dataclass(frozen=True)
class AttestMonitoring:
    """An owner checked the page and found nothing to remove."""

    actor: Person
    page_id: str


@dataclass(frozen=True)
class RecordModeration:
    """An owner records a moderation action (a removed post, above all) for a reason from
    the district's viewpoint-neutral list; `from_check` answers the open monitoring check.
    Texts are as typed (`days` too): the engine checks them."""

    actor: Person
    page_id: str
    reason: str
    description: str
    saved_copy: str
    action: str = "remove"
    account: str = ""
    days: str = ""
    from_check: bool = False


@dataclass(frozen=True)
class DecideModeration:
    """An approver approves or refuses a moderation action the district makes wait."""

    actor: Person
    page_id: str
    action_id: str
    approve: bool
    note: str = ""


@dataclass(frozen=True)
class LiftModeration:
    """An owner says a suspension has been lifted on the platform."""

    actor: Person
    page_id: str
    action_id: str


@dataclass(frozen=True)
class SnoozeCheck:
    """Ask for the monitoring check again tomorrow."""

    actor: Person
    page_id: str


@dataclass(frozen=True)
class AcknowledgeGuidelines:
    actor: Person


@dataclass(frozen=True)
class OfferTransfer:
    """An owner hands their part of a page to another staff member, who must accept."""

    actor: Person
    page_id: str
    to: Person


@dataclass(frozen=True)
class AnswerTransfer:
    actor: Person
    page_id: str
    accept: bool


@dataclass(frozen=True)
class ReassignPages:
    """The district contact moves every page of someone who has left to someone else."""

    actor: Person
    from_email: str
    to: Person


@dataclass(frozen=True)
class ShowCompliance:
    actor: Person
    school: str = ""  # one school's report; the whole district's when empty


@dataclass(frozen=True)
class RunReminders:
    """The clock moved on: send whatever is due, a bounded batch at a time."""

    limit: int = 200


@dataclass(frozen=True)
class ReportUndeliverable:
    """A chat platform could not reach `recipient` (for instance: no account uses that email)."""

    recipient: str
    ref: str
    platform: str
    reason: str


@dataclass(frozen=True)
class ReportDeliveryFailed:
    """A message kept failing and Pagekeeper stopped trying to send it; or the platform
    refused the message itself (too large, not valid there), when `refused_title` is the
    title of the card it refused, so the person is told too."""

    recipient: str
    ref: str
    problem: str
    attempts: int
    refused_title: str = ""


@dataclass(frozen=True)
class AdoptDistrictFile:
    """The district file now in force was read (again, or at start): requests waiting for
    someone who no longer holds the role move to whoever holds it now.

    `fingerprint` identifies the file (the start of its SHA-256). When `reloaded`, the district
    contact is told the file is in force even if nothing moved, and about requests that could
    not be moved; at start, only moves are reported."""

    fingerprint: str
    reloaded: bool = True


@dataclass(frozen=True)
class RefuseDistrictFile:
    """A district file read again did not pass the checks; the one in force stays."""

    problem: str


Command = (
    RequestPage
    | ResubmitRequest
    | Decide
    | WithdrawRequest
    | SetAway
    | RouteAgain
    | ConfirmPageLive
    | ChangeAddress
    | RetirePage
    | ReportUndeliverable
    | ReportDeliveryFailed
    | RefuseOutsider
    | AttestMonitoring
    | RecordModeration
    | DecideModeration
    | LiftModeration
    | SnoozeCheck
    | RunReminders
    | AcknowledgeGuidelines
    | OfferTransfer
    | AnswerTransfer
    | ReassignPages
    | ShowCompliance
    | AdoptDistrictFile
    | RefuseDistrictFile
)
