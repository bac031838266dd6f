"""Owners answer a monitoring check: checked, or later (a removal, and any other moderation
action, is recorded by `moderation`)."""

from __future__ import annotations

from datetime import timedelta

from workflows.duties import messages as reminder_messages
from workflows.duties.schedule import next_check
from workflows.kernel.commands import AttestMonitoring, SnoozeCheck
from workflows.kernel.events import (
    ActionRefused,
    Event,
    MonitoringChecked,
    MonitoringSnoozed,
)
from workflows.kernel.handling import (
    Context,
    Handled,
    Outcome,
    refused,
)
from workflows.kernel.model import Page, PageStatus, Person, next_version
from workflows.kernel.policy import Rule

SNOOZE = timedelta(days=1)


async def attest_monitoring(command: AttestMonitoring, ctx: Context) -> Handled:
    actor, page = await owned_active_page(ctx, command.actor, command.page_id, "monitoring check")
    if page is None:
        return not_an_owner(ctx, actor, command.page_id)
    now = ctx.clock.now()
    checked = answered(ctx, page, next_check_due=next_check(ctx.config, page, now))
    event = MonitoringChecked(page.id, actor.email, now)
    return answer(ctx, checked, actor, event, "Checked, nothing to remove,")


async def snooze_check(command: SnoozeCheck, ctx: Context) -> Handled:
    actor, page = await owned_active_page(ctx, command.actor, command.page_id, "snooze")
    if page is None:
        return not_an_owner(ctx, actor, command.page_id)
    now = ctx.clock.now()
    snoozed = answered(ctx, page, next_check_due=now + SNOOZE)
    return answer(
        ctx, snoozed, actor, MonitoringSnoozed(page.id, actor.email, now), "Snoozed for a day"
    )


async def owned_active_page(
    ctx: Context, who: Person, page_id: str, action: str
) -> tuple[Person, Page | None]:
    """The acting person, and the page when it is active and theirs."""
    actor = ctx.resolve(who)
    page = await ctx.store.get_page(page_id)
    if page is None or not page.is_owned_by(actor.email) or page.status is not PageStatus.ACTIVE:
        return actor, None
    return actor, page


def not_an_owner(ctx: Context, actor: Person, page_id: str) -> Handled:
    """The refusal for someone acting on a page that is not (or no longer) theirs."""
    event = ActionRefused(
        page_id, actor.email, ctx.clock.now(), "monitoring", "not an owner of an active page"
    )
    return refused(
        event,
        ctx.refusal(
            "Only the owners of an active page can answer its monitoring checks and record "
            "what they did about posts on it.",
            rule=Rule.MONITORING,
        ),
    )


def answered(ctx: Context, page: Page, **changes: object) -> Page:
    """The page with its open check answered now."""
    return next_version(page, nudge_answered_at=ctx.clock.now(), escalated_at=None, **changes)


def answer(ctx: Context, page: Page, actor: Person, event: Event, words: str) -> Handled:
    """The answered page written, the event audited, every owner's check card updated."""
    messages = reminder_messages.check_answered(ctx.config, page, actor, words)
    return Handled(Outcome(events=(event,), messages=messages), pages=(page,))
