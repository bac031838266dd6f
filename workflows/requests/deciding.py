"""An approver's decision on one step of a request's chain: Approve (a review step: Confirm),
Request changes or Deny. A step completes when one of its approvers approves, or every one
of them when it needs all; the request then moves to the next step, or is approved at the
last. Deny at any step ends it; Request changes sends it back to the requester."""

from __future__ import annotations

import dataclasses

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
    StepApproved,
)
from workflows.kernel.handling import Context, Handled, Outcome, refused, rejected
from workflows.kernel.messages import Message
from workflows.kernel.model import (
    Answer,
    Decision,
    Page,
    PageRequest,
    PageStatus,
    RequestStatus,
    Verdict,
    next_version,
)
from workflows.pages import messages as page_messages
from workflows.requests import messages
from workflows.requests.answers import check_answers
from workflows.requests.delegation import away_today, delegates_for, with_delegates

_NOTE_NEEDED = {Verdict.REQUEST_CHANGES: "what should change", Verdict.DENY: "a reason"}


async def decide(command: Decide, ctx: Context) -> Handled:
    actor = ctx.resolve(command.actor)
    request = await ctx.store.get_request(command.request_id)
    now = ctx.clock.now()
    if request is None:
        return refused(
            DecisionRefused(command.request_id, actor.email, now, "no such request"),
            ctx.refusal(f"There is no page request {command.request_id}."),
        )
    if not _takes_part(request, actor.email):
        return refused(
            DecisionRefused(request.id, actor.email, now, "not a designated approver"),
            ctx.refusal(
                f"Only {request.route} ({names(ctx.config, request.approvers)}) can decide "
                f"request {request.id}."
            ),
        )
    late = _too_late(ctx, request, actor.email, command.revision, command.step)
    if late:
        return refused(DecisionRefused(request.id, actor.email, now, late.text), late)
    step = request.current
    if step.review and command.verdict is Verdict.DENY:
        return refused(
            DecisionRefused(request.id, actor.email, now, "a review step cannot deny"),
            ctx.refusal(
                f"Step {request.step + 1} is a review by {step.title}: confirm it, or send the "
                "request back for changes."
            ),
        )
    note, problem = check_note(command.note, _NOTE_NEEDED.get(command.verdict, "a comment"))
    if problem and (command.verdict in _NOTE_NEEDED or note):
        return rejected(problem)
    evidence: tuple[Answer, ...] = ()
    if command.verdict is not Verdict.REQUEST_CHANGES:
        evidence, errors = check_answers(step.evidence, dict(command.answers))
        if errors:
            return rejected(*errors)
    standing_in = step.standing_in_for(actor.email)
    decision = Decision(
        command.verdict, actor, now, note, request.revision, request.step, evidence, standing_in
    )
    if command.verdict is Verdict.DENY:
        return _deny(ctx, request, decision)
    if command.verdict is Verdict.REQUEST_CHANGES:
        return _request_changes(ctx, request, decision)
    return await _approve(ctx, request, decision)


def _takes_part(request: PageRequest, email: str) -> bool:
    """An approver of any step of the chain, or someone who decided on the request."""
    return any(email in step.approvers for step in request.chain) or any(
        decision.by.email == email for decision in request.decisions
    )


def _too_late(
    ctx: Context, request: PageRequest, email: str, revision: int, step: int
) -> Card | None:
    """Why a click can no longer decide: already decided, or the card is out of date."""
    decided = request.decisions_on(step, revision)
    current = revision == request.revision and step == request.step
    if decided and not (current and request.status is RequestStatus.PENDING):
        text = messages.already_decided_text(ctx.config, decided[-1])
        return ctx.refusal(text, "Already decided")
    if not current or request.status is not RequestStatus.PENDING:
        return ctx.refusal(
            f"Request {request.id} has changed since this card was sent. "
            "Use the newest card about it.",
            "This card is out of date",
        )
    if email not in request.approvers:
        return ctx.refusal(
            f"Step {request.step + 1} of request {request.id} is for {request.route} "
            f"({names(ctx.config, request.approvers)}).",
            "Not your step",
        )
    if any(decision.by.email == email for decision in decided):
        waiting = tuple(e for e in request.approvers if e not in {d.by.email for d in decided})
        return ctx.refusal(
            f"You already approved this step; it waits for {names(ctx.config, waiting)}.",
            "Already approved",
        )
    return None


