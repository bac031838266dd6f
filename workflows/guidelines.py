"""Staff guidelines on official social media: shown on request, acknowledgement recorded."""

from __future__ import annotations

from workflows import policy
from workflows.action_names import ACKNOWLEDGE_GUIDELINES
from workflows.cards import Button, ButtonStyle, Card, Notice
from workflows.commands import AcknowledgeGuidelines
from workflows.config import DistrictConfig
from workflows.events import GuidelinesAcknowledged
from workflows.model import Acknowledgement
from workflows.outcome import Context, Handled, Outcome
from workflows.wording import when


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
        clause=policy.STAFF_INFORMATION,
    )


def renewal_reminder(config: DistrictConfig, acknowledgement: Acknowledgement) -> Notice:
    card = guidelines_card(config, acknowledgement)
    return Notice(
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
        clause=policy.STAFF_INFORMATION,
    )
    outcome = Outcome(
        events=(GuidelinesAcknowledged(person.email, person.email, now),), reply=reply
    )
    return Handled(outcome, acknowledgements=(acknowledgement,))
