"""Forms submitted in Slack are answered before Bolt (adapters/slack/submitted_forms.py), and
the answer is exactly the one Bolt gave: the same server, with and without that shortcut, is
sent the same submissions."""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from adapters.slack.app import build_slack_app, slack_client
from adapters.slack.http import slack_events_handler
from storage.memory import MemoryStore
from tests.fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack, SlackClient, fill
from tests.fakes import FakeClock, SequentialIds
from tests.records import audit_entries
from tests.test_slack import GOOD_ANSWERS
from workflows.district.config import DistrictConfig
from workflows.engine import Engine

TRIGGERS = itertools.count()


@dataclass
class Server:
    """One Slack endpoint over its own store, answering forms before Bolt or only through it."""

    slack: SlackClient
    store: MemoryStore
    engine: Engine


@pytest.fixture
async def servers(fake: FakeSlack, config: DistrictConfig) -> AsyncIterator[tuple[Server, Server]]:
    """(answering forms before Bolt, through Bolt only): the same code otherwise."""
    made: list[Server] = []
    closing = []
    for shortcut in (True, False):
        store, clock = MemoryStore(), FakeClock()
        engine = Engine(config, store, clock, SequentialIds())
        client = slack_client(BOT_TOKEN, fake.api_url)
        slack = build_slack_app(engine, client, frozenset({"T1"}))
        handler = slack_events_handler(
            slack.bolt,
            SIGNING_SECRET,
            store,
            clock,
            slack.blank_forms.open_at_once,
            slack.submitted_forms.answer if shortcut else None,
        )
        app = web.Application()
        app.router.add_post("/slack/events", handler)
        server = TestServer(app)
        await server.start_server()
        made.append(Server(SlackClient(str(server.make_url("/slack/events")), fake), store, engine))
        closing.append((server, client))
    yield made[0], made[1]
    for server, client in closing:
        await server.close()
        await client.session.close()
    for each in made:
        await each.slack.close()


async def request_form(fake: FakeSlack, server: Server) -> dict[str, Any]:
    opened = len(fake.of("views.open"))
    status, _ = await server.slack.slash_command("UTOM")
    assert status == 200
    await fake.wait_for(lambda f: len(f.of("views.open")) > opened, "the form opening")
    return dict(fake.of("views.open")[-1].args["view"])


async def both(
    servers: tuple[Server, Server], payload: dict[str, Any]
) -> tuple[tuple[int, Any], tuple[int, Any]]:
    """Each server's status and answer (JSON read, when there is one) to `payload`."""

    async def sent(server: Server) -> tuple[int, Any]:
        status, body = await server.slack.interact(payload)
        try:
            return status, json.loads(body) if body else body
        except ValueError:
            raise AssertionError((status, body)) from None

    return await sent(servers[0]), await sent(servers[1])


def submission(view: dict[str, Any], answers: dict[str, Any], team: str = "T1") -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": team},
        "user": {"id": "UTOM"},
        "api_app_id": "A1",
        "trigger_id": f"trigger-{next(TRIGGERS)}",  # Slack's own, new on every submit
        "view": {**view, "id": "V1", "state": {"values": fill(view, answers)}},
    }


async def test_every_kind_of_answer_is_the_one_bolt_gives(
    fake: FakeSlack, servers: tuple[Server, Server]
) -> None:
    view = await request_form(fake, servers[0])
    mistakes = {**GOOD_ANSWERS, "purpose": "Fun", "acknowledged": False}
    quick, bolt = await both(servers, submission(view, mistakes))
    assert quick == bolt and quick[1]["response_action"] == "errors"

    quick, bolt = await both(servers, submission(view, GOOD_ANSWERS))
    assert quick == bolt == (200, "")
    for server in servers:
        [request] = await server.store.find_requests()
        assert request.details.page_name == "Room 12 News"

    # Submit pressed again on the same form: answered as what happened, nothing twice.
    quick, bolt = await both(servers, submission(view, GOOD_ANSWERS))
    assert quick == bolt
    for server in servers:
        assert len(await server.store.find_requests()) == 1

    # A form this version does not know (an old modal left open): the same plain reply.
    outdated = {**view, "callback_id": "pagekeeper:no_such_form"}
    quick, bolt = await both(servers, submission(outdated, GOOD_ANSWERS))
    assert quick == bolt and quick[1]["response_action"] == "update"


async def test_a_form_from_another_workspace_is_refused_and_audited_as_before(
    fake: FakeSlack, servers: tuple[Server, Server]
) -> None:
    view = await request_form(fake, servers[0])
    quick, bolt = await both(servers, submission(view, GOOD_ANSWERS, team="T-ELSEWHERE"))
    assert quick == bolt and quick[0] == 200
    assert "not part of the district's Slack" in json.dumps(quick[1])
    for server in servers:
        assert await server.store.find_requests() == []
        [entry] = await audit_entries(server.store, "T-ELSEWHERE")
        assert entry.action == "OutsiderRefused"


async def test_a_view_that_is_not_pagekeepers_goes_to_bolt(
    fake: FakeSlack, servers: tuple[Server, Server]
) -> None:
    view = await request_form(fake, servers[0])
    foreign = {**view, "callback_id": "someone_elses_modal"}
    quick, bolt = await both(servers, submission(foreign, GOOD_ANSWERS))
    assert quick == bolt and quick[0] == 404  # Bolt: no listener for it


async def test_a_failure_is_answered_500_and_logged_without_the_form(
    fake: FakeSlack,
    servers: tuple[Server, Server],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    view = await request_form(fake, servers[0])

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the disk caught fire")

    for server in servers:
        monkeypatch.setattr(server.engine, "handle", broken)
    with caplog.at_level(logging.ERROR):
        quick, bolt = await both(servers, submission(view, GOOD_ANSWERS))
    assert quick[0] == bolt[0] == 500
    logged = [r for r in caplog.records if r.name == "adapters.slack.submitted_forms"]
    assert [r.getMessage() for r in logged] == [
        "slack form submission failed callback=pagekeeper:request_page"
    ]
    assert "Room 12 News" not in caplog.text, "what people typed stays out of the log"
