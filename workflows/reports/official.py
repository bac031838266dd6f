"""Is this address an official district page? The registry answers, in the regulation's words."""

from __future__ import annotations

from workflows.district.config import DistrictConfig
from workflows.kernel.cards import Card, Field
from workflows.kernel.model import Page, PageStatus
from workflows.kernel.policy import Rule
from workflows.kernel.ports import Records
from workflows.pages.addresses import comparable, possible_addresses


async def is_official(config: DistrictConfig, store: Records, url: str) -> Card:
    """Whether an address, a share link or an @handle is a registered official page. An
    address a browser would take somewhere else than it seems is never vouched for."""
    _, card = await check_address(config, store, url)
    return card


async def check_address(config: DistrictConfig, store: Records, url: str) -> tuple[bool, Card]:
    """`is_official`'s answer, and whether it vouches for the address."""
    if not url.strip():
        return False, Card(
            "Which address?",
            "Give the page's address, for example is-official https://facebook.com/room12.",
        )
    for page in await _registered(config, store, url):
        school = config.school(page.details.school)
        owner_unit = school.name if school else config.name
        return True, Card(
            title=f"Yes: an official {config.name} page",
            text=f"{page.details.page_name} is a registered official page of {owner_unit}.",
            fields=(
                Field("Address", page.url or ""),
                Field("Run by", ", ".join(owner.display for owner in page.owners)),
                Field("Authorized by", page.approved_by.display),
            ),
            clause=config.cite(Rule.DEFINITIONS),
        )
    return False, Card(
        title="Not an official district page",
        text=(
            f"{url.strip()} is not registered as an official {config.name} page. "
            "Sites that have not been authorized by the Superintendent or designee, such as "
            "those of parent-teacher organizations, booster clubs, or a student's or employee's "
            "personal site, are not official district social media platforms, even when they "
            "are about the district."
        ),
        clause=config.cite(Rule.DEFINITIONS),
    )


async def _registered(config: DistrictConfig, store: Records, text: str) -> list[Page]:
    """The active pages `text` may stand for: its normal form, or for an @handle the page of
    that handle on each platform."""
    found: list[Page] = []
    for address in possible_addresses(config, text):
        wanted = comparable(address)
        for page in await store.find_pages(status=PageStatus.ACTIVE, url=address):
            if page.url and comparable(page.url) == wanted and page not in found:
                found.append(page)
    return found
