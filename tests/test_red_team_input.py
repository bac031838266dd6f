"""Red-team finding 1: one field must not stall the bot. Hostile sizes are refused before any
other work, plainly, through the running server; nothing is looked up for them."""

from __future__ import annotations

import pytest

from tests.chat_drivers import chat_on, slack_id
from tests.fake_slack import FakeSlack
from workflows.district.loading import load_config

TOM = "tom.baker@example.org"
REQUEST = {
    "kind": "classroom",
    "school": "lincoln",
    "platform": "facebook",
    "page_name": "Room 12 News",
    "purpose": "Share classroom news and homework reminders with families.",
    "audience": "Families of Room 12",
    "acknowledged": True,
}
# One long token in the co-owners box: the email pattern used to backtrack on it for seconds.
HOSTILE_EMAIL = "a@" + "." * 28_000 + "@"


@pytest.mark.parametrize("surface", ["teams", "playground"])
async def test_a_hostile_co_owner_is_refused_as_too_long(surface: str) -> None:
    async with chat_on(surface, load_config(None)) as chat:
        problems = await chat.request(TOM, {**REQUEST, "co_owners": HOSTILE_EMAIL})
        assert "That is not an email address." in " ".join(problems.values())
        assert await chat.store.find_requests() == []


@pytest.mark.parametrize("surface", ["slack", "teams", "playground"])
async def test_every_field_has_a_limit_checked_first(surface: str) -> None:
    async with chat_on(surface, load_config(None)) as chat:
        problems = await chat.request(TOM, {**REQUEST, "purpose": "x" * 30_000})
        assert "Keep this under 5000 characters." in " ".join(problems.values())
        assert await chat.store.find_requests() == []


async def test_slack_looks_up_no_one_when_too_many_people_are_picked() -> None:
    async with chat_on("slack", load_config(None)) as chat:
        fake: FakeSlack = chat.fake  # type: ignore[attr-defined]
        before = len(fake.of("users.info"))
        crowd = [f"person{number}@example.org" for number in range(401)]
        problems = await chat.request(TOM, {**REQUEST, "co_owners": crowd})
        assert list(problems.values()) == ["Choose at most 10 people."]
        looked_up = [c for c in fake.of("users.info")[before:] if c.args["user"] != slack_id(TOM)]
        assert looked_up == [], "no Web API call for a crowd that is refused anyway"


async def test_slack_someone_unknown_in_the_picker_is_a_plain_error_not_500() -> None:
    async with chat_on("slack", load_config(None)) as chat:
        problems = await chat.request(TOM, {**REQUEST, "co_owners": ["nobody@example.org"]})
        assert list(problems.values()) == ["Someone chosen here is not in this Slack workspace."]
