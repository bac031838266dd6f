"""Is this address an official district page? The registry answers, in the regulation's words."""

from __future__ import annotations

from workflows.district.config import DistrictConfig
from workflows.kernel.cards import Card, Field
from workflows.kernel.model import PageStatus
from workflows.kernel.policy import Rule
from workflows.kernel.ports import Records
from workflows.pages.addresses import comparable


async def is_official(config: DistrictConfig, store: Records, url: str) -> Card:
    wanted = comparable(url)
    if not url.strip() or not wanted:
        return Card(
            "Which address?",
            "Give the page's address, for example is-official https://facebook.com/room12.",
        )
    for page in await store.find_pages(status=PageStatus.ACTIVE, url=url):
        if page.url and comparable(page.url) == wanted:
            school = config.school(page.details.school)
            owner_unit = school.name if school else config.name
            return Card(
                title=f"Yes: an official {config.name} page",
                text=f"{page.details.page_name} is a registered official page of {owner_unit}.",
                fields=(
                    Field("Address", page.url),
                    Field("Run by", ", ".join(owner.display for owner in page.owners)),
                    Field("Authorized by", page.approved_by.display),
                ),
                clause=config.cite(Rule.DEFINITIONS),
            )
    return Card(
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
