"""Cards about page requests: to the requester, to approvers, to the district contact.

A request with a chain of several steps shows where it stands on every card ("Step 2 of 4:
the district supervisor") and who decided each step and when; one-step chains read as they
always did.
"""

from __future__ import annotations

from workflows.conversation import forms
from workflows.conversation.actions import (
    APPROVE,
    DENY,
    EDIT_REQUEST,
    REQUEST_CHANGES,
    ROUTE_AGAIN,
    WITHDRAW_REQUEST,
)
from workflows.conversation.wording import detail_fields, names, when
from workflows.district.config import DistrictConfig
from workflows.kernel.cards import Button, ButtonStyle, Card, Field, Section, StepLine, StepState
from workflows.kernel.messages import Message
from workflows.kernel.model import Decision, PageRequest, RequestStatus, Step, Verdict
from workflows.kernel.policy import Rule

_VERDICT_WORDS = {
    Verdict.APPROVE: "approved",
    Verdict.REQUEST_CHANGES: "sent back for changes",
    Verdict.DENY: "denied",
}


def approval_ref(request: PageRequest, step: int | None = None) -> str:
    """One approval message per approver, revision and step, updated in place once decided.
    (The first step keeps the form messages had before chains, so they still update.)"""
    index = request.step if step is None else step
    base = f"approval:{request.id}:{request.revision}"
    return base if index == 0 else f"{base}:step{index + 1}"


def decision_value(request: PageRequest) -> str:
    """What a decision button carries: the request, its revision and the step it decides."""
    base = f"{request.id}:{request.revision}"
    return base if request.step == 0 else f"{base}:{request.step}"


def request_ref(request: PageRequest) -> str:
    return f"request:{request.id}:{request.revision}"


def request_sent(config: DistrictConfig, request: PageRequest, route: str) -> Message:
    """Tells the requester what was sent and to whom."""
    return Message(
        request.requester.email, _sent_card(config, request, route), request_ref(request)
    )


def request_progress(config: DistrictConfig, request: PageRequest) -> Message:
    """The requester's card, brought up to date as the request moves along its chain."""
    card = _sent_card(config, request, request.route)
    return Message(request.requester.email, card, request_ref(request), update=True)


def _sent_card(config: DistrictConfig, request: PageRequest, route: str) -> Card:
    again = " again" if request.revision > 1 else ""
    where = ""
    if len(request.chain) > 1:
        where = f" It needs {len(request.chain)} steps; step {request.step + 1} is {route}."
        text = (
            f"Your request {request.id} is with {route} ({names(config, request.approvers)})."
            f"{where} You will hear back here."
        )
    else:
        text = (
            f"Your request {request.id} went to {route} "
            f"({names(config, request.approvers)}). You will hear back here."
        )
    return Card(
        title=f"Request sent{again}: {request.details.page_name}",
        text=text,
        fields=detail_fields(config, request.details, request.requester),
        buttons=(_withdraw_button(request),),
        clause=config.cite(Rule.AUTHORIZATION),
        progress=progress(config, request),
    )


def _withdraw_button(request: PageRequest) -> Button:
    return Button(
        "Withdraw request",
        WITHDRAW_REQUEST,
        request.id,
        ButtonStyle.DANGER,
        form=forms.withdraw_form(request.id),
    )


def approval_requests(config: DistrictConfig, request: PageRequest) -> tuple[Message, ...]:
    """The card each approver of the current step decides on."""
    return tuple(
        Message(email, approval_card(config, request, email), approval_ref(request))
        for email in request.approvers
    )


def approval_card(config: DistrictConfig, request: PageRequest, approver: str = "") -> Card:
    """The card an approver acts on: Approve, Request changes and Deny (a review step:
    Confirm and Request changes). Someone who already approved a step that needs everyone
    sees whom it still waits for instead of buttons."""
    step = request.current
    approved = {d.by.email for d in request.decisions_on(request.step)}
    revised = f" (revision {request.revision})" if request.revision > 1 else ""
    opening = f"{request.requester.display} asks to create an official page."
    if len(request.chain) > 1:
        opening += f" Step {request.step + 1} of {len(request.chain)}: {step.title}."
    role = "You are an approver for it."
    if step.needs_all:
        waiting = [email for email in step.approvers if email not in approved]
        role = f"Every one of {names(config, step.approvers)} must approve."
        if approver in approved:
            role += f" You approved; it waits for {names(config, tuple(waiting))}."
    buttons = () if approver in approved else decision_buttons(request)
    return Card(
        title=f"Page request {request.id}{revised}: {request.details.page_name}",
        text=f"{opening} {role}",
        fields=detail_fields(config, request.details, request.requester),
        sections=_earlier_revisions(config, request),
        buttons=buttons,
        clause=config.cite(Rule.AUTHORIZATION),
        progress=progress(config, request),
    )


