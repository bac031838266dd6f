"""When a message cannot reach someone, the people who can fix it are told, never silence."""

from __future__ import annotations

from workflows.kernel.cards import Card, Field
from workflows.kernel.commands import ReportDeliveryFailed, ReportUndeliverable
from workflows.kernel.events import DeliveryFailed, MessageUndeliverable
from workflows.kernel.handling import Context, Handled, Outcome
from workflows.kernel.messages import Message
from workflows.kernel.model import PageRequest, RequestStatus
from workflows.kernel.policy import Rule

SYSTEM = "pagekeeper"


async def report_undeliverable(command: ReportUndeliverable, ctx: Context) -> Handled:
    message = Message(command.recipient, Card(""), command.ref)
    now = ctx.clock.now()
    event = MessageUndeliverable(
        message.subject, SYSTEM, now, command.recipient, command.platform, command.reason
    )
    if command.recipient == ctx.config.contact:
        return Handled(Outcome(events=(event,)))  # nobody else to tell; the audit keeps it
    person = ctx.config.person(command.recipient)
    who = f"{person.name} ({command.recipient})" if person else command.recipient
    request = await ctx.store.get_request(message.subject)
    messages = [_to_contact(ctx, command, who, message.subject)]
    if _waits_for(request, command.recipient):
        assert request is not None
        messages.append(_to_requester(ctx, command, request, who))
    return Handled(Outcome(events=(event,), messages=tuple(messages)))


def _waits_for(request: PageRequest | None, recipient: str) -> bool:
    return (
        request is not None
        and request.status is RequestStatus.PENDING
        and recipient in request.approvers
    )


def _to_contact(ctx: Context, command: ReportUndeliverable, who: str, subject: str) -> Message:
    return Message(
        ctx.config.contact,
        Card(
            title=f"Could not reach {who} in {command.platform}",
            text=(
                f"A message about {subject} could not be delivered: {command.reason}. "
                f"Make sure their {command.platform} account uses the email in the district "
                "configuration, or update the configuration."
            ),
            fields=(Field("About", subject),),
            clause=ctx.config.cite(Rule.AUTHORIZATION),
        ),
        ref=f"undeliverable:{subject}:{command.recipient}",
    )


def _to_requester(
    ctx: Context, command: ReportUndeliverable, request: PageRequest, who: str
) -> Message:
    contact = ctx.config.contact_person
    return Message(
        request.requester.email,
        Card(
            title=f"Your request is still waiting: {request.details.page_name}",
            text=(
                f"{who}, who must approve request {request.id}, could not be reached in "
                f"{command.platform} ({command.reason}). Your request is saved and still "
                f"pending; {contact.name} ({contact.title}) has been told and will follow up."
            ),
            clause=ctx.config.cite(Rule.AUTHORIZATION),
        ),
        ref=f"undeliverable:{request.id}:{command.recipient}",
    )


async def report_delivery_failed(command: ReportDeliveryFailed, ctx: Context) -> Handled:
    subject = Message(command.recipient, Card(""), command.ref).subject
    event = DeliveryFailed(
        subject, SYSTEM, ctx.clock.now(), command.recipient, command.problem, command.attempts
    )
    told: list[Message] = []
    if command.refused_title:
        told.append(_refused_notice(ctx, command, subject))
    if command.recipient == ctx.config.contact:
        return Handled(Outcome(events=(event,), messages=tuple(told)))
    person = ctx.config.person(command.recipient)
    who = f"{person.name} ({command.recipient})" if person else command.recipient
    tried = (
        f"The chat platform refused a message to {who} about {subject} ({command.problem}); "
        "they have been told."
        if command.refused_title
        else f"Pagekeeper tried {command.attempts} times to send {who} a message about "
        f"{subject} and has stopped ({command.problem})."
    )
    message = Message(
        ctx.config.contact,
        Card(
            title=f"A message to {who} could not be delivered",
            text=f"{tried} {_follow_up(command)}",
            fields=(Field("About", subject),),
            clause=ctx.config.cite(Rule.AUTHORIZATION),
        ),
        ref=f"delivery-failed:{subject}:{command.recipient}",
    )
    return Handled(Outcome(events=(event,), messages=(*told, message)))


def _follow_up(command: ReportDeliveryFailed) -> str:
    if command.refused_title:
        return "Please follow up with them if it was something they must act on."
    return "Please let them know, and check the chat platform's status."


def _refused_notice(ctx: Context, command: ReportDeliveryFailed, subject: str) -> Message:
    """A short note in place of the message the platform refused, which the person never saw."""
    purpose = command.ref.split(":", 1)[0]
    return Message(
        command.recipient,
        Card(
            title="A message could not be shown here",
            text=(
                f"Pagekeeper tried to send you \u201c{command.refused_title}\u201d, "
                f"but the chat platform refused it ({command.problem}). The "
                "district contact has been told. Type my-requests or pages to see where "
                "things stand."
            ),
            clause=ctx.config.cite(Rule.AUTHORIZATION),
        ),
        ref=f"refused:{subject}:{purpose}",
    )
