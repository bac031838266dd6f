"""`python -m bot migrate-data --from PATH`: a district moves from TinyDB to PostgreSQL."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from storage import folder_reader
from storage.postgres import PostgresStore
from storage.postgres.copy_from_tinydb import copy_folder
from storage.tinydb_store import TinyDBStore
from tests.conftest import COACH, PRINCIPAL, TEACHER
from tests.fakes import FakeClock, SequentialIds
from tests.records import audit_entries, due_entries
from tests.stories import ask_for_page
from workflows.district.config import DistrictConfig
from workflows.engine import Engine
from workflows.kernel.commands import Decide, Verdict
from workflows.kernel.model import Acknowledgement
from workflows.kernel.ports import Changes

ROOT = Path(__file__).resolve().parent.parent


def migrate(folder: Path, database_url: str | None) -> subprocess.CompletedProcess[str]:
    environ = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    if database_url:
        environ["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "bot", "migrate-data", "--from", str(folder)],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def a_year_of_history(folder: Path, config: DistrictConfig, clock: FakeClock) -> None:
    """Requests decided and pending, a page, guidelines read, messages waiting and delivered."""
    store = await TinyDBStore.open(folder)
    engine = Engine(config, store, clock, SequentialIds())
    await engine.handle(ask_for_page(TEACHER))
    await engine.handle(Decide(PRINCIPAL, "REQ-1", 1, Verdict.APPROVE))
    await engine.handle(ask_for_page(COACH, kind="team", page_name="Lincoln Lions"))
    await engine.handle(ask_for_page(TEACHER, page_name="Room 12 Art", platform="instagram"))
    await engine.handle(Decide(PRINCIPAL, "REQ-3", 1, Verdict.DENY, "We already have one."))
    await store.commit(Changes(acknowledgements=(Acknowledgement(TEACHER, clock.now()),)))
    await store.remember_message(f"teams-ref|{TEACHER.email}", '{"conversation": "19:abc"}')
    await store.close()


async def test_a_tinydb_folder_is_copied_whole_and_a_second_copy_adds_nothing(
    tmp_path: Path, database_url: str, config: DistrictConfig, clock: FakeClock
) -> None:
    folder = tmp_path / "data"
    await a_year_of_history(folder, config, clock)

    first = migrate(folder, database_url)
    assert first.returncode == 0, first.stderr
    assert "requests: 3 added, 0 updated, 0 already there" in first.stdout
    assert "pages: 1 added" in first.stdout

    second = migrate(folder, database_url)
    assert second.returncode == 0, second.stderr
    for line in second.stdout.splitlines()[1:]:
        assert " 0 added, 0 updated" in line, line

    source, target = await TinyDBStore.open(folder), await PostgresStore.open(database_url)
    try:
        assert await target.find_requests() == await source.find_requests()
        assert await target.find_pages() == await source.find_pages()
        assert await audit_entries(target) == await audit_entries(source)
        assert len(await audit_entries(target)) > 5
        assert await target.acknowledgements() == await source.acknowledgements()
        assert (
            await target.recall_message(f"teams-ref|{TEACHER.email}")
            == '{"conversation": "19:abc"}'
        )
        later = clock.now().replace(year=clock.now().year + 1)
        assert await due_entries(target, later, 1000) == await due_entries(source, later, 1000)
        assert await due_entries(target, later, 1000), "undelivered messages carry over"
    finally:
        await source.close()
        await target.close()


async def test_copying_explains_what_is_missing(tmp_path: Path, database_url: str) -> None:
    no_database = migrate(tmp_path, None)
    assert no_database.returncode == 2
    assert "set DATABASE_URL" in no_database.stderr

    not_a_folder = migrate(tmp_path / "nowhere", database_url)
    assert not_a_folder.returncode == 2
    assert "is not a Pagekeeper data folder" in not_a_folder.stderr
    assert not (tmp_path / "nowhere").exists(), "nothing is created where nothing was"


async def test_a_folder_in_use_by_a_running_bot_is_not_copied(
    tmp_path: Path, database_url: str
) -> None:
    running = await TinyDBStore.open(tmp_path)
    try:
        busy = migrate(tmp_path, database_url)
    finally:
        await running.close()
    assert busy.returncode == 2
    assert "already in use by another Pagekeeper process" in busy.stderr


async def test_a_closed_folder_is_read_file_by_file_and_an_unfinished_one_finished_first(
    tmp_path: Path,
    database_url: str,
    config: DistrictConfig,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A copy needs each record once: a folder the bot closed is read a bucket at a time,
    never opened as the bot opens it (which loads it all). One the bot left with commits in
    its journal (killed mid-work) is first opened and closed, which finishes them."""
    closed = tmp_path / "closed"
    await a_year_of_history(closed, config, clock)
    opened: list[Path] = []
    real_open_once = folder_reader.open_once

    def counted(folder: Path) -> None:
        opened.append(folder)
        real_open_once(folder)

    monkeypatch.setattr(folder_reader, "open_once", counted)
    report = await copy_folder(closed, database_url)
    assert opened == []
    assert str(report.tallies["requests"]) == "3 added, 0 updated, 0 already there"

    # The image a killed bot leaves: its last commits are only in the journal.
    running = await TinyDBStore.open(closed)
    engine = Engine(config, running, clock, lambda prefix: f"{prefix}-LATE")
    await engine.handle(ask_for_page(TEACHER, page_name="Room 12 Chess Club"))
    killed = tmp_path / "killed"
    shutil.copytree(closed, killed, ignore=shutil.ignore_patterns(".lock"))
    await running.close()
    report = await copy_folder(killed, database_url)
    assert opened == [killed]
    assert str(report.tallies["requests"]) == "1 added, 0 updated, 3 already there"