def decision_buttons(request: PageRequest) -> tuple[Button, ...]:
    step = request.current
    value = decision_value(request)
    if step.review:
        confirm = forms.approve_form(value, step.evidence, review=True)
        return (
            Button("Confirm", APPROVE, value, ButtonStyle.PRIMARY, form=confirm),
            Button("Request changes", REQUEST_CHANGES, value, form=forms.changes_form(value)),
        )
    approve_form = forms.approve_form(value, step.evidence, review=False) if step.evidence else None
    return (
        Button("Approve", APPROVE, value, ButtonStyle.PRIMARY, form=approve_form),
        Button("Request changes", REQUEST_CHANGES, value, form=forms.changes_form(value)),
        Button("Deny", DENY, value, ButtonStyle.DANGER, form=forms.deny_form(value, step.evidence)),
    )


def decision_recorded(config: DistrictConfig, request: PageRequest) -> tuple[Message, ...]:
    """Every approver's card of every step up to the one just decided, updated in place: the
    outcome so far, who decided and when. Approvers still to act on that step (one that
    needs everyone) keep their buttons."""
    last = request.last_decision
    decided = last.step if last and last.revision == request.revision else request.step
    messages = []
    for index in range(min(decided, len(request.chain) - 1) + 1):
        step = request.chain[index]
        for email in step.approvers:
            card = _decided_card(config, request, index, email)
            messages.append(Message(email, card, approval_ref(request, index), update=True))
    return tuple(messages)


def _decided_card(config: DistrictConfig, request: PageRequest, index: int, email: str) -> Card:
    if index == request.step and request.status is RequestStatus.PENDING:
        return approval_card(config, request, email)
    decided = request.decisions_on(index)
    decision = decided[-1] if decided else request.last_decision
    text = already_decided_text(config, decision) if decision else ""
    if request.status is RequestStatus.PENDING:
        text += (
            f" It now waits for step {request.step + 1} of {len(request.chain)}: "
            f"{request.current.title}."
        )
    elif request.status is RequestStatus.WITHDRAWN:
        text = f"Withdrawn by {request.requester.name}; nothing more to decide."
    return Card(
        title=f"Page request {request.id}: {request.details.page_name}",
        text=text.strip(),
        fields=(
            *detail_fields(config, request.details, request.requester),
            *(_note_field(decision) if decision and index == request.step else ()),
            *(_evidence_fields(decision) if decision else ()),
        ),
        clause=config.cite(Rule.AUTHORIZATION),
        progress=progress(config, request),
    )


def progress(config: DistrictConfig, request: PageRequest) -> tuple[StepLine, ...]:
    """Each step of a chain of several: done (by whom, when), now, or later."""
    chain = request.chain
    if len(chain) == 1:
        return ()
    lines = []
    for index, step in enumerate(chain):
        label = f"Step {index + 1} of {len(chain)}: {step.title}"
        lines.append(StepLine(label, *_state(config, request, index, step)))
    return tuple(lines)


def _state(
    config: DistrictConfig, request: PageRequest, index: int, step: Step
) -> tuple[StepState, str]:
    decided = request.decisions_on(index)
    last = decided[-1] if decided else None
    if last is not None and last.verdict is not Verdict.APPROVE:
        return StepState.STOPPED, already_decided_text(config, last, review=step.review)
    finished = index < request.step or request.status is RequestStatus.APPROVED
    if finished and last is not None:
        who = " ".join(_with_evidence(config, d, step.review) for d in decided)
        return StepState.DONE, who
    if index == request.step and request.status is RequestStatus.PENDING:
        waiting = tuple(e for e in step.approvers if e not in {d.by.email for d in decided})
        who = names(config, waiting)
        if step.needs_all and len(waiting) > 1:
            return StepState.CURRENT, f"waiting for every one of {who}"
        return StepState.CURRENT, f"waiting for {who}"
    if request.status in (RequestStatus.PENDING, RequestStatus.HELD):
        return StepState.LATER, ""
    return StepState.LATER, "not reached"


def _with_evidence(config: DistrictConfig, decision: Decision, review: bool) -> str:
    text = already_decided_text(config, decision, review=review)
    shown = [f"{a.label}: {a.value}" for a in decision.evidence if a.id != forms.CONFIRMED]
    return text + (f" ({'; '.join(shown)})" if shown else "")


def already_decided_text(
    config: DistrictConfig, decision: Decision, *, review: bool = False
) -> str:
    words = "confirmed" if review and decision.verdict is Verdict.APPROVE else None
    verdict = (words or _VERDICT_WORDS[decision.verdict]).capitalize()
    text = f"{verdict} by {decision.by.name} on {when(config, decision.at)}."
    if decision.for_approver:
        text = text[:-1] + f", for {names(config, (decision.for_approver,))}."
    return text


