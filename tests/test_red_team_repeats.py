"""Red-team finding 7: slow storage. When saving outlasts Slack's three seconds, Slack shows the
person an error though the action is saved; pressing Submit again must not act twice. Every
form and click is carried out once (the same form with the same answers, the same button on
the same card), a repeat is told what happened the first time, and a save that came too late
for Slack's answer is reported by message. Through the running servers, on Slack and Teams,
and on every store (two processes sharing PostgreSQL included)."""

from __future__ import annotations

import json
from typing import Any

import pytest

import adapters.slack.app as slack_app
from tests.bot_process import FORM_ANSWERS as REQUEST
from tests.chat_drivers import Chat, chat_on, latest, slack_chat, slack_id, teams_chat
from tests.conftest import PRINCIPAL, TEACHER
from tests.fake_slack import buttons, text_of
from tests.fake_teams import actions, plain
from tests.records import audit_entries
from workflows.district.loading import load_config
from workflows.kernel.model import Submission
from workflows.kernel.ports import Changes, ConflictError, Store

TOM, ANA = TEACHER.email, PRINCIPAL.email
REMOVAL = {
    "reason": "commercial",
    "description": "An advert for a car dealer under the class photo.",
    "saved_copy": "drive/room12/ad-1.png",
}


async def live_page(chat: Chat) -> None:
    assert await chat.request(TOM, REQUEST) == {}
    await chat.press(ANA, latest(await chat.cards(ANA), "Room 12 News"), "Approve")
    setup = latest(await chat.cards(TOM), "Approved:")
    shown = {"url": "facebook.com/room12news", "notices_displayed": True}
    assert await chat.press(TOM, setup, "Confirm page is live", shown) == {}


async def removals(store: Any) -> int:
    return len([e for e in await audit_entries(store) if e.action == "PostRemoved"])


async def test_submit_pressed_again_after_a_slow_save_logs_the_removal_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with slack_chat(load_config(None)) as chat:
        await live_page(chat)
        live = latest(await chat.cards(TOM), "Live:")
        tom = slack_id(TOM)
        opened = len(chat.fake.of("views.open"))
        await chat.slack.click(tom, buttons(live.raw)["Record a removed post"])
        await chat.fake.wait_for(lambda f: len(f.of("views.open")) > opened, "the form")
        form = chat.fake.of("views.open")[-1].args["view"]

        # Saving takes longer than Slack waits: Slack shows Tom an error in the form.
        monkeypatch.setattr(slack_app, "ACK_SECONDS", -1.0)
        assert (await chat.slack.submit(tom, form, REMOVAL))[0] == 200
        monkeypatch.setattr(slack_app, "ACK_SECONDS", 2.5)

        def saved(fake: Any) -> bool:
            return any("this was saved" in text_of(m.args["blocks"]) for m in fake.messages_to(tom))

        await chat.fake.wait_for(saved, "the message saying it was saved")
        [told] = [
            m for m in chat.fake.messages_to(tom) if "this was saved" in text_of(m.args["blocks"])
        ]
        assert "Slack may have shown you an error" in text_of(told.args["blocks"])

        # He presses Submit again on the same form.
        status, body = await chat.slack.submit(tom, form, REMOVAL)
        answer = json.loads(body)
        assert status == 200 and answer["response_action"] == "update"
        shown = text_of(answer["view"]["blocks"])
        assert "Already received" in shown and "It was not done a second time." in shown
        assert 'What happened then: "Post removed: Room 12 News"' in shown

        # Changing the answers makes it a new removal, carried out.
        other = {**REMOVAL, "saved_copy": "drive/room12/ad-2.png"}
        assert await chat.slack.submit(tom, form, other) == (200, "")
        assert await removals(chat.store) == 2


async def test_the_same_button_on_the_same_card_acts_once_in_slack() -> None:
    async with slack_chat(load_config(None)) as chat:
        await live_page(chat)
        await chat.later(7)
        check = latest(await chat.cards(TOM), "Monitoring check")
        button = buttons(check.raw)["Checked - nothing to remove"]
        tom = slack_id(TOM)
        answers = len(chat.fake.responses)
        for _ in range(2):
            assert (await chat.slack.click(tom, button, message_ts="1700.9"))[0] == 200
        await chat.fake.wait_for(lambda f: len(f.responses) > answers, "the answer")
        assert "Already received" in chat.fake.responses[-1]["text"]
        checked = [e for e in await audit_entries(chat.store) if e.action == "MonitoringChecked"]
        assert len(checked) == 1


async def test_the_same_card_sent_twice_in_teams_acts_once() -> None:
    async with teams_chat(load_config(None)) as chat:
        await live_page(chat)
        live = latest(await chat.cards(TOM), "Live:")
        tom = chat._user(TOM)
        record = actions(live.raw)["Record a removed post > Record"]
        inputs = {name: str(value) for name, value in REMOVAL.items()}
        for _ in range(2):
            assert await chat.teams.submit(tom, record, inputs, reply_to=live.id) == 201
        await chat.settle()
        assert await removals(chat.store) == 1
        said = [
            plain(element)
            for sent in chat.connector.to(tom)
            for element in sent.card.get("body", [])
        ]
        assert any("It was not done a second time." in text for text in said)


async def test_a_submission_is_stored_once_by_every_store(store: Store) -> None:
    from datetime import UTC, datetime

    done = Submission("slack:view:U1:V1:abc", datetime(2026, 12, 2, tzinfo=UTC), "Saved", "")
    await store.commit(Changes(submissions=(done,)))
    assert await store.submission(done.key) == done
    assert await store.submission("slack:view:U1:V2:abc") is None
    with pytest.raises(ConflictError):
        await store.commit(Changes(submissions=(done,)))


@pytest.mark.parametrize("surface", ["slack", "teams", "playground"])
async def test_a_corrected_form_is_not_taken_for_a_repeat(surface: str) -> None:
    """A form sent back with a mistake changed nothing, so sending it again, fixed, acts."""
    async with chat_on(surface, load_config(None)) as chat:
        assert await chat.request(TOM, {**REQUEST, "purpose": "x"}) != {}
        assert await chat.request(TOM, REQUEST) == {}
        assert len(await chat.store.find_requests()) == 1
