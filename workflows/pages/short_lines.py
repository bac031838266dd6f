"""The short line an official page shows where its platform has little room (an Instagram
bio holds 150 characters, the notices about 1,900), linking to the page's full notices on the
district's public directory; and whether the full notices fit where the platform has room."""

from __future__ import annotations

from dataclasses import dataclass

from workflows.district.config import DistrictConfig
from workflows.kernel.model import Page


@dataclass(frozen=True)
class Placement:
    """Text for one place on a platform, counted as the platform counts it."""

    place: str
    room: int
    text: str
    length: int

    @property
    def fits(self) -> bool:
        return self.length <= self.room

    def count_text(self) -> str:
        return f"{self.length} of {self.room} characters"


def short_line(config: DistrictConfig, page: Page, link: str) -> Placement | None:
    """The longest of a few wordings that fits the platform's short place (the link always
    kept); None when the district's file names no such place for the page's platform."""
    platform = config.platform(page.details.platform)
    if platform is None or not platform.short_place or not platform.short_room:
        return None
    school = config.school(page.details.school)
    unit = school.name if school else config.name
    kind = config.kind(page.details.kind)
    what = kind.label.lower() if kind else "page"
    wordings = (
        f"Official {what} of {unit} ({config.name}). Notices and contact: {link}",
        f"Official {what} of {unit}. Notices: {link}",
        f"Official {config.name} page. Notices: {link}",
        f"Official page. Notices: {link}",
        link,
    )
    placements = [
        Placement(
            platform.short_place,
            platform.short_room,
            text,
            _length(text, link, platform.link_length),
        )
        for text in wordings
    ]
    return next((p for p in placements if p.fits), placements[-1])


def full_text_place(config: DistrictConfig, page: Page, notices: str) -> Placement | None:
    """Where the platform has room for longer text, and whether the full notices fit there."""
    platform = config.platform(page.details.platform)
    if platform is None or not platform.long_place or not platform.long_room:
        return None
    return Placement(platform.long_place, platform.long_room, notices, len(notices))


def _length(text: str, link: str, link_length: int) -> int:
    """Characters as the platform counts them: some count any link as a fixed length."""
    if not link_length:
        return len(text)
    return len(text) - len(link) + link_length
