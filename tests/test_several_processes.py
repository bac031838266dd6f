"""Two `python -m bot` processes on one PostgreSQL database, as behind a load balancer."""

from __future__ import annotations

import asyncio
import collections
import signal
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from storage.postgres import PostgresStore
from tests.bot_process import start_bot, stop
from tests.fake_slack import FakeSlack, SlackClient, SlackUser, buttons, text_of
from tests.fakes import free_port
from tests.generated import allowing_many_requests, live_page
from tests.records import audit_entries
from workflows.delivery.dispatcher import CONCURRENCY
from workflows.district.loading import example_text, load_config
from workflows.kernel.model import Person
from workflows.kernel.ports import Changes

ANA = Person("ana.ruiz@example.org", "Ana Ruiz", "Principal")
ANSWERS = {
    "kind": "classroom",
    "school": "lincoln",
    "platform": "facebook",
    "purpose": "Share classroom news and homework reminders with families.",
    "audience": "Families of the class",
    "acknowledged": True,
}


@dataclass
class TwoBots:
    fake: FakeSlack
    database_url: str
    processes: dict[str, asyncio.subprocess.Process]
    clients: dict[str, SlackClient]


@pytest.fixture
async def any_time_config(tmp_path: Path) -> Path:
    """The example district, with reminders allowed at any hour, so the test can run any time,
    and Tom allowed as many requests as the test makes."""
    text = example_text()
    text = text.replace(
        'working_days = ["mon", "tue", "wed", "thu", "fri"]',
        'working_days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]',
    ).replace('working_hours = "08:00-16:00"', 'working_hours = "00:00-23:59"')
    # Tom asks for a page every round: a test, not a flood.
    text = allowing_many_requests(text, per_hour=100)
    path = tmp_path / "district.toml"
    path.write_text(text)
    load_config(path)
    return path


async def start_two(fake: FakeSlack, database_url: str, config: Path) -> TwoBots:
    """Processes `a` and `b`, each calling Slack through its own address so calls tell which;
    their logs go beside the config."""
    bots = TwoBots(fake, database_url, {}, {})
    for name in ("a", "b"):
        port = free_port()
        bots.processes[name] = await start_bot(
            port,
            fake.api_url_for(name),
            log=config.parent / f"{name}.log",
            DATABASE_URL=database_url,
            PAGEKEEPER_CONFIG=str(config),
        )
        bots.clients[name] = SlackClient(f"http://127.0.0.1:{port}/slack/events", fake)
    return bots


async def stop_all(bots: TwoBots) -> None:
    for process in bots.processes.values():
        await stop(process)
    for client in bots.clients.values():
        await client.close()


async def test_approve_and_deny_at_once_through_two_processes_make_one_decision(
    fake: FakeSlack, database_url: str, any_time_config: Path
) -> None:
    bots = await start_two(fake, database_url, any_time_config)
    a, b = bots.clients["a"], bots.clients["b"]
    rounds = 6
    try:
        for number in range(1, rounds + 1):
            await a.slash_command("UTOM")
            await fake.wait_for(lambda f, n=number: len(f.of("views.open")) == 2 * n - 1, "form")
            form = fake.of("views.open")[-1].args["view"]
            answers = {**ANSWERS, "page_name": f"Room {number} News"}
            assert await a.submit("UTOM", form, answers) == (200, "")
            await fake.wait_for(lambda f, n=number: len(f.messages_to("UANA")) == n, "approval")
            card = buttons(fake.messages_to("UANA")[-1].args["blocks"])

            # Ana opens Deny on one process, then approves on the other while sending the
            # reason: both reach the database at the same moment.
            await b.click("UANA", card["Deny"])
            await fake.wait_for(lambda f, n=number: len(f.of("views.open")) == 2 * n, "deny")
            deny_form = fake.of("views.open")[-1].args["view"]
            approve, deny = await asyncio.gather(
                a.click("UANA", card["Approve"]),
                b.submit("UANA", deny_form, {"note": "We already have a grade-level page."}),
            )
            assert approve[0] == 200 and deny[0] == 200

        store = await PostgresStore.open(database_url)
        try:
            requests = await store.find_requests(requester="tom.baker@example.org")
            assert len(requests) == rounds
            outcomes = collections.Counter[str]()
            for request in requests:
                decisions = [
                    entry.action
                    for entry in await audit_entries(store, request.id)
                    if entry.action in ("RequestApproved", "RequestDenied")
                ]
                assert len(decisions) == 1, f"{request.id} was decided {decisions}"
                assert decisions[0] == f"Request{request.status.value.capitalize()}"
                assert len(request.decisions) == 1
                outcomes[request.status.value] += 1
            pages = await store.find_pages()
            assert len(pages) == outcomes["approved"], "a page exists only for an approval"
        finally:
            await store.close()
        # Tom hears one outcome per request: the approval's setup message or the refusal.
        await fake.wait_for(
            lambda f: len(f.messages_to("UTOM")) >= 2 * rounds, "Tom told every outcome"
        )
        # Nothing more is on its way once every message is settled: a second, wrong outcome
        # would have been counted by then.
        await until(lambda: queued(database_url)[1] == 0, "the outbox emptied")
        told = [text_of(call.args["blocks"]) for call in fake.messages_to("UTOM")]
        assert len(told) == 2 * rounds, told
        async with b.session.get(b.url.replace("/slack/events", "/healthz")) as health:
            status = await health.json()
        assert (status["status"], status["storage"]) == ("ok", "postgresql")
    finally:
        await stop_all(bots)
    # The clicks really met in the database: a process found its write beaten and read again.
    logs = "".join((any_time_config.parent / f"{name}.log").read_text() for name in "ab")
    assert "write conflict command=Decide" in logs


