"""Cards about moderation actions: the owners' record, approvers' cards, the referral, the
prompt to refer a repeat violator, and the reminder to lift an ended suspension."""

from __future__ import annotations

from workflows.conversation import actions, forms
from workflows.conversation.wording import when
from workflows.district.config import DistrictConfig
from workflows.district.moderation import DONE
from workflows.kernel.cards import Button, ButtonStyle, Card, Field
from workflows.kernel.messages import Message
from workflows.kernel.model import ActionState, ModerationAction, ModerationKind, Page, Person
from workflows.kernel.policy import Rule


def action_ref(page: Page, action: ModerationAction) -> str:
    return f"moderation:{page.id}:{action.id}"


def action_value(page: Page, action: ModerationAction) -> str:
    """A button's value naming one action of one page."""
    return f"{page.id}:{action.id}"


def recorded(config: DistrictConfig, page: Page, action: ModerationAction) -> tuple[Message, ...]:
    """Every owner's record of the action (and, while it waits, that it waits)."""
    card = _record_card(config, page, action)
    return tuple(Message(owner.email, card, action_ref(page, action)) for owner in page.owners)


def approval_cards(
    config: DistrictConfig, page: Page, action: ModerationAction, approvers: tuple[str, ...]
) -> tuple[Message, ...]:
    """The approvers are asked to approve or refuse before the owner acts."""
    value = action_value(page, action)
    card = Card(
        title=f"Approve a moderation action: {page.details.page_name}",
        text=(
            f"{action.by.name} asks for your approval before acting on "
            f"{page.details.page_name}: {what(config, page, action)}. The district's rules "
            "need an approval first; the owner acts once you approve."
        ),
        fields=_details(config, page, action),
        buttons=(
            Button("Approve", actions.APPROVE_MODERATION, value, ButtonStyle.PRIMARY),
            Button(
                "Refuse",
                actions.REFUSE_MODERATION,
                value,
                ButtonStyle.DANGER,
                form=forms.refuse_moderation_form(value),
            ),
        ),
        clause=config.cite(Rule.MONITORING),
    )
    return tuple(Message(email, card, action_ref(page, action)) for email in approvers)


def decided(
    config: DistrictConfig, page: Page, action: ModerationAction, approvers: tuple[str, ...]
) -> tuple[Message, ...]:
    """Approvers' cards and owners' records show the decision, in place."""
    assert action.decided_by is not None and action.decided_at is not None
    verdict = "Approved" if action.state is not ActionState.REFUSED else "Refused"
    said = f" They said: {action.note}" if action.note else ""
    outcome = f"{verdict} by {action.decided_by.name} on {when(config, action.decided_at)}.{said}"
    for_approvers = Card(
        title=f"{verdict}: {what(config, page, action)} on {page.details.page_name}",
        text=outcome,
        fields=_details(config, page, action),
        clause=config.cite(Rule.MONITORING),
    )
    ref = action_ref(page, action)
    told = [Message(email, for_approvers, ref, update=True) for email in approvers]
    record = _record_card(config, page, action)
    told += [Message(owner.email, record, ref, update=True) for owner in page.owners]
    return tuple(told)


def referral(config: DistrictConfig, page: Page, action: ModerationAction) -> tuple[Message, ...]:
    """A referral done (or approved) reaches the office the district refers users to."""
    if action.action is not ModerationKind.REFER or action.state is not ActionState.DONE:
        return ()
    school = config.school(page.details.school)
    office = config.holders(config.moderation.refer_to, school)
    to = office or config.superintendent_and_designees
    card = Card(
        title=f"User referred to you: {action.account}",
        text=(
            f"{action.by.name}, an owner of {page.details.page_name}, refers the account "
            f"{action.account} to you under the district's moderation rules."
        ),
        fields=_details(config, page, action),
        clause=config.cite(Rule.MONITORING),
    )
    return tuple(Message(email, card, f"referral:{page.id}:{action.id}") for email in to)


def repeat_prompt(
    config: DistrictConfig, page: Page, action: ModerationAction, count: int
) -> tuple[Message, ...]:
    """Owners are prompted to refer an account that keeps needing action."""
    rule = config.moderation.repeat
    assert rule is not None
    office = forms.refer_office(config, _school_name(config, page))
    form = forms.referral_form(config, page.id, action)
    card = Card(
        title=f"Repeat violations: {action.account}",
        text=(
            f"{action.account} has needed {count} moderation actions on "
            f"{page.details.page_name} in the last {rule.within_days} days. The district's "
            f"rules refer repeat violators to {office}."
        ),
        buttons=(
            Button(
                f"Refer to {office}"[:75],
                actions.REFER_VIOLATOR,
                action_value(page, action),
                ButtonStyle.PRIMARY,
                form=form,
            ),
        ),
        clause=config.cite(Rule.MONITORING),
    )
    ref = f"repeat:{page.id}:{action.id}"
    return tuple(Message(owner.email, card, ref) for owner in page.owners)


