"""A local fake of the Slack Web API, and a signed-request client for the bot's Slack endpoint.

The bot's real slack_sdk client talks to this server over HTTP; tests read what it received.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientSession, WSMsgType, web
from aiohttp.test_utils import TestServer
from slack_sdk.signature import SignatureVerifier

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"
WAIT_SECONDS = 5


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    via: str = ""  # which bot process called, when each is given its own api_url_for()


@dataclass
class SlackUser:
    id: str
    email: str
    name: str
    title: str = ""


USERS = [
    SlackUser("UTOM", "tom.baker@example.org", "Tom Baker", "Teacher (Slack title)"),
    SlackUser("UGRACE", "grace.hopper@example.org", "Grace Hopper"),
    SlackUser("UANA", "ana.ruiz@example.org", "Ana Ruiz"),
    SlackUser("UMARIA", "maria.lopez@example.org", "Maria Lopez"),
    SlackUser("UJAMES", "james.chen@example.org", "James Chen"),
    SlackUser("UDANA", "dana.whitfield@example.org", "Dana Whitfield"),
    SlackUser("UROBERT", "robert.kim@example.org", "Robert Kim"),
    SlackUser("USTRANGER", "someone.else@example.org", "Someone Else", "Librarian"),
]


@dataclass
class Failure:
    status: int
    headers: dict[str, str]
    times: int
    error: str = "ratelimited"
    channel: str = ""  # only calls to this channel fail, when set


@dataclass
class FakeSlack:
    """Answers Web API methods like Slack does and records every call, in order."""

    users: list[SlackUser] = field(default_factory=lambda: list(USERS))
    calls: list[Call] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    failures: dict[str, Failure] = field(default_factory=dict)
    held: dict[str, asyncio.Event] = field(default_factory=dict)
    refused_calls: int = 0
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    server: TestServer | None = None
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    socket_acks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def api_url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/api/"))

    def api_url_for(self, caller: str) -> str:
        """A Web API address that records `caller` on each call, to tell processes apart."""
        assert self.server is not None
        return str(self.server.make_url(f"/via/{caller}/api/"))

    def response_url(self, name: str) -> str:
        assert self.server is not None
        return str(self.server.make_url(f"/respond/{name}"))

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_route("*", "/via/{via}/api/{method}", self._api)
        app.router.add_post("/respond/{name}", self._respond)
        app.router.add_get("/socket", self._socket)
        self.server = TestServer(app)
        await self.server.start_server()

    async def close(self) -> None:
        if self.server:
            await self.server.close()

    def fail(
        self,
        method: str,
        status: int,
        times: int = 1,
        *,
        error: str = "ratelimited",
        channel: str = "",
        **headers: str,
    ) -> None:
        """Answer the next `times` calls of `method` (to `channel`, when given) with `error`
        and an HTTP status: 429 or 500 for an outage, 200 for Slack refusing the call itself
        (`invalid_blocks`), as Slack does."""
        self.failures[method] = Failure(status, headers, times, error, channel)

    def hold(self, method: str) -> asyncio.Event:
        """Calls of `method` are recorded, then not answered until the event returned is set."""
        self.held[method] = asyncio.Event()
        return self.held[method]

    def of(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def messages_to(self, user_id: str) -> list[Call]:
        return [c for c in self.of("chat.postMessage") if c.args.get("channel") == user_id]

    async def wait_for(
        self, condition: Callable[[FakeSlack], bool], what: str, seconds: float = WAIT_SECONDS
    ) -> None:
        """Wait until the bot's calls satisfy `condition` (the bot works after it acks)."""

        async def satisfied() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: condition(self))

        try:
            await asyncio.wait_for(satisfied(), seconds)
        except TimeoutError:
            seen = [call.method for call in self.calls]
            raise AssertionError(f"Slack never saw {what}; calls were {seen}") from None

    async def _record(self, call: Call | dict[str, Any]) -> None:
        async with self._changed:
            if isinstance(call, Call):
                self.calls.append(call)
            else:
                self.responses.append(call)
            self._changed.notify_all()

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await _arguments(request)
        failure = self.failures.get(method)
        if failure and failure.times > 0 and failure.channel in ("", args.get("channel")):
            failure.times -= 1
            async with self._changed:
                self.refused_calls += 1
                self._changed.notify_all()
            return web.json_response(
                {"ok": False, "error": failure.error},
                status=failure.status,
                headers=failure.headers,
            )
        token = APP_TOKEN if method == "apps.connections.open" else BOT_TOKEN
        if request.headers.get("Authorization") != f"Bearer {token}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        await self._record(Call(method, args, request.match_info.get("via", "")))
        if method in self.held:
            await self.held[method].wait()
        return web.json_response(self._answer(method, args))

    async def send_envelope(self, envelope: dict[str, Any]) -> None:
        """Push a Socket Mode envelope to the connected bot."""
        await self.sockets[-1].send_json(envelope)

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        await socket.send_json({"type": "hello", "num_connections": 1})
        async with self._changed:
            self.sockets.append(socket)
            self._changed.notify_all()
        async for message in socket:
            if message.type == WSMsgType.TEXT:
                async with self._changed:
                    self.socket_acks.append(json.loads(message.data))
                    self._changed.notify_all()
        return socket

    async def _respond(self, request: web.Request) -> web.Response:
        await self._record({"name": request.match_info["name"], **(await request.json())})
        return web.Response(text="ok")

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "user_id": "UBOT",
                "bot_id": "BBOT",
                "team_id": "T1",
                "team": "District",
            }
        if method == "users.info":
            user = next((u for u in self.users if u.id == args.get("user")), None)
            if user is None:
                return {"ok": False, "error": "user_not_found"}
            profile = {"email": user.email, "real_name": user.name, "title": user.title}
            return {"ok": True, "user": {"id": user.id, "name": user.name, "profile": profile}}
        if method == "users.lookupByEmail":
            user = next((u for u in self.users if u.email == args.get("email")), None)
            if user is None:
                return {"ok": False, "error": "users_not_found"}
            return {"ok": True, "user": {"id": user.id}}
        if method == "chat.postMessage":
            return {
                "ok": True,
                "channel": "D" + str(args["channel"]),
                "ts": f"1700.{next(self._ts)}",
            }
        if method == "apps.connections.open":
            assert self.server is not None
            return {
                "ok": True,
                "url": str(self.server.make_url("/socket")).replace("http", "ws", 1),
            }
        if method == "chat.update":
            return {"ok": True, "channel": args["channel"], "ts": args["ts"]}
        if method in ("views.open", "views.publish", "views.update"):
            return {"ok": True, "view": {"id": "V1", **_decoded(args.get("view", {}))}}
        return {"ok": True}


