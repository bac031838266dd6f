"""The whole request-to-active-page flow through Slack HTTP with 50 users, on each storage.

Starts a fake Slack Web API (in this process) and `python -m bot` in processes of their own,
three times in one run: TinyDB with one web process; PostgreSQL with one; PostgreSQL with two
(users spread over both, as a load balancer would). PostgreSQL is a throwaway server started
from Debian's binaries (scripts/ensure-postgres.sh), with fsync on. Each of 50 concurrent users
repeatedly runs the flow: /request-page, submit the form, the principal clicks Approve, the
owner clicks "Confirm page is live" and submits the address. Prints, per set-up, flows per
second, messages per second the bot sent Slack, p50/p99 of every HTTP acknowledgement by kind,
and each server's event-loop lag during the flows (its /metrics histogram: the share of
ticks within 10 ms, and how many went past 25 ms) and peak memory (from /healthz). The users
start over the first ARRIVALS seconds, as people do, not all in one millisecond: that case is
measured next on its own. Every user sends one request form at the same instant, five times
over (AT_ONCE_ROUNDS, each once the last is answered), and it prints the acknowledgements' p50
and p99 over all of them, and each round's slowest: one round's p99 would be its slowest of 50
alone, and varied by half between identical runs. Then each user sends 20 more request forms
back to back, and it prints how many forms per second were taken (and the event-loop lag
meanwhile): the flows are held to Slack's pace, the forms are not, so they show what storage
and processes give.

Run: .venv/bin/python benchmarks/flow.py [--flows N] [--users N] [--only tinydb|postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import itertools
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, web
from common import free_port, percentile, wait_until_listening
from prometheus_client.parser import text_string_to_metric_families
from slack_sdk.signature import SignatureVerifier

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.generated import (  # noqa: E402 - needs ROOT on the path
    allowing_many_requests,
    district_with_schools,
)
from tests.throwaway_postgres import ThrowawayPostgres  # noqa: E402

SECRET = "flow-signing-secret"
SUBMISSIONS_EACH = 20
AT_ONCE_ROUNDS = 5
PURPOSE = "Share classroom news and homework reminders with families."


class FakeSlack:
    """Records the views and messages the bot sends, and tells waiting users when theirs come."""

    def __init__(self) -> None:
        self.views: dict[str, dict[str, Any]] = {}
        # Messages by channel and title, and by channel and what follows the title's last
        # ": " (a page's name): a waiting user's test is one look-up, however many messages
        # came before. (Scanning each channel's list made the load generator's own work grow
        # with the run, on the cores the bot shares.)
        self.titled: dict[tuple[str, str], dict[str, Any]] = {}
        self.named: dict[tuple[str, str], dict[str, Any]] = {}
        self.sent = 0  # messages posted or updated
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
                channel, title = str(args["channel"]), args["blocks"][0]["text"]["text"]
                self.titled[channel, title] = self.named[channel, title.rpartition(": ")[2]] = args
            if method in ("chat.postMessage", "chat.update"):
                self.sent += 1
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


def interaction(user: str, payload: dict[str, Any]) -> str:
    """The form-encoded body Slack posts for an interaction of `user`'s."""
    payload = {"team": {"id": "T1"}, "user": {"id": user}, "api_app_id": "A1", **payload}
    return urllib.parse.urlencode({"payload": json.dumps(payload)})


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
            f"s{index:03d}",
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
        return await self.post(kind, interaction(user, payload))

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

    async def submit(self, kind: str, view: dict[str, Any], name: str) -> None:
        """Send the request form filled in for a page called `name`."""
        assert await self.post(kind, self.submission(view, name)) == ""

    def submission(self, view: dict[str, Any], name: str) -> str:
        """The body Slack posts when this user submits the request form for `name`."""
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
        return interaction(self.user, {"type": "view_submission", "view": submitted})

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
        await self.submit("form submission", view, name)

        approval = await self.fake.wait(lambda: self.fake.named.get((self.principal, name)))
        await self.click(
            "approve click", self.principal, button(approval, "Approve"), f"a-{number}"
        )

        setup = (self.user, f"Approved: set up {name}")
        instructions = await self.fake.wait(lambda: self.fake.titled.get(setup))
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


@dataclass(frozen=True)
class SetUp:
    name: str
    processes: int
    postgres: bool


@dataclass
class Result:
    set_up: SetUp
    flows_per_second: float
    messages_per_second: float
    submissions_per_second: float
    acks: dict[str, list[float]]
    burst: dict[str, list[float]]
    vitals: list[dict[str, Any]]
    lags: list[dict[float, float]]  # per process: lags measured during the flows, by bound
    burst_lags: list[dict[float, float]]  # and while the forms were sent at once, alone


ARRIVALS = 2.5  # seconds over which the users start their first flow

ADMIN = "f" * 40
LAG_P99_LIMIT, LAG_MAX_LIMIT = 0.010, 0.025  # seconds, from issue #18


