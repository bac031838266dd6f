"""The public directory of official pages: what families and the public may see of each one
(its notices, who runs it, whom to tell about a violation), and nothing more personal than
names and titles."""

from __future__ import annotations

import functools
import re
from collections.abc import Collection
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


def _directory_order(entry: Listing) -> tuple[bool, str, tuple[tuple[int, int | str], ...]]:
    return entry.school != "", entry.unit, name_order(entry.name)


class KeptListings:
    """The directory's listings, kept between changes. Most writes to pages touch nothing
    the directory shows (a reminder sent, a monitoring answer), and a Monday's reminders
    write thousands of pages: remaking every listing on each write made the public pages wait
    40-60 ms at 5,000 pages. Here a page is listed again only when its version moved, and put
    in order again only when a listing changed."""

    def __init__(self) -> None:
        self._config: DistrictConfig | None = None
        self._by_page: dict[str, tuple[int, Listing | None]] = {}
        self._ordered: tuple[Listing, ...] = ()

    def listings(self, config: DistrictConfig, pages: Collection[Page]) -> tuple[Listing, ...]:
        """The active ones of `pages`, by owner unit then name (the district's own first),
        remaking only what changed since the last call."""
        if config is not self._config:  # a reloaded district file may rename schools
            self._config = config
            self._by_page = {}
        changed = not self._by_page
        for page in pages:
            kept = self._by_page.get(page.id)
            if kept is not None and kept[0] == page.version:
                continue
            made = listing(config, page) if page.status is PageStatus.ACTIVE else None
            changed = changed or (kept[1] if kept else None) != made
            self._by_page[page.id] = (page.version, made)
        if len(self._by_page) != len(pages):  # a page left the records
            ids = {page.id for page in pages}
            self._by_page = {key: kept for key, kept in self._by_page.items() if key in ids}
            changed = True
        if changed:
            found = [entry for _, entry in self._by_page.values() if entry is not None]
            self._ordered = tuple(sorted(found, key=_directory_order))
        return self._ordered


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