async def _arguments(request: web.Request) -> dict[str, Any]:
    args: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        args.update(await request.json())
    elif request.can_read_body:
        args.update(dict(await request.post()))
    return {key: _decoded(value) for key, value in args.items()}


def _decoded(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


_WORKSPACE_IDS = itertools.count(1)


class SlackClient:
    """Sends what Slack would send to the bot, signed with the app's signing secret."""

    def __init__(self, url: str, fake: FakeSlack, secret: str = SIGNING_SECRET) -> None:
        self.url = url
        self.fake = fake
        self.secret = secret
        # Slack's trigger and event ids are unique across the workspace, so they are
        # shared by every client: two clients never send byte-identical requests.
        self._ids = _WORKSPACE_IDS
        self.session = ClientSession()

    async def close(self) -> None:
        await self.session.close()

    async def post(
        self, body: str, content_type: str, *, timestamp: int | None = None, **headers: str
    ) -> tuple[int, str]:
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        signature = SignatureVerifier(self.secret).generate_signature(timestamp=stamp, body=body)
        sent = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature or "",
            **headers,
        }
        async with self.session.post(self.url, data=body.encode(), headers=sent) as response:
            return response.status, await response.text()

    async def slash_command(
        self, user_id: str, command: str = "/request-page", *, team: str = "T1", **headers: str
    ) -> tuple[int, str]:
        form = {
            "command": command,
            "text": "",
            "user_id": user_id,
            "team_id": team,
            "channel_id": "C1",
            "trigger_id": f"trigger-{next(self._ids)}",
            "response_url": self.fake.response_url(f"command-{next(self._ids)}"),
        }
        body = urllib.parse.urlencode(form)
        return await self.post(body, "application/x-www-form-urlencoded", **headers)

    async def interact(self, payload: dict[str, Any], **headers: str) -> tuple[int, str]:
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded", **headers)

    async def click(
        self,
        user_id: str,
        button: dict[str, Any],
        *,
        in_home: bool = False,
        team: str = "T1",
        message_ts: str = "",
        **headers: str,
    ) -> tuple[int, str]:
        """Click a button element exactly as the bot rendered it, on the message `message_ts`
        (a message of its own unless given)."""
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": team},
            "user": {"id": user_id},
            "api_app_id": "A1",
            "trigger_id": f"trigger-{next(self._ids)}",
            "actions": [
                {
                    "type": "button",
                    "action_id": button["action_id"],
                    "block_id": "b",
                    "value": button.get("value", ""),
                    "action_ts": str(time.time()),
                }
            ],
        }
        if in_home:
            payload["view"] = {"id": "VHOME", "type": "home"}
            payload["container"] = {"type": "view", "view_id": "VHOME"}
        else:
            ts = message_ts or f"1700.{next(self._ids)}"
            payload["container"] = {"type": "message", "message_ts": ts}
            payload["channel"] = {"id": "D" + user_id}
            payload["response_url"] = self.fake.response_url(f"click-{next(self._ids)}")
        return await self.interact(payload, **headers)

    async def submit(
        self, user_id: str, view: dict[str, Any], answers: dict[str, Any]
    ) -> tuple[int, str]:
        """Submit a modal the bot opened, filling its inputs with `answers` by block id."""
        payload = {
            "type": "view_submission",
            "team": {"id": "T1"},
            "user": {"id": user_id},
            "api_app_id": "A1",
            "trigger_id": f"trigger-{next(self._ids)}",  # Slack's own, new on every submit
            "view": {**view, "id": "V1", "state": {"values": fill(view, answers)}},
        }
        return await self.interact(payload)

    async def suggest(
        self, user_id: str, view: dict[str, Any], action_id: str, typed: str
    ) -> tuple[int, str]:
        """Type into a searched picker of a modal the bot opened (a block_suggestion)."""
        payload = {
            "type": "block_suggestion",
            "team": {"id": "T1"},
            "user": {"id": user_id},
            "api_app_id": "A1",
            "action_id": action_id,
            "block_id": action_id,
            "value": typed,
            "view": {**view, "id": "V1"},
        }
        return await self.interact(payload)

    async def event(self, event: dict[str, Any], **headers: str) -> tuple[int, str]:
        body = {
            "type": "event_callback",
            "team_id": "T1",
            "api_app_id": "A1",
            "event": event,
            "event_id": f"Ev{next(self._ids)}",
            "event_time": int(time.time()),
        }
        return await self.post(json.dumps(body), "application/json", **headers)


