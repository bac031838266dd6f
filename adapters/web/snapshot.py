"""The directory's listings, kept between requests: reading and sorting every active page
on each visit would cost the store thousands of records a second on a busy day."""

from __future__ import annotations

import time

from workflows.engine import Engine
from workflows.reports.directory import Listing, listings

# Writes by another process sharing the database show within this many seconds.
FRESH_FOR = 30.0


class ListingSnapshot:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._listings: tuple[Listing, ...] = ()
        self._taken: tuple[tuple[int, int], float] = ((-1, 0), 0.0)

    async def current(self) -> tuple[Listing, ...]:
        """The listings, read again after this process wrote anything, after a reload, or
        once they are old."""
        context = self._engine.context
        # A district file reloaded renames schools and platforms: that is a change too.
        state = (self._engine.commits, id(context.config))
        seen, taken_at = self._taken
        now = time.monotonic()
        if seen != state or now - taken_at > FRESH_FOR:
            self._listings = await listings(context.config, context.store)
            self._taken = (state, now)
        return self._listings
