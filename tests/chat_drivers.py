"""One user story, told in Slack, in Teams and in the browser playground alike.

A driver runs the real bot over HTTP for a district file, with the real SDK on the wire and
a fake platform (Slack's Web API, the Bot Framework connector) on the other side, or the
playground's own endpoints and HTML. Stories speak in people's emails, form fields and
button labels; the driver does the clicking the platform's way. Delivery runs on a
dispatcher whose time is faked, so the platforms' pacing never makes a test wait.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from aiohttp.test_utils import TestServer

from bot.bootstrap import Pagekeeper, build
from bot.config import Settings, settings_from
from bot.web import make_app
from storage.memory import MemoryStore
from tests.fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack, SlackClient, SlackUser
from tests.fake_slack import buttons as slack_buttons
from tests.fake_slack import text_of as slack_text
from tests.fake_teams import (
    TEAMS_ONLY,
    FakeConnector,
    TeamsClient,
    TeamsUser,
    actions,
    is_attention,
    plain,
)
from tests.fake_teams import text_of as teams_text
from tests.fakes import FakeClock
from tests.playground_chat import as_text, playground_chat
from workflows.delivery.dispatcher import Dispatcher
from workflows.district.config import DistrictConfig
from workflows.district.working_time import next_working_moment
from workflows.engine import Engine
from workflows.kernel.commands import RunReminders
from workflows.kernel.ports import Store

Answers = dict[str, Any]


@dataclass
class CardView:
    """A message as its person sees it now (updates applied)."""

    text: str
    buttons: list[str]
    raw: Any
    id: str = ""  # the message's id on its platform, where a click says which card it was


class Chat(Protocol):
    store: MemoryStore
    clock: FakeClock

    async def request(self, who: str, answers: Answers) -> dict[str, str]: ...

    async def press(
        self, who: str, card: CardView, label: str, inputs: Answers | None = None
    ) -> dict[str, str]: ...

    async def cards(self, who: str) -> list[CardView]: ...

    async def settle(self) -> None: ...

    async def later(self, days: float) -> None:
        """Move the clock on (to the next working moment) and let the bot do its duties."""


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def _quiet(pagekeeper: Pagekeeper) -> tuple[Pagekeeper, Dispatcher, FakeTime]:
    """The bot without its own background delivery; a dispatcher on fake time instead."""
    time = FakeTime()
    dispatcher = Dispatcher(
        pagekeeper.engine,
        pagekeeper.store,
        pagekeeper.store,
        pagekeeper.dispatcher.messengers,
        monotonic=time.monotonic,
        sleep=time.sleep,
    )
    quiet = dataclasses.replace(pagekeeper, background=(pagekeeper.loop_watch.run,))
    return quiet, dispatcher, time


async def _later(engine: Engine, clock: FakeClock, days: float) -> None:
    """As the playground's clock does: on by `days`, then to the next working moment, and
    every duty that falls due is done."""
    clock.advance(days=days)
    opening = next_working_moment(engine.context.config, clock.now())
    clock.advance(seconds=(opening - clock.now()).total_seconds())
    while (await engine.handle(RunReminders())).more:
        pass


async def _deliver(dispatcher: Dispatcher, time: FakeTime) -> None:
    """Deliver everything due, moving the fake time on whenever someone's pace says wait."""
    for _ in range(100):
        rest = await dispatcher.drain()
        if rest is None:
            return
        time.now += rest + 0.01
    raise AssertionError("messages kept waiting after 100 rounds")


def slack_id(email: str) -> str:
    return "U" + email.split("@")[0].replace(".", "").upper()


