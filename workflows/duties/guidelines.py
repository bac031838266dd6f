"""Staff guidelines on official social media: shown on request, acknowledgement recorded."""

from __future__ import annotations

from workflows.conversation.actions import ACKNOWLEDGE_GUIDELINES
from workflows.conversation.wording import when
from workflows.district.config import DistrictConfig
from workflows.kernel.cards import Button, ButtonStyle, Card
from workflows.kernel.commands import AcknowledgeGuidelines
from workflows.kernel.events import GuidelinesAcknowledged
from workflows.kernel.handling import Context, Handled, Outcome
from workflows.kernel.messages import Message
from workflows.kernel.model import Acknowledgement
from workflows.kernel.policy import Rule


def guidelines_card(config: DistrictConfig, acknowledged: Acknowledgement | None) -> Card:
    status = (
        f"You confirmed reading them on {when(config, acknowledged.at)}."
        if acknowledged
        else "Please read them and confirm."
    )
    return Card(
        title=f"Guidelines for official social media: {config.name}",
        text=f"{config.guidelines}\n\n{status}",
        buttons=(
            Button("I have read the guidelines", ACKNOWLEDGE_GUIDELINES, "", ButtonStyle.PRIMARY),
        ),
        clause=config.cite(Rule.STAFF_INFORMATION),
    )


def renewal_reminder(config: DistrictConfig, acknowledgement: Acknowledgement) -> Message:
    card = guidelines_card(config, acknowledgement)
    return Message(
        acknowledgement.person.email,
        Card(
            title="Please read the social media guidelines again",
            text=card.text,
            buttons=card.buttons,
            clause=card.clause,
        ),
        ref=f"guidelines:{acknowledgement.person.email}",
    )


async def acknowledge_guidelines(command: AcknowledgeGuidelines, ctx: Context) -> Handled:
    person = ctx.resolve(command.actor)
    now = ctx.clock.now()
    acknowledgement = Acknowledgement(person, now)
    reply = Card(
        "Thank you",
        f"Your confirmation that you read the guidelines is recorded ({when(ctx.config, now)}).",
        clause=ctx.config.cite(Rule.STAFF_INFORMATION),
    )
    outcome = Outcome(
        events=(GuidelinesAcknowledged(person.email, person.email, now),), reply=reply
    )
    return Handled(outcome, acknowledgements=(acknowledgement,))
