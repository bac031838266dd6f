"""Red-team finding 6: damage is noticed. A data folder missing a table file, its tables, or
its audit trail, or with the trail cut, edited or holding garbage, is refused at start with the
file named and nothing rewritten; the audit trail carries a hash chain that `python -m bot
verify-audit` checks too, on TinyDB and PostgreSQL. Malformed files and a 50,000-deep district
file give that clear message, never a traceback."""

from __future__ import annotations

import asyncio
import json
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from tests.bot_process import FORM_ANSWERS as ANSWERS
from tests.bot_process import ROOT, bot_environment, spawn_bot, start_bot, stop
from tests.fake_slack import FakeSlack, SlackClient, buttons, text_of
from tests.fakes import free_port

START_SECONDS = 30.0


async def use_the_bot(port: int, fake: FakeSlack, count: int = 3, room: str = "Room") -> None:
    """Request `count` pages through the running bot; the principal approves each."""
    client = SlackClient(f"http://127.0.0.1:{port}/slack/events", fake)
    try:
        for number in range(count):
            forms = len(fake.of("views.open"))
            await client.slash_command("UTOM")
            await fake.wait_for(lambda f, n=forms: len(f.of("views.open")) > n, "the form")
            view = fake.of("views.open")[-1].args["view"]
            answers = {**ANSWERS, "page_name": f"{room} {number} News"}
            assert await client.submit("UTOM", view, answers) == (200, "")
            await fake.wait_for(lambda f, n=number: len(f.messages_to("UANA")) > n, "a card")
            card = fake.messages_to("UANA")[-1].args["blocks"]
            assert f"{room} {number} News" in text_of(card)
            assert (await client.click("UANA", buttons(card)["Approve"]))[0] == 200
    finally:
        await client.close()


@pytest.fixture(scope="module")
def used_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder the running bot wrote: requests, pages, messages, an audit trail."""
    folder = tmp_path_factory.mktemp("used") / "data"

    async def make() -> None:
        fake = FakeSlack()
        await fake.start()
        port = free_port()
        bot = await start_bot(port, fake.api_url, PAGEKEEPER_DATA=str(folder))
        try:
            await use_the_bot(port, fake)
        finally:
            await stop(bot)
            await fake.close()

    asyncio.run(make())
    return folder


def environment(**settings: str) -> dict[str, str]:
    return bot_environment("http://127.0.0.1:9", **settings)  # Slack is never called


async def start_refused(**settings: str) -> str:
    """Start `python -m bot`; its error output, once it has refused to start. Fails the test
    if it listens instead."""
    port = free_port()
    process = await spawn_bot(port, environment(**settings), asyncio.subprocess.PIPE)
    waiting = asyncio.ensure_future(process.wait())
    try:
        for _ in range(int(START_SECONDS / 0.05)):
            if waiting.done():
                break
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.wait([waiting], timeout=0.05)  # the process, not the clock
                continue
            writer.close()
            raise AssertionError("the bot started and served the damaged data")
        assert waiting.done(), "the bot neither started nor refused"
    finally:
        if not waiting.done():
            process.kill()
            await waiting
    assert process.stderr is not None
    errors = (await process.stderr.read()).decode()
    assert process.returncode == 2, errors
    assert "Traceback" not in errors, errors
    return errors


def verify_audit(**settings: str) -> tuple[int, str]:
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "bot", "verify-audit"],
        cwd=ROOT,
        env=environment(**settings),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout + done.stderr


def snapshot(folder: Path) -> dict[str, bytes]:
    """The folder's data: not its lock, which names whichever process last tried to open it."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != ".lock"
    }


def table_file(folder: Path, table: str) -> Path:
    written = [path for path in (folder / "tables").glob(f"{table}-*.json") if path.stat().st_size]
    assert written, f"the bot wrote no {table} table"
    return written[0]


def audit_lines(folder: Path) -> list[str]:
    return (folder / "audit.jsonl").read_text().splitlines(keepends=True)


def edit_line(folder: Path, index: int, change: Callable[[dict[str, object]], None]) -> Path:
    lines = audit_lines(folder)
    record = json.loads(lines[index])
    change(record)
    lines[index] = json.dumps(record) + "\n"
    (folder / "audit.jsonl").write_text("".join(lines))
    return folder / "audit.jsonl"


def remove(path: Path) -> Path:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink()
    return path


def cut(path: Path, keep: int) -> Path:
    path.write_bytes(path.read_bytes()[:keep])
    return path


def drop_last_line(folder: Path) -> Path:
    (folder / "audit.jsonl").write_text("".join(audit_lines(folder)[:-1]))
    return folder / "audit.jsonl"


def replace_line(path: Path, index: int, text: str) -> Path:
    lines = path.read_text().splitlines(keepends=True)
    lines[index] = text + "\n"
    path.write_text("".join(lines))
    return path