class SlackChat:
    def __init__(
        self, fake: FakeSlack, slack: SlackClient, store: MemoryStore, clock: FakeClock
    ) -> None:
        self.fake, self.slack, self.store, self.clock = fake, slack, store, clock
        self.dispatcher: Dispatcher
        self.time: FakeTime
        self.engine: Engine
        self.base = ""  # the bot's own address
        self.replies: list[str] = []  # what forms showed in place once sent

    async def settle(self) -> None:
        await _deliver(self.dispatcher, self.time)

    async def later(self, days: float) -> None:
        await _later(self.engine, self.clock, days)
        await self.settle()

    async def request(self, who: str, answers: Answers) -> dict[str, str]:
        opened = len(self.fake.of("views.open"))
        status, _ = await self.slack.slash_command(slack_id(who))
        assert status == 200
        await self.fake.wait_for(lambda f: len(f.of("views.open")) > opened, "the form")
        view = self.fake.of("views.open")[-1].args["view"]
        result = await self._submit(who, view, answers)
        await self.settle()
        return result

    async def press(
        self, who: str, card: CardView, label: str, inputs: Answers | None = None
    ) -> dict[str, str]:
        button = slack_buttons(card.raw)[label]
        opened = len(self.fake.of("views.open"))
        status, _ = await self.slack.click(slack_id(who), button)
        assert status == 200
        result: dict[str, str] = {}
        if inputs is not None:  # the button opens a form (after Slack has its answer)
            await self.fake.wait_for(lambda f: len(f.of("views.open")) > opened, "the form")
            view = self.fake.of("views.open")[-1].args["view"]
            result = await self._submit(who, view, inputs or {})
        await self.settle()
        return result

    async def cards(self, who: str) -> list[CardView]:
        channel = "D" + slack_id(who)
        shown: dict[str, list[dict[str, Any]]] = {}
        posts = 0
        for call in self.fake.calls:
            if call.method == "chat.postMessage":
                posts += 1
                if call.args["channel"] == slack_id(who):
                    shown[f"1700.{posts}"] = call.args["blocks"]
            elif call.method == "chat.update" and call.args["channel"] == channel:
                shown[call.args["ts"]] = call.args["blocks"]
        return [
            CardView(slack_text(blocks), list(slack_buttons(blocks)), blocks)
            for blocks in shown.values()
        ]

    async def _submit(self, who: str, view: dict[str, Any], answers: Answers) -> dict[str, str]:
        given = {
            name: [slack_id(email) for email in value] if isinstance(value, list) else value
            for name, value in answers.items()
        }
        status, body = await self.slack.submit(slack_id(who), view, given)
        assert status == 200
        if not body:
            return {}
        answer = json.loads(body)
        if answer.get("response_action") == "update":
            self.replies.append(slack_text(answer["view"]["blocks"]))
        return dict(answer.get("errors", {})) if answer.get("response_action") == "errors" else {}


def teams_user(email: str, name: str) -> TeamsUser:
    local = email.split("@")[0].replace(".", "-")
    return TeamsUser(f"29:{local}", f"aad-{local}", name, email)


class TeamsChat:
    def __init__(
        self,
        connector: FakeConnector,
        teams: TeamsClient,
        store: MemoryStore,
        clock: FakeClock,
    ) -> None:
        self.connector, self.teams, self.store, self.clock = connector, teams, store, clock
        self.dispatcher: Dispatcher
        self.time: FakeTime
        self.engine: Engine

    def _user(self, email: str) -> TeamsUser:
        return next(u for u in self.connector.users.values() if u.email == email)

    async def settle(self) -> None:
        await _deliver(self.dispatcher, self.time)

    async def later(self, days: float) -> None:
        await _later(self.engine, self.clock, days)
        await self.settle()

    async def request(self, who: str, answers: Answers) -> dict[str, str]:
        user = self._user(who)
        before = len(self.connector.to(user))
        assert await self.teams.say(user, "request-page") == 201
        await self.connector.wait_for(lambda c: len(c.to(user)) > before, "the form")
        form = self.connector.to(user)[-1]
        send = actions(form.card)["Send request"]
        return await self._submit(user, send, answers, form.activity_id)

    async def press(
        self, who: str, card: CardView, label: str, inputs: Answers | None = None
    ) -> dict[str, str]:
        user = self._user(who)
        found = actions(card.raw)
        inner = [key for key in found if key.startswith(f"{label} > ")]
        action = found[inner[0]] if inner else found[label]
        # Teams sends what the form shows: its filled-in values, then what the person typed.
        shown = next(
            (a.get("card", {}) for a in card.raw.get("actions", []) if a["title"] == label), {}
        )
        filled = {
            element["id"]: element["value"]
            for element in shown.get("body", [])
            if element["type"].startswith("Input.") and element.get("value")
        }
        return await self._submit(user, action, {**filled, **(inputs or {})}, "")

    async def cards(self, who: str) -> list[CardView]:
        shown: dict[str, dict[str, Any]] = {}
        for sent in self.connector.to(self._user(who)):
            shown[sent.activity_id] = sent.card
        return [
            CardView(teams_text(card), [a["title"] for a in card.get("actions", [])], card, id)
            for id, card in shown.items()
        ]

    async def _submit(
        self, user: TeamsUser, action: dict[str, Any], answers: Answers, reply_to: str
    ) -> dict[str, str]:
        given = {name: as_text(value) for name, value in answers.items()}
        before = len(self.connector.sent)
        assert await self.teams.submit(user, action, given, reply_to=reply_to) == 201
        await self.settle()
        errors = {}
        for sent in self.connector.sent[before:]:
            if sent.conversation != user.conversation:
                continue
            for element in sent.card.get("body", []):
                if is_attention(element):
                    errors[plain(element)] = plain(element)
        return errors


