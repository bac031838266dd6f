"""Duties the bot carries forward by itself, run whenever the clock moves on.

Only in the district's working time: a duty that falls due at night or at the weekend waits
for the next working hour. Each run handles a bounded batch so people's clicks never wait long.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

from workflows.conversation.wording import when
from workflows.district.working_time import add_working_days, is_working_time
from workflows.duties import messages as reminder_messages
from workflows.duties import moderation_messages
from workflows.duties.guidelines import renewal_reminder
from workflows.duties.moderation import ended_suspensions
from workflows.duties.schedule import check_due, monitoring_overdue, next_check
from workflows.kernel.commands import RunReminders
from workflows.kernel.events import (
    ApprovalReminded,
    Event,
    GuidelinesReminded,
    MonitoringCheckSent,
    MonitoringOverdue,
    RequestDelegated,
    RequestEscalated,
    SetupEscalated,
    SetupReminded,
    SuspensionEnded,
)
from workflows.kernel.handling import Context, Handled, Outcome
from workflows.kernel.messages import Message
from workflows.kernel.model import (
    SYSTEM,
    Acknowledgement,
    Away,
    Page,
    PageRequest,
    PageStatus,
    RequestStatus,
    next_version,
)
from workflows.requests.delegation import away_today, delegate_waiting, delegated_cards
from workflows.requests.routing import escalation_for, with_approvers


class _Batch:
    """What one run decided: records to write, events, messages; stops at the limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.requests: list[PageRequest] = []
        self.pages: list[Page] = []
        self.acknowledgements: list[Acknowledgement] = []
        self.events: list[Event] = []
        self.messages: list[Message] = []

    @property
    def room(self) -> int:
        """How many more records the run may write."""
        written = len(self.requests) + len(self.pages) + len(self.acknowledgements)
        return max(0, self.limit - written)

    @property
    def full(self) -> bool:
        return self.room == 0

    def handled(self) -> Handled:
        outcome = Outcome(events=tuple(self.events), messages=tuple(self.messages), more=self.full)
        return Handled(
            outcome,
            requests=tuple(self.requests),
            pages=tuple(self.pages),
            acknowledgements=tuple(self.acknowledgements),
        )


async def run_reminders(command: RunReminders, ctx: Context) -> Handled:
    now = ctx.clock.now()
    batch = _Batch(command.limit)
    if not is_working_time(ctx.config, now):
        return batch.handled()
    # Only the pages with something due, the earliest first and no more than the run writes
    # (each page read is written): a run costs what it does, whatever the backlog.
    for status, duties in ((PageStatus.ACTIVE, _active), (PageStatus.SETTING_UP, _setup)):
        if not batch.full:
            for page in await ctx.store.find_pages(status=status, due_by=now, limit=batch.room):
                duties(ctx, page, now, batch)
    aways, today = await away_today(ctx)
    for request in await ctx.store.find_requests(status=RequestStatus.PENDING):
        if batch.full:
            break
        _pending(ctx, request, now, batch, (aways, today))
    if ctx.config.guidelines_renewal_days:
        for acknowledgement in await ctx.store.acknowledgements():
            if batch.full:
                break
            _renewal(ctx, acknowledgement, now, batch)
    return batch.handled()


def in_bulk(*messages: Message) -> tuple[Message, ...]:
    """Messages the duties send many of at once, which wait behind people's (see Message)."""
    return tuple(dataclasses.replace(message, bulk=True) for message in messages)


def _renewal(ctx: Context, acknowledgement: Acknowledgement, now: datetime, batch: _Batch) -> None:
    """Yearly (or as configured): read the guidelines again, once per expiry."""
    assert ctx.config.guidelines_renewal_days is not None
    due = acknowledgement.at + timedelta(days=ctx.config.guidelines_renewal_days)
    reminded = acknowledgement.reminded_at
    if due <= now and (reminded is None or reminded < due):
        batch.acknowledgements.append(dataclasses.replace(acknowledgement, reminded_at=now))
        email = acknowledgement.person.email
        batch.events.append(GuidelinesReminded(email, SYSTEM, now))
        batch.messages.extend(in_bulk(renewal_reminder(ctx.config, acknowledgement)))


