"""The district's registry of official pages: what is official, where, and who runs it."""

from __future__ import annotations

from workflows.conversation.wording import when
from workflows.district.config import DistrictConfig
from workflows.kernel.cards import Card, Field
from workflows.kernel.links import NO_LINKS, Links
from workflows.kernel.model import Page, PageStatus
from workflows.kernel.policy import Rule
from workflows.kernel.ports import Records

STATUS_WORDS = {
    PageStatus.SETTING_UP: "setting up",
    PageStatus.ACTIVE: "active",
    PageStatus.RETIRED: "retired",
}


# As many pages as one chat message holds on every platform; the rest are a command away.
PAGES_SHOWN = 40
# With the web pages on, chat shows a short list: the directory and the registry hold all.
PAGES_SHOWN_WITH_WEB = 10


async def registry(
    config: DistrictConfig, store: Records, school: str | None = None, links: Links = NO_LINKS
) -> Card:
    """Official pages (retired ones left out), optionally for one school, as one card; with
    web pages, links to the searchable public directory and the dashboard's registry."""
    # One school's pages are looked up as such, not picked out of the whole registry.
    found = await store.find_pages(school=school) if school else await store.find_pages()
    pages = [page for page in found if page.status is not PageStatus.RETIRED]
    chosen = config.school(school)
    where = chosen.name if chosen else config.name
    text = (
        f"{len(pages)} official page{'s' if len(pages) != 1 else ''}. Sites not listed here "
        "are not official district platforms."
    )
    shown = PAGES_SHOWN_WITH_WEB if links.on else PAGES_SHOWN
    if len(pages) > shown:
        # A chat message has room for so many; the rest are a command away.
        text += (
            f"\nThe first {shown} are shown. "
            + (
                "For one school's, type pages and its id (for example: pages "
                f"{config.schools[0].id}). "
                if school is None and config.schools
                else ""
            )
            + "To check one address, type is-official and the address."
        )
    if links.on:
        text += (
            f"\nEvery official page, searchable: {links.directory()}"
            f"\nThe full registry, for staff: {links.dashboard('/pages')} (type dashboard to "
            "sign in)."
        )
    return Card(
        title=f"Official pages: {where}",
        text=text,
        fields=tuple(_line(config, page) for page in pages[:shown]),
        clause=config.cite(Rule.DEFINITIONS),
    )


def _line(config: DistrictConfig, page: Page) -> Field:
    platform = config.platform(page.details.platform)
    parts = [
        platform.label if platform else page.details.platform,
        page.url or "address not confirmed yet",
        "owners: " + ", ".join(owner.name for owner in page.owners),
        STATUS_WORDS[page.status],
    ]
    if page.nudge_answered_at:
        parts.append(f"last monitored {when(config, page.nudge_answered_at)}")
    return Field(f"{page.details.page_name} ({page.id})", "; ".join(parts))