def changes_requested(config: DistrictConfig, request: PageRequest) -> Message:
    decision = _decision(request)
    return Message(
        request.requester.email,
        Card(
            title=f"Changes requested: {request.details.page_name}",
            text=(
                f"{decision.by.display} asked for changes before approving your request "
                f"{request.id}. Edit the request and send it again." + _restart_note(request)
            ),
            fields=_note_field(decision),
            buttons=(
                Button(
                    "Edit and resubmit",
                    EDIT_REQUEST,
                    request.id,
                    ButtonStyle.PRIMARY,
                    form=forms.request_form(config, request_id=request.id, initial=request.details),
                ),
            ),
            clause=config.cite(Rule.AUTHORIZATION),
            progress=progress(config, request),
        ),
        ref=request_ref(request),
    )


def _restart_note(request: PageRequest) -> str:
    if len(request.chain) == 1:
        return ""
    return " Once resubmitted it starts again at the first step."


def request_denied(config: DistrictConfig, request: PageRequest) -> Message:
    decision = _decision(request)
    return Message(
        request.requester.email,
        Card(
            title=f"Request denied: {request.details.page_name}",
            text=(
                f"{decision.by.display} denied your request {request.id}, so this page "
                "must not be created as an official district page. Questions go to "
                f"{decision.by.name} ({decision.by.email})."
            ),
            fields=(*_note_field(decision), *_evidence_fields(decision)),
            clause=config.cite(Rule.AUTHORIZATION),
            progress=progress(config, request),
        ),
        ref=request_ref(request),
    )


def request_withdrawn(config: DistrictConfig, request: PageRequest) -> tuple[Message, ...]:
    """The requester's card says it is withdrawn; every approver's card stops asking."""
    card = Card(
        title=f"Request withdrawn: {request.details.page_name}",
        text=f"You withdrew request {request.id}. Nobody needs to decide it any more.",
        fields=detail_fields(config, request.details, request.requester),
        clause=config.cite(Rule.AUTHORIZATION),
    )
    to_requester = Message(request.requester.email, card, request_ref(request), update=True)
    if request.route and not request.approvers:  # held: the contact's card stops asking
        held = Card(
            title=f"Withdrawn: {request.details.page_name}",
            text=f"{request.requester.name} withdrew request {request.id}; nothing to route.",
            clause=config.cite(Rule.AUTHORIZATION),
        )
        return (to_requester, Message(config.contact, held, f"held:{request.id}", update=True))
    return (to_requester, *decision_recorded(config, request))


def request_held(config: DistrictConfig, request: PageRequest, reason: str) -> tuple[Message, ...]:
    """The requester learns why nothing moved; the district contact can route it again."""
    contact = config.contact_person
    to_requester = Message(
        request.requester.email,
        Card(
            title=f"Request on hold: {request.details.page_name}",
            text=(
                f"Your request {request.id} could not be sent for approval: {reason}. "
                f"It is saved and {contact.name} ({contact.title}) has been told, so you "
                "do not need to send it again."
            ),
            fields=detail_fields(config, request.details, request.requester),
            buttons=(_withdraw_button(request),),
            clause=config.cite(Rule.AUTHORIZATION),
        ),
        ref=request_ref(request),
    )
    to_contact = Message(
        contact.email,
        Card(
            title=f"A page request needs an approver: {request.details.page_name}",
            text=(
                f"Request {request.id} from {request.requester.display} is on hold: {reason}. "
                "Add the approver to the district configuration, restart Pagekeeper, "
                "then route the request again."
            ),
            fields=detail_fields(config, request.details, request.requester),
            buttons=(Button("Route again", ROUTE_AGAIN, request.id, ButtonStyle.PRIMARY),),
            clause=config.cite(Rule.AUTHORIZATION),
        ),
        ref=f"held:{request.id}",
    )
    return to_requester, to_contact


def _earlier_revisions(config: DistrictConfig, request: PageRequest) -> tuple[Section, ...]:
    """Decisions on earlier revisions stay in the request's history."""
    earlier = [d for d in request.decisions if d.revision < request.revision]
    if not earlier:
        return ()
    lines = [
        f"Revision {d.revision}: {already_decided_text(config, d)}"
        + (f" {d.note}" if d.note else "")
        for d in earlier
    ]
    return (Section("Earlier decisions", "\n".join(lines)),)


def _decision(request: PageRequest) -> Decision:
    decision = request.last_decision
    if decision is None:
        raise ValueError(f"request {request.id} has no decision")
    return decision


def _note_field(decision: Decision) -> tuple[Field, ...]:
    if not decision.note:
        return ()
    label = {Verdict.APPROVE: "Comment", Verdict.REQUEST_CHANGES: "Changes asked for"}
    return (Field(label.get(decision.verdict, "Reason"), decision.note),)


def _evidence_fields(decision: Decision) -> tuple[Field, ...]:
    return tuple(Field(answer.label, answer.value) for answer in decision.evidence)
