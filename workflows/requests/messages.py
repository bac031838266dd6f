"""Cards about page requests: to the requester, to approvers, to the district contact."""

from __future__ import annotations

from workflows.conversation import forms
from workflows.conversation.actions import APPROVE, DENY, EDIT_REQUEST, REQUEST_CHANGES, ROUTE_AGAIN
from workflows.conversation.wording import detail_fields, names, when
from workflows.district.config import DistrictConfig
from workflows.kernel import policy
from workflows.kernel.cards import Button, ButtonStyle, Card, Field
from workflows.kernel.messages import Message
from workflows.kernel.model import Decision, PageRequest, Verdict
from workflows.kernel.policy import Clause

_VERDICT_WORDS = {
    Verdict.APPROVE: "approved",
    Verdict.REQUEST_CHANGES: "sent back for changes",
    Verdict.DENY: "denied",
}


def approval_ref(request: PageRequest) -> str:
    """One approval message per approver and revision, updated in place once decided."""
    return f"approval:{request.id}:{request.revision}"


def decision_value(request: PageRequest) -> str:
    return f"{request.id}:{request.revision}"


def request_sent(config: DistrictConfig, request: PageRequest, route: str) -> Message:
    """Tells the requester what was sent and to whom."""
    again = " again" if request.revision > 1 else ""
    return Message(
        request.requester.email,
        Card(
            title=f"Request sent{again}: {request.details.page_name}",
            text=(
                f"Your request {request.id} went to {route} "
                f"({names(config, request.approvers)}). You will hear back here."
            ),
            fields=detail_fields(config, request.details, request.requester),
            clause=policy.AUTHORIZATION,
        ),
        ref=f"request:{request.id}:{request.revision}",
    )


def approval_requests(config: DistrictConfig, request: PageRequest) -> tuple[Message, ...]:
    """The card each approver decides on, with Approve, Request changes and Deny."""
    card = approval_card(config, request)
    return tuple(Message(email, card, approval_ref(request)) for email in request.approvers)


def approval_card(config: DistrictConfig, request: PageRequest) -> Card:
    value = decision_value(request)
    buttons = (
        Button("Approve", APPROVE, value, ButtonStyle.PRIMARY),
        Button(
            "Request changes",
            REQUEST_CHANGES,
            value,
            form=forms.changes_form(value),
        ),
        Button(
            "Deny",
            DENY,
            value,
            ButtonStyle.DANGER,
            form=forms.deny_form(value),
        ),
    )
    revised = f" (revision {request.revision})" if request.revision > 1 else ""
    return Card(
        title=f"Page request {request.id}{revised}: {request.details.page_name}",
        text=(
            f"{request.requester.display} asks to create an official page. "
            "You are an approver for it."
        ),
        fields=detail_fields(config, request.details, request.requester),
        buttons=buttons,
        clause=policy.AUTHORIZATION,
    )


def decision_recorded(config: DistrictConfig, request: PageRequest) -> tuple[Message, ...]:
    """Every approver's card, updated in place: no buttons, the outcome, who and when."""
    decision = _decision(request)
    card = Card(
        title=f"Page request {request.id}: {request.details.page_name}",
        text=already_decided_text(config, decision),
        fields=(
            *detail_fields(config, request.details, request.requester),
            *_note_field(decision),
        ),
        clause=policy.AUTHORIZATION,
    )
    return tuple(
        Message(email, card, approval_ref(request), update=True) for email in request.approvers
    )


def already_decided_text(config: DistrictConfig, decision: Decision) -> str:
    verdict = _VERDICT_WORDS[decision.verdict].capitalize()
    return f"{verdict} by {decision.by.name} on {when(config, decision.at)}."


def changes_requested(config: DistrictConfig, request: PageRequest) -> Message:
    decision = _decision(request)
    return Message(
        request.requester.email,
        Card(
            title=f"Changes requested: {request.details.page_name}",
            text=(
                f"{decision.by.display} asked for changes before approving your request "
                f"{request.id}. Edit the request and send it again."
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
            clause=policy.AUTHORIZATION,
        ),
        ref=f"request:{request.id}:{request.revision}",
    )


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
            fields=_note_field(decision),
            clause=policy.AUTHORIZATION,
        ),
        ref=f"request:{request.id}:{request.revision}",
    )


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
            clause=policy.AUTHORIZATION,
        ),
        ref=f"request:{request.id}:{request.revision}",
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
            clause=policy.AUTHORIZATION,
        ),
        ref=f"held:{request.id}",
    )
    return to_requester, to_contact


def refusal(
    text: str, title: str = "Nothing was changed", clause: Clause = policy.AUTHORIZATION
) -> Card:
    """A short reply to the person whose action could not be carried out, and why."""
    return Card(title=title, text=text, clause=clause)


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
