"""What needs a signed-in person's attention: requests waiting for their decision, pages
they see whose monitoring went overdue, and held requests (nobody set up to approve them)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from workflows.dashboard.access import Viewer
from workflows.dashboard.actions import request_actions
from workflows.district.config import DistrictConfig
from workflows.duties.schedule import monitoring_overdue
from workflows.kernel.model import Page, PageRequest, PageStatus, RequestStatus


@dataclass(frozen=True)
class Attention:
    waiting: tuple[PageRequest, ...]
    overdue: tuple[Page, ...]
    held: tuple[PageRequest, ...]


def needs_attention(
    config: DistrictConfig,
    viewer: Viewer,
    pages: Iterable[Page],
    requests: Iterable[PageRequest],
    now: datetime,
) -> Attention:
    requests = tuple(requests)
    return Attention(
        waiting=tuple(r for r in requests if request_actions(viewer, r)),
        overdue=tuple(
            p
            for p in pages
            if p.status is PageStatus.ACTIVE
            and viewer.sees_page(p)
            and monitoring_overdue(config, p, now)
        ),
        held=tuple(
            r for r in requests if r.status is RequestStatus.HELD and viewer.sees_request(r)
        ),
    )