async def loop_lags(session: ClientSession, port: int) -> dict[float, float]:
    """A bot's event-loop lag histogram: how many ticks lagged at most each bound (seconds)."""
    headers = {"Authorization": f"Bearer {ADMIN}"}
    async with session.get(f"http://127.0.0.1:{port}/metrics", headers=headers) as got:
        text = await got.text()
    return {
        float(sample.labels["le"]): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "pagekeeper_event_loop_lags_seconds_bucket"
    }


def lag_figures(lags: dict[float, float]) -> tuple[float, int, int]:
    """The bound the 99th percentile lag is within, ticks past 25 ms, and ticks measured."""
    total = lags[math.inf]
    p99 = min(bound for bound, count in lags.items() if count >= 0.99 * total)
    return p99, int(total - lags[LAG_MAX_LIMIT]), int(total)


async def measure(set_up: SetUp, flows: int, users: int, folder: Path, database_url: str) -> Result:
    """One set-up: start its fake Slack and bot processes, run the flows, stop them."""
    fake = FakeSlack()
    app = web.Application()
    app.router.add_route("*", "/api/{method}", fake.api)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    api_port = free_port()
    await web.TCPSite(runner, "127.0.0.1", api_port).start()
    district = folder / "district.toml"
    district.write_text(busy_district_with_schools(users))
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    env.update(
        SLACK_BOT_TOKEN="xoxb-flow",
        SLACK_TEAM_ID="T1",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=f"http://127.0.0.1:{api_port}/api/",
        PAGEKEEPER_CONFIG=str(district),
        PAGEKEEPER_ADMIN_TOKEN=ADMIN,
    )
    if set_up.postgres:
        env["DATABASE_URL"] = database_url
    else:
        env["PAGEKEEPER_DATA"] = str(folder / "store")
    ports = [free_port() for _ in range(set_up.processes)]
    servers = []
    acks: dict[str, list[float]] = collections.defaultdict(list)
    try:
        for port in ports:  # one after the other: the first creates the schema
            servers.append(start_server(port, env))
            await wait_until_listening(port)
        numbers = itertools.count()
        async with ClientSession() as session:
            urls = [f"http://127.0.0.1:{port}/slack/events" for port in ports]

            def user(index: int) -> User:
                return User(session, urls[index % len(urls)], fake, index, acks)

            async def worker(index: int) -> None:
                person = user(index)
                await asyncio.sleep(index * ARRIVALS / users)
                while (number := next(numbers)) < flows:
                    await person.flow(number)

            # Warm up: every user runs one flow before anything is measured.
            await asyncio.gather(*(user(i).flow(10**6 + i) for i in range(users)))
            acks.clear()
            lags_before = [await loop_lags(session, port) for port in ports]
            sent_before = fake.sent
            began = time.perf_counter()
            await asyncio.gather(*(worker(index) for index in range(users)))
            elapsed = time.perf_counter() - began
            sent = fake.sent - sent_before
            vitals = []
            for port in ports:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as health:
                    vitals.append(await health.json())
            lags = await lags_since(session, ports, lags_before)

            # Then requests alone: first one from each user at the same instant, then as fast
            # as the users can send them: each a durable write, none waiting for Slack's pace,
            # so this is what the web processes and storage can take.
            form = fake.views[f"t-{10**6}"]
            lags_before = [await loop_lags(session, port) for port in ports]
            # Each body is made first: 50 people's Slack clients send at once, while one load
            # generator making them in turn would time its own work (20 KB each) too.
            people = [user(index) for index in range(users)]
            for round_number in range(AT_ONCE_ROUNDS):
                bodies = [
                    person.submission(form, f"At once {round_number}-{i}")
                    for i, person in enumerate(people)
                ]
                answers = await asyncio.gather(
                    *(
                        person.post(f"at once {round_number}", body)
                        for person, body in zip(people, bodies, strict=True)
                    )
                )
                assert set(answers) == {""}, answers

            async def submitter(index: int) -> None:
                person = user(index)
                for number in range(SUBMISSIONS_EACH):
                    await person.submit("burst submission", form, f"Burst {index}-{number}")

            began = time.perf_counter()
            await asyncio.gather(*(submitter(index) for index in range(users)))
            submitted = users * SUBMISSIONS_EACH / (time.perf_counter() - began)
            burst_lags = await lags_since(session, ports, lags_before)
    finally:
        for server in servers:
            server.terminate()
            server.wait()
        await runner.cleanup()
    rounds = [acks.pop(f"at once {number}") for number in range(AT_ONCE_ROUNDS)]
    burst = {"burst submission": acks.pop("burst submission")}
    burst.update({f"at once {number}": times for number, times in enumerate(rounds)})
    return Result(
        set_up,
        flows / elapsed,
        sent / elapsed,
        submitted,
        dict(acks),
        burst,
        vitals,
        lags,
        burst_lags,
    )


