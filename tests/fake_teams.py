"""A local fake Bot Framework connector (the activities' serviceUrl), and a Teams client.

The bot's real botbuilder SDK calls this server over HTTP; tests read what it received.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer

from adapters.teams.plug import ADAPTER as TEAMS

WAIT_SECONDS = 5
BOT = {"id": "28:pagekeeper", "name": "Pagekeeper"}


@dataclass(frozen=True)
class TeamsUser:
    id: str
    aad: str
    name: str
    email: str
    tenant: str = "t1"

    @property
    def conversation(self) -> str:
        return f"a:personal-{self.aad}"


USERS = {
    user.aad: user
    for user in [
        TeamsUser("29:tom", "aad-tom", "Tom Baker", "Tom.Baker@example.org"),
        TeamsUser("29:grace", "aad-grace", "Grace Hopper", "grace.hopper@example.org"),
        TeamsUser("29:ana", "aad-ana", "Ana Ruiz", "ana.ruiz@example.org"),
        TeamsUser("29:dana", "aad-dana", "Dana Whitfield", "dana.whitfield@example.org"),
        TeamsUser("29:stranger", "aad-stranger", "Someone Else", "someone.else@example.org"),
    ]
}
TOM, GRACE, ANA, DANA, STRANGER = USERS.values()


@dataclass
class Sent:
    """An activity the bot sent (POST) or replaced (PUT) in a conversation."""

    verb: str
    conversation: str
    activity_id: str
    body: dict[str, Any]

    @property
    def card(self) -> dict[str, Any]:
        return dict(self.body["attachments"][0]["content"])


@dataclass
class FakeConnector:
    users: dict[str, TeamsUser] = field(default_factory=lambda: dict(USERS))
    sent: list[Sent] = field(default_factory=list)
    member_lookups: int = 0
    failures: list[int] = field(default_factory=list)
    # The next message posted to a conversation here is answered with its status (413: the
    # message is too large), as Teams refuses a message it cannot take.
    refusing: dict[str, int] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    server: TestServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/"))

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation}/activities", self._post)
        app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", self._post)
        app.router.add_put("/v3/conversations/{conversation}/activities/{activity}", self._put)
        app.router.add_get("/v3/conversations/{conversation}/members/{member}", self._member)
        self.server = TestServer(app)
        await self.server.start_server()

    async def close(self) -> None:
        if self.server:
            await self.server.close()

    def to(self, user: TeamsUser) -> list[Sent]:
        return [s for s in self.sent if s.conversation == user.conversation]

    async def wait_for(self, condition: Callable[[FakeConnector], bool], what: str) -> None:
        async def satisfied() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: condition(self))

        try:
            await asyncio.wait_for(satisfied(), WAIT_SECONDS)
        except TimeoutError:
            seen = [(s.verb, s.conversation, plain(s.card.get("body", [{}])[0])) for s in self.sent]
            raise AssertionError(f"the connector never saw {what}; it saw {seen}") from None

    async def _record(self, sent: Sent) -> None:
        async with self._changed:
            self.sent.append(sent)
            self._changed.notify_all()

    async def _post(self, request: web.Request) -> web.Response:
        refused = self.refusing.pop(request.match_info["conversation"], None)
        if refused is not None:
            await request.read()
            error = {"code": "MessageSizeTooBig", "message": "Message size too big"}
            return web.json_response({"error": error}, status=refused)
        if self.failures:
            return web.json_response(
                {"error": {"code": "throttled"}},
                status=self.failures.pop(0),
                headers={"Retry-After": "0"},
            )
        activity_id = f"act-{next(self._ids)}"
        await self._record(
            Sent("POST", request.match_info["conversation"], activity_id, await request.json())
        )
        return web.json_response({"id": activity_id})

    async def _put(self, request: web.Request) -> web.Response:
        activity_id = request.match_info["activity"]
        await self._record(
            Sent("PUT", request.match_info["conversation"], activity_id, await request.json())
        )
        return web.json_response({"id": activity_id})

    async def _member(self, request: web.Request) -> web.Response:
        self.member_lookups += 1
        member = next(
            (u for u in self.users.values() if u.id == request.match_info["member"]), None
        )
        if member is None:
            return web.json_response({"error": {"code": "MemberNotFound"}}, status=404)
        return web.json_response(
            {
                "id": member.id,
                "name": member.name,
                "aadObjectId": member.aad,
                "email": member.email,
                "userPrincipalName": member.email,
            }
        )


class TeamsClient:
    """Posts activities to the bot the way Teams does."""

    def __init__(self, url: str, connector: FakeConnector) -> None:
        self.url = url
        self.connector = connector
        self.session = ClientSession()
        self._ids = itertools.count(1)

    async def close(self) -> None:
        await self.session.close()

    def activity(self, user: TeamsUser, kind: str, **extra: Any) -> dict[str, Any]:
        return {
            "type": kind,
            "id": f"in-{next(self._ids)}",
            "channelId": "msteams",
            "serviceUrl": self.connector.url,
            "from": {"id": user.id, "name": user.name, "aadObjectId": user.aad},
            "recipient": BOT,
            "conversation": {
                "id": user.conversation,
                "conversationType": "personal",
                "tenantId": user.tenant,
            },
            "channelData": {"tenant": {"id": user.tenant}},
            **extra,
        }

    async def post(self, body: Any, **headers: str) -> int:
        async with self.session.post(self.url, json=body, headers=headers) as response:
            return response.status

    async def install(self, user: TeamsUser) -> int:
        added = [{"id": BOT["id"]}, {"id": user.id}]
        return await self.post(self.activity(user, "conversationUpdate", membersAdded=added))

    async def search(self, user: TeamsUser, choice: dict[str, Any], typed: str) -> tuple[int, Any]:
        """Type into a searched Input.ChoiceSet: Teams' `application/search` invoke."""
        value = {
            "queryText": typed,
            "dataset": choice["choices.data"]["dataset"],
            "queryOptions": {"skip": 0, "top": 15},
        }
        body = self.activity(user, "invoke", name="application/search", value=value)
        async with self.session.post(self.url, json=body) as response:
            return response.status, await response.json()

    async def say(self, user: TeamsUser, text: str) -> int:
        return await self.post(self.activity(user, "message", text=text))

    async def submit(
        self, user: TeamsUser, action: dict[str, Any], inputs: dict[str, str], reply_to: str = ""
    ) -> int:
        """Press an Action.Submit the bot rendered: its data plus the card's input values."""
        value = {**action["data"], **inputs}
        return await self.post(self.activity(user, "message", value=value, replyToId=reply_to))


