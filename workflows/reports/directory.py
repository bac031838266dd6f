"""The public directory of official pages: what families and the public may see of each one
(its notices, who runs it, whom to tell about a violation), and nothing more personal than
names and titles."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from workflows.district.config import DistrictConfig
from workflows.kernel.model import Page, PageStatus, Person
from workflows.kernel.ports import Records
from workflows.pages.notices import PageNotices, page_notices


@dataclass(frozen=True)
class Listing:
    """One official page as the directory lists it."""

    page_id: str
    name: str
    unit: str
    school: str
    platform: str
    platform_label: str
    kind_label: str
    address: str

    def matches(self, school: str, platform: str, words: str) -> bool:
        """In the school and on the platform asked for (either may be empty), its name or
        owner unit holding every word searched for, in any case."""
        if (school and self.school != school) or (platform and self.platform != platform):
            return False
        haystack = f"{self.name} {self.unit} {self.address}".casefold()
        return all(word in haystack for word in words.casefold().split())


@dataclass(frozen=True)
class PublicPage:
    """An official page's public record."""

    listing: Listing
    notices: PageNotices
    owners: tuple[Person, ...]
    contact: Person
    live_since: datetime | None
    last_monitored: datetime | None


def listing(config: DistrictConfig, page: Page) -> Listing:
    school = config.school(page.details.school)
    platform = config.platform(page.details.platform)
    kind = config.kind(page.details.kind)
    return Listing(
        page.id,
        page.details.page_name,
        school.name if school else config.name,
        school.id if school else "",
        page.details.platform,
        platform.label if platform else page.details.platform,
        kind.label if kind else page.details.kind,
        page.url or "",
    )


@functools.lru_cache(maxsize=65536)  # asked for every page on every sorted listing
def name_order(name: str) -> tuple[tuple[int, int | str], ...]:
    """Names in the order people expect: "Room 2" before "Room 10", case aside."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part)
        for part in re.split(r"(\d+)", name.casefold())
        if part
    )


def listings(config: DistrictConfig, pages: Iterable[Page]) -> tuple[Listing, ...]:
    """The active ones of `pages`, by owner unit then name (the district's own first)."""
    found = [listing(config, page) for page in pages if page.status is PageStatus.ACTIVE]
    return tuple(sorted(found, key=lambda e: (e.school != "", e.unit, name_order(e.name))))


async def public_page(config: DistrictConfig, store: Records, page_id: str) -> PublicPage | None:
    """An active page's public record; None for any other id (retired pages are not official,
    and pages still being set up are not public yet)."""
    page = await store.get_page(page_id)
    if page is None or page.status is not PageStatus.ACTIVE:
        return None
    owners = tuple(Person("", owner.name, owner.title) for owner in page.owners)
    return PublicPage(
        listing(config, page),
        page_notices(config, page.details),
        owners,
        config.contact_person,
        page.live_at,
        page.nudge_answered_at,
    )
