"""The whole request-to-active-page flow, 1,000 times, through Slack HTTP with 50 users.

Starts a fake Slack Web API (in this process) and `python -m bot` (TinyDB storage) in its own
process. Each of 50 concurrent users repeatedly runs the flow: /request-page, submit the form,
the principal clicks Approve, the owner clicks "Confirm page is live" and submits the address.
Prints flows per second, p50/p99 of every HTTP acknowledgement by kind, and the server's worst
event-loop lag and peak memory (from /healthz).

Run: .venv/bin/python benchmarks/flow.py [--flows N] [--users N]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, web
from common import free_port, percentile, wait_until_listening
from slack_sdk.signature import SignatureVerifier

ROOT = Path(__file__).resolve().parent.parent
SECRET = "flow-signing-secret"
PURPOSE = "Share classroom news and homework reminders with families."


class FakeSlack:
    """Records the views and messages the bot sends, and tells waiting users when theirs come."""

    def __init__(self) -> None:
        self.views: dict[str, dict[str, Any]] = {}
        self.messages: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
        self.arrived = asyncio.Condition()
        self.ts = itertools.count(1)

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            args.update(await request.json())
        elif request.can_read_body:
            args.update(await request.post())
        if method == "auth.test":
            return web.json_response({"ok": True, "user_id": "UBOT", "team_id": "T1"})
        if method == "users.info":
            user = str(args["user"])
            email = f"{user.lower()}@example.org"
            profile = {"email": email, "real_name": user, "title": "Teacher"}
            return web.json_response({"ok": True, "user": {"id": user, "profile": profile}})
        if method == "users.lookupByEmail":
            user = str(args["email"]).split("@")[0].upper()
            return web.json_response({"ok": True, "user": {"id": user}})
        async with self.arrived:
            if method == "views.open":
                view = args["view"] if isinstance(args["view"], dict) else json.loads(args["view"])
                self.views[str(args["trigger_id"])] = view
            elif method == "chat.postMessage":
                self.messages[str(args["channel"])].append(args)
            self.arrived.notify_all()
        ts = f"1.{next(self.ts)}"
        return web.json_response(
            {"ok": True, "channel": f"D{args.get('channel', '')}", "ts": ts, "view": {"id": "V"}}
        )

    async def wait(self, test: Any) -> Any:
        async with self.arrived:
            await asyncio.wait_for(self.arrived.wait_for(test), 60)
            return test()


def button(message: dict[str, Any], label: str) -> dict[str, Any]:
    for block in message["blocks"]:
        for element in block.get("elements", []):
            if element.get("type") == "button" and element["text"]["text"] == label:
                return dict(element)
    raise KeyError(label)


def fill(view: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    state: dict[str, Any] = {}
    for block in view["blocks"]:
        if block.get("type") != "input":
            continue
        element, answer = block["element"], answers.get(block["block_id"])
        kind = element["type"]
        if kind in ("plain_text_input", "url_text_input"):
            value: dict[str, Any] = {"value": answer}
        elif kind == "static_select":
            value = {"selected_option": {"value": answer} if answer else None}
        elif kind == "multi_users_select":
            value = {"selected_users": []}
        else:
            value = {"selected_options": element["options"] if answer else []}
        state[block["block_id"]] = {element["action_id"]: {"type": kind, **value}}
    return state


class User:
    def __init__(
        self,
        session: ClientSession,
        url: str,
        fake: FakeSlack,
        index: int,
        acks: dict[str, list[float]],
    ) -> None:
        self.session, self.url, self.fake, self.acks = session, url, fake, acks
        self.user, self.school, self.principal = (
            f"U{index:03d}",
            f"school-{index:03d}",
            f"P{index:03d}",
        )
        self.verifier = SignatureVerifier(SECRET)

    async def post(self, kind: str, body: str) -> str:
        stamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": self.verifier.generate_signature(timestamp=stamp, body=body) or "",
        }
        started = time.perf_counter()
        async with self.session.post(self.url, data=body, headers=headers) as answer:
            text = await answer.text()
            assert answer.status == 200, (kind, answer.status, text)
        self.acks[kind].append(time.perf_counter() - started)
        return text

    async def interact(self, kind: str, user: str, payload: dict[str, Any]) -> str:
        payload = {"team": {"id": "T1"}, "user": {"id": user}, "api_app_id": "A1", **payload}
        return await self.post(kind, urllib.parse.urlencode({"payload": json.dumps(payload)}))

    async def click(self, kind: str, user: str, element: dict[str, Any], trigger: str) -> None:
        action = {
            "type": "button",
            "action_id": element["action_id"],
            "block_id": "b",
            "value": element["value"],
            "action_ts": "1",
        }
        await self.interact(
            kind,
            user,
            {
                "type": "block_actions",
                "trigger_id": trigger,
                "actions": [action],
                "container": {"type": "message"},
            },
        )

    async def flow(self, number: int) -> None:
        name, trigger = f"Room {number}", f"t-{number}"
        form = {
            "command": "/request-page",
            "text": "",
            "user_id": self.user,
            "team_id": "T1",
            "trigger_id": trigger,
        }
        await self.post("slash command", urllib.parse.urlencode(form))
        view = await self.fake.wait(lambda: self.fake.views.get(trigger))
        answers = {
            "kind": "classroom",
            "school": self.school,
            "platform": "facebook",
            "page_name": name,
            "purpose": PURPOSE,
            "audience": "Families",
            "acknowledged": True,
        }
        submitted = {**view, "id": "V", "state": {"values": fill(view, answers)}}
        assert (
            await self.interact(
                "form submission", self.user, {"type": "view_submission", "view": submitted}
            )
            == ""
        )

        def card() -> dict[str, Any] | None:
            return next(
                (
                    m
                    for m in self.fake.messages[self.principal]
                    if m["blocks"][0]["text"]["text"].endswith(f": {name}")
                ),
                None,
            )

        approval = await self.fake.wait(card)
        await self.click(
            "approve click", self.principal, button(approval, "Approve"), f"a-{number}"
        )

        def setup() -> dict[str, Any] | None:
            return next(
                (
                    m
                    for m in self.fake.messages[self.user]
                    if m["blocks"][0]["text"]["text"] == f"Approved: set up {name}"
                ),
                None,
            )

        instructions = await self.fake.wait(setup)
        await self.click(
            "confirm-live click",
            self.user,
            button(instructions, "Confirm page is live"),
            f"c-{number}",
        )
        live_form = await self.fake.wait(lambda: self.fake.views.get(f"c-{number}"))
        live = {
            **live_form,
            "id": "V",
            "state": {
                "values": fill(
                    live_form,
                    {"url": f"https://facebook.com/room{number}", "notices_displayed": True},
                )
            },
        }
        answer = await self.interact(
            "live submission", self.user, {"type": "view_submission", "view": live}
        )
        assert answer == "", answer


async def main(flows: int, users: int) -> None:
    fake = FakeSlack()
    app = web.Application()
    app.router.add_route("*", "/api/{method}", fake.api)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    api_port = free_port()
    await web.TCPSite(runner, "127.0.0.1", api_port).start()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="pagekeeper-flow-") as data:
        district = Path(data) / "district.toml"
        district.write_text(district_with_schools(users))
        env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
        env.update(
            SLACK_BOT_TOKEN="xoxb-flow",
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=f"http://127.0.0.1:{api_port}/api/",
            PAGEKEEPER_DATA=str(Path(data) / "store"),
            PAGEKEEPER_CONFIG=str(district),
        )
        server = start_server(port, env)
        try:
            await wait_until_listening(port)
            acks: dict[str, list[float]] = collections.defaultdict(list)
            numbers = itertools.count()
            async with ClientSession() as session:
                url = f"http://127.0.0.1:{port}/slack/events"

                async def worker(index: int) -> None:
                    user = User(session, url, fake, index, acks)
                    while (number := next(numbers)) < flows:
                        await user.flow(number)

                # Warm up: every user runs one flow before anything is measured.
                await asyncio.gather(
                    *(User(session, url, fake, i, acks).flow(10**6 + i) for i in range(users))
                )
                acks.clear()
                began = time.perf_counter()
                await asyncio.gather(*(worker(index) for index in range(users)))
                elapsed = time.perf_counter() - began
                async with session.get(f"http://127.0.0.1:{port}/healthz") as health:
                    vitals = await health.json()
        finally:
            server.terminate()
            server.wait()
    await runner.cleanup()
    every = [value for values in acks.values() for value in values]
    print(f"{flows} request-to-active-page flows, {users} concurrent users, Slack over HTTP")
    print(f"flows per second: {flows / elapsed:.1f} ({elapsed:.1f} s)")
    print(f"{'acknowledgement':22} {'count':>6} {'p50 ms':>8} {'p99 ms':>8}")
    for kind, values in [*acks.items(), ("every ack", every)]:
        p50, p99 = statistics.median(values) * 1000, percentile(values, 99) * 1000
        print(f"{kind:22} {len(values):6d} {p50:8.1f} {p99:8.1f}")
    lag, memory = vitals["loop_lag_max_ms"], vitals["peak_memory_mb"]
    p99 = percentile(every, 99) * 1000
    print(f"server event loop max lag (last minute): {lag:.1f} ms; peak memory: {memory:.1f} MB")
    met = p99 < 100 and lag < 10 and memory < 200
    verdict = "meets" if met else "MISSES"
    print(f"{verdict} the targets: every ack p99 < 100 ms, loop lag < 10 ms, memory < 200 MB")


def district_with_schools(count: int) -> str:
    """The example district with one school and principal per user, so no principal's chat
    becomes the bottleneck (Slack allows about one message a second per conversation)."""
    text = (ROOT / "workflows" / "example_district.toml").read_text()
    extra = []
    for index in range(count):
        extra.append(
            f'[[people]]\nemail = "p{index:03d}@example.org"\nname = "Principal {index}"\n'
            f'title = "Principal"\n\n[[schools]]\nid = "school-{index:03d}"\n'
            f'name = "School {index}"\nprincipals = ["p{index:03d}@example.org"]\n'
        )
    first_kind = text.index("[page_kinds.")
    return text[:first_kind] + "\n".join(extra) + "\n" + text[first_kind:]


def start_server(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "bot", "--port", str(port)]
    return subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flows", type=int, default=1000)
    parser.add_argument("--users", type=int, default=50)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.flows, arguments.users))
