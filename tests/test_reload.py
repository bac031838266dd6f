"""The district file read again by the running bot, without a restart (part of #19): through
`python -m bot reload` (a signal to the process on TinyDB, a notice to every process on
PostgreSQL) and SIGHUP. A new principal gets the request waiting for the old one, whose card
updates; a bad file is refused, the old one stays in force and the district contact is told."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.bot_process import FORM_ANSWERS, bot_command, start_bot, stop
from tests.fake_slack import Call, FakeSlack, SlackClient, SlackUser, buttons, text_of
from tests.fakes import free_port
from tests.generated import LINCOLN_PRINCIPALS, OLIVIA, allowing_many_requests, lincoln_led_by
from tests.throwaway_postgres import ThrowawayPostgres
from workflows.district.loading import example_text

NEW_PRINCIPAL = 'principals = ["olivia.park@example.org"]'
# A process can take a moment to hear of a reload and carry it out (another process).
LOG_WAIT_SECONDS = 20


def district_text(principals: str = LINCOLN_PRINCIPALS) -> str:
    return lincoln_led_by(allowing_many_requests(example_text()), principals)


def log_text(log: Path) -> str:
    return log.read_text(errors="replace")


async def logged(log: Path, text: str) -> None:
    """Wait until another process's log holds `text`."""
    for _ in range(LOG_WAIT_SECONDS * 20):
        if text in log_text(log):
            return
        await asyncio.sleep(0.05)  # waiting for another process, not for time
    raise AssertionError(f"{log.name} never said {text!r}:\n{log_text(log)}")


@dataclass
class Running:
    fake: FakeSlack
    client: SlackClient
    settings: dict[str, str]
    config: Path
    logs: list[Path]
    process: asyncio.subprocess.Process


async def ask_for_page(running: Running, name: str) -> None:
    """Tom asks for a classroom page at Lincoln; returns once the form was accepted."""
    fake, client = running.fake, running.client
    forms = len(fake.of("views.open"))
    await client.slash_command("UTOM")
    await fake.wait_for(lambda f: len(f.of("views.open")) > forms, "the form")
    view = fake.of("views.open")[-1].args["view"]
    assert await client.submit("UTOM", view, {**FORM_ANSWERS, "page_name": name}) == (200, "")


def moved_cards(fake: FakeSlack) -> list[Call]:
    return [c for c in fake.of("chat.update") if "now goes to Olivia" in text_of(c.args["blocks"])]


def last_card_to(fake: FakeSlack, user: str) -> str:
    return text_of(fake.messages_to(user)[-1].args["blocks"]) if fake.messages_to(user) else ""


@pytest.fixture
async def one_bot(tmp_path: Path) -> AsyncIterator[Running]:
    """One bot on a TinyDB folder, Lincoln led by Ana Ruiz, its log in bot.log."""
    config = tmp_path / "district.toml"
    config.write_text(district_text())
    settings = {"PAGEKEEPER_DATA": str(tmp_path / "data"), "PAGEKEEPER_CONFIG": str(config)}
    fake = FakeSlack()
    fake.users.append(SlackUser("UOLIVIA", OLIVIA.email, OLIVIA.name))
    await fake.start()
    port = free_port()
    log = tmp_path / "bot.log"
    bot = await start_bot(port, fake.api_url, log=log, **settings)
    client = SlackClient(f"http://127.0.0.1:{port}/slack/events", fake)
    try:
        yield Running(fake, client, settings, config, [log], bot)
    finally:
        await client.close()
        await stop(bot)
        await fake.close()


async def test_a_new_principal_takes_over_the_waiting_request_without_a_restart(
    one_bot: Running,
) -> None:
    fake = one_bot.fake
    await ask_for_page(one_bot, "Room 12 News")
    await fake.wait_for(lambda f: bool(f.messages_to("UANA")), "Ana's approval card")
    anas_card = fake.messages_to("UANA")[-1]

    one_bot.config.write_text(district_text(NEW_PRINCIPAL))
    asked = bot_command("reload", **one_bot.settings)
    assert asked.returncode == 0, asked.stderr
    assert "Asked the Pagekeeper process" in asked.stdout

    await fake.wait_for(lambda f: bool(moved_cards(f)), "Ana's card updated")
    updated = moved_cards(fake)[0]
    assert updated.args["channel"] == "DUANA", "the card Ana had, updated in place"
    assert "Room 12 News" in text_of(anas_card.args["blocks"])
    assert buttons(updated.args["blocks"]) == {}, "Ana can no longer decide it"
    await fake.wait_for(lambda f: bool(f.messages_to("UOLIVIA")), "Olivia's approval card")
    olivia = fake.messages_to("UOLIVIA")[-1].args["blocks"]
    assert set(buttons(olivia)) >= {"Approve", "Deny"}
    await fake.wait_for(lambda f: "District file reloaded" in last_card_to(f, "UDANA"), "the note")
    await logged(one_bot.logs[0], "district file reloaded: fingerprint=")
    await logged(one_bot.logs[0], "requests moved to new approvers after the reload: 1")

    await ask_for_page(one_bot, "Room 14 News")
    await fake.wait_for(lambda f: len(f.messages_to("UOLIVIA")) == 2, "the next request to Olivia")


