"""When the district file changes who holds a role (a new principal mid-year), requests already
waiting for the old holder move to the new one (AR 1114: Authorization: the page is authorized
by whoever holds the role when they decide).

A waiting request keeps the approval chain it was sent on; only the people on its current step
change: those the file no longer allows on that step leave it, and the step's holders under
the file now in force join it. Approvals already given stay. The new holders get the card, the
old ones see theirs say where it went, the requester's card shows who has it now, and each move
is audited. A request whose step nobody holds now cannot move: the district contact is told.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from workflows.conversation.wording import names
from workflows.kernel.cards import Card, Section
from workflows.kernel.commands import AdoptDistrictFile, RefuseDistrictFile
from workflows.kernel.events import (
    DistrictFileAdopted,
    DistrictFileRefused,
    Event,
    RequestHandedOver,
)
from workflows.kernel.handling import Context, Handled, Outcome
from workflows.kernel.messages import Message
from workflows.kernel.model import SYSTEM, PageRequest, RequestStatus, Step, next_version
from workflows.kernel.policy import Rule
from workflows.requests import messages
from workflows.requests.routing import route_request

DISTRICT = "district"
# The contact's summary names this many requests of each sort, then counts the rest.
LISTED = 20


@dataclass(frozen=True)
class _Move:
    before: PageRequest
    after: PageRequest
    left: tuple[str, ...]
    joined: tuple[str, ...]


async def adopt_district_file(command: AdoptDistrictFile, ctx: Context) -> Handled:
    now = ctx.clock.now()
    moves: list[_Move] = []
    stuck: list[tuple[PageRequest, str]] = []
    for request in await ctx.store.find_requests(status=RequestStatus.PENDING):
        found = _handover(ctx, request)
        if isinstance(found, _Move):
            moves.append(found)
        elif found:
            stuck.append((request, found))
    events: list[Event] = []
    sent: list[Message] = []
    for move in moves:
        events.append(RequestHandedOver(move.after.id, SYSTEM, now, move.left, move.joined))
        sent.extend(_cards(ctx, move))
    if command.reloaded or moves:
        events.append(DistrictFileAdopted(DISTRICT, SYSTEM, now, command.fingerprint, len(moves)))
        sent.append(_summary(ctx, command, moves, stuck if command.reloaded else []))
    outcome = Outcome(events=tuple(events), messages=tuple(sent))
    return Handled(outcome, requests=tuple(move.after for move in moves))


async def refuse_district_file(command: RefuseDistrictFile, ctx: Context) -> Handled:
    now = ctx.clock.now()
    card = Card(
        "The district file was not reloaded",
        "Pagekeeper read the district file again but could not use it, so the rules already "
        f"in force stay as they were. The problem: {command.problem} Whoever looks after "
        "Pagekeeper can check the file with `python -m bot check-config` and reload it again.",
        clause=ctx.config.cite(Rule.AUTHORIZATION),
    )
    note = Message(ctx.config.contact, card, f"district-file:refused-{now:%Y%m%dT%H%M%S}")
    event = DistrictFileRefused(DISTRICT, SYSTEM, now, command.problem)
    return Handled(Outcome(events=(event,), messages=(note,)))


def _handover(ctx: Context, request: PageRequest) -> _Move | str | None:
    """The request moved to its step's holders under the file in force; a reason when it
    waits for someone the file no longer allows and nobody can take it; None when nothing
    changes."""
    step = request.current
    fresh = _same_step(ctx, request)
    if fresh is None:
        return None
    if isinstance(fresh, str):
        return fresh
    allowed = {*fresh.allowed, *fresh.approvers}
    delegates = tuple((d, away) for d, away in step.delegates if {d, away} <= allowed)
    dropped = {d for d, _ in step.delegates} - {d for d, _ in delegates}
    kept = [e for e in request.approvers if e in allowed and e not in dropped]
    joined = tuple(e for e in fresh.approvers if e not in request.approvers)
    left = tuple(e for e in request.approvers if e not in kept)
    if not joined and not left:
        return None
    current = dataclasses.replace(fresh, approvers=(*kept, *joined), delegates=delegates)
    chain = request.chain
    moved = next_version(
        request,
        approvers=current.approvers,
        steps=(*chain[: request.step], current, *chain[request.step + 1 :]),
        routed_at=ctx.clock.now(),
        reminded_at=None,
        escalated_at=None,
    )
    return _Move(request, moved, left, joined)


def _same_step(ctx: Context, request: PageRequest) -> Step | str | None:
    """The request's current step as the file in force resolves it: at the same place in a
    chain of the same length, else the step with the same title; why it cannot be resolved
    (nobody holds it); None when the chain changed so that the step is not there."""
    routing = route_request(ctx.config, request.requester.email, request.details)
    if routing.held:
        return routing.held_because
    if len(routing.steps) == len(request.chain):
        return routing.steps[request.step]
    title = request.current.title
    return next((step for step in routing.steps if step.title == title), None)


def _cards(ctx: Context, move: _Move) -> tuple[Message, ...]:
    request, moved = move.before, move.after
    config = ctx.config
    went = names(config, move.joined) if move.joined else names(config, moved.approvers)
    gone = Card(
        f"Moved: {request.details.page_name}",
        f"Request {request.id} now goes to {went}: the district file now in force names them "
        f"for this step ({moved.current.title}). Nothing more is needed from you.",
        clause=config.cite(Rule.AUTHORIZATION),
    )
    ref = messages.approval_ref(request)
    return (
        *(Message(email, gone, ref, update=True) for email in move.left),
        *(
            Message(email, messages.approval_card(config, moved, email), ref)
            for email in move.joined
        ),
        messages.request_progress(config, moved),
    )


def _summary(
    ctx: Context,
    command: AdoptDistrictFile,
    moves: list[_Move],
    stuck: list[tuple[PageRequest, str]],
) -> Message:
    config = ctx.config
    if command.reloaded:
        title = "District file reloaded"
        text = (
            f"The district file was read again and is now in force (fingerprint "
            f"{command.fingerprint}). "
        )
        text += "" if moves else "No waiting request changed hands."
    else:
        title = "Waiting requests moved"
        text = "Pagekeeper started with a district file that changes who holds some roles. "
    sections = []
    if moves:
        lines = [
            f"{m.after.id} ({m.after.details.page_name}): from {names(config, m.left)} "
            f"to {names(config, m.joined)}"
            for m in moves
        ]
        heading = f"{len(moves)} waiting requests moved to whoever holds the role now"
        sections.append(Section(heading, _listed(lines)))
    if stuck:
        lines = [f"{r.id} ({r.details.page_name}): {why}" for r, why in stuck]
        heading = (
            f"{len(stuck)} waiting requests could not move: they stay with the approvers they "
            "were sent to until the file names someone"
        )
        sections.append(Section(heading, _listed(lines)))
    now = ctx.clock.now()
    card = Card(
        title, text.strip(), sections=tuple(sections), clause=config.cite(Rule.AUTHORIZATION)
    )
    return Message(config.contact, card, f"district-file:{command.fingerprint}-{now:%Y%m%dT%H%M%S}")


def _listed(lines: list[str]) -> str:
    """One line each, the first LISTED of them, then how many more."""
    more = [f"and {len(lines) - LISTED} more"] if len(lines) > LISTED else []
    return "\n".join([*lines[:LISTED], *more])
