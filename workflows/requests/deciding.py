"""An approver's decision: Approve, Request changes or Deny. The first decision wins."""

from __future__ import annotations

from workflows.conversation.validation import check_note
from workflows.conversation.wording import names
from workflows.kernel.cards import Card
from workflows.kernel.commands import Decide
from workflows.kernel.events import (
    ChangesRequested,
    DecisionRefused,
    Event,
    PageRegistered,
    RequestApproved,
    RequestDenied,
)
from workflows.kernel.handling import Context, Handled, Outcome, refused, rejected
from workflows.kernel.model import (
    Decision,
    Page,
    PageRequest,
    PageStatus,
    RequestStatus,
    Verdict,
    next_version,
)
from workflows.pages import messages as page_messages
from workflows.requests import messages as request_messages

_NOTE_NEEDED = {Verdict.REQUEST_CHANGES: "what should change", Verdict.DENY: "a reason"}


async def decide(command: Decide, ctx: Context) -> Handled:
    actor = ctx.resolve(command.actor)
    request = await ctx.store.get_request(command.request_id)
    now = ctx.clock.now()
    if request is None:
        return refused(
            DecisionRefused(command.request_id, actor.email, now, "no such request"),
            request_messages.refusal(f"There is no page request {command.request_id}."),
        )
    if actor.email not in request.approvers:
        return refused(
            DecisionRefused(request.id, actor.email, now, "not a designated approver"),
            request_messages.refusal(
                f"Only {request.route} ({names(ctx.config, request.approvers)}) can decide "
                f"request {request.id}."
            ),
        )
    late = _too_late(ctx, request, command.revision)
    if late:
        return refused(DecisionRefused(request.id, actor.email, now, late.text), late)
    note, problem = check_note(command.note, _NOTE_NEEDED.get(command.verdict, "a comment"))
    if problem and command.verdict in _NOTE_NEEDED:
        return rejected(problem)
    decision = Decision(command.verdict, actor, now, note, request.revision)
    return _DECIDERS[command.verdict](ctx, request, decision)


def _too_late(ctx: Context, request: PageRequest, revision: int) -> Card | None:
    """Why a click can no longer decide: already decided, or the card is out of date."""
    decision = request.last_decision
    if decision is not None and decision.revision == revision:
        text = request_messages.already_decided_text(ctx.config, decision)
        return request_messages.refusal(text, "Already decided")
    if revision != request.revision or request.status is not RequestStatus.PENDING:
        return request_messages.refusal(
            f"Request {request.id} has changed since this card was sent. "
            "Use the newest card about it.",
            "This card is out of date",
        )
    return None


def _approve(ctx: Context, request: PageRequest, decision: Decision) -> Handled:
    page = Page(
        id=ctx.new_id("PAGE"),
        request_id=request.id,
        details=request.details,
        owners=(request.requester, *request.details.co_owners),
        status=PageStatus.SETTING_UP,
        approved_by=decision.by,
        approved_at=decision.at,
    )
    approved = _decided(request, decision, RequestStatus.APPROVED, page_id=page.id)
    events: tuple[Event, ...] = (
        RequestApproved(request.id, decision.by.email, decision.at, page.id, decision.note),
        PageRegistered(page.id, decision.by.email, decision.at, request.id),
    )
    messages = (
        *request_messages.decision_recorded(ctx.config, approved),
        *page_messages.page_approved(ctx.config, page, request.requester),
    )
    return Handled(Outcome(events=events, messages=messages), requests=(approved,), pages=(page,))


def _request_changes(ctx: Context, request: PageRequest, decision: Decision) -> Handled:
    updated = _decided(request, decision, RequestStatus.CHANGES_REQUESTED)
    event = ChangesRequested(request.id, decision.by.email, decision.at, decision.note)
    messages = (
        *request_messages.decision_recorded(ctx.config, updated),
        request_messages.changes_requested(ctx.config, updated),
    )
    return Handled(Outcome(events=(event,), messages=messages), requests=(updated,))


def _deny(ctx: Context, request: PageRequest, decision: Decision) -> Handled:
    denied = _decided(request, decision, RequestStatus.DENIED)
    event = RequestDenied(request.id, decision.by.email, decision.at, decision.note)
    messages = (
        *request_messages.decision_recorded(ctx.config, denied),
        request_messages.request_denied(ctx.config, denied),
    )
    return Handled(Outcome(events=(event,), messages=messages), requests=(denied,))


def _decided(
    request: PageRequest, decision: Decision, status: RequestStatus, page_id: str | None = None
) -> PageRequest:
    return next_version(
        request, status=status, decisions=(*request.decisions, decision), page_id=page_id
    )


_DECIDERS = {
    Verdict.APPROVE: _approve,
    Verdict.REQUEST_CHANGES: _request_changes,
    Verdict.DENY: _deny,
}
