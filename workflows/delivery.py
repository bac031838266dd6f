"""What a chat platform must offer the dispatcher, and how it says a message cannot go now."""

from __future__ import annotations

from typing import Protocol

from workflows.cards import Notice


class Unreachable(Exception):
    """The platform has no way to reach this person (no account with that email)."""


class RetryLater(Exception):
    """The platform asked to wait (rate limit) or failed for now; `after` is its Retry-After."""

    def __init__(self, reason: str, after: float | None = None) -> None:
        super().__init__(reason)
        self.after = after


class Messenger(Protocol):
    """One chat platform's way of delivering a notice, implemented by its adapter."""

    platform: str
    per_person_rate: float
    per_person_burst: float
    overall_rate: float
    overall_burst: float

    async def send(self, notice: Notice) -> None:
        """Post the notice, or update its earlier message in place.

        Raises Unreachable, RetryLater, or anything else for a failure worth retrying.
        """
        ...
