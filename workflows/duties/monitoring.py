"""Owners answer a monitoring check: checked, a post removed (for a listed reason), or later."""

from __future__ import annotations

from datetime import timedelta

from workflows.conversation import forms
from workflows.conversation.validation import check_note, clean_text
from workflows.duties import messages as reminder_messages
from workflows.duties.schedule import next_check
from workflows.kernel.commands import AttestMonitoring, LogRemoval, SnoozeCheck
from workflows.kernel.events import (
    ActionRefused,
    Event,
    MonitoringChecked,
    MonitoringSnoozed,
    PostRemoved,
)
from workflows.kernel.handling import (
    Context,
    FieldError,
    Handled,
    Outcome,
    refused,
    rejected,
)
from workflows.kernel.model import Page, PageStatus, Person, Removal, next_version
from workflows.kernel.policy import Rule

SNOOZE = timedelta(days=1)
SAVED_COPY_MAX = 500


async def attest_monitoring(command: AttestMonitoring, ctx: Context) -> Handled:
    actor, page = await _owned_active_page(ctx, command.actor, command.page_id, "monitoring check")
    if page is None:
        return _not_yours(ctx, actor, command.page_id)
    now = ctx.clock.now()
    checked = _answered(ctx, page, next_check_due=next_check(ctx.config, page, now))
    event = MonitoringChecked(page.id, actor.email, now)
    return _answer(ctx, checked, actor, event, "Checked, nothing to remove,")


async def log_removal(command: LogRemoval, ctx: Context) -> Handled:
    actor, page = await _owned_active_page(ctx, command.actor, command.page_id, "removal")
    if page is None:
        return _not_yours(ctx, actor, command.page_id)
    reason = next(
        (r for r in ctx.config.removal_reasons if r.id == clean_text(command.reason)), None
    )
    errors: list[FieldError] = []
    if reason is None:
        errors.append(
            FieldError(
                forms.REASON,
                "Choose one of the district's reasons. A post may not be removed because of the "
                f"viewpoint it expresses ({ctx.config.cite(Rule.MONITORING)}).",
            )
        )
    description, problem = check_note(command.description, "what the post said or showed")
    errors.extend([problem] if problem else [])
    saved_copy = clean_text(command.saved_copy)
    if not saved_copy:
        errors.append(FieldError(forms.SAVED_COPY, "Say where the saved copy of the post is kept."))
    elif len(saved_copy) > SAVED_COPY_MAX:
        errors.append(FieldError(forms.SAVED_COPY, f"Keep this under {SAVED_COPY_MAX} characters."))
    if errors:
        return rejected(*errors)
    assert reason is not None
    now = ctx.clock.now()
    removal = Removal(now, actor, reason.id, description, saved_copy)
    recorded = _answered(
        ctx,
        page,
        next_check_due=next_check(ctx.config, page, now),
        removals=(*page.removals, removal),
    )
    event = PostRemoved(page.id, actor.email, now, reason.label, description, saved_copy)
    return _answer(
        ctx, recorded, actor, event, f"Post removed ({reason.label.lower()}) and recorded"
    )


async def snooze_check(command: SnoozeCheck, ctx: Context) -> Handled:
    actor, page = await _owned_active_page(ctx, command.actor, command.page_id, "snooze")
    if page is None:
        return _not_yours(ctx, actor, command.page_id)
    now = ctx.clock.now()
    snoozed = _answered(ctx, page, next_check_due=now + SNOOZE)
    return _answer(
        ctx, snoozed, actor, MonitoringSnoozed(page.id, actor.email, now), "Snoozed for a day"
    )


async def _owned_active_page(
    ctx: Context, who: Person, page_id: str, action: str
) -> tuple[Person, Page | None]:
    actor = ctx.resolve(who)
    page = await ctx.store.get_page(page_id)
    if page is None or not page.is_owned_by(actor.email) or page.status is not PageStatus.ACTIVE:
        return actor, None
    return actor, page


def _not_yours(ctx: Context, actor: Person, page_id: str) -> Handled:
    event = ActionRefused(
        page_id, actor.email, ctx.clock.now(), "monitoring", "not an owner of an active page"
    )
    return refused(
        event,
        ctx.refusal(
            "Only the owners of an active page can answer its monitoring check.",
            rule=Rule.MONITORING,
        ),
    )


def _answered(ctx: Context, page: Page, **changes: object) -> Page:
    return next_version(page, nudge_answered_at=ctx.clock.now(), escalated_at=None, **changes)


def _answer(ctx: Context, page: Page, actor: Person, event: Event, words: str) -> Handled:
    messages = reminder_messages.check_answered(ctx.config, page, actor, words)
    return Handled(Outcome(events=(event,), messages=messages), pages=(page,))
