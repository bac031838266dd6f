"""Pages change hands: an owner transfers (the new owner accepts), or the district contact
reassigns the pages of someone who has left."""

from __future__ import annotations

from workflows.conversation import forms
from workflows.conversation.actions import ACCEPT_TRANSFER, DECLINE_TRANSFER
from workflows.kernel.cards import Button, ButtonStyle, Card, Field
from workflows.kernel.commands import AnswerTransfer, OfferTransfer, ReassignPages
from workflows.kernel.events import (
    ActionRefused,
    Event,
    PageReassigned,
    TransferAnswered,
    TransferOffered,
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
from workflows.kernel.model import PageStatus, Person, is_email, next_version
from workflows.kernel.policy import Rule
from workflows.pages import messages as page_messages


async def offer_transfer(command: OfferTransfer, ctx: Context) -> Handled:
    actor, to = ctx.resolve(command.actor), ctx.resolve(command.to)
    page = await ctx.store.get_page(command.page_id)
    now = ctx.clock.now()
    if page is None or not page.is_owned_by(actor.email) or page.status is PageStatus.RETIRED:
        return refused(
            ActionRefused(command.page_id, actor.email, now, "transfer", "not an owner"),
            ctx.refusal("Only an owner of a page in use can transfer it."),
        )
    if not is_email(to.email):
        return rejected(FieldError(forms.NEW_OWNER, "Enter the new owner's work email."))
    if page.is_owned_by(to.email):
        return rejected(FieldError(forms.NEW_OWNER, f"{to.name} already owns this page."))
    offered = next_version(page, transfer_to=to, transfer_from=actor.email)
    card = Card(
        title=f"Take over {page.details.page_name}?",
        text=(
            f"{actor.display} asks you to take over their part in running the official page "
            f"{page.details.page_name}. As an owner you post its notices, monitor it and answer "
            "its monitoring checks."
        ),
        fields=(Field("Page", page.id), *((Field("Address", page.url),) if page.url else ())),
        buttons=(
            Button("Accept", ACCEPT_TRANSFER, page.id, ButtonStyle.PRIMARY),
            Button("Decline", DECLINE_TRANSFER, page.id),
        ),
        clause=ctx.config.cite(Rule.AUTHORIZATION),
    )
    reply = Card(
        "Transfer offered", f"{to.name} has been asked to accept {page.details.page_name}."
    )
    outcome = Outcome(
        events=(TransferOffered(page.id, actor.email, now, to.email),),
        messages=(Message(to.email, card, f"transfer:{page.id}"),),
        reply=reply,
    )
    return Handled(outcome, pages=(offered,))


async def answer_transfer(command: AnswerTransfer, ctx: Context) -> Handled:
    actor = ctx.resolve(command.actor)
    page = await ctx.store.get_page(command.page_id)
    now = ctx.clock.now()
    if page is None or page.transfer_to is None or page.transfer_to.email != actor.email:
        return refused(
            ActionRefused(command.page_id, actor.email, now, "answer transfer", "no offer to them"),
            ctx.refusal("There is no transfer of this page waiting for you."),
        )
    giver = page.transfer_from or ""
    owners = _replaced(page.owners, giver, actor) if command.accept else page.owners
    answered = next_version(page, owners=owners, transfer_to=None, transfer_from=None)
    word = "accepted" if command.accept else "declined"
    told = Card(
        f"Transfer {word}: {page.details.page_name}",
        f"{actor.name} {word} the page.",
        clause=ctx.config.cite(Rule.AUTHORIZATION),
    )
    messages = [Message(giver, told, f"transfer-answer:{page.id}")] if giver else []
    if command.accept:
        messages.extend(
            n
            for n in page_messages.page_approved(ctx.config, answered, page.approved_by, ctx.links)
            if n.to == actor.email
        )
    outcome = Outcome(
        events=(TransferAnswered(page.id, actor.email, now, actor.email, command.accept),),
        messages=(
            *messages,
            Message(
                actor.email,
                Card(f"Transfer {word}", told.text, clause=ctx.config.cite(Rule.AUTHORIZATION)),
                f"transfer:{page.id}",
                update=True,
            ),
        ),
    )
    return Handled(outcome, pages=(answered,))


async def reassign_pages(command: ReassignPages, ctx: Context) -> Handled:
    actor, to = ctx.resolve(command.actor), ctx.resolve(command.to)
    gone = command.from_email.strip().lower()
    now = ctx.clock.now()
    if actor.email != ctx.config.contact:
        return refused(
            ActionRefused(gone, actor.email, now, "reassign", "not the district contact"),
            ctx.refusal("Only the district contact can reassign someone's pages."),
        )
    errors = (
        [FieldError(forms.FROM_OWNER, "Enter the work email of the person who left.")]
        if not is_email(gone)
        else []
    )
    if not is_email(to.email):
        errors.append(FieldError(forms.NEW_OWNER, "Enter the new owner's work email."))
    if errors:
        return rejected(*errors)
    pages = [
        p for p in await ctx.store.find_pages(owner=gone) if p.status is not PageStatus.RETIRED
    ]
    if not pages:
        return rejected(FieldError(forms.FROM_OWNER, f"{gone} owns no official page in use."))
    moved = tuple(next_version(page, owners=_replaced(page.owners, gone, to)) for page in pages)
    events: list[Event] = [
        PageReassigned(page.id, actor.email, now, gone, to.email) for page in moved
    ]
    messages = [
        message
        for page in moved
        for message in page_messages.page_approved(ctx.config, page, page.approved_by, ctx.links)
        if message.to == to.email
    ]
    names = ", ".join(page.details.page_name for page in moved)
    reply = Card(
        "Pages reassigned",
        f"{to.name} now owns {names}.",
        clause=ctx.config.cite(Rule.AUTHORIZATION),
    )
    return Handled(
        Outcome(events=tuple(events), messages=tuple(messages), reply=reply), pages=moved
    )


def _replaced(owners: tuple[Person, ...], gone: str, new: Person) -> tuple[Person, ...]:
    kept = tuple(owner for owner in owners if owner.email != gone)
    return kept if any(owner.email == new.email for owner in kept) else (*kept, new)
