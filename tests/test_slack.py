"""Slack, end to end: signed requests into the running app, Web API calls onto a fake Slack."""

from __future__ import annotations

import asyncio
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

from tests.fake_slack import (
    WAIT_SECONDS,
    FakeSlack,
    SlackClient,
    buttons,
    fill,
    text_of,
)
from tests.records import audit_entries
from tests.slack_harness import SCOPES_BY_METHOD, Harness
from workflows.kernel.model import PageStatus, RequestStatus

GOOD_ANSWERS = {
    "kind": "classroom",
    "school": "lincoln",
    "platform": "facebook",
    "page_name": "Room 12 News",
    "purpose": "Share classroom news and homework reminders with families.",
    "audience": "Families of Room 12",
    "co_owners": ["UGRACE"],
    "acknowledged": True,
}


ROOT = Path(__file__).resolve().parent.parent


def manifest_scopes() -> set[str]:
    text = (ROOT / "manifest" / "slack.yaml").read_text()
    bot = text.split("    bot:\n", 1)[1].split("settings:", 1)[0]
    return set(re.findall(r"^\s+- ([a-z:.]+)$", bot, re.MULTILINE))


def test_the_manifest_asks_for_exactly_the_scopes_the_bot_uses() -> None:
    used = {scope for scope in SCOPES_BY_METHOD.values() if scope} | {"commands"}
    assert manifest_scopes() == used


async def test_a_page_from_slash_command_to_live(harness: Harness) -> None:
    fake, store = harness.fake, harness.store

    # /request-page opens the form at once.
    view = await harness.open_form("UTOM")
    assert view["callback_id"] == "pagekeeper:request_page"
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == [
        "kind",
        "school",
        "platform",
        "page_name",
        "purpose",
        "audience",
        "co_owners",
        "acknowledged",
    ]

    # Mistakes come back on the right fields and nothing is stored.
    status, body = await harness.slack.submit(
        "UTOM", view, {**GOOD_ANSWERS, "purpose": "Fun", "acknowledged": False}
    )
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "errors"
    assert answer["errors"]["purpose"] == "Please write the purpose in at least 20 characters."
    assert "staff guidelines" in answer["errors"]["acknowledged"]
    assert await store.find_requests() == []

    # A good submission closes the modal; Tom is told, Ana gets the card with three buttons.
    status, body = await harness.slack.submit("UTOM", view, GOOD_ANSWERS)
    assert (status, body) == (200, "")
    confirmation = await harness.latest_message_to("UTOM", 1)
    assert "went to the principal of Lincoln Elementary (Ana Ruiz)" in text_of(
        confirmation["blocks"]
    )
    approval = await harness.latest_message_to("UANA", 1)
    assert list(buttons(approval["blocks"])) == ["Approve", "Request changes", "Deny"]
    assert "Grace Hopper" in text_of(approval["blocks"])
    [request] = await store.find_requests()

    # Someone else clicking Approve is refused privately; nothing changes.
    status, _ = await harness.click("USTRANGER", buttons(approval["blocks"])["Approve"])
    assert status == 200
    await fake.wait_for(lambda f: len(f.responses) == 1, "the refusal")
    refusal = fake.responses[0]
    assert refusal["response_type"] == "ephemeral" and refusal["replace_original"] is False
    assert "Only the principal of Lincoln Elementary (Ana Ruiz) can decide" in refusal["text"]
    assert fake.of("chat.update") == []

    # Ana asks for changes: a small form that requires the comment.
    form = await harness.click_for_form("UANA", buttons(approval["blocks"])["Request changes"])
    status, body = await harness.slack.submit("UANA", form, {"note": "  "})
    assert json.loads(body) == {
        "response_action": "errors",
        "errors": {"note": "Please add what should change."},
    }
    status, body = await harness.slack.submit("UANA", form, {"note": "Please use the room number."})
    assert (status, body) == (200, "")
    await fake.wait_for(lambda f: len(f.of("chat.update")) == 1, "Ana's card updated")
    update = fake.of("chat.update")[0].args
    assert (update["channel"], update["ts"]) == ("DUANA", approval_ts(fake, "UANA", 1))
    assert buttons(update["blocks"]) == {}
    assert "Sent back for changes by Ana Ruiz" in text_of(update["blocks"])
    changes = await harness.latest_message_to("UTOM", 2)
    assert "Please use the room number." in text_of(changes["blocks"])

    # Tom edits the request (the form comes back filled in) and resubmits.
    edit = await harness.click_for_form("UTOM", buttons(changes["blocks"])["Edit and resubmit"])
    assert edit["callback_id"] == "pagekeeper:resubmit_request"
    answers = {"page_name": "Room 12 (Mr. Baker)", "acknowledged": True}
    status, body = await harness.slack.submit("UTOM", edit, answers)
    assert (status, body) == (200, "")
    second = await harness.latest_message_to("UANA", 2)
    assert "(revision 2)" in text_of(second["blocks"]) and "Grace Hopper" in text_of(
        second["blocks"]
    )

    # Ana approves; her card updates, and both owners get the notice text and disclaimer.
    status, _ = await harness.click("UANA", buttons(second["blocks"])["Approve"])
    await fake.wait_for(lambda f: len(f.of("chat.update")) == 2, "the approval recorded")
    assert "Approved by Ana Ruiz" in text_of(fake.of("chat.update")[1].args["blocks"])
    setup = await harness.latest_message_to("UTOM", 4)
    setup_text = text_of(setup["blocks"])
    assert "\n1. Purpose of this page:" in setup_text
    assert "Tom Baker, Third Grade Teacher, Lincoln Elementary." in setup_text
    assert list(buttons(setup["blocks"])) == ["Confirm page is live"]
    grace = await harness.latest_message_to("UGRACE", 1)
    assert "Grace Hopper, Science Teacher" in text_of(grace["blocks"])

    # A double click changes nothing and sends nothing but a private note.
    updates, posts = len(fake.of("chat.update")), len(fake.of("chat.postMessage"))
    await harness.click("UANA", buttons(second["blocks"])["Approve"])
    await fake.wait_for(lambda f: len(f.responses) == 2, "the already-decided note")
    assert fake.responses[1]["text"].startswith("Already decided")
    assert (len(fake.of("chat.update")), len(fake.of("chat.postMessage"))) == (updates, posts)

    # Tom confirms the page is live with its address.
    live_form = await harness.click_for_form(
        "UTOM", buttons(setup["blocks"])["Confirm page is live"]
    )
    status, body = await harness.slack.submit(
        "UTOM", live_form, {"url": "https://www.facebook.com/room12", "notices_displayed": True}
    )
    assert (status, body) == (200, "")
    await fake.wait_for(
        lambda f: any("Live: " in text_of(c.args["blocks"]) for c in f.of("chat.update")),
        "the live card",
    )
    [page] = await store.find_pages()
    assert page.status is PageStatus.ACTIVE and page.url == "https://www.facebook.com/room12"
    assert (await store.get_request(request.id)).status is RequestStatus.APPROVED  # type: ignore[union-attr]


