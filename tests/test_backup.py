"""Backups of a TinyDB data folder taken while requests flow through the running bot, and
restores into an empty folder (part of #19): every request acknowledged before the backup
began is in it, the restored audit trail verifies, and a damaged backup or a folder that is
not empty is refused with a clear message and nothing written."""

from __future__ import annotations

import asyncio
import gzip
import subprocess
import sys
from pathlib import Path

import pytest

from storage.tinydb_store import TinyDBStore
from tests.bot_process import FORM_ANSWERS, ROOT, bot_environment, busy_district, start_bot, stop
from tests.fake_slack import FakeSlack, SlackClient
from tests.fakes import free_port


def bot_command(*arguments: str, **settings: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *arguments],
        cwd=ROOT,
        env=bot_environment("http://127.0.0.1:9", **settings),
        capture_output=True,
        text=True,
        timeout=120,
    )


async def request_pages(
    port: int, fake: FakeSlack, names: list[str], acked: list[str], halfway: asyncio.Event
) -> None:
    client = SlackClient(f"http://127.0.0.1:{port}/slack/events", fake)
    try:
        for name in names:
            forms = len(fake.of("views.open"))
            await client.slash_command("UTOM")
            await fake.wait_for(lambda f, n=forms: len(f.of("views.open")) > n, "the form")
            view = fake.of("views.open")[-1].args["view"]
            if await client.submit("UTOM", view, {**FORM_ANSWERS, "page_name": name}) == (200, ""):
                acked.append(name)
            if len(acked) == len(names) // 3:
                halfway.set()
    finally:
        await client.close()


@pytest.fixture(scope="module")
def backed_up(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A backup taken halfway through 30 requests; the names acknowledged before it began."""
    where = tmp_path_factory.mktemp("backup")
    data, backup = where / "data", where / "pagekeeper.tar.gz"

    async def run() -> list[str]:
        fake = FakeSlack()
        await fake.start()
        port = free_port()
        bot = await start_bot(
            port,
            fake.api_url,
            PAGEKEEPER_DATA=str(data),
            PAGEKEEPER_CONFIG=str(busy_district(where)),
        )
        acked: list[str] = []
        try:
            names = [f"Room {number} News" for number in range(30)]
            halfway = asyncio.Event()
            flowing = asyncio.create_task(request_pages(port, fake, names, acked, halfway))
            await halfway.wait()
            before = list(acked)
            made = await asyncio.to_thread(
                bot_command, "backup", "--to", str(backup), PAGEKEEPER_DATA=str(data)
            )
            assert made.returncode == 0, made.stderr
            assert "Backed up" in made.stdout
            await flowing
            assert len(acked) == 30, "requests kept flowing during the backup"
        finally:
            await stop(bot)
            await fake.close()
        return before

    return backup, asyncio.run(run())


async def test_a_backup_taken_while_requests_flow_restores_everything_acknowledged(
    backed_up: tuple[Path, list[str]], tmp_path: Path
) -> None:
    backup, before = backed_up
    restored = tmp_path / "restored"
    done = bot_command("restore", "--from", str(backup), PAGEKEEPER_DATA=str(restored))
    assert done.returncode == 0, done.stderr
    assert "each checked against the hash chain" in done.stdout
    store = await TinyDBStore.open(restored)
    try:
        names = {request.details.page_name for request in await store.find_requests()}
    finally:
        await store.close()
    assert set(before) <= names, f"lost: {set(before) - names}"
    verified = bot_command("verify-audit", PAGEKEEPER_DATA=str(restored))
    assert verified.returncode == 0 and "is intact" in verified.stdout


@pytest.mark.parametrize("damage", ["cut short", "a changed byte", "not a backup"])
def test_a_damaged_backup_is_refused_and_nothing_is_written(
    backed_up: tuple[Path, list[str]], tmp_path: Path, damage: str
) -> None:
    original = backed_up[0].read_bytes()
    broken = tmp_path / "broken.tar.gz"
    if damage == "cut short":
        broken.write_bytes(original[: len(original) // 2])
    elif damage == "a changed byte":
        inside = bytearray(gzip.decompress(original))
        inside[len(inside) // 3] ^= 0x01
        broken.write_bytes(gzip.compress(bytes(inside)))
    else:
        broken.write_text("just some text")
    restored = tmp_path / "restored"
    done = bot_command("restore", "--from", str(broken), PAGEKEEPER_DATA=str(restored))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"{broken} is not a whole Pagekeeper backup" in done.stderr
    assert not restored.exists() or not any(restored.iterdir())
    assert [path.name for path in tmp_path.iterdir()] == ["broken.tar.gz"], "nothing left behind"


def test_a_folder_that_is_not_empty_is_not_restored_into(
    backed_up: tuple[Path, list[str]], tmp_path: Path
) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "notes.txt").write_text("keep me")
    done = bot_command(
        "restore", "--from", str(backed_up[0]), PAGEKEEPER_DATA=str(tmp_path / "data")
    )
    assert done.returncode == 2
    assert "is not empty (it holds notes.txt); restore into an empty folder" in done.stderr
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["notes.txt"]
