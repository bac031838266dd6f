"""What a chat platform must offer the dispatcher, and how it says a message cannot go now."""

from __future__ import annotations

from typing import Protocol

from workflows.kernel.messages import Message


class Unreachable(Exception):
    """The platform has no way to reach this person (no account with that email)."""


class Refused(Exception):
    """The platform refused this message as it stands (too large, or not valid there):
    sending it again would be refused again. `size` is the payload's size in bytes."""

    def __init__(self, reason: str, size: int) -> None:
        super().__init__(reason)
        self.size = size


class RetryLater(Exception):
    """The platform asked to wait (rate limit) or failed for now; `after` is its Retry-After."""

    def __init__(self, reason: str, after: float | None = None) -> None:
        super().__init__(reason)
        self.after = after


class Messenger(Protocol):
    """One chat platform's way of delivering a message, implemented by its adapter.

    Whether a message is posted or replaces an earlier one is the dispatcher's decision
    (`workflows.delivery.dispatcher`); a messenger only does what it is told. Both methods
    raise Unreachable, Refused, RetryLater, or anything else for a failure worth retrying.
    """

    platform: str
    per_person_rate: float
    per_person_burst: float
    overall_rate: float
    overall_burst: float

    async def post(self, message: Message) -> str | None:
        """Post `message` as a new message; returns where it landed, to update it later."""
        ...

    async def update(self, message: Message, handle: str) -> None:
        """Replace the message that landed at `handle` with `message`."""
        ...


def handle_key(platform: str, to: str, ref: str) -> str:
    """Where a platform's handle for one person's message about `ref` is kept."""
    return f"{platform.lower()}|{to}|{ref}"