def _active(ctx: Context, page: Page, now: datetime, batch: _Batch) -> None:
    """An active page's duties: ended suspensions to lift, then its monitoring check; the
    page is written once with whatever changed."""
    ended = ended_suspensions(page, now)
    current = page
    if ended:
        reminded = {action.id for action in ended}
        current = dataclasses.replace(
            page,
            moderation=tuple(
                dataclasses.replace(action, lift_reminded_at=now)
                if action.id in reminded
                else action
                for action in page.moderation
            ),
        )
        for action in ended:
            batch.events.append(SuspensionEnded(page.id, SYSTEM, now, action.id, action.account))
            batch.messages.extend(moderation_messages.suspension_ended(ctx.config, page, action))
    monitored = _monitoring(ctx, current, now, batch)
    # Written even with nothing to do (a page stored before due times were kept, or whose
    # schedule the district changed), so it is stored with its real due time and not read again.
    batch.pages.append(monitored or next_version(current))


def _monitoring(ctx: Context, page: Page, now: datetime, batch: _Batch) -> Page | None:
    """The page's next version if its check goes out or is overdue now, else None."""
    if page.nudge_open:
        assert page.nudged_at is not None
        if page.escalated_at is None and monitoring_overdue(ctx.config, page, now):
            overdue = next_version(page, escalated_at=now)
            batch.events.append(
                MonitoringOverdue(page.id, SYSTEM, now, when(ctx.config, page.nudged_at))
            )
            batch.messages.append(reminder_messages.check_overdue(ctx.config, overdue))
            return overdue
        return None
    if check_due(ctx.config, page) <= now:
        following = next_check(ctx.config, page, now)
        nudged = next_version(page, nudged_at=now, next_check_due=following, escalated_at=None)
        batch.events.append(MonitoringCheckSent(page.id, SYSTEM, now))
        batch.messages.extend(in_bulk(*reminder_messages.monitoring_checks(ctx.config, nudged)))
        return nudged
    return None


def _setup(ctx: Context, page: Page, now: datetime, batch: _Batch) -> None:
    """Owners are reminded to put the notices up and confirm; after so many reminders the
    approver is told instead, once."""
    settings = ctx.config.reminders
    since = page.setup_reminded_at or page.approved_at
    if (
        page.setup_escalated_at
        or add_working_days(ctx.config, since, settings.setup_reminder_working_days) > now
    ):
        batch.pages.append(next_version(page))  # stored with its real due time, as in _active
        return
    if page.setup_reminders >= settings.setup_reminders_before_escalation:
        escalated = next_version(page, setup_escalated_at=now)
        batch.pages.append(escalated)
        batch.events.append(SetupEscalated(page.id, SYSTEM, now, page.setup_reminders))
        batch.messages.append(reminder_messages.setup_escalated(ctx.config, escalated))
        return
    reminded = next_version(page, setup_reminded_at=now, setup_reminders=page.setup_reminders + 1)
    batch.pages.append(reminded)
    batch.events.append(SetupReminded(page.id, SYSTEM, now))
    batch.messages.extend(in_bulk(*reminder_messages.setup_reminders(ctx.config, reminded)))


def _pending(
    ctx: Context,
    request: PageRequest,
    now: datetime,
    batch: _Batch,
    away: tuple[dict[str, Away], date],
) -> None:
    delegated = delegate_waiting(ctx, request, *away)
    if delegated is not None:  # an absence that started since the request arrived
        batch.requests.append(delegated)
        for delegate, approver in delegated.current.delegates[len(request.current.delegates) :]:
            batch.events.append(RequestDelegated(request.id, SYSTEM, now, approver, delegate))
        batch.messages.extend(delegated_cards(ctx, delegated, request))
        return
    settings = ctx.config.reminders
    since = request.waiting_since
    if (
        request.escalated_at is None
        and add_working_days(ctx.config, since, settings.approval_escalation_working_days) <= now
    ):
        added = escalation_for(ctx.config, request)
        escalated = next_version(
            with_approvers(request, (*request.approvers, *added)),
            escalated_at=now,
            reminded_at=request.reminded_at or now,
        )
        batch.requests.append(escalated)
        batch.events.append(RequestEscalated(request.id, SYSTEM, now, added))
        batch.messages.extend(reminder_messages.escalated(ctx.config, escalated, added))
        return
    if (
        request.reminded_at is None
        and add_working_days(ctx.config, since, settings.approval_reminder_working_days) <= now
    ):
        reminded = next_version(request, reminded_at=now)
        batch.requests.append(reminded)
        batch.events.append(ApprovalReminded(request.id, SYSTEM, now, request.approvers))
        batch.messages.extend(reminder_messages.approval_reminders(ctx.config, reminded))
