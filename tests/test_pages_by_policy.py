"""Pages run by each district's own policy, walked through Slack, Teams and the playground:
the notices each district's file gives, addresses checked and kept in one form, moderation
actions allowed, refused and approved, and a winter break that sends nothing.

Lakeside (docs/examples/lakeside-newer-notices.toml) uses a newer notice list ("account",
no security item, "removed, blocked, or similarly addressed") and lets owners block users,
with suspensions approved by the principal and bans by the Superintendent. Keystone
(keystone-non-public-forum.toml) declares classroom accounts non-public forums, forbids
blocking, and cites its own Policy 815.3.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.chat_drivers import Chat, chat_on, latest
from tests.records import audit_entries
from workflows.district.loading import load_config

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"
SURFACES = ["slack", "teams", "playground"]
PURPOSE = "Share classroom news, homework reminders and photos of student work with families."

IRENE, GRACE = "irene.vance@lakeside.example.org", "grace.lin@lakeside.example.org"
OMAR, TESS = "omar.reyes@lakeside.example.org", "tess.moore@lakeside.example.org"
HANK, LENA = "hank.ortiz@keystone.example.org", "lena.brandt@keystone.example.org"


async def live_page(
    chat: Chat, owner: str, approver: str, request: dict[str, object], address: str
) -> str:
    """Ask for a page, have it approved and confirmed live; the text of the setup card."""
    assert await chat.request(owner, request) == {}
    await chat.press(
        approver, latest(await chat.cards(approver), str(request["page_name"])), "Approve"
    )
    setup = latest(await chat.cards(owner), "Approved:")
    shown = {"url": address, "notices_displayed": True}
    assert await chat.press(owner, setup, "Confirm page is live", shown) == {}
    return setup.text


def lakeside_request() -> dict[str, object]:
    return {
        "kind": "classroom",
        "school": "shoreline",
        "platform": "instagram",
        "page_name": "Shoreline Room 4",
        "purpose": PURPOSE,
        "audience": "Families of Room 4",
        "co_owners": [TESS],
        "acknowledged": True,
    }


@pytest.mark.parametrize("surface", SURFACES)
async def test_lakeside_notices_addresses_and_moderation_with_approval(surface: str) -> None:
    config = load_config(EXAMPLES / "lakeside-newer-notices.toml")
    async with chat_on(surface, config) as chat:
        assert await chat.request(OMAR, lakeside_request()) == {}
        await chat.press(GRACE, latest(await chat.cards(GRACE), "Shoreline Room 4"), "Approve")
        setup = latest(await chat.cards(OMAR), "Approved:")
        # The district's own seven items, in its words: no security item, "account".
        assert "removed, blocked, or similarly addressed" in setup.text
        assert "Users are expected to use the account only for those intended purposes" in (
            setup.text
        )
        assert "Security settings" not in setup.text

        # An Instagram account cannot go live at a Facebook address; the app's form can.
        wrong = {"url": "https://www.facebook.com/shoreline4", "notices_displayed": True}
        problems = await chat.press(OMAR, setup, "Confirm page is live", wrong)
        assert any("Instagram" in problem for problem in problems.values())
        pasted = {
            "url": "instagram.com/Shoreline4/?igsh=MWQ1ZGUxMzBkMA==",
            "notices_displayed": True,
        }
        assert await chat.press(OMAR, setup, "Confirm page is live", pasted) == {}
        [page] = await chat.store.find_pages()
        assert page.url == "https://www.instagram.com/Shoreline4"

        # Blocking is allowed at once, from the account's card, any time.
        live = latest(await chat.cards(OMAR), "Live:")
        block = {
            "action": "block",
            "reason": "commercial",
            "description": "Posted the same car-dealer advert under every photo.",
            "account": "@deals4u",
            "saved_copy": "drive/shoreline/deals4u-1.png",
        }
        assert await chat.press(OMAR, live, "Record a moderation action", block) == {}
        assert "@deals4u" in latest(await chat.cards(TESS), "User blocked").text

        # Suspending needs the principal first; the owner hears when it is approved.
        suspend = {**block, "action": "suspend", "days": "7", "saved_copy": "drive/2.png"}
        live = latest(await chat.cards(OMAR), "Live:")
        assert await chat.press(OMAR, live, "Record a moderation action", suspend) == {}
        waiting = latest(await chat.cards(OMAR), "Waiting for approval")
        assert "Do not act on the platform until it is approved" in waiting.text
        ask = latest(await chat.cards(GRACE), "Approve a moderation action")
        assert ask.buttons == ["Approve", "Refuse"]
        await chat.press(GRACE, ask, "Approve")
        assert "Approved by Grace Lin" in latest(await chat.cards(OMAR), "@deals4u").text
        assert latest(await chat.cards(GRACE), "@deals4u").buttons == []

        # A ban needs the Superintendent; it is the third action about @deals4u in 30 days,
        # which prompts the referral the district's rules name.
        ban = {**block, "action": "ban", "saved_copy": "drive/3.png"}
        live = latest(await chat.cards(OMAR), "Live:")
        assert await chat.press(OMAR, live, "Record a moderation action", ban) == {}
        prompt = latest(await chat.cards(OMAR), "Repeat violations")
        assert "refer repeat violators to the Superintendent or a designee" in prompt.text
        button = "Refer to the Superintendent or a designee"
        assert await chat.press(OMAR, prompt, button, {}) == {}  # a form to confirm it
        referred = latest(await chat.cards(IRENE), "User referred to you: @deals4u")
        assert "Omar Reyes" in referred.text

        # The Superintendent refuses the ban, saying why.
        ask = latest(await chat.cards(IRENE), "Approve a moderation action")
        reason = {"note": "The suspension and referral are enough for now."}
        assert await chat.press(IRENE, ask, "Refuse", reason) == {}
        assert "Do not do it" in latest(await chat.cards(OMAR), "Refused:").text

        # Eight days on, the suspension is over: the owners are asked to lift it.
        await chat.later(8)
        lift = latest(await chat.cards(TESS), "Lift the suspension: @deals4u")
        await chat.press(TESS, lift, "Lifted")
        assert "Lifted by Tess Moore" in latest(await chat.cards(OMAR), "Suspension lifted").text

    actions = {entry.action for entry in await audit_entries(chat.store, page.id)}
    assert {"ModerationRecorded", "ModerationAwaitingApproval", "ModerationDecided"} <= actions
    assert {"SuspensionEnded", "SuspensionLifted"} <= actions


@pytest.mark.parametrize("surface", SURFACES)
async def test_keystone_non_public_forum_forbids_blocking(surface: str) -> None:
    config = load_config(EXAMPLES / "keystone-non-public-forum.toml")
    request = {
        "kind": "classroom",
        "school": "high",
        "platform": "facebook",
        "page_name": "Keystone Chemistry",
        "purpose": "Lab safety reminders and class news for chemistry students and families.",
        "audience": "Chemistry students and families",
        "acknowledged": True,
    }
    async with chat_on(surface, config) as chat:
        notices = await live_page(chat, LENA, HANK, request, "facebook.com/keystonechem")
        assert "This account is a non-public forum. Comments are turned off." in notices
        assert "limited public forum" not in notices
        assert "Policy 815.3" in notices

        live = latest(await chat.cards(LENA), "Live:")
        blocked = {
            "action": "block",
            "reason": "harassment",
            "description": "Messages aimed at one student.",
            "account": "@someone",
            "saved_copy": "drive/lena/1.png",
        }
        # The form does not offer blocking; a crafted submission is refused all the same.
        assert await chat.press(LENA, live, "Record a moderation action", blocked) != {}
        [page] = await chat.store.find_pages()
        assert page.moderation == ()
        hidden = {**blocked, "action": "hide"}
        live = latest(await chat.cards(LENA), "Live:")
        assert await chat.press(LENA, live, "Record a moderation action", hidden) == {}
        assert "Post hidden" in latest(await chat.cards(LENA), "Keystone Chemistry").text

        # The monitoring check asks only about the account's own posts: comments are off.
        await chat.later(7)
        check = latest(await chat.cards(LENA), "Monitoring check")
        assert "Comments are off on this account" in check.text
        assert "Policy 815.3: Forum designation and monitoring" in check.text

    [page] = await chat.store.find_pages()
    [entry] = [
        e for e in await audit_entries(chat.store, page.id) if e.action == "ModerationRecorded"
    ]
    assert entry.clause == "Policy 815.3: Forum designation and monitoring"
    refused = [e for e in await audit_entries(chat.store, page.id) if e.action == "ActionRefused"]
    assert refused == [], "a forbidden action is a mistake on the form, not an attempt to audit"


@pytest.mark.parametrize("surface", SURFACES)
async def test_a_winter_break_sends_nothing_and_stops_the_overdue_clock(surface: str) -> None:
    config = load_config(EXAMPLES / "lakeside-newer-notices.toml")
    async with chat_on(surface, config) as chat:
        await live_page(chat, OMAR, GRACE, lakeside_request(), "instagram.com/shoreline4")
        # Friday December 18: the morning's check goes out and is left unanswered.
        await chat.later(18)
        checks = len([c for c in await chat.cards(OMAR) if "Monitoring check" in c.text])
        assert checks == 1
        grace_before = len(await chat.cards(GRACE))

        # Through the break (December 21 to January 1) to Monday January 4: no checks, and
        # the principal hears nothing about the check that was waiting over the break.
        await chat.later(7)
        assert len([c for c in await chat.cards(OMAR) if "Monitoring check" in c.text]) == 1
        assert len(await chat.cards(GRACE)) == grace_before

        # The clock runs again after the break: two working days on, the principal is told.
        await chat.later(1)
        assert "Monitoring overdue" in latest(await chat.cards(GRACE), "Monitoring overdue").text
