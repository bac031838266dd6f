"""The example district files in docs/examples, each walked through end to end, in Slack and
in Teams: a chain with a review and an all-of step, a Board approval with evidence, and pages
that need two co-moderators with a published request field."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.chat_drivers import chat_on, latest
from tests.records import audit_entries
from workflows.district.loading import load_config
from workflows.kernel.model import RequestStatus

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"
PLATFORMS = ["slack", "teams"]

# Riverside Unified: administration, supervisor (where there is one), tech coach review,
# then the IT director and the director of communications, both.
SARA, BEN = "sara.lind@riverside.example.org", "ben.cole@riverside.example.org"
OWEN, LUCIA = "owen.price@riverside.example.org", "lucia.ferro@riverside.example.org"
DEV, RUTH = "dev.raman@riverside.example.org", "ruth.amos@riverside.example.org"
CARLA, NINA = "carla.ng@riverside.example.org", "nina.osei@riverside.example.org"
ELENA, MARCUS = "elena.park@riverside.example.org", "marcus.hale@riverside.example.org"
PURPOSE = "Share classroom news, homework reminders and photos of student work with families."


def riverside_request(school: str = "oak", **changes: object) -> dict[str, object]:
    return {
        "kind": "classroom",
        "school": school,
        "platform": "facebook",
        "page_name": "Room 3 Readers",
        "purpose": PURPOSE,
        "audience": "Families of Room 3",
        "co_owners": [BEN],
        "acknowledged": True,
        **changes,
    }


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_riverside_a_classroom_page_goes_through_four_steps(platform: str) -> None:
    config = load_config(EXAMPLES / "riverside-review-chain.toml")
    async with chat_on(platform, config) as chat:
        assert await chat.request(SARA, riverside_request()) == {}

        # Step 1: any one of the school's administrators; both get the card.
        for admin in (OWEN, LUCIA):
            card = latest(await chat.cards(admin), "Room 3 Readers")
            assert "Step 1 of 4: the administration of Oak Elementary" in card.text
            assert card.buttons == ["Approve", "Request changes", "Deny"]
        sara = latest(await chat.cards(SARA), "Request sent")
        assert "It needs 4 steps" in sara.text

        # Lucia approves: Owen's card stops asking and says who decided; step 2 begins.
        await chat.press(LUCIA, latest(await chat.cards(LUCIA), "Room 3"), "Approve")
        owen = latest(await chat.cards(OWEN), "Room 3 Readers")
        assert owen.buttons == [] and "Approved by Lucia Ferro" in owen.text
        assert "It now waits for step 2 of 4: the district supervisor for Oak Elementary" in (
            owen.text
        )
        dev = latest(await chat.cards(DEV), "Room 3 Readers")
        assert "Step 2 of 4" in dev.text and "Approve" in dev.buttons

        # Step 3 is a review: the coach confirms the walkthrough or sends it back; no Deny.
        await chat.press(DEV, dev, "Approve")
        ruth = latest(await chat.cards(RUTH), "Room 3 Readers")
        assert ruth.buttons == ["Confirm", "Request changes"]
        problems = await chat.press(RUTH, ruth, "Confirm", {"confirmed": False})
        assert any("Please confirm: I walked the owners" in p for p in problems.values())
        request = (await chat.store.find_requests())[0]
        assert request.step == 2, "an unconfirmed review does not move the request on"
        assert await chat.press(RUTH, ruth, "Confirm", {"confirmed": True}) == {}

        # Step 4 needs both the IT director and the director of communications.
        carla = latest(await chat.cards(CARLA), "Room 3 Readers")
        assert "Every one of Carla Ng and Nina Osei must approve" in carla.text
        await chat.press(CARLA, carla, "Approve")
        carla = latest(await chat.cards(CARLA), "Room 3 Readers")
        assert carla.buttons == [] and "it waits for Nina Osei" in carla.text
        nina = latest(await chat.cards(NINA), "Room 3 Readers")
        assert "Approve" in nina.buttons
        assert (await chat.store.find_requests())[0].status is RequestStatus.PENDING

        await chat.press(NINA, nina, "Approve")
        [request] = await chat.store.find_requests()
        assert request.status is RequestStatus.APPROVED
        for owner in (SARA, BEN):
            assert "Confirm page is live" in latest(await chat.cards(owner), "Approved:").buttons
        owen = latest(await chat.cards(OWEN), "Room 3 Readers")
        assert "Approved by Lucia Ferro" in owen.text and "Approved by Nina Osei" in owen.text
        trail = [(e.action, e.detail) for e in await audit_entries(chat.store, request.id)]
        assert [action for action, _ in trail] == [
            "PageRequested",
            "StepApproved",
            "StepApproved",
            "StepApproved",
            "StepApproved",
            "RequestApproved",
        ]
        assert "step 3 of 4 (the technology coach of Oak Elementary) confirmed" in trail[3][1]
        assert "waiting for Nina Osei" in trail[4][1]


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_riverside_skips_a_missing_supervisor_and_keeps_requesters_from_approving(
    platform: str,
) -> None:
    config = load_config(EXAMPLES / "riverside-review-chain.toml")
    async with chat_on(platform, config) as chat:
        # Cedar High has no district supervisor: three steps.
        await chat.request(SARA, riverside_request(school="cedar", page_name="Cedar Chess"))
        card = latest(await chat.cards("paul.ibe@riverside.example.org"), "Cedar Chess")
        assert "Step 1 of 3" in card.text

        # Lucia asks with Owen as co-owner: the school's administration is empty for this
        # request, so the Superintendent's office takes the step.
        await chat.request(LUCIA, riverside_request(page_name="Oak News", co_owners=[OWEN]))
        assert not [c for c in await chat.cards(OWEN) if "Oak News" in c.text and c.buttons]
        for office in (ELENA, MARCUS):
            card = latest(await chat.cards(office), "Oak News")
            assert "Step 1 of 4: the Superintendent or a designee" in card.text


# Hillcrest Area: the Board approves district and department accounts, with the motion.
MIA, JAMES = "mia.chen@hillcrest.example.org", "james.wong@hillcrest.example.org"
ROSA = "rosa.diaz@hillcrest.example.org"


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_hillcrest_the_board_approves_with_its_motion_and_meeting(platform: str) -> None:
    config = load_config(EXAMPLES / "hillcrest-board-approval.toml")
    async with chat_on(platform, config) as chat:
        request = {
            "kind": "department",
            "platform": "youtube",
            "page_name": "Hillcrest Science",
            "purpose": "Short videos of science labs and competitions for families.",
            "audience": "Families and community",
            "acknowledged": True,
        }
        assert await chat.request(MIA, request) == {}
        await chat.press(JAMES, latest(await chat.cards(JAMES), "Hillcrest Science"), "Approve")
        rosa = latest(await chat.cards(ROSA), "Hillcrest Science")
        assert "Step 2 of 2: the Board of School Directors (recorded by its secretary)" in (
            rosa.text
        )
        # The Board's decision comes with its motion number and meeting date.
        problems = await chat.press(ROSA, rosa, "Approve", {})
        assert any("Please answer: Board motion number" in p for p in problems.values())
        bad_date = {"motion": "2026-114", "meeting_date": "next Tuesday"}
        if platform == "slack":  # Slack's date picker only gives real dates
            bad_date["meeting_date"] = "2026-13-40"
        problems = await chat.press(ROSA, rosa, "Approve", bad_date)
        assert any("Enter a date like 2026-12-01" in p for p in problems.values())
        good = {"motion": "2026-114", "meeting_date": "2026-11-12", "note": "Unanimous."}
        assert await chat.press(ROSA, rosa, "Approve", good) == {}
        [stored] = await chat.store.find_requests()
        assert stored.status is RequestStatus.APPROVED
        trail = await audit_entries(chat.store, stored.id)
        assert trail[-1].action == "RequestApproved"
        assert "Board motion number: 2026-114; Date of the Board meeting: 2026-11-12" in (
            trail[-1].detail
        )
        mia = latest(await chat.cards(MIA), "Approved:")
        assert "Rosa Diaz, Board Secretary approved your request" in mia.text
        james = latest(await chat.cards(JAMES), "Hillcrest Science")
        assert "Board motion number" in james.text and "2026-114" in james.text


# Prairie Valley: two co-moderators at least, district addresses, the school in the name,
# and how often the page posts published in its first notice.
NATE, IVY = "nate.brook@prairievalley.example.org", "ivy.stone@prairievalley.example.org"
VERA = "vera.holm@prairievalley.example.org"


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_prairie_valley_pages_need_two_moderators_and_publish_their_frequency(
    platform: str,
) -> None:
    config = load_config(EXAMPLES / "prairie-valley-co-moderators.toml")
    async with chat_on(platform, config) as chat:
        request: dict[str, object] = {
            "kind": "classroom",
            "school": "elementary",
            "platform": "facebook",
            "page_name": "Room 4 News",
            "purpose": PURPOSE,
            "audience": "Families of Room 4",
            "acknowledged": True,
        }
        problems = await chat.request(NATE, request)
        said = " ".join(problems.values())
        assert "Classroom pages need at least 2 owners" in said
        assert "Start the page name with the school's name" in said
        assert "Please answer: How often will the page post?" in said
        assert await chat.store.find_requests() == []

        outside = {**request, "co_owners": ["ivy@gmail.example.com"]}
        problems = await chat.request(NATE, outside) if platform == "teams" else {}
        if platform == "teams":  # Slack's people picker only offers the workspace's members
            assert any("must use a district address" in p for p in problems.values())

        good = {
            **request,
            "co_owners": [IVY],
            "page_name": "Prairie Valley Elementary Room 4",
            "posting_frequency": "weekly",
            "sample_posts": "Our class read 50 books this week! Field trip forms are due Friday.",
            "logo": "No",
        }
        assert await chat.request(NATE, good) == {}
        vera = latest(await chat.cards(VERA), "Room 4")
        assert "Our class read 50 books" in vera.text, "approvers see private answers"
        await chat.press(VERA, vera, "Approve")
        setup = latest(await chat.cards(NATE), "Approved:")
        assert "It is meant for Families of Room 4 and posts weekly." in setup.text
        assert "Our class read 50 books" not in setup.text, "private answers stay off the page"
        assert "Approved:" in latest(await chat.cards(IVY), "Approved:").text