async def test_a_bad_file_is_refused_and_the_one_in_force_stays(one_bot: Running) -> None:
    fake = one_bot.fake
    one_bot.config.write_text(district_text(NEW_PRINCIPAL) + "\n[schools\n")
    asked = bot_command("reload", **one_bot.settings)
    assert asked.returncode == 2 and "Traceback" not in asked.stderr
    assert "not reloaded, the file in force stays" in asked.stderr
    assert "it logs the refusal and tells the district contact" in asked.stderr
    await fake.wait_for(
        lambda f: "The district file was not reloaded" in last_card_to(f, "UDANA"), "the note"
    )
    assert "rules already in force stay as they were" in last_card_to(fake, "UDANA")
    await logged(one_bot.logs[0], "district file refused; the one in force stays")

    one_bot.process.send_signal(signal.SIGHUP)  # as systemd's `reload` does: refused again
    await fake.wait_for(
        lambda f: (
            sum("not reloaded" in text_of(c.args["blocks"]) for c in f.messages_to("UDANA")) == 2
        ),
        "the second note",
    )

    await ask_for_page(one_bot, "Room 12 News")
    await fake.wait_for(lambda f: bool(f.messages_to("UANA")), "the request, still to Ana")
    assert fake.messages_to("UOLIVIA") == []


def test_reload_with_no_bot_running_says_so(tmp_path: Path) -> None:
    config = tmp_path / "district.toml"
    config.write_text(district_text())
    asked = bot_command(
        "reload", PAGEKEEPER_DATA=str(tmp_path / "data"), PAGEKEEPER_CONFIG=str(config)
    )
    assert asked.returncode == 2
    assert "no running Pagekeeper uses" in asked.stderr


async def test_on_postgresql_every_process_reloads_and_one_reports(
    tmp_path: Path, postgres_server: ThrowawayPostgres
) -> None:
    config = tmp_path / "district.toml"
    config.write_text(district_text())
    url = postgres_server.create_database("reload_two_processes")
    settings = {"DATABASE_URL": url, "PAGEKEEPER_CONFIG": str(config)}
    fake = FakeSlack()
    fake.users.append(SlackUser("UOLIVIA", OLIVIA.email, OLIVIA.name))
    await fake.start()
    bots, logs = [], []
    try:
        for name in ("a", "b"):
            port = free_port()
            log = tmp_path / f"{name}.log"
            bots.append(await start_bot(port, fake.api_url_for(name), log=log, **settings))
            logs.append(log)
        client = SlackClient(f"http://127.0.0.1:{port}/slack/events", fake)
        running = Running(fake, client, settings, config, logs, bots[-1])
        try:
            await ask_for_page(running, "Room 12 News")
            await fake.wait_for(lambda f: bool(f.messages_to("UANA")), "Ana's approval card")
            config.write_text(district_text(NEW_PRINCIPAL))
            asked = bot_command("reload", **settings)
            assert asked.returncode == 0, asked.stderr
            assert "Asked every Pagekeeper process using the database" in asked.stdout
            for log in logs:
                await logged(log, "district file reloaded: fingerprint=")
            await fake.wait_for(lambda f: bool(f.messages_to("UOLIVIA")), "Olivia's card")
            await fake.wait_for(lambda f: bool(f.messages_to("UDANA")), "the contact's note")
            # Both processes put the file in force; exactly one moved the request and told.
            await ask_for_page(running, "Room 14 News")
            await fake.wait_for(lambda f: len(f.messages_to("UOLIVIA")) == 2, "the next request")
            notes = [
                c for c in fake.messages_to("UDANA") if "reloaded" in text_of(c.args["blocks"])
            ]
            assert len(notes) == 1
        finally:
            await client.close()
    finally:
        for bot in bots:
            await stop(bot)
        await fake.close()
