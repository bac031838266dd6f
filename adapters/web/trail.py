"""The audit trail followed as it grows, each line read once: the overview's monitoring
tally, and where each record's lines are, so a page's timeline reads only its own lines.
Read from the first dashboard page a process serves (a district that never opens the
dashboard never pays for it); that first reader waits for the whole trail."""

from __future__ import annotations

import asyncio
from array import array
from collections.abc import Mapping

from workflows.dashboard.figures import MonitoringTally
from workflows.kernel.model import AuditEntry
from workflows.kernel.ports import AuditReader

CHUNK = 2000


class TrailFollower:
    def __init__(self, reader: AuditReader) -> None:
        self._reader = reader
        self._position = 0
        # Positions only (8 bytes a line), never the lines themselves.
        self._where: dict[str, array[int]] = {}
        self.tally = MonitoringTally()
        self._reading = asyncio.Lock()

    async def catch_up(self, school_of: Mapping[str, str]) -> None:
        """Read what was written since the last call (nothing, most of the time)."""
        async with self._reading:
            while True:
                lines, after = await self._reader.audit_after(self._position, CHUNK)
                for position, entry in lines:
                    self._where.setdefault(entry.subject, array("q")).append(position)
                self.tally.add((entry for _, entry in lines), school_of.get)
                self._position = after
                if len(lines) < CHUNK:
                    return
                await asyncio.sleep(0)  # a first read of a long trail lets others in

    async def timeline(self, *subjects: str) -> list[AuditEntry]:
        """Every line about `subjects` (a page and its request), in the order written."""
        positions = sorted(p for subject in subjects for p in self._where.get(subject, ()))
        return await self._reader.audit_at(positions)
