"""Handing an outcome's notices to a chat platform, and reporting the ones it cannot deliver."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Protocol

from workflows.cards import Notice
from workflows.commands import Command, ReportUndeliverable
from workflows.outcome import Outcome

log = logging.getLogger(__name__)


class Unreachable(Exception):
    """The platform has no way to reach this person (no account with that email)."""


class Messenger(Protocol):
    """One chat platform's way of delivering a notice, implemented by its adapter."""

    platform: str

    async def send(self, notice: Notice) -> None:
        """Post the notice, or update its earlier message in place; raise Unreachable."""
        ...


async def deliver(
    messenger: Messenger,
    notices: Iterable[Notice],
    handle: Callable[[Command], Awaitable[Outcome]],
) -> None:
    """Send each notice; for one that cannot reach its person, tell who needs to know."""
    for notice in notices:
        try:
            await messenger.send(notice)
        except Unreachable as reason:
            log.warning("undeliverable platform=%s ref=%s", messenger.platform, notice.ref)
            if notice.update or notice.ref.startswith("undeliverable:"):
                continue  # reported when the first message failed; never report a report
            report = ReportUndeliverable(notice.to, notice.ref, messenger.platform, str(reason))
            outcome = await handle(report)
            await deliver(messenger, outcome.notices, handle)
        except Exception:
            # Delivery must not undo what was decided; the failure is logged for follow-up.
            log.exception("delivery failed platform=%s ref=%s", messenger.platform, notice.ref)
