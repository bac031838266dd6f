"""Moderation actions on a page: what an owner did about a post or a user, as the district
allows it. Each rests on a viewpoint-neutral reason from the district's list; an action the
district makes wait goes to an approver first; a suspension ends and is lifted; repeat
actions about one account prompt the referral the district's policy names."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from workflows.conversation import forms
from workflows.conversation.validation import clean_text
from workflows.district.config import DistrictConfig
from workflows.district.moderation import ABOUT_A_USER, DONE, ActionRule, Allowance
from workflows.duties import moderation_messages as messages
from workflows.duties.monitoring import answer, answered, not_an_owner, owned_active_page
from workflows.duties.schedule import next_check
from workflows.kernel.commands import DecideModeration, LiftModeration, RecordModeration
from workflows.kernel.events import (
    ActionRefused,
    ModerationAwaitingApproval,
    ModerationDecided,
    ModerationRecorded,
    PostRemoved,
    SuspensionLifted,
)
from workflows.kernel.handling import Context, FieldError, Handled, Outcome, refused, rejected
from workflows.kernel.messages import Message
from workflows.kernel.model import (
    ActionState,
    ModerationAction,
    ModerationKind,
    Page,
    Person,
    next_version,
)
from workflows.kernel.policy import Rule

SAVED_COPY_MAX = 500


async def record_moderation(command: RecordModeration, ctx: Context) -> Handled:
    actor, page = await owned_active_page(ctx, command.actor, command.page_id, "moderation")
    if page is None:
        return not_an_owner(ctx, actor, command.page_id)
    checked = _checked(ctx.config, command)
    if isinstance(checked, list):
        return rejected(*checked)
    rule, days = checked
    now = ctx.clock.now()
    action = ModerationAction(
        at=now,
        by=actor,
        reason=clean_text(command.reason),
        description=clean_text(command.description, multiline=True),
        saved_copy=clean_text(command.saved_copy),
        action=rule.kind,
        account=clean_text(command.account),
        days=days,
        id=ctx.new_id("MOD"),
        state=ActionState.DONE,
    )
    if rule.allowance is Allowance.APPROVAL:
        approvers = approvers_for(ctx.config, rule, page, actor)
        if not approvers:
            return _nobody_to_approve(ctx, actor, page)
        action = dataclasses.replace(action, state=ActionState.AWAITING_APPROVAL)
    changes: dict[str, object] = {"moderation": (*page.moderation, action)}
    if command.from_check:
        changes["next_check_due"] = next_check(ctx.config, page, now)
        recorded = answered(ctx, page, **changes)
    else:
        recorded = next_version(page, **changes)
    repeat = repeated(ctx.config, recorded, action)
    event = _recorded_event(ctx.config, page, action, repeat)
    if command.from_check:
        handled = answer(ctx, recorded, actor, event, _done_words(ctx.config, action) + " recorded")
    else:
        cards = messages.recorded(ctx.config, recorded, action)
        handled = Handled(Outcome(events=(event,), messages=cards), pages=(recorded,))
    return _with(handled, _follow_ups(ctx.config, recorded, action, repeat))


async def decide_moderation(command: DecideModeration, ctx: Context) -> Handled:
    actor = ctx.resolve(command.actor)
    page = await ctx.store.get_page(command.page_id)
    action = _action(page, command.action_id)
    if page is None or action is None:
        return _no_such_action(ctx, actor, command.page_id)
    rule = ctx.config.moderation.rule(action.action)
    if actor.email not in approvers_for(ctx.config, rule, page, action.by):
        event = ActionRefused(page.id, actor.email, ctx.clock.now(), "moderation", "not approver")
        text = "Only the people who approve this kind of action for the page can decide it."
        return refused(event, ctx.refusal(text, rule=Rule.MONITORING))
    if action.state is not ActionState.AWAITING_APPROVAL:
        by = action.decided_by.name if action.decided_by else "someone else"
        event = ActionRefused(page.id, actor.email, ctx.clock.now(), "moderation", "decided")
        text = f"{by} has already decided this action; nothing was changed."
        return refused(event, ctx.refusal(text, rule=Rule.MONITORING))
    note = clean_text(command.note, multiline=True)
    if not command.approve and not note:
        return rejected(FieldError(forms.NOTE, "Please say why it may not be done."))
    if len(note) > forms.NOTE_MAX:
        return rejected(FieldError(forms.NOTE, f"Keep this under {forms.NOTE_MAX} characters."))
    now = ctx.clock.now()
    decided = dataclasses.replace(
        action,
        state=ActionState.DONE if command.approve else ActionState.REFUSED,
        decided_by=actor,
        decided_at=now,
        note=note,
    )
    updated = _with_action(page, decided)
    what = messages.what(ctx.config, page, action)
    decision = ModerationDecided(page.id, actor.email, now, action.id, what, command.approve, note)
    approvers = approvers_for(ctx.config, rule, page, action.by)
    cards = messages.decided(ctx.config, updated, decided, approvers)
    follow = messages.referral(ctx.config, updated, decided) if command.approve else ()
    return Handled(Outcome(events=(decision,), messages=(*cards, *follow)), pages=(updated,))


async def lift_moderation(command: LiftModeration, ctx: Context) -> Handled:
    actor, page = await owned_active_page(ctx, command.actor, command.page_id, "moderation")
    if page is None:
        return not_an_owner(ctx, actor, command.page_id)
    action = _action(page, command.action_id)
    if action is None or action.until is None:
        return _no_such_action(ctx, actor, page.id)
    if action.lifted_at is not None:
        return Handled(Outcome(reply=messages.already_lifted(ctx.config, action)))
    now = ctx.clock.now()
    lifted = dataclasses.replace(action, state=ActionState.LIFTED, lifted_at=now)
    updated = _with_action(page, lifted)
    event = SuspensionLifted(page.id, actor.email, now, action.id, action.account)
    cards = messages.lifted(ctx.config, updated, lifted, actor)
    return Handled(Outcome(events=(event,), messages=cards), pages=(updated,))


def approvers_for(
    config: DistrictConfig, rule: ActionRule, page: Page, asker: Person
) -> tuple[str, ...]:
    """Who approves `rule`'s action on `page`: the holders of its roles (at the page's school
    for school roles), else the Superintendent or a designee; never the person asking."""
    school = config.school(page.details.school)
    held = dict.fromkeys(email for role in rule.approvers for email in config.holders(role, school))
    found = tuple(email for email in held if email != asker.email)
    if found:
        return found
    return tuple(email for email in config.superintendent_and_designees if email != asker.email)


def repeated(config: DistrictConfig, page: Page, action: ModerationAction) -> int:
    """How many actions about `action`'s account the page has had within the district's
    repeat window, when that calls for a referral not yet made (else 0)."""
    rule = config.moderation.repeat
    key = _account_key(action.account)
    if rule is None or not key or action.action is ModerationKind.REFER:
        return 0
    since = action.at - timedelta(days=rule.within_days)
    about = [
        earlier
        for earlier in page.moderation
        if _account_key(earlier.account) == key
        and earlier.at > since
        and earlier.state is not ActionState.REFUSED
    ]
    if any(earlier.action is ModerationKind.REFER for earlier in about):
        return 0
    return len(about) if len(about) >= rule.violations else 0


def _account_key(account: str) -> str:
    return account.strip().lstrip("@").casefold()


def _checked(
    config: DistrictConfig, command: RecordModeration
) -> tuple[ActionRule, int] | list[FieldError]:
    """The district's rule for the action and its days, or what is wrong with the form."""
    errors: list[FieldError] = []
    rules = config.moderation
    wanted = clean_text(command.action) or (ModerationKind.REMOVE if rules.removal_only else "")
    kind = next((kind for kind in ModerationKind if kind.value == wanted), None)
    rule = rules.rule(kind) if kind else None
    if not wanted:
        errors.append(FieldError(forms.ACTION, "Choose what you did."))
    elif rule is None or rule.allowance is Allowance.FORBIDDEN:
        allowed = "; ".join(r.named(forms.refer_office(config)) for r in rules.offered)
        errors.append(
            FieldError(
                forms.ACTION,
                f"The district's rules do not let owners do that ({config.cite(Rule.MONITORING)}). "
                f"Owners may: {allowed}.",
            )
        )
    if clean_text(command.reason) not in {reason.id for reason in config.removal_reasons}:
        errors.append(
            FieldError(
                forms.REASON,
                "Choose one of the district's reasons. A post may not be removed because of the "
                f"viewpoint it expresses ({config.cite(Rule.MONITORING)}).",
            )
        )
    errors += _text_problems(command, kind)
    days, problem = _days(config, kind, command.days)
    errors += [problem] if problem else []
    if errors or rule is None:
        return errors
    return rule, days


