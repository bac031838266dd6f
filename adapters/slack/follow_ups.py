"""Work that follows Slack's acknowledgement: opening a form, a reply by message, redrawing
the Home tab. Slack gets its answer first and this runs after, so nobody's answer waits for a
Web API call (Bolt answers once its listener returns: `process_before_response`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable

log = logging.getLogger(__name__)


class FollowUps:
    """Runs each follow-up as a task of its own; a failure is logged, as Bolt logs a
    listener's, and touches nobody else's."""

    def __init__(self) -> None:
        self._running: set[asyncio.Task[None]] = set()  # kept until done, as asyncio asks

    def start(self, work: Awaitable[object], what: str) -> None:
        """Run `work` (described by `what` in the log if it fails) after the answer."""
        task = asyncio.ensure_future(self._logged(work, what))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _logged(self, work: Awaitable[object], what: str) -> None:
        try:
            await work
        except Exception:
            log.exception("slack follow-up failed: %s", what)
