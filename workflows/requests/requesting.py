"""Asking for an official page, resubmitting after changes, withdrawing, and routing held
requests."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime, timedelta

from workflows.conversation import forms
from workflows.conversation.validation import check_optional_note
from workflows.conversation.wording import names, when
from workflows.kernel.cards import Card
from workflows.kernel.commands import RequestPage, ResubmitRequest, RouteAgain, WithdrawRequest
from workflows.kernel.events import (
    ActionRefused,
    PageRequested,
    RequestHeld,
    RequestResubmitted,
    RequestRouted,
    RequestWithdrawn,
)
from workflows.kernel.handling import (
    Context,
    FieldError,
    Handled,
    Outcome,
    refused,
    rejected,
)
from workflows.kernel.messages import Message
from workflows.kernel.model import (
    Away,
    PageDetails,
    PageRequest,
    PageStatus,
    Person,
    RequestStatus,
    next_version,
)
from workflows.kernel.policy import Rule
from workflows.kernel.ports import RequestChecks
from workflows.requests import messages as request_messages
from workflows.requests.checks import check_request
from workflows.requests.delegation import away_on, delegates_for, with_delegates
from workflows.requests.routing import Routing, route_request

HOUR = timedelta(hours=1)

OPEN_REQUEST = (RequestStatus.PENDING, RequestStatus.HELD, RequestStatus.CHANGES_REQUESTED)


async def request_page(command: RequestPage, ctx: Context) -> Handled:
    requester = ctx.resolve(command.actor)
    since = ctx.clock.now() - HOUR
    details, errors = _cleaned(ctx, requester, command.details, command.acknowledged_guidelines)
    checks = await ctx.store.request_checks(
        requester=requester.email, since=since, page_name=details.page_name
    )
    too_many = _over_hourly_limit(ctx, requester, since, checks.times)
    if too_many is not None:
        return too_many
    errors = errors or _duplicate_of(ctx, details, checks, None)
    if errors:
        return rejected(*errors)
    routing = route_request(ctx.config, requester.email, details)
    request = PageRequest(
        id=ctx.new_id("REQ"),
        requester=requester,
        details=details,
        status=RequestStatus.HELD if routing.held else RequestStatus.PENDING,
        approvers=routing.approvers,
        route=routing.description,
        submitted_at=ctx.clock.now(),
        steps=routing.steps,
    )
    event = PageRequested(request.id, requester.email, request.submitted_at, routing.approvers)
    return _sent(ctx, request, routing, event, checks.aways)


def _over_hourly_limit(
    ctx: Context, requester: Person, since: datetime, times: Sequence[datetime]
) -> Handled | None:
    """The refusal for someone who has sent as many new requests in the last hour (since
    `since`; `times`: when they sent them) as the district allows, so that no one can flood
    the approvers; None otherwise."""
    limit = ctx.config.limits.requests_per_person_per_hour
    now = ctx.clock.now()
    recent = [moment for moment in times if moment > since]  # exactly an hour ago is not
    if len(recent) < limit:
        return None
    again = when(ctx.config, recent[-limit] + HOUR)
    return refused(
        ActionRefused(
            requester.email, requester.email, now, "request page", f"{len(recent)} in an hour"
        ),
        ctx.refusal(
            f"You have sent {len(recent)} page requests in the last hour, which is as many as "
            f"{ctx.config.name} allows in an hour. Your request was not sent; please send it "
            f"again after {again}. (Set in the district's settings: "
            "limits.requests_per_person_per_hour.)",
            "Please wait a little",
        ),
    )


async def resubmit_request(command: ResubmitRequest, ctx: Context) -> Handled:
    actor = ctx.resolve(command.actor)
    request = await ctx.store.get_request(command.request_id)
    now = ctx.clock.now()
    if request is None or request.requester.email != actor.email:
        return refused(
            ActionRefused(command.request_id, actor.email, now, "resubmit", "not the requester"),
            ctx.refusal("Only the person who asked for this page can edit the request."),
        )
    if request.status is not RequestStatus.CHANGES_REQUESTED:
        status = request.status.value.replace("_", " ")
        return refused(
            ActionRefused(request.id, actor.email, now, "resubmit", f"request is {status}"),
            ctx.refusal(
                f"Request {request.id} is {status}; it can be edited only after an approver "
                "asks for changes.",
                "Nothing to edit",
            ),
        )
    details, errors = _cleaned(ctx, actor, command.details, command.acknowledged_guidelines)
    # The hourly limit is on new requests: no submission times are wanted (none from now on).
    checks = await ctx.store.request_checks(
        requester=actor.email, since=now, page_name=details.page_name
    )
    errors = errors or _duplicate_of(ctx, details, checks, request.id)
    if errors:
        return rejected(*errors)
    routing = route_request(ctx.config, actor.email, details)
    revised = next_version(
        request,
        details=details,
        status=RequestStatus.HELD if routing.held else RequestStatus.PENDING,
        approvers=routing.approvers,
        route=routing.description,
        revision=request.revision + 1,
        routed_at=now,
        reminded_at=None,
        escalated_at=None,
        steps=routing.steps,
        step=0,
    )
    event = RequestResubmitted(request.id, actor.email, now, revised.revision, routing.approvers)
    return _sent(ctx, revised, routing, event, checks.aways)


async def route_again(command: RouteAgain, ctx: Context) -> Handled:
    actor = ctx.resolve(command.actor)
    request = await ctx.store.get_request(command.request_id)
    now = ctx.clock.now()
    if actor.email != ctx.config.contact:
        return refused(
            ActionRefused(
                command.request_id, actor.email, now, "route again", "not the district contact"
            ),
            ctx.refusal("Only the district contact can route a held request again."),
        )
    if request is None or request.status is not RequestStatus.HELD:
        return refused(
            ActionRefused(command.request_id, actor.email, now, "route again", "not on hold"),
            ctx.refusal("This request is no longer on hold.", "Nothing to route"),
        )
    routing = route_request(ctx.config, request.requester.email, request.details)
    if routing.held:
        return refused(
            ActionRefused(request.id, actor.email, now, "route again", routing.description),
            ctx.refusal(f"It cannot be sent yet: {routing.description}.", "Still on hold"),
        )
    routed = next_version(
        request,
        status=RequestStatus.PENDING,
        approvers=routing.approvers,
        route=routing.description,
        routed_at=now,
        steps=routing.steps,
        step=0,
    )
    event = RequestRouted(request.id, actor.email, now, routing.approvers)
    handled = _sent(ctx, routed, routing, event, await ctx.store.aways())
    moved = Message(
        actor.email,
        Card(
            f"Routed: {request.details.page_name}",
            f"Request {request.id} went to {routing.description} "
            f"({names(ctx.config, routing.approvers)}).",
            clause=ctx.config.cite(Rule.AUTHORIZATION),
        ),
        ref=f"held:{request.id}",
        update=True,
    )
    return Handled(
        Outcome(events=handled.outcome.events, messages=(*handled.outcome.messages, moved)),
        requests=handled.requests,
    )


async def withdraw_request(command: WithdrawRequest, ctx: Context) -> Handled:
    actor = ctx.resolve(command.actor)
    request = await ctx.store.get_request(command.request_id)
    now = ctx.clock.now()
    if request is None or request.requester.email != actor.email:
        return refused(
            ActionRefused(command.request_id, actor.email, now, "withdraw", "not the requester"),
            ctx.refusal("Only the person who asked for this page can withdraw the request."),
        )
    if not request.status.open:
        status = request.status.value.replace("_", " ")
        return refused(
            ActionRefused(request.id, actor.email, now, "withdraw", f"request is {status}"),
            ctx.refusal(f"Request {request.id} is already {status}.", "Nothing to withdraw"),
        )
    reason, problem = check_optional_note(command.reason, "your reason")
    if problem:
        return rejected(problem)
    withdrawn = next_version(request, status=RequestStatus.WITHDRAWN)
    event = RequestWithdrawn(request.id, actor.email, now, reason)
    reply = Card(
        f"Withdrawn: {request.details.page_name}",
        f"Request {request.id} is withdrawn; nobody needs to decide it.",
        clause=ctx.config.cite(Rule.AUTHORIZATION),
    )
    sent = request_messages.request_withdrawn(ctx.config, withdrawn)
    return Handled(Outcome(events=(event,), messages=sent, reply=reply), requests=(withdrawn,))


def _sent(
    ctx: Context,
    request: PageRequest,
    routing: Routing,
    event: PageRequested | RequestResubmitted | RequestRouted,
    aways: Sequence[Away],
) -> Handled:
    """The request sent to its approvers (and the delegates of those away today, of
    `aways`), or held."""
    if not routing.held:
        away, today = away_on(ctx, aways)
        added = delegates_for(ctx, request, away, today)
        request = with_delegates(request, added)
    if routing.held:
        held = RequestHeld(request.id, event.actor, event.at, routing.description)
        messages = request_messages.request_held(ctx.config, request, routing.description)
        return Handled(Outcome(events=(event, held), messages=messages), requests=(request,))
    messages = (
        request_messages.request_sent(ctx.config, request, routing.description),
        *request_messages.approval_requests(ctx.config, request),
    )
    return Handled(Outcome(events=(event,), messages=messages), requests=(request,))


def _cleaned(
    ctx: Context, requester: Person, details: PageDetails, acknowledged: bool
) -> tuple[PageDetails, tuple[FieldError, ...]]:
    """The form's answers tidied, and what is wrong with them on their own."""
    co_owners = tuple(ctx.resolve(person) for person in details.co_owners)
    return check_request(
        ctx.config, requester, dataclasses.replace(details, co_owners=co_owners), acknowledged
    )


def _duplicate_of(
    ctx: Context, details: PageDetails, checks: RequestChecks, editing: str | None
) -> tuple[FieldError, ...]:
    """Two official pages with one name on one platform would confuse families: the error
    for a name taken by a page or an open request of `checks`, if it is."""
    platform = ctx.config.platform(details.platform)
    label = platform.label if platform else details.platform
    for page in checks.pages:
        if page.status is not PageStatus.RETIRED and _same_page(page.details, details):
            return (
                FieldError(
                    forms.PAGE_NAME,
                    f"There is already an official {label} page named "
                    f"{page.details.page_name} ({page.id}). Choose another name, or ask its "
                    "owners to add you.",
                ),
            )
    for request in checks.requests:
        if (
            request.id != editing
            and request.status in OPEN_REQUEST
            and _same_page(request.details, details)
        ):
            return (
                FieldError(
                    forms.PAGE_NAME,
                    f"A request for a {label} page named {request.details.page_name} is "
                    f"already open ({request.id}, from {request.requester.name}).",
                ),
            )
    return ()


def _same_page(left: PageDetails, right: PageDetails) -> bool:
    return (
        left.platform == right.platform and left.page_name.casefold() == right.page_name.casefold()
    )