def _text_problems(command: RecordModeration, kind: ModerationKind | None) -> list[FieldError]:
    problems = []
    description = clean_text(command.description, multiline=True)
    if not description:
        problems.append(FieldError(forms.DESCRIPTION, "Say briefly what was addressed."))
    elif len(description) > forms.NOTE_MAX:
        problems.append(
            FieldError(forms.DESCRIPTION, f"Keep this under {forms.NOTE_MAX} characters.")
        )
    saved_copy = clean_text(command.saved_copy)
    if not saved_copy:
        problems.append(FieldError(forms.SAVED_COPY, "Say where the saved copy is kept."))
    elif len(saved_copy) > SAVED_COPY_MAX:
        problems.append(
            FieldError(forms.SAVED_COPY, f"Keep this under {SAVED_COPY_MAX} characters.")
        )
    account = clean_text(command.account)
    if kind in ABOUT_A_USER and not account:
        problems.append(FieldError(forms.ACCOUNT, "Name the platform account this is about."))
    elif len(account) > forms.ACCOUNT_MAX:
        problems.append(
            FieldError(forms.ACCOUNT, f"Keep this under {forms.ACCOUNT_MAX} characters.")
        )
    return problems


def _days(
    config: DistrictConfig, kind: ModerationKind | None, given: str
) -> tuple[int, FieldError | None]:
    if kind is not ModerationKind.SUSPEND:
        return 0, None
    most = config.moderation.suspend_max_days
    text = clean_text(given)
    if not text.isdigit() or not 1 <= int(text) <= most:
        return 0, FieldError(forms.DAYS, f"Give the days of suspension: 1 to {most}.")
    return int(text), None