def approval_ts(fake: FakeSlack, user: str, number: int) -> str:
    """The ts the fake gave the `number`th message to `user` (it numbers all posts in order)."""
    posts = fake.of("chat.postMessage")
    positions = [n for n, call in enumerate(posts, 1) if call.args["channel"] == user]
    return f"1700.{positions[number - 1]}"


async def submit_good_request(harness: Harness, **changes: Any) -> dict[str, Any]:
    """Tom asks for a page; returns Ana's approval message."""
    view = await harness.open_form("UTOM")
    status, body = await harness.slack.submit("UTOM", view, {**GOOD_ANSWERS, **changes})
    assert (status, body) == (200, "")
    return await harness.latest_message_to("UANA", 1)


async def test_a_denied_request_needs_a_reason_and_tells_the_requester(harness: Harness) -> None:
    approval = await submit_good_request(harness)
    form = await harness.click_for_form("UANA", buttons(approval["blocks"])["Deny"])
    assert form["callback_id"] == "pagekeeper:deny"
    _, body = await harness.slack.submit("UANA", form, {"note": ""})
    assert json.loads(body)["errors"] == {"note": "Please add a reason."}
    await harness.slack.submit("UANA", form, {"note": "We already have a grade-level page."})
    told = await harness.latest_message_to("UTOM", 2)
    assert "We already have a grade-level page." in text_of(told["blocks"])
    assert "must not be created as an official district page" in text_of(told["blocks"])
    [request] = await harness.store.find_requests()
    assert request.status is RequestStatus.DENIED


async def test_slack_is_answered_before_the_form_a_click_opens_has_opened(
    harness: Harness,
) -> None:
    """Bolt answers Slack once a listener returns; what follows the answer (here the Deny
    form opening, a Web API call) runs after it, so it cannot make the answer late."""
    approval = await submit_good_request(harness)
    opened = len(harness.fake.of("views.open"))
    release = harness.fake.hold("views.open")
    status, _ = await asyncio.wait_for(
        harness.click("UANA", buttons(approval["blocks"])["Deny"]), WAIT_SECONDS
    )
    assert status == 200
    await harness.fake.wait_for(lambda f: len(f.of("views.open")) > opened, "the form opening")
    release.set()
    assert harness.last_view()["callback_id"] == "pagekeeper:deny"


async def test_a_redelivered_request_is_acknowledged_and_not_handled_twice(
    harness: Harness,
) -> None:
    view = await harness.open_form("UTOM")
    payload: dict[str, Any] = {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": "UTOM"},
    }
    payload["view"] = {**view, "id": "V1", "state": {"values": fill(view, GOOD_ANSWERS)}}
    assert await harness.slack.interact(payload) == (200, "")
    assert await harness.slack.interact(
        payload, **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    ) == (200, "")
    await harness.latest_message_to("UANA", 1)
    assert len(await harness.store.find_requests()) == 1
    assert len(harness.fake.messages_to("UANA")) == 1


