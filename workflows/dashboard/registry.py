"""The dashboard's registry: the pages a person may see, filtered, searched, sorted and
paged as they ask, and the rows of its CSV download (exactly what is shown, every page of it)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from workflows.dashboard.access import Viewer
from workflows.district.config import DistrictConfig
from workflows.kernel.model import Page, PageStatus
from workflows.reports.directory import name_order

PER_PAGE = 50
NEVER = datetime.min.replace(tzinfo=UTC)


def _school_name(config: DistrictConfig) -> Callable[[Page], str]:
    names = {school.id: school.name for school in config.schools}

    def name(page: Page) -> str:
        return names.get(page.details.school or "", config.name)

    return name


def _by_school(school_name: Callable[[Page], str]) -> Callable[[Page], Any]:
    return lambda page: (school_name(page), name_order(page.details.page_name))


SORTS: dict[str, Callable[[DistrictConfig], Callable[[Page], Any]]] = {
    "name": lambda _: lambda page: name_order(page.details.page_name),
    "school": lambda config: (
        lambda page: (
            _school_name(config)(page),
            name_order(page.details.page_name),
        )
    ),
    "platform": lambda _: lambda page: (page.details.platform, name_order(page.details.page_name)),
    "status": lambda _: lambda page: (page.status.value, name_order(page.details.page_name)),
    "monitored": lambda _: lambda page: page.nudge_answered_at or NEVER,
}
SORT_WORDS = {
    "name": "Name",
    "school": "School",
    "platform": "Platform",
    "status": "Status",
    "monitored": "Last monitored",
}


@dataclass(frozen=True)
class RegistryQuery:
    """What the person asked for; anything unknown is read as "no filter"."""

    school: str = ""
    platform: str = ""
    status: str = ""
    words: str = ""
    sort: str = "name"
    descending: bool = False
    page: int = 1

    @classmethod
    def read(cls, given: Mapping[str, str]) -> RegistryQuery:
        status = given.get("status", "")
        sort = given.get("sort", "name")
        number = given.get("page", "1")
        return cls(
            school=given.get("school", "")[:100],
            platform=given.get("platform", "")[:100],
            status=status if status in {s.value for s in PageStatus} else "",
            words=given.get("q", "")[:200],
            sort=sort if sort in SORTS else "name",
            descending=given.get("order") == "desc",
            page=int(number) if number.isdigit() and 0 < len(number) < 7 else 1,
        )

    def as_params(self, **changes: object) -> dict[str, str]:
        """This query as URL parameters (empty ones left out), with `changes`."""
        values = {
            "school": self.school,
            "platform": self.platform,
            "status": self.status,
            "q": self.words,
            "sort": self.sort if self.sort != "name" else "",
            "order": "desc" if self.descending else "",
            "page": str(self.page) if self.page > 1 else "",
        } | {key: str(value) for key, value in changes.items()}
        return {key: value for key, value in values.items() if value and value != "0"}


@dataclass(frozen=True)
class RegistryView:
    pages: tuple[Page, ...]  # every match, sorted
    shown: tuple[Page, ...]  # this page of them
    number: int
    last: int


def registry_view(
    config: DistrictConfig, viewer: Viewer, pages: Iterable[Page], query: RegistryQuery
) -> RegistryView:
    words = query.words.casefold().split()
    school_name = _school_name(config)

    def matches(page: Page) -> bool:
        if query.school and (page.details.school or "") != query.school:
            return False
        if query.platform and page.details.platform != query.platform:
            return False
        if query.status and page.status.value != query.status:
            return False
        if not words:
            return True
        owners = (owner.name for owner in page.owners)
        text = " ".join(
            (page.details.page_name, page.id, page.url or "", school_name(page), *owners)
        ).casefold()
        return all(word in text for word in words)

    found = [page for page in pages if viewer.sees_page(page) and matches(page)]
    found.sort(key=SORTS[query.sort](config), reverse=query.descending)
    last = max(1, -(-len(found) // PER_PAGE))
    number = min(query.page, last)
    shown = found[(number - 1) * PER_PAGE : number * PER_PAGE]
    return RegistryView(tuple(found), tuple(shown), number, last)