async def _approve(ctx: Context, request: PageRequest, decision: Decision) -> Handled:
    step = request.current
    decided = (*request.decisions_on(request.step), decision)
    agreed = {d.by.email for d in decided} | {d.for_approver for d in decided}
    chain = request.chain
    # Someone the request was escalated to may decide the step alone; a delegate counts
    # for the approver who is away.
    stand_ins = {delegate for delegate, _ in step.delegates}
    required = {e for e in step.approvers if e not in step.escalate_to and e not in stand_ins}
    if step.needs_all and not required <= agreed and decision.by.email not in step.escalate_to:
        waiting = tuple(e for e in step.approvers if e in required and e not in agreed)
        recorded = _decided(request, decision, RequestStatus.PENDING)
        follows = f"waiting for {names(ctx.config, waiting)}"
        return _step_done(ctx, recorded, decision, follows, ())
    if request.step + 1 < len(chain):
        following = chain[request.step + 1]
        moved = dataclasses.replace(
            _decided(request, decision, RequestStatus.PENDING),
            step=request.step + 1,
            approvers=following.approvers,
            route=following.title,
            routed_at=decision.at,
            reminded_at=None,
            escalated_at=None,
        )
        aways, today = await away_today(ctx)
        moved = with_delegates(moved, delegates_for(ctx, moved, aways, today))
        follows = f"sent to step {moved.step + 1}: {following.title}"
        cards = messages.approval_requests(ctx.config, moved)
        return _step_done(ctx, moved, decision, follows, cards)
    return _final_approval(ctx, request, decision)


def _step_done(
    ctx: Context,
    request: PageRequest,
    decision: Decision,
    follows: str,
    new_cards: tuple[Message, ...],
) -> Handled:
    """A step approved without ending the chain: every card so far updates, the next step's
    approvers get theirs, and the requester's card shows where the request stands."""
    step = request.chain[decision.step]
    event = StepApproved(
        request.id,
        decision.by.email,
        decision.at,
        decision.step + 1,
        len(request.chain),
        step.title,
        "confirmed" if step.review else "approved",
        _evidence_text(decision),
        follows,
    )
    sent = (
        *messages.decision_recorded(ctx.config, request),
        *new_cards,
        messages.request_progress(ctx.config, request),
    )
    return Handled(Outcome(events=(event,), messages=sent), requests=(request,))


def _final_approval(ctx: Context, request: PageRequest, decision: Decision) -> Handled:
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
    comment = "; ".join(filter(None, [decision.note, _evidence_text(decision)]))
    events: tuple[Event, ...] = (
        RequestApproved(request.id, decision.by.email, decision.at, page.id, comment),
        PageRegistered(page.id, decision.by.email, decision.at, request.id),
    )
    notices = (
        *messages.decision_recorded(ctx.config, approved),
        *page_messages.page_approved(ctx.config, page, request.requester, ctx.links),
    )
    return Handled(Outcome(events=events, messages=notices), requests=(approved,), pages=(page,))


def _request_changes(ctx: Context, request: PageRequest, decision: Decision) -> Handled:
    updated = _decided(request, decision, RequestStatus.CHANGES_REQUESTED)
    event = ChangesRequested(request.id, decision.by.email, decision.at, decision.note)
    sent = (
        *messages.decision_recorded(ctx.config, updated),
        messages.changes_requested(ctx.config, updated),
    )
    return Handled(Outcome(events=(event,), messages=sent), requests=(updated,))


def _deny(ctx: Context, request: PageRequest, decision: Decision) -> Handled:
    denied = _decided(request, decision, RequestStatus.DENIED)
    reason = "; ".join(filter(None, [decision.note, _evidence_text(decision)]))
    event = RequestDenied(request.id, decision.by.email, decision.at, reason)
    sent = (
        *messages.decision_recorded(ctx.config, denied),
        messages.request_denied(ctx.config, denied),
    )
    return Handled(Outcome(events=(event,), messages=sent), requests=(denied,))


def _decided(
    request: PageRequest, decision: Decision, status: RequestStatus, page_id: str | None = None
) -> PageRequest:
    return next_version(
        request, status=status, decisions=(*request.decisions, decision), page_id=page_id
    )


def _evidence_text(decision: Decision) -> str:
    return "; ".join(f"{answer.label}: {answer.value}" for answer in decision.evidence)
