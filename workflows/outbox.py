"""The outbox: every notice is stored with the change that caused it, then delivered.

A message is due when `next_attempt_at` has come; it stays in the outbox until a platform
took it (`delivered_at`) or it was given up on (`failed_reason`), which the district contact
and /healthz are told about.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from workflows.cards import Notice


@dataclass(frozen=True)
class OutboxMessage:
    id: str
    notice: Notice
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
