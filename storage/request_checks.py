"""`Records.request_checks` for stores whose reads cost no round trip: the four reads one
after the other."""

from __future__ import annotations

from datetime import datetime

from workflows.kernel.ports import Records, RequestChecks


async def read_one_by_one(
    records: Records, *, requester: str, since: datetime, page_name: str
) -> RequestChecks:
    """What `records.request_checks` answers, from its four reads in turn."""
    return RequestChecks(
        times=tuple(await records.request_times(requester, since)),
        pages=tuple(await records.find_pages(page_name=page_name)),
        requests=tuple(await records.find_requests(page_name=page_name)),
        aways=tuple(await records.aways()),
    )