def _recorded_event(
    config: DistrictConfig, page: Page, action: ModerationAction, repeat: int
) -> ModerationRecorded:
    reason = messages.reason_label(config, action.reason)
    rule = config.moderation.rule(action.action)
    what = messages.what(config, page, action)
    window = config.moderation.repeat
    flagged = (
        f"{repeat} actions about this account in {window.within_days} days; referral suggested"
        if repeat and window
        else ""
    )
    fields = (page.id, action.by.email, action.at, action.id, what, reason)
    details = (action.description, action.saved_copy, action.account, flagged)
    if action.state is ActionState.AWAITING_APPROVAL:
        approvers = approvers_for(config, rule, page, action.by)
        return ModerationAwaitingApproval(*fields, *details, approvers=approvers)
    if action.action is ModerationKind.REMOVE:
        return PostRemoved(*fields, *details)
    return ModerationRecorded(*fields, *details)


def _follow_ups(
    config: DistrictConfig, page: Page, action: ModerationAction, repeat: int
) -> tuple[Message, ...]:
    """Approval cards, the referral itself, and the prompt to refer a repeat violator."""
    prompt = messages.repeat_prompt(config, page, action, repeat) if repeat else ()
    if action.state is ActionState.AWAITING_APPROVAL:
        rule = config.moderation.rule(action.action)
        approvers = approvers_for(config, rule, page, action.by)
        return (*messages.approval_cards(config, page, action, approvers), *prompt)
    return (*messages.referral(config, page, action), *prompt)


def _done_words(config: DistrictConfig, action: ModerationAction) -> str:
    return f"{DONE[action.action]} ({messages.reason_label(config, action.reason).lower()}) and"


def _with(handled: Handled, more: tuple[Message, ...]) -> Handled:
    outcome = dataclasses.replace(handled.outcome, messages=(*handled.outcome.messages, *more))
    return dataclasses.replace(handled, outcome=outcome)


def _with_action(page: Page, action: ModerationAction) -> Page:
    kept = tuple(action if earlier.id == action.id else earlier for earlier in page.moderation)
    return next_version(page, moderation=kept)


def _action(page: Page | None, action_id: str) -> ModerationAction | None:
    if page is None or not action_id:
        return None
    return next((action for action in page.moderation if action.id == action_id), None)


def _no_such_action(ctx: Context, actor: Person, page_id: str) -> Handled:
    event = ActionRefused(page_id, actor.email, ctx.clock.now(), "moderation", "no such action")
    text = "That moderation action is not on record for this page any more."
    return refused(event, ctx.refusal(text, rule=Rule.MONITORING))


def _nobody_to_approve(ctx: Context, actor: Person, page: Page) -> Handled:
    event = ActionRefused(page.id, actor.email, ctx.clock.now(), "moderation", "no approver")
    text = (
        f"This action needs approval, and nobody besides you can approve it for "
        f"{page.details.page_name}. Ask {ctx.config.contact_person.name} "
        f"({ctx.config.contact}) what to do; nothing was recorded."
    )
    return refused(event, ctx.refusal(text, rule=Rule.MONITORING))


def ended_suspensions(page: Page, now: datetime) -> tuple[ModerationAction, ...]:
    """Suspensions whose days are over, not lifted and not yet reminded about."""
    return tuple(
        action
        for action in page.moderation
        if action.until is not None
        and action.until <= now
        and action.lifted_at is None
        and action.lift_reminded_at is None
    )
