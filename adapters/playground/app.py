"""The local playground: try the whole product in a browser, as any person of the district.

Served only in local mode (no Slack or Teams credentials, loopback only). It translates the
page's requests into engine commands and shows each person's conversation; no rule lives here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from html import escape
from importlib import resources
from typing import Any

from aiohttp import web

from adapters.html import tag
from adapters.playground.messenger import Conversations
from adapters.playground.render import form_html
from workflows.conversation.slash_commands import answer
from workflows.conversation.submissions import UnknownAction, command_for, from_text
from workflows.conversation.wording import when
from workflows.district.config import DistrictConfig
from workflows.district.working_time import closed_because, next_working_moment
from workflows.engine import Engine
from workflows.kernel.commands import RunReminders
from workflows.kernel.model import Person

# Read once at import, not from disk on the event loop at every visit.
PAGE = resources.files("adapters.playground").joinpath("static/index.html").read_text("utf-8")


LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
Handler = Callable[[web.Request], Awaitable[web.Response]]


def loopback_only(handler: Handler) -> Handler:
    """Refuse a request addressed to any name but the loopback's (a DNS name rebound to this
    machine) or sent from a page of another site (its Origin): either could drive the
    playground from a browser that merely visits a web page."""

    async def guarded(request: web.Request) -> web.Response:
        origin = request.headers.get("Origin")
        if not _loopback(request.host) or (origin is not None and not _loopback_origin(origin)):
            return web.Response(
                status=403, text="The playground answers only pages on this machine."
            )
        return await handler(request)

    return guarded


def _loopback(host: str) -> bool:
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return name.lower() in LOOPBACK_NAMES


def _loopback_origin(origin: str) -> bool:
    scheme, _, rest = origin.partition("://")
    return scheme == "http" and _loopback(rest)


@dataclass
class Playground:
    engine: Engine
    conversations: Conversations
    deliver: Callable[[], Awaitable[object]]
    advance_clock: Callable[[float], None]

    @property
    def config(self) -> DistrictConfig:
        return self.engine.context.config

    def routes(self) -> tuple[web.AbstractRouteDef, ...]:
        static = resources.files("adapters.playground").joinpath("static")
        return (
            web.get("/", loopback_only(self.page)),
            web.get("/playground/people", loopback_only(self.people)),
            web.get("/playground/conversation", loopback_only(self.conversation)),
            web.post("/playground/say", loopback_only(self.say)),
            web.post("/playground/act", loopback_only(self.act)),
            web.post("/playground/clock", loopback_only(self.clock)),
            web.static("/playground/static", str(static)),
        )

    async def page(self, _: web.Request) -> web.Response:
        return web.Response(text=PAGE, content_type="text/html")

    async def people(self, _: web.Request) -> web.Response:
        return web.json_response(
            [{"email": p.email, "label": self._label(p)} for p in self.config.people]
        )

    async def conversation(self, request: web.Request) -> web.Response:
        person = self._person(request.query.get("as", ""))
        entries = [
            {"id": e.id, "html": e.html, "mine": e.mine}
            for e in self.conversations.of(person.email)
        ]
        return web.json_response({"entries": entries, "now": self._now()})

    async def say(self, request: web.Request) -> web.Response:
        body = await _json(request)
        person = self._person(str(body.get("as", "")))
        said = str(body.get("text", "")).strip()
        self.conversations.add(person.email, lambda _: tag("p", escape(said)), mine=True)
        reply = await answer(self.engine, person, said)
        form = reply.form
        if form is not None:
            self.conversations.add(person.email, lambda place: form_html(form, place))
        for card in reply.cards:
            self.conversations.reply(person.email, card)
        return web.json_response({"ok": True})

    async def act(self, request: web.Request) -> web.Response:
        body = await _json(request)
        person = self._person(str(body.get("as", "")))
        given = body.get("values")
        values: dict[str, object] = given if isinstance(given, dict) else {}
        try:
            command = command_for(
                str(body.get("action", "")), str(body.get("value", "")), person, from_text(values)
            )
        except UnknownAction:
            return web.json_response({"errors": {"": "This button no longer works."}}, status=400)
        outcome = await self.engine.handle(command)
        if outcome.errors:
            return web.json_response({"errors": {e.field: e.message for e in outcome.errors}})
        if outcome.reply is not None:
            self.conversations.reply(person.email, outcome.reply)
        await self.deliver()
        return web.json_response({"ok": True})

    async def clock(self, request: web.Request) -> web.Response:
        body = await _json(request)
        days = body.get("days")
        if not isinstance(days, int | float) or not 0 < days <= 31:
            return web.json_response({"error": "move the clock forward 1 to 31 days"}, status=400)
        self.advance_clock(float(days))
        # Reminders wait for working hours; rather than land on a Sunday, go on to Monday 8:00.
        now = self.engine.context.clock.now()
        opening = next_working_moment(self.config, now)
        if opening > now:
            self.advance_clock((opening - now).total_seconds() / 86400)
        while (await self.engine.handle(RunReminders())).more:
            await self.deliver()
        await self.deliver()
        return web.json_response({"now": self._now()})

    def _now(self) -> str:
        """The bot's clock as people read it, saying so when the school calendar is closed."""
        now = self.engine.context.clock.now()
        closed = closed_because(self.config, now)
        shown = when(self.config, now)
        return f"{shown} ({closed}: the district is closed)" if closed else shown

    def _person(self, email: str) -> Person:
        person = self.config.person(email)
        if person is None:
            raise web.HTTPBadRequest(text="Choose someone from the district's people.")
        return person

    def _label(self, person: Person) -> str:
        roles = []
        if person.email == self.config.superintendent:
            roles.append("Superintendent")
        if person.email in self.config.designees:
            roles.append("Superintendent's designee")
        if person.email == self.config.contact:
            roles.append("district contact")
        roles.extend(
            f"principal, {s.name}" for s in self.config.schools if person.email in s.principals
        )
        roles.extend(self.config.roles_held(person.email))
        role = f" ({'; '.join(roles)})" if roles else ""
        return f"{person.name}, {person.title or 'staff'}{role}"


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="expected JSON") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="expected a JSON object")
    return body