def owners(count: int) -> list[Person]:
    return [Person(f"owner{n}@example.org", f"Owner {n}", "Teacher") for n in range(count)]


async def pages_due_for_a_check(fake: FakeSlack, database_url: str, count: int) -> None:
    """`count` live pages, one owner each, whose weekly check is due now."""
    now = datetime.now(UTC)
    pages = []
    for number, owner in enumerate(owners(count)):
        fake.users.append(SlackUser(f"UOWNER{number}", owner.email, owner.name))
        month_ago, hour_ago = now - timedelta(days=30), now - timedelta(hours=1)
        pages.append(live_page(number, owner, month_ago, due=hour_ago))
    store = await PostgresStore.open(database_url)
    await store.commit(Changes(pages=tuple(pages)))
    await store.close()


def checks_by_owner(fake: FakeSlack) -> collections.Counter[str]:
    return collections.Counter(
        str(call.args["channel"])
        for call in fake.of("chat.postMessage")
        if str(call.args["channel"]).startswith("UOWNER")
    )


def queued(database_url: str) -> tuple[int, int]:
    """(messages in the outbox, of which not yet settled)."""
    with psycopg.connect(database_url) as connection:
        row = connection.execute("SELECT count(*), count(*) FILTER (WHERE NOT settled) FROM outbox")
        total, waiting = row.fetchone() or (0, 0)
    return int(total), int(waiting)


async def until(condition: Callable[[], bool], what: str) -> None:
    for _ in range(900):
        if condition():
            return
        await asyncio.sleep(0.1)  # polling other processes' progress, not waiting out time
    raise AssertionError(f"never saw {what}")


async def checks_once_all_are_out(fake: FakeSlack, database_url: str, count: int) -> list[int]:
    """How many times each owner was sent the check, once every owner has one and the outbox
    is empty (so nothing more is on its way)."""
    await fake.wait_for(lambda f: len(checks_by_owner(f)) == count, "every check", 90)
    await until(lambda: queued(database_url) == (count, 0), "the outbox emptied")
    return list(checks_by_owner(fake).values())


async def test_a_nudge_burst_through_two_processes_sends_each_check_once(
    fake: FakeSlack, database_url: str, any_time_config: Path
) -> None:
    count = 120
    await pages_due_for_a_check(fake, database_url, count)
    bots = await start_two(fake, database_url, any_time_config)
    try:
        sent = await checks_once_all_are_out(fake, database_url, count)
        assert set(sent) == {1}, "every owner got exactly one check"
        via = collections.Counter(c.via for c in fake.of("chat.postMessage"))
        assert via["a"] > 0 and via["b"] > 0, f"both processes delivered: {via}"
        assert "Checked - nothing to remove" in str(fake.of("chat.postMessage")[0].args["blocks"])
    finally:
        await stop_all(bots)


async def test_killing_one_process_mid_burst_loses_no_check(
    fake: FakeSlack, database_url: str, any_time_config: Path
) -> None:
    count = 150
    await pages_due_for_a_check(fake, database_url, count)
    bots = await start_two(fake, database_url, any_time_config)
    try:
        await until(lambda: queued(database_url)[0] == count, "every check queued")
        await fake.wait_for(
            lambda f: sum(c.via == "a" for c in f.of("chat.postMessage")) >= 5, "a sending"
        )
        bots.processes["a"].send_signal(signal.SIGKILL)
        await bots.processes["a"].wait()

        sent = await checks_once_all_are_out(fake, database_url, count)
        repeated = sum(times - 1 for times in sent)
        # Only messages Slack took in the instant before the kill, not yet written down, go
        # twice; everything else exactly once.
        assert repeated <= CONCURRENCY, f"{repeated} checks were sent twice"
        print(f"checks sent twice after the kill: {repeated}")
    finally:
        await stop_all(bots)