def suspension_ended(
    config: DistrictConfig, page: Page, action: ModerationAction
) -> tuple[Message, ...]:
    """Owners are asked to lift a suspension whose days are over."""
    assert action.until is not None
    card = Card(
        title=f"Lift the suspension: {action.account}",
        text=(
            f"The {action.days}-day suspension of {action.account} on {page.details.page_name} "
            f"ended on {when(config, action.until)}. Lift it on the platform, then say so here."
        ),
        fields=_details(config, page, action),
        buttons=(
            Button(
                "Lifted", actions.LIFT_MODERATION, action_value(page, action), ButtonStyle.PRIMARY
            ),
        ),
        clause=config.cite(Rule.MONITORING),
    )
    ref = f"lift:{page.id}:{action.id}"
    return tuple(Message(owner.email, card, ref) for owner in page.owners)


def lifted(
    config: DistrictConfig, page: Page, action: ModerationAction, by: Person
) -> tuple[Message, ...]:
    assert action.lifted_at is not None
    card = Card(
        title=f"Suspension lifted: {action.account}",
        text=f"Lifted by {by.name} on {when(config, action.lifted_at)}.",
        fields=_details(config, page, action),
        clause=config.cite(Rule.MONITORING),
    )
    ref = f"lift:{page.id}:{action.id}"
    return tuple(Message(owner.email, card, ref, update=True) for owner in page.owners)


def already_lifted(config: DistrictConfig, action: ModerationAction) -> Card:
    assert action.lifted_at is not None
    return Card(
        title="Already lifted",
        text=f"This suspension was marked lifted on {when(config, action.lifted_at)}.",
        clause=config.cite(Rule.MONITORING),
    )


def what(config: DistrictConfig, page: Page, action: ModerationAction) -> str:
    """The action in the district's words ("Suspend the user for a number of days (7)")."""
    named = config.moderation.rule(action.action).named(
        forms.refer_office(config, _school_name(config, page))
    )
    return f"{named} ({action.days} days)" if action.action is ModerationKind.SUSPEND else named


def _record_card(config: DistrictConfig, page: Page, action: ModerationAction) -> Card:
    if action.state is ActionState.AWAITING_APPROVAL:
        title = f"Waiting for approval: {page.details.page_name}"
        text = (
            f"{action.by.name} asked for approval: {what(config, page, action)}. Do not act "
            "on the platform until it is approved; you will hear here."
        )
    elif action.state is ActionState.REFUSED:
        assert action.decided_by is not None
        title = f"Refused: {page.details.page_name}"
        text = (
            f"{action.decided_by.name} refused: {what(config, page, action)}. "
            f"Do not do it. They said: {action.note}"
        )
    else:
        title = f"{DONE[action.action]}: {page.details.page_name}"
        text = f"Recorded by {action.by.name} on {when(config, action.at)}."
        if action.decided_by is not None and action.decided_at is not None:
            text = (
                f"Approved by {action.decided_by.name} on {when(config, action.decided_at)}: "
                f"you may now act: {what(config, page, action)}."
            )
    return Card(
        title=title,
        text=text,
        fields=_details(config, page, action),
        clause=config.cite(Rule.MONITORING),
    )


def reason_label(config: DistrictConfig, reason_id: str) -> str:
    """A removal reason as the district words it."""
    return next((r.label for r in config.removal_reasons if r.id == reason_id), reason_id)


def _details(config: DistrictConfig, page: Page, action: ModerationAction) -> tuple[Field, ...]:
    reason = reason_label(config, action.reason)
    fields = [Field("Action", what(config, page, action)), Field("Reason", reason)]
    fields += [Field("Account", action.account)] if action.account else []
    fields += [Field("What was addressed", action.description)]
    fields += [Field("Saved copy", action.saved_copy), Field("Recorded by", action.by.name)]
    return (*fields, Field("Page", page.id))


def _school_name(config: DistrictConfig, page: Page) -> str:
    school = config.school(page.details.school)
    return school.name if school else ""