async def lags_since(
    session: ClientSession, ports: list[int], before: list[dict[float, float]]
) -> list[dict[float, float]]:
    """Each process's event-loop lag histogram since `before` was read."""
    lags = []
    for port, earlier in zip(ports, before, strict=True):
        after = await loop_lags(session, port)
        lags.append({bound: count - earlier[bound] for bound, count in after.items()})
    return lags


def report(result: Result, flows: int, users: int) -> None:
    every = [value for values in result.acks.values() for value in values]
    print(f"\n== {result.set_up.name}: {flows} flows, {users} concurrent users, Slack over HTTP")
    print(f"flows per second: {result.flows_per_second:.2f}")
    print(f"messages sent to Slack per second: {result.messages_per_second:.1f}")
    print(f"{'acknowledgement':22} {'count':>6} {'p50 ms':>8} {'p99 ms':>8}")
    for kind, values in [*result.acks.items(), ("every ack", every)]:
        p50, p99 = statistics.median(values) * 1000, percentile(values, 99) * 1000
        print(f"{kind:22} {len(values):6d} {p50:8.1f} {p99:8.1f}")
    rounds = [result.burst[f"at once {number}"] for number in range(AT_ONCE_ROUNDS)]
    at_once, burst = [t for times in rounds for t in times], result.burst["burst submission"]
    slowest = ", ".join(f"{max(times) * 1000:.0f}" for times in rounds)
    print(
        f"request forms alone, {users} people sending at the same instant, {AT_ONCE_ROUNDS} "
        f"times: ack p50 {statistics.median(at_once) * 1000:.1f} ms, p99 "
        f"{percentile(at_once, 99) * 1000:.1f} ms "
        f"(<= 100 ms wanted: {'meets' if percentile(at_once, 99) <= 0.1 else 'MISSES'}); "
        f"each time's slowest {slowest} ms"
    )
    print(
        f"request forms alone, {users} people sending back to back: "
        f"{result.submissions_per_second:.0f} per second, ack p50 "
        f"{statistics.median(burst) * 1000:.1f} ms, p99 {percentile(burst, 99) * 1000:.1f} ms"
    )
    each_process = zip(result.vitals, result.lags, result.burst_lags, strict=True)
    for number, (vitals, lags, burst_lags) in enumerate(each_process, 1):
        p99, over, ticks = lag_figures(lags)
        meets = p99 <= LAG_P99_LIMIT and over == 0
        print(
            f"process {number}: event loop lag during the flows p99 <= {p99 * 1000:g} ms, "
            f"{over} of {ticks} ticks past 25 ms ({'meets' if meets else 'MISSES'} <= 10 ms "
            f"p99, <= 25 ms max); peak memory {vitals['peak_memory_mb']:.1f} MB"
        )
        p99, over, ticks = lag_figures(burst_lags)
        print(
            f"process {number}: event loop lag while the forms were sent alone p99 <= "
            f"{p99 * 1000:g} ms, {over} of {ticks} ticks past 25 ms (saturated on purpose)"
        )


async def main(flows: int, users: int, only: str | None) -> None:
    set_ups = [
        SetUp("TinyDB, 1 web process", 1, postgres=False),
        SetUp("PostgreSQL, 1 web process", 1, postgres=True),
        SetUp("PostgreSQL, 2 web processes", 2, postgres=True),
    ]
    set_ups = [s for s in set_ups if only is None or s.postgres == (only == "postgres")]
    postgres = ThrowawayPostgres(durable=True)
    if any(s.postgres for s in set_ups):
        postgres.start()
    results = []
    try:
        for number, set_up in enumerate(set_ups):
            with tempfile.TemporaryDirectory(prefix="pagekeeper-flow-") as folder:
                url = postgres.create_database(f"flow_{number}") if set_up.postgres else ""
                results.append(await measure(set_up, flows, users, Path(folder), url))
            report(results[-1], flows, users)
    finally:
        postgres.stop()
    print(f"\n{'set-up':30} {'flows/s':>8} {'msgs/s':>7} {'ack p99 ms':>11} {'forms/s':>8}")
    for result in results:
        every = [value for values in result.acks.values() for value in values]
        p99 = percentile(every, 99) * 1000
        rates = f"{result.flows_per_second:8.2f} {result.messages_per_second:7.1f}"
        print(f"{result.set_up.name:30} {rates} {p99:11.1f} {result.submissions_per_second:8.0f}")
    print(
        "Each flow sends Slack about six messages, and the bot keeps all its processes together "
        "under Slack's overall pace (20 messages a second), so that pace caps flows per second."
    )


def busy_district_with_schools(count: int) -> str:
    """The example district with one school and principal per user, so no principal's chat
    becomes the bottleneck (Slack allows about one message a second per conversation); each
    simulated person sends many requests within the hour."""
    return allowing_many_requests(district_with_schools(count))


def start_server(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "bot", "--port", str(port)]
    return subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flows", type=int, default=300, help="flows per set-up")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--only", choices=["tinydb", "postgres"])
    arguments = parser.parse_args()
    asyncio.run(main(arguments.flows, arguments.users, arguments.only))