async def test_a_redelivered_command_opens_no_second_form(harness: Harness) -> None:
    await harness.open_form("UTOM")
    redelivered = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert await harness.slack.slash_command("UTOM", **redelivered) == (200, "")
    await harness.open_form("UTOM")
    # Three commands, two forms: the redelivered one opened nothing.
    assert len(harness.fake.of("views.open")) == 2


async def test_an_approver_without_slack_is_reported_and_the_request_waits(
    harness: Harness,
) -> None:
    harness.fake.users = [u for u in harness.fake.users if u.id != "UANA"]
    view = await harness.open_form("UTOM")
    await harness.slack.submit("UTOM", view, GOOD_ANSWERS)
    told = await harness.latest_message_to("UTOM", 2)
    assert "Ana Ruiz (ana.ruiz@example.org), who must approve request" in text_of(told["blocks"])
    assert "no Slack account uses ana.ruiz@example.org" in text_of(told["blocks"])
    alert = await harness.latest_message_to("UDANA", 1)
    assert "Could not reach Ana Ruiz (ana.ruiz@example.org) in Slack" in text_of(alert["blocks"])
    [request] = await harness.store.find_requests()
    assert request.status is RequestStatus.PENDING
    actions = [e.action for e in await audit_entries(harness.store, request.id)]
    assert actions == ["PageRequested", "MessageUndeliverable"]


async def test_rate_limits_and_server_errors_are_retried_and_nothing_is_sent_twice(
    harness: Harness,
) -> None:
    harness.fake.fail("chat.postMessage", 429, times=1, **{"Retry-After": "0"})
    harness.fake.fail("users.lookupByEmail", 503, times=1)
    approval = await submit_good_request(harness)
    assert list(buttons(approval["blocks"])) == ["Approve", "Request changes", "Deny"]
    await harness.latest_message_to("UTOM", 1)
    assert len(harness.fake.messages_to("UANA")) == 1
    assert len(harness.fake.messages_to("UTOM")) == 1
    assert all(failure.times == 0 for failure in harness.fake.failures.values()), (
        "no error was seen"
    )


async def test_the_home_tab_shows_what_waits_and_its_buttons_work(harness: Harness) -> None:
    await submit_good_request(harness)
    status, _ = await harness.slack.event(
        {"type": "app_home_opened", "user": "UANA", "tab": "home"}
    )
    assert status == 200
    await harness.fake.wait_for(lambda f: len(f.of("views.publish")) == 1, "Ana's home")
    home = harness.fake.of("views.publish")[0].args
    assert home["user_id"] == "UANA"
    blocks = home["view"]["blocks"]
    assert "Page request" in text_of(blocks) and "Room 12 News" in text_of(blocks)
    assert list(buttons(blocks)) == [
        "Request a page",
        "Approve",
        "Request changes",
        "Deny",
        "Name a delegate",
    ]

    await harness.click("UANA", buttons(blocks)["Approve"], in_home=True)
    await harness.fake.wait_for(lambda f: len(f.of("views.publish")) == 2, "the home refreshed")
    refreshed = harness.fake.of("views.publish")[1].args["view"]["blocks"]
    assert "Approve" not in buttons(refreshed)
    [page] = await harness.store.find_pages()
    assert page.status is PageStatus.SETTING_UP

    await harness.slack.event({"type": "app_home_opened", "user": "UTOM", "tab": "home"})
    await harness.fake.wait_for(lambda f: len(f.of("views.publish")) == 3, "Tom's home")
    tom = harness.fake.of("views.publish")[2].args["view"]["blocks"]
    assert "Approved by Ana Ruiz" in text_of(tom)
    assert "Confirm page is live" in buttons(tom)


@pytest.mark.parametrize(
    ("change", "headers"),
    [
        ("wrong secret", {}),
        ("stale timestamp", {}),
        ("no signature", {"X-Slack-Signature": ""}),
    ],
)
async def test_unsigned_or_stale_requests_get_401_and_do_nothing(
    harness: Harness, change: str, headers: dict[str, str]
) -> None:
    client = harness.slack
    if change == "wrong secret":
        client = SlackClient(client.url, harness.fake, secret="not-the-secret")
    stamp = int(time.time()) - 600 if change == "stale timestamp" else None
    body = "command=%2Frequest-page&user_id=UTOM&team_id=T1&trigger_id=t1"
    status, _ = await client.post(
        body, "application/x-www-form-urlencoded", timestamp=stamp, **headers
    )
    assert status == 401
    assert harness.fake.calls == []
    if client is not harness.slack:
        await client.close()


async def test_a_slack_only_district_has_no_teams_endpoint(harness: Harness) -> None:
    async with harness.slack.session.post(
        harness.slack.url.replace("/slack/events", "/api/messages"), json={}
    ) as answer:
        assert answer.status == 404
