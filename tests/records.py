"""Reading a store the way tests need to, through the ports the code itself uses."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from workflows.kernel.messages import OutboxEntry
from workflows.kernel.model import AuditEntry
from workflows.kernel.ports import Outbox, Records

PEEK = "test-peek"


async def audit_entries(records: Records, subject: str | None = None) -> list[AuditEntry]:
    """The audit trail in the order it was written, optionally for one record."""
    return [
        entry
        async for entry in records.iter_audit(None, None)
        if subject is None or entry.subject == subject
    ]


async def audit_content(records: Records) -> list[AuditEntry]:
    """The audit trail as committed: without the hash a store links each line in with."""
    return [dataclasses.replace(entry, hash="") for entry in await audit_entries(records)]


async def due_entries(outbox: Outbox, now: datetime, limit: int = 1000) -> list[OutboxEntry]:
    """The messages due at `now`, earliest first, as a sender's claim would see them (the
    claim is let go at once)."""
    claim = await outbox.claim_messages(PEEK, now, limit, timedelta(seconds=1))
    await outbox.release_messages(PEEK)
    return list(claim.entries)
