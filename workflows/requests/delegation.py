"""An approver away names a delegate, who decides in their place for those days: requests
waiting for the approver also go to the delegate, where the delegate is allowed to act on
that step (they hold its role, stand in for it, or are its fallback)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from workflows.conversation import forms
from workflows.kernel.cards import Card
from workflows.kernel.commands import SetAway
from workflows.kernel.events import AwaySet, Event, RequestDelegated
from workflows.kernel.handling import Context, FieldError, Handled, Outcome, rejected
from workflows.kernel.messages import Message
from workflows.kernel.model import Away, PageRequest, RequestStatus, is_email, next_version
from workflows.kernel.policy import Rule
from workflows.requests import messages
from workflows.requests.routing import allowed_for, with_approvers

LONGEST_ABSENCE = timedelta(days=366)


async def set_away(command: SetAway, ctx: Context) -> Handled:
    actor, delegate = ctx.resolve(command.actor), ctx.resolve(command.delegate)
    now = ctx.clock.now()
    today = now.astimezone(ctx.config.time_zone).date()
    first, last, errors = _days(command.first_day, command.last_day, today)
    if not is_email(delegate.email):
        errors.append(FieldError(forms.DELEGATE, "Enter the work email of your delegate."))
    elif delegate.email == actor.email:
        errors.append(FieldError(forms.DELEGATE, "Name someone other than yourself."))
    if errors:
        return rejected(*errors)
    assert first is not None and last is not None
    away = Away(actor.email, delegate, first, last, now)
    events: list[Event] = [
        AwaySet(actor.email, actor.email, now, delegate.email, str(first), str(last))
    ]
    delegated: list[PageRequest] = []
    sent: list[Message] = []
    kept: list[PageRequest] = []
    if away.covers(today):
        for request in await ctx.store.find_requests(approver=actor.email):
            moved = delegate_waiting(ctx, request, {actor.email: away}, today)
            if moved is None:
                if _waits_for(request, actor.email):
                    kept.append(request)
                continue
            delegated.append(moved)
            events.append(
                RequestDelegated(request.id, actor.email, now, actor.email, delegate.email)
            )
            sent.extend(delegated_cards(ctx, moved, request))
    reply = _reply(ctx, away, today, delegated, kept)
    outcome = Outcome(events=tuple(events), messages=tuple(sent), reply=reply)
    return Handled(outcome, requests=tuple(delegated), aways=(away,))


def delegate_waiting(
    ctx: Context, request: PageRequest, aways: dict[str, Away], today: date
) -> PageRequest | None:
    """The stored request, with the delegates of its current approvers who are away added
    (a new version); None when nobody is to be added."""
    added = delegates_for(ctx, request, aways, today)
    if not added:
        return None
    return next_version(with_delegates(request, added))


def delegates_for(
    ctx: Context, request: PageRequest, aways: dict[str, Away], today: date
) -> tuple[tuple[str, str], ...]:
    """(delegate, approver away) for the current step's approvers who are away today, where
    the delegate may act on the step and does not have it already."""
    if request.status is not RequestStatus.PENDING:
        return ()
    allowed = set(allowed_for(ctx.config, request))
    added: list[tuple[str, str]] = []
    for email in request.approvers:
        away = aways.get(email)
        if away is None or not away.covers(today) or not _waits_for(request, email):
            continue
        delegate = away.delegate.email
        taken = {*request.approvers, *(d for d, _ in added)}
        if delegate in allowed and delegate not in taken:
            added.append((delegate, email))
    return tuple(added)


def with_delegates(request: PageRequest, added: tuple[tuple[str, str], ...]) -> PageRequest:
    """The request with these delegates on its current step (same version)."""
    if not added:
        return request
    approvers = (*request.approvers, *(delegate for delegate, _ in added))
    return with_approvers(request, approvers, added)


async def away_today(ctx: Context) -> tuple[dict[str, Away], date]:
    """Who is away today, by email, and today's date in the district."""
    return away_on(ctx, await ctx.store.aways())


def away_on(ctx: Context, aways: Iterable[Away]) -> tuple[dict[str, Away], date]:
    """Who of `aways` is away today, by email, and today's date in the district."""
    today = ctx.clock.now().astimezone(ctx.config.time_zone).date()
    return {away.person: away for away in aways if away.covers(today)}, today


def delegated_cards(ctx: Context, moved: PageRequest, before: PageRequest) -> tuple[Message, ...]:
    """The approval card for each delegate just added."""
    added = [email for email in moved.approvers if email not in before.approvers]
    return tuple(
        Message(
            email, messages.approval_card(ctx.config, moved, email), messages.approval_ref(moved)
        )
        for email in added
    )


def _waits_for(request: PageRequest, email: str) -> bool:
    """The request waits for this approver: they have not approved its current step."""
    return request.status is RequestStatus.PENDING and all(
        decision.by.email != email and decision.for_approver != email
        for decision in request.decisions_on(request.step)
    )


def _days(
    first_text: str, last_text: str, today: date
) -> tuple[date | None, date | None, list[FieldError]]:
    errors = []
    first = _date(first_text)
    last = _date(last_text)
    if first is None:
        errors.append(FieldError(forms.FIRST_DAY, "Enter the first day you are away."))
    if last is None:
        errors.append(FieldError(forms.LAST_DAY, "Enter the last day you are away."))
    if first and last:
        if last < first:
            errors.append(FieldError(forms.LAST_DAY, "The last day comes after the first."))
        elif last - first > LONGEST_ABSENCE:
            errors.append(FieldError(forms.LAST_DAY, "Name a delegate for a year at most."))
    return first, last, errors


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _reply(
    ctx: Context,
    away: Away,
    today: date,
    delegated: list[PageRequest],
    kept: list[PageRequest],
) -> Card:
    who = away.delegate.name
    if away.last_day < today:
        return Card(
            "Welcome back",
            "Requests go to you alone again.",
            clause=ctx.config.cite(Rule.AUTHORIZATION),
        )
    text = (
        f"From {away.first_day:%b} {away.first_day.day} to {away.last_day:%b} "
        f"{away.last_day.day}, {who} also gets the requests waiting for you, where they may "
        "decide them, and decides in your place."
    )
    if delegated:
        text += " Sent to them now: " + ", ".join(r.id for r in delegated) + "."
    if kept:
        listed = ", ".join(f"{r.id} ({r.route})" for r in kept)
        text += f" {who} may not decide {listed}: it stays with you."
    return Card(
        f"{who} decides while you are away", text, clause=ctx.config.cite(Rule.AUTHORIZATION)
    )