def fill(view: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """View state as Slack builds it from what a person entered in each input."""
    state: dict[str, Any] = {}
    for block in view["blocks"]:
        if block.get("type") != "input":
            continue
        element = block["element"]
        answer = answers.get(block["block_id"])
        kind = element["type"]
        if kind in ("plain_text_input", "url_text_input", "number_input"):
            value = {"value": answer if answer is not None else element.get("initial_value")}
        elif kind == "datepicker":
            value = {"selected_date": answer if answer is not None else element.get("initial_date")}
        elif kind == "static_select":
            chosen = [o for o in element["options"] if o["value"] == answer]
            initial = element.get("initial_option") if answer is None else None
            value = {"selected_option": chosen[0] if chosen else initial}
        elif kind == "external_select":  # `answer` is an option the bot suggested
            value = {"selected_option": answer or element.get("initial_option")}
        elif kind == "multi_users_select":
            value = {
                "selected_users": answer if answer is not None else element.get("initial_users", [])
            }
        else:
            value = {"selected_options": element["options"] if answer else []}
        state[block["block_id"]] = {element["action_id"]: {"type": kind, **value}}
    return state


def buttons(blocks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The buttons in some blocks, by their label."""
    found = {}
    for block in blocks:
        for element in block.get("elements", []):
            if element.get("type") == "button":
                found[element["text"]["text"]] = element
    return found


def text_of(blocks: list[dict[str, Any]]) -> str:
    """Everything a person would read in some blocks, as one string."""
    parts = []
    for block in blocks:
        for key in ("text",):
            if isinstance(block.get(key), dict):
                parts.append(block[key]["text"])
        parts.extend(f["text"] for f in block.get("fields", []))
        parts.extend(
            e.get("text", "") for e in block.get("elements", []) if isinstance(e.get("text"), str)
        )
    return "\n".join(parts)