DAMAGE: dict[str, Callable[[Path], Path]] = {
    "a deleted table file": lambda folder: remove(table_file(folder, "pages")),
    "a deleted tables folder": lambda folder: remove(folder / "tables"),
    "a deleted audit trail": lambda folder: remove(folder / "audit.jsonl"),
    "an audit trail cut to nothing": lambda folder: cut(folder / "audit.jsonl", 0),
    "an audit trail cut mid-line": lambda folder: cut(
        folder / "audit.jsonl", len("".join(audit_lines(folder)[:2])) + 40
    ),
    "an audit trail without its last line": drop_last_line,
    "a garbage audit line": lambda folder: replace_line(folder / "audit.jsonl", 1, "garbage"),
    "an audit line that is not an entry": lambda folder: replace_line(
        folder / "audit.jsonl", 1, '{"seq": 1}'
    ),
    "an edited audit line": lambda folder: edit_line(
        folder, 1, lambda line: line.update(actor="someone.else@example.org")
    ),
    "an audit line removed from the middle": lambda folder: replace_line(
        folder / "audit.jsonl", 1, audit_lines(folder)[2].rstrip("\n")
    ),
    "a malformed table file": lambda folder: cut(table_file(folder, "requests"), 30),
    "a malformed journal line": lambda folder: replace_line(
        folder / "journal.jsonl", 0, '{"head": {"count": '
    ),
    "a deleted journal": lambda folder: remove(folder / "journal.jsonl"),
    "a deleted meta.json": lambda folder: remove(folder / "meta.json"),
}


@pytest.mark.parametrize("damage", DAMAGE)
async def test_a_damaged_data_folder_is_refused_naming_the_file_and_left_as_it_was(
    used_folder: Path, tmp_path: Path, damage: str
) -> None:
    folder = tmp_path / "data"
    shutil.copytree(used_folder, folder)
    named = DAMAGE[damage](folder)
    before = snapshot(folder)

    errors = await start_refused(PAGEKEEPER_DATA=str(folder))

    assert "cannot start" in errors and str(named) in errors, errors
    assert "restore" in errors, errors
    assert snapshot(folder) == before, "the damaged folder was written to"
    if "audit" in damage:
        code, said = verify_audit(PAGEKEEPER_DATA=str(folder))
        assert code == 1 and "NOT intact" in said and str(named) in said, said


async def test_the_folder_as_the_bot_left_it_starts_and_verifies_while_the_bot_runs(
    used_folder: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "data"
    shutil.copytree(used_folder, folder)
    lines = len(audit_lines(folder))
    fake = FakeSlack()
    await fake.start()
    port = free_port()
    bot = await start_bot(port, fake.api_url, PAGEKEEPER_DATA=str(folder))
    try:
        await use_the_bot(port, fake, count=1, room="Gym")
        code, said = verify_audit(PAGEKEEPER_DATA=str(folder))
    finally:
        await stop(bot)
        await fake.close()
    assert code == 0, said
    assert f"is intact: {len(audit_lines(folder))} entries" in said
    assert len(audit_lines(folder)) > lines


def deep_district_file(folder: Path) -> Path:
    path = folder / "district.toml"
    path.write_text("schools = " + "[" * 50_000 + "]" * 50_000 + "\n")
    return path


async def test_a_50000_deep_district_file_is_a_plain_error(tmp_path: Path) -> None:
    path = deep_district_file(tmp_path)
    errors = await start_refused(
        PAGEKEEPER_DATA=str(tmp_path / "data"), PAGEKEEPER_CONFIG=str(path)
    )
    assert (
        f"{path}:1: not valid TOML for Pagekeeper: arrays or tables are nested too deeply" in errors
    )


@pytest.fixture
def used_database(database_url: str, used_folder: Path) -> Iterator[str]:
    """The used folder's history, copied into a database the way a district moves up."""
    import subprocess

    copied = subprocess.run(
        [sys.executable, "-m", "bot", "migrate-data", "--from", str(used_folder)],
        cwd=ROOT,
        env=environment(DATABASE_URL=database_url),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert copied.returncode == 0, copied.stderr
    yield database_url


def tamper(database_url: str, statement: str) -> None:
    """What someone with the database's owner password could do, triggers and all."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("ALTER TABLE audit DISABLE TRIGGER USER")
        connection.execute(statement)
        connection.execute("ALTER TABLE audit ENABLE TRIGGER USER")


POSTGRES_DAMAGE = {
    "an edited row": "UPDATE audit SET doc = jsonb_set(doc, '{actor}', '\"x@example.org\"')"
    " WHERE seq = (SELECT min(seq) + 1 FROM audit)",
    "a removed row": "DELETE FROM audit WHERE seq = (SELECT min(seq) + 1 FROM audit)",
    "a cut end": "DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)",
    "a row added outside Pagekeeper": "INSERT INTO audit (at, subject, doc) SELECT at, subject,"
    " doc FROM audit WHERE seq = (SELECT max(seq) FROM audit)",
}


async def test_an_intact_database_trail_verifies(used_database: str) -> None:
    code, said = verify_audit(DATABASE_URL=used_database)
    assert code == 0 and "is intact" in said, said


@pytest.mark.parametrize("damage", POSTGRES_DAMAGE)
async def test_a_tampered_database_trail_is_refused_at_start_and_by_verify_audit(
    used_database: str, damage: str
) -> None:
    tamper(used_database, POSTGRES_DAMAGE[damage])
    errors = await start_refused(DATABASE_URL=used_database)
    assert "the database's audit trail is damaged" in errors, errors
    code, said = verify_audit(DATABASE_URL=used_database)
    assert code == 1 and "NOT intact" in said, said
