"""The story driver for the browser playground: the bot's own endpoints, and its HTML read the
way a person reads it (the card's words, its buttons, the forms behind them)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from bot.bootstrap import build
from bot.config import Settings
from bot.web import make_app
from storage.memory import MemoryStore
from tests.fakes import FakeClock
from workflows.district.config import DistrictConfig

Answers = dict[str, Any]


@dataclass
class Control:
    """A button as the playground shows it: acting at once, or opening a form."""

    action: str
    value: str
    initial: dict[str, str] = field(default_factory=dict)


@dataclass
class PlaygroundCard:
    text: str
    buttons: list[str]
    raw: dict[str, Control]


class _Reader(HTMLParser):
    """Words outside the buttons, each button's label and action, and each form's filled-in
    values (the inputs' values, the chosen options, the text areas)."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self.controls: dict[str, Control] = {}
        self._in_actions = 0
        self._label: list[str] | None = None
        self._button: dict[str, str] | None = None
        self._form: Control | None = None
        self._select = ""
        self._textarea = ""
        self._summary = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "div" and found.get("class") == "actions":
            self._in_actions = 1
        elif tag == "div" and self._in_actions:
            self._in_actions += 1
        elif tag in ("summary", "button") and self._in_actions and self._form is None:
            self._label, self._button = [], found
        elif tag == "form" and self._in_actions:
            self._form = Control(found["data-action"], found.get("data-value", ""))
            self.controls[self._summary] = self._form
        elif self._form is not None:
            self._field(tag, found)

    def _field(self, tag: str, found: dict[str, str]) -> None:
        assert self._form is not None
        if tag == "input" and found.get("type") != "checkbox" and found.get("value"):
            self._form.initial[found["name"]] = found["value"]
        elif tag == "select":
            self._select = found["name"]
        elif tag == "option" and "selected" in found and found.get("value"):
            self._form.initial[self._select] = found["value"]
        elif tag == "textarea":
            self._textarea = found["name"]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("summary", "button") and self._label is not None:
            label = " ".join("".join(self._label).split())
            if tag == "button" and self._button and "data-action" in self._button:
                self.controls[label] = Control(
                    self._button["data-action"], self._button.get("data-value", "")
                )
            self._summary, self._label, self._button = label, None, None
        elif tag == "form" and self._form is not None:
            self._form = None
        elif tag == "textarea":
            self._textarea = ""
        elif tag == "div" and self._in_actions:
            self._in_actions -= 1

    def handle_data(self, data: str) -> None:
        if self._label is not None:
            self._label.append(data)
        elif self._textarea and self._form is not None:
            self._form.initial[self._textarea] = data
        elif not self._in_actions:
            self.words.append(data)


def read_card(html: str) -> PlaygroundCard:
    reader = _Reader()
    reader.feed(html)
    return PlaygroundCard(" ".join(reader.words), list(reader.controls), reader.controls)


class PlaygroundChat:
    def __init__(self, session: ClientSession, base: str, store: MemoryStore, clock: FakeClock):
        self.session, self.base, self.store, self.clock = session, base, store, clock

    async def settle(self) -> None:
        """The playground delivers before it answers: nothing is left to wait for."""

    async def later(self, days: float) -> None:
        async with self.session.post(self.base + "playground/clock", json={"days": days}) as answer:
            assert answer.status == 200, await answer.text()

    async def request(self, who: str, answers: Answers) -> dict[str, str]:
        said = {"as": who, "text": "/request-page"}
        async with self.session.post(self.base + "playground/say", json=said) as answer:
            assert answer.status == 200
        return await self._act(who, Control("request_page", ""), answers)

    async def press(
        self, who: str, card: Any, label: str, inputs: Answers | None = None
    ) -> dict[str, str]:
        control = card.raw[label]
        return await self._act(who, control, {**control.initial, **(inputs or {})})

    async def cards(self, who: str) -> list[PlaygroundCard]:
        async with self.session.get(
            self.base + "playground/conversation", params={"as": who}
        ) as answer:
            entries = (await answer.json())["entries"]
        return [read_card(entry["html"]) for entry in entries if not entry["mine"]]

    async def _act(self, who: str, control: Control, answers: Answers) -> dict[str, str]:
        values = {name: as_text(value) for name, value in answers.items()}
        act = {"as": who, "action": control.action, "value": control.value, "values": values}
        async with self.session.post(self.base + "playground/act", json=act) as answer:
            body = await answer.json()
        return dict(body.get("errors", {}))


def as_text(value: Any) -> str:
    """A story's answer as a surface that sends only text sends it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(value)
    return str(value)


@asynccontextmanager
async def playground_chat(config: DistrictConfig) -> AsyncIterator[PlaygroundChat]:
    store, clock = MemoryStore(), FakeClock()
    pagekeeper = await build(Settings(), config=config, store=store, clock=clock)
    server = TestServer(make_app(pagekeeper))
    await server.start_server()
    try:
        async with ClientSession() as session:
            yield PlaygroundChat(session, str(server.make_url("/")), store, clock)
    finally:
        await server.close()
