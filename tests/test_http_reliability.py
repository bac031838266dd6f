"""Through the running server: decisions happen exactly once, acknowledged requests and
approvals survive SIGKILL, replays are refused, and no secret shows up in logs, data or exports."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

from tests.bot_process import busy_district
from tests.fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack, SlackClient, buttons, text_of
from tests.fakes import free_port
from tests.records import audit_entries
from tests.slack_harness import Harness
from workflows.kernel.model import RequestStatus

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 40 if os.environ.get("PAGEKEEPER_SOAK") else 6
DISTRICT_PAGE = {
    "kind": "district",
    "platform": "youtube",
    "page_name": "District News",
    "purpose": "Board meetings, news and events for the whole district.",
    "audience": "Families and staff",
    "acknowledged": True,
}


async def request_district_page(
    harness: Harness, name: str = "District News"
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Tom asks for a district page; returns the Superintendent's and the designee's cards."""
    view = await harness.open_form("UTOM")
    assert await harness.slack.submit("UTOM", view, DISTRICT_PAGE) == (
        200,
        "",
    )
    maria = await harness.latest_message_to("UMARIA", 1)
    james = await harness.latest_message_to("UJAMES", 1)
    return maria, james


async def test_approve_and_deny_at_the_same_instant_make_one_decision(harness: Harness) -> None:
    maria, james = await request_district_page(harness)
    posts = len(harness.fake.of("chat.postMessage"))
    deny_form = await harness.click_for_form("UJAMES", buttons(james["blocks"])["Deny"])
    # Both submit at once, Maria double-clicks, and Slack redelivers her click.
    approve = buttons(maria["blocks"])["Approve"]
    results = await asyncio.gather(
        harness.click("UMARIA", approve),
        harness.slack.submit("UJAMES", deny_form, {"note": "We have a channel already."}),
        harness.click("UMARIA", approve),
        harness.click("UMARIA", approve, **{"X-Slack-Retry-Num": "1"}),
    )
    assert all(status == 200 for status, _ in results)
    [request] = await harness.store.find_requests()
    assert request.status in (RequestStatus.APPROVED, RequestStatus.DENIED)
    assert len(request.decisions) == 1
    trail = [e.action for e in await audit_entries(harness.store, request.id)]
    assert trail.count("RequestApproved") + trail.count("RequestDenied") == 1
    # Each approver's card is updated once, and Tom hears the outcome once.
    await harness.fake.wait_for(lambda f: len(f.of("chat.update")) >= 2, "both cards updated")
    await harness.fake.wait_for(lambda f: len(f.of("chat.postMessage")) > posts, "Tom told")
    updates = [c.args["channel"] for c in harness.fake.of("chat.update")]
    assert sorted(updates) == ["DUJAMES", "DUMARIA"]
    outcome_messages = [
        c
        for c in harness.fake.messages_to("UTOM")[1:]
        if "approved" in text_of(c.args["blocks"]).lower()
        or "denied" in text_of(c.args["blocks"]).lower()
    ]
    assert len(outcome_messages) == 1


async def test_a_replayed_slack_request_is_refused(harness: Harness) -> None:
    form = {
        "command": "/pages",
        "text": "",
        "user_id": "UTOM",
        "team_id": "T1",
        "trigger_id": "t",
        "response_url": harness.fake.response_url("r"),
    }
    body = urllib.parse.urlencode(form)
    stamp = int(time.time())
    first = await harness.slack.post(body, "application/x-www-form-urlencoded", timestamp=stamp)
    again = await harness.slack.post(body, "application/x-www-form-urlencoded", timestamp=stamp)
    assert (first[0], again[0]) == (200, 401)


def every_card_arrived(fake: FakeSlack, names: list[str]) -> bool:
    cards = [text_of(call.args["blocks"]) for call in fake.messages_to("UANA")]
    return all(any(f": {name}\n" in card for card in cards) for name in names)


SECRETS = {
    "SLACK_BOT_TOKEN": BOT_TOKEN,
    "SLACK_SIGNING_SECRET": SIGNING_SECRET,
    "MicrosoftAppPassword": "teams-app-password-must-not-leak",
    "PAGEKEEPER_ADMIN_TOKEN": "admin-token-must-not-leak-0123456789abcdef",
}


def open_log(path: Path) -> Any:
    return open(path, "ab")


class Server:
    """`python -m bot` as its own process, with TinyDB storage in `data`."""

    def __init__(self, data: Path, api_url: str, log: Path) -> None:
        self.port = free_port()
        self.data, self.api_url, self.log = data, api_url, log
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "PAGEKEEPER_DATA": str(self.data),
            "SLACK_API_URL": self.api_url,
            "MicrosoftAppId": "11111111-2222-3333-4444-555555555555",
            "PAGEKEEPER_TEAMS_TENANT_ID": "t1",
            "SLACK_TEAM_ID": "T1",  # an identifier, not a secret
            "PAGEKEEPER_CONFIG": str(busy_district(self.data.parent)),
            **SECRETS,
        }
        log = open_log(self.log)
        try:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "--port", str(self.port), cwd=ROOT, env=env, stderr=log
            )
        finally:
            log.close()
        for _ in range(400):
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.close()
                return
            except OSError:
                await asyncio.sleep(0.05)  # another process starting, not a timer
        raise AssertionError("the bot did not start")

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            await self.process.wait()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"


READERS = ["UGRACE", "UROBERT", "UJAMES", "UMARIA", "UDANA", "USTRANGER"]
ANSWERS = {
    "kind": "classroom",
    "school": "lincoln",
    "platform": "facebook",
    "purpose": "Class news and homework reminders for families.",
    "audience": "Families",
    "acknowledged": True,
}


