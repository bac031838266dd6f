"""A message the platform refuses as it stands (Slack's `invalid_blocks`, Teams' 413) is not
lost in silence or retried in vain (#18): it is given up at once, logged with its size, the
person gets a short note in its place and the district contact is told."""

from __future__ import annotations

import logging

import pytest

from tests.conftest import TEACHER
from tests.fake_slack import text_of
from tests.fake_teams import ANA, DANA, TOM, FakeConnector, TeamsClient
from tests.fake_teams import text_of as card_text
from tests.slack_harness import Harness
from tests.stories import ask_for_page
from tests.test_teams import GOOD
from workflows.engine import Engine


async def test_slack_refusing_a_card_is_logged_and_the_person_and_contact_are_told(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    fake = harness.fake
    fake.fail("chat.postMessage", 200, error="invalid_blocks", channel="UANA")
    with caplog.at_level(logging.WARNING):
        await harness.engine.handle(ask_for_page(TEACHER))
        await fake.wait_for(lambda f: bool(f.messages_to("UANA")), "the note to Ana")
        await fake.wait_for(lambda f: bool(f.messages_to("UDANA")), "the note to Dana")
        await harness.dispatcher.drain()

    assert fake.refused_calls == 1, "refused once, never sent again as it was"
    note = text_of(fake.messages_to("UANA")[0].args["blocks"])
    assert "A message could not be shown here" in note
    assert "Page request REQ-" in note and "invalid_blocks" in note
    contact = text_of(fake.messages_to("UDANA")[0].args["blocks"])
    assert "A message to Ana Ruiz (ana.ruiz@example.org) could not be delivered" in contact
    refused = [
        r.getMessage() for r in caplog.records if "message refused by Slack" in r.getMessage()
    ]
    assert len(refused) == 1 and " size=" in refused[0] and "invalid_blocks" in refused[0]
    assert int(refused[0].split(" size=")[1].split(" ")[0]) > 1000, "the blocks' size, in bytes"
    failed = await harness.store.failed_messages()
    assert len(failed) == 1 and failed[0].attempts == 1


async def test_teams_refusing_a_card_as_too_large_is_reported_the_same_way(
    teams: tuple[TeamsClient, FakeConnector, Engine], caplog: pytest.LogCaptureFixture
) -> None:
    client, connector, _ = teams
    for person in (TOM, ANA, DANA):
        await client.install(person)
    await connector.wait_for(lambda c: all(c.to(p) for p in (TOM, ANA, DANA)), "the welcomes")
    connector.refusing[ANA.conversation] = 413
    with caplog.at_level(logging.WARNING):
        await client.say(TOM, "request-page")
        await connector.wait_for(lambda c: len(c.to(TOM)) >= 2, "the form")
        form = connector.to(TOM)[-1]
        send = next(a for a in form.card["actions"] if a["title"] == "Send request")
        assert await client.submit(TOM, send, GOOD, reply_to=form.activity_id) == 201
        await connector.wait_for(
            lambda c: any("could not be shown" in card_text(s.card) for s in c.to(ANA)), "Ana"
        )
        await connector.wait_for(
            lambda c: any("could not be delivered" in card_text(s.card) for s in c.to(DANA)),
            "Dana",
        )
    note = next(card_text(s.card) for s in connector.to(ANA) if "shown" in card_text(s.card))
    assert "Teams refused it: 413: the message was too large" in note
    refused = [
        r.getMessage() for r in caplog.records if "message refused by Teams" in r.getMessage()
    ]
    assert len(refused) == 1 and " size=" in refused[0]