@asynccontextmanager
async def slack_chat(
    config: DistrictConfig, store: Store | None = None
) -> AsyncIterator[SlackChat]:
    """Slack for `config`, on `store` (in memory unless given)."""
    users = [SlackUser(slack_id(p.email), p.email, p.name, p.title) for p in config.people]
    fake = FakeSlack(users=users)
    await fake.start()
    store, clock = store or MemoryStore(), FakeClock()
    environment = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_TEAM_ID": "T1",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
    }
    built = await build(settings_from(environment), config=config, store=store, clock=clock)
    pagekeeper, dispatcher, time = await _quiet(built)
    server = TestServer(make_app(pagekeeper))
    await server.start_server()
    slack = SlackClient(str(server.make_url("/slack/events")), fake)
    chat = SlackChat(fake, slack, store, clock)  # type: ignore[arg-type]
    chat.dispatcher, chat.time, chat.engine = dispatcher, time, pagekeeper.engine
    chat.base = str(server.make_url("/"))
    try:
        yield chat
    finally:
        await slack.close()
        await server.close()
        await fake.close()


@asynccontextmanager
async def teams_chat(
    config: DistrictConfig, store: Store | None = None
) -> AsyncIterator[TeamsChat]:
    """Teams for `config`, on `store` (in memory unless given)."""
    users = {p.email: teams_user(p.email, p.name) for p in config.people}
    connector = FakeConnector(users={u.aad: u for u in users.values()})
    await connector.start()
    store, clock = store or MemoryStore(), FakeClock()
    built = await build(Settings(), config=config, store=store, clock=clock, adapters=TEAMS_ONLY)
    pagekeeper, dispatcher, time = await _quiet(built)
    server = TestServer(make_app(pagekeeper))
    await server.start_server()
    teams = TeamsClient(str(server.make_url("/api/messages")), connector)
    chat = TeamsChat(connector, teams, store, clock)
    chat.dispatcher, chat.time, chat.engine = dispatcher, time, pagekeeper.engine
    for user in users.values():  # everyone has installed the app
        assert await teams.install(user) == 201
    try:
        yield chat
    finally:
        await teams.close()
        await server.close()
        await connector.close()


@asynccontextmanager
async def chat_on(platform: str, config: DistrictConfig) -> AsyncIterator[Chat]:
    if platform == "playground":
        async with playground_chat(config) as playground:
            yield playground
        return
    opened = slack_chat(config) if platform == "slack" else teams_chat(config)
    async with opened as chat:
        yield chat


def latest(cards: list[CardView], containing: str) -> CardView:
    """The newest card whose text contains `containing`."""
    found = [card for card in cards if containing in card.text]
    assert found, f"no card says {containing!r}; the cards say: {[c.text[:80] for c in cards]}"
    return found[-1]
