"""Messages the bot sends to people, and the outbox that holds them until they are delivered.

A message is stored with the change that caused it (one commit), then delivered by the
dispatcher. It is due when `next_attempt_at` has come; it stays in the outbox until a
platform took it (`delivered_at`) or it was given up on (`failed_reason`), which the district
contact and /healthz are told about.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from workflows.kernel.cards import Card


@dataclass(frozen=True)
class Message:
    """A card for one person. Messages sharing a `ref` are one message, updated in place.

    `ref` reads '<purpose>:<record id>[:<revision>]', e.g. 'approval:REQ-7K3Q9X:2'.
    """

    to: str
    card: Card
    ref: str
    update: bool = False
    # Sent by a duty to many people on its own (monitoring checks, reminders): it waits behind
    # messages someone is waiting for (approval cards, decisions), whoever they are for.
    bulk: bool = False

    @property
    def subject(self) -> str:
        """The request or page the message is about."""
        return self.ref.split(":")[1] if ":" in self.ref else ""


@dataclass(frozen=True)
class OutboxEntry:
    """One message in the outbox, with where its delivery stands."""

    id: str
    message: Message
    created_at: datetime
    next_attempt_at: datetime
    attempts: int = 0
    delivered_at: datetime | None = None
    failed_reason: str = ""
    last_error: str = ""
    unreachable: bool = False

    @property
    def settled(self) -> bool:
        """Delivered, given up on, or for someone no platform can reach: done with."""
        return self.delivered_at is not None or bool(self.failed_reason) or self.unreachable