def actions(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A card's actions by title, including submit buttons inside shown cards."""
    found = {}
    for action in card.get("actions", []):
        found[action["title"]] = action
        for inner in action.get("card", {}).get("actions", []):
            found[f"{action['title']} > {inner['title']}"] = inner
    return found


def text_of(card: dict[str, Any]) -> str:
    return "\n".join(plain(element) for element in card.get("body", []))


def plain(element: dict[str, Any]) -> str:
    """What a person reads in one element of a card (a text, a code block, a fact)."""
    if element.get("type") == "RichTextBlock":
        return "".join(run.get("text", "") for run in element.get("inlines", []))
    parts = [element.get("text", "") or element.get("codeSnippet", "")]
    parts.extend(f"{fact['title']}: {fact['value']}" for fact in element.get("facts", []))
    return "\n".join(parts)


def is_attention(element: dict[str, Any]) -> bool:
    """A text shown as a problem (red)."""
    runs = element.get("inlines", [element])
    return any(run.get("color") == "Attention" for run in runs)


def input_ids(card: dict[str, Any]) -> list[str]:
    return [
        element["id"] for element in card.get("body", []) if element["type"].startswith("Input.")
    ]


# Local mode normally hands messages Teams cannot deliver to the playground; tests that look
# at Teams alone build the bot with Teams as its only adapter (`build(..., adapters=TEAMS_ONLY)`).
TEAMS_ONLY = (TEAMS,)