async def test_acknowledged_actions_survive_sigkill_and_queued_messages_still_go_out(
    tmp_path: Path,
) -> None:
    chance = random.Random(1114)
    fake = FakeSlack()
    await fake.start()
    server = Server(tmp_path / "data", fake.api_url, tmp_path / "bot.log")
    acknowledged: list[str] = []
    approved: list[str] = []
    attested: list[str] = []
    try:
        for round_number in range(ROUNDS):
            await server.start()
            client = SlackClient(server.url, fake)
            try:
                for number in range(chance.randint(1, 4)):
                    name = f"Room {round_number}-{number}"
                    opened = len(fake.of("views.open"))
                    await client.slash_command("UTOM")
                    await fake.wait_for(lambda f, n=opened: len(f.of("views.open")) > n, "the form")
                    view = fake.of("views.open")[-1].args["view"]
                    status, _ = await client.submit("UTOM", view, {**ANSWERS, "page_name": name})
                    if status == 200:
                        acknowledged.append(name)
                # Someone attests to having read the guidelines (one person per round).
                reader = READERS[round_number % len(READERS)]
                answers = len(fake.responses)
                await client.slash_command(reader, "/social-media-guidelines")
                await fake.wait_for(lambda f, n=answers: len(f.responses) > n, "the guidelines")
                guidelines = fake.responses[-1]["blocks"]
                status, _ = await client.click(
                    reader, buttons(guidelines)["I have read the guidelines"]
                )
                if status == 200:
                    attested.append(reader)
                # The principal approves what has reached her so far.
                for card in list(fake.messages_to("UANA")):
                    title = text_of(card.args["blocks"]).split("\n")[0]
                    name = title.split(": ", 1)[-1]
                    if name in acknowledged and name not in approved:
                        status, _ = await client.click(
                            "UANA", buttons(card.args["blocks"])["Approve"]
                        )
                        if status == 200:
                            approved.append(name)
                # Kill while Pagekeeper is still delivering what those requests queued.
                await asyncio.sleep(chance.uniform(0, 0.05))
                await server.kill()
            finally:
                await client.close()
        await server.start()
        # Slack allows the principal about one message a second, so this can take a while.
        await fake.wait_for(
            lambda f: every_card_arrived(f, acknowledged), "every approval card", seconds=60
        )
    finally:
        await server.stop()
        await fake.close()
    assert len(acknowledged) >= ROUNDS
    from storage.tinydb_store import TinyDBStore

    store = await TinyDBStore.open(tmp_path / "data")
    requests = {request.details.page_name: request for request in await store.find_requests()}
    readers = {a.person.email for a in await store.acknowledgements()}
    await store.close()
    assert attested, "some attestations were acknowledged before a kill"
    assert {user.email for user in fake.users if user.id in attested} <= readers
    assert set(acknowledged) <= set(requests), f"lost: {set(acknowledged) - set(requests)}"
    assert approved, "some approvals were acknowledged before a kill"
    for name in approved:
        assert requests[name].status is RequestStatus.APPROVED, f"the approval of {name} was lost"
    cards = [text_of(c.args["blocks"]) for c in fake.messages_to("UANA")]
    for name in acknowledged:
        # At least once: a kill between sending and recording the delivery repeats the message.
        assert sum(f": {name}\n" in card for card in cards) >= 1, f"{name} was never sent"


async def test_no_secret_ever_appears_in_logs_data_or_exports(tmp_path: Path) -> None:
    fake = FakeSlack()
    await fake.start()
    server = Server(tmp_path / "data", fake.api_url, tmp_path / "bot.log")
    await server.start()
    client = SlackClient(server.url, fake)
    wrong = SlackClient(server.url, fake, secret="a-wrong-secret")
    exports: list[str] = []
    try:
        await client.slash_command("UTOM")
        await fake.wait_for(lambda f: bool(f.of("views.open")), "the form")
        view = fake.of("views.open")[-1].args["view"]
        await client.submit("UTOM", view, {**ANSWERS, "page_name": "Room 12"})
        await client.submit("UTOM", view, {**ANSWERS, "purpose": "x"})  # a refused form
        await wrong.slash_command("UTOM")  # a bad signature
        fake.fail("chat.postMessage", 500, times=3)  # errors get logged
        await fake.wait_for(lambda f: bool(f.messages_to("UANA")), "the approval")
        async with client.session.post(
            server.url.replace("/slack/events", "/api/messages"), json={"type": "message"}
        ) as teams:
            assert teams.status == 401
        for name in ("pages", "audit", "removals"):
            url = server.url.replace("/slack/events", f"/admin/export/{name}.csv")
            headers = {"Authorization": f"Bearer {SECRETS['PAGEKEEPER_ADMIN_TOKEN']}"}
            async with client.session.get(url, headers=headers) as answer:
                exports.append(await answer.text())
    finally:
        await client.close()
        await wrong.close()
        await server.stop()
        await fake.close()
    places = {
        "the log": (tmp_path / "bot.log").read_text(errors="replace"),
        **{f"export {i}": text for i, text in enumerate(exports)},
    }
    for file in (tmp_path / "data").rglob("*"):
        if file.is_file():
            places[str(file)] = file.read_text(errors="replace")
    assert "PageRequested" in places["export 1"], "the exports were really read"
    for name, secret in SECRETS.items():
        for place, text in places.items():
            assert secret not in text, f"{name} appears in {place}"
