"""Backups taken while requests flow through the running bot, on TinyDB and on PostgreSQL, and
restores into an empty data folder or database (part of #19): every request acknowledged
before the backup began is in it, the restored audit trail verifies, and a damaged backup, a
place that is not empty, or a backup of the other store is refused with a clear message and
nothing written."""

from __future__ import annotations

import asyncio
import dataclasses
import gzip
import hashlib
import io
import itertools
import json
import tarfile
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from storage.postgres import PostgresStore
from storage.tinydb_store import TinyDBStore
from tests.bot_process import (
    FORM_ANSWERS,
    bot_command,
    busy_district,
    start_bot,
    stop,
)
from tests.fake_slack import FakeSlack, SlackClient
from tests.fakes import free_port
from tests.records import audit_entries
from tests.throwaway_postgres import ThrowawayPostgres
from workflows.kernel.ports import Changes, Store


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


@dataclass(frozen=True)
class Backup:
    """A backup taken halfway through 30 requests, and the names acknowledged before it began."""

    store: str
    file: Path
    before: list[str]
    postgres: ThrowawayPostgres | None


_databases = itertools.count(1)


def new_database(backup: Backup) -> dict[str, str]:
    """Settings for an empty place to restore into: a new database, or no settings at all
    (the test adds an empty PAGEKEEPER_DATA)."""
    if backup.postgres is None:
        return {}
    return {"DATABASE_URL": backup.postgres.create_database(f"restored_{next(_databases)}")}


@pytest.fixture(scope="module", params=["tinydb", "postgres"])
def backed_up(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Backup:
    where = tmp_path_factory.mktemp("backup")
    data, file = where / "data", where / "pagekeeper.tar.gz"
    postgres: ThrowawayPostgres | None = None
    settings = {"PAGEKEEPER_DATA": str(data)}
    if request.param == "postgres":
        postgres = request.getfixturevalue("postgres_server")
        settings["DATABASE_URL"] = postgres.create_database(f"backed_up_{next(_databases)}")

    async def run() -> list[str]:
        fake = FakeSlack()
        await fake.start()
        port = free_port()
        bot = await start_bot(
            port, fake.api_url, PAGEKEEPER_CONFIG=str(busy_district(where)), **settings
        )
        acked: list[str] = []
        try:
            names = [f"Room {number} News" for number in range(30)]
            halfway = asyncio.Event()
            flowing = asyncio.create_task(request_pages(port, fake, names, acked, halfway))
            await halfway.wait()
            before = list(acked)
            made = await asyncio.to_thread(bot_command, "backup", "--to", str(file), **settings)
            assert made.returncode == 0, made.stderr
            assert "Backed up" in made.stdout
            await flowing
            assert len(acked) == 30, "requests kept flowing during the backup"
        finally:
            await stop(bot)
            await fake.close()
        return before

    return Backup(request.param, file, asyncio.run(run()), postgres)


async def carry_on(settings: dict[str, str]) -> set[str]:
    """The restored store's request names, after it has added to its audit trail (a restored
    database numbers new audit rows after the restored ones)."""
    store: Store
    if "DATABASE_URL" in settings:
        store = await PostgresStore.open(settings["DATABASE_URL"])
    else:
        store = await TinyDBStore.open(Path(settings["PAGEKEEPER_DATA"]))
    try:
        last = (await audit_entries(store))[-1]
        await store.commit(
            Changes(audit=(dataclasses.replace(last, hash="", detail="after the restore"),))
        )
        return {request.details.page_name for request in await store.find_requests()}
    finally:
        await store.close()


def holds_nothing(settings: dict[str, str]) -> bool:
    if "DATABASE_URL" in settings:
        with psycopg.connect(settings["DATABASE_URL"]) as connection:
            row = connection.execute("SELECT to_regclass('requests')").fetchone()
            return row is not None and row[0] is None  # not even the schema was left
    folder = Path(settings["PAGEKEEPER_DATA"])
    return not folder.exists() or not any(folder.iterdir())


async def test_a_backup_taken_while_requests_flow_restores_everything_acknowledged(
    backed_up: Backup, tmp_path: Path
) -> None:
    settings = {"PAGEKEEPER_DATA": str(tmp_path / "restored"), **new_database(backed_up)}
    done = bot_command("restore", "--from", str(backed_up.file), **settings)
    assert done.returncode == 0, done.stderr
    assert "each checked against the hash chain" in done.stdout
    names = await carry_on(settings)
    assert set(backed_up.before) <= names, f"lost: {set(backed_up.before) - names}"
    verified = bot_command("verify-audit", **settings)
    assert verified.returncode == 0 and "is intact" in verified.stdout


@pytest.mark.parametrize("damage", ["cut short", "a changed byte", "not a backup"])
def test_a_damaged_backup_is_refused_and_nothing_is_written(
    backed_up: Backup, tmp_path: Path, damage: str
) -> None:
    original = backed_up.file.read_bytes()
    broken = tmp_path / "broken.tar.gz"
    if damage == "cut short":
        broken.write_bytes(original[: len(original) // 2])
    elif damage == "a changed byte":
        inside = bytearray(gzip.decompress(original))
        inside[len(inside) // 3] ^= 0x01
        broken.write_bytes(gzip.compress(bytes(inside)))
    else:
        broken.write_text("just some text")
    settings = {"PAGEKEEPER_DATA": str(tmp_path / "restored"), **new_database(backed_up)}
    done = bot_command("restore", "--from", str(broken), **settings)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"{broken} is not a whole Pagekeeper backup" in done.stderr
    assert holds_nothing(settings)
    assert [path.name for path in tmp_path.iterdir()] == ["broken.tar.gz"], "nothing left behind"


def test_a_place_that_is_not_empty_is_not_restored_into(backed_up: Backup, tmp_path: Path) -> None:
    settings = {"PAGEKEEPER_DATA": str(tmp_path / "data"), **new_database(backed_up)}
    if backed_up.store == "postgres":
        assert bot_command("restore", "--from", str(backed_up.file), **settings).returncode == 0
        found = "it holds 30 requests"
    else:
        (tmp_path / "data").mkdir()
        (tmp_path / "data" / "notes.txt").write_text("keep me")
        found = "it holds notes.txt"
    done = bot_command("restore", "--from", str(backed_up.file), **settings)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"is not empty ({found}" in done.stderr
    assert "restore into an empty" in done.stderr
    if backed_up.store == "tinydb":
        assert [p.name for p in (tmp_path / "data").iterdir()] == ["notes.txt"]


def test_a_backup_of_one_store_is_not_restored_into_the_other(
    backed_up: Backup, tmp_path: Path, postgres_server: ThrowawayPostgres
) -> None:
    settings = {"PAGEKEEPER_DATA": str(tmp_path / "restored")}
    if backed_up.store == "tinydb":
        settings["DATABASE_URL"] = postgres_server.create_database(f"other_{next(_databases)}")
        expected = "is a backup of a TinyDB data folder; restore it into an empty data folder"
    else:
        expected = "is a backup of a PostgreSQL database; restore it into an empty PostgreSQL"
    done = bot_command("restore", "--from", str(backed_up.file), **settings)
    assert done.returncode == 2 and expected in done.stderr
    assert holds_nothing(settings)


def older_backup(backup: Path, to: Path, store: str) -> None:
    """`backup` as the version before this one wrote it. TinyDB: its backup.json named no kind
    of store (the first backups were TinyDB's alone). PostgreSQL: schema 6, before the outbox's
    `bulk` and the pages' `duties_due_at` columns; the hashes made again."""
    with tarfile.open(backup, "r:gz") as archive:
        parts = {
            entry.name: (archive.extractfile(entry) or io.BytesIO()).read() for entry in archive
        }
    about = json.loads(parts.pop("backup.json"))
    if store == "tinydb":
        del about["kind"]
    else:
        for table, column in {"outbox": "bulk", "pages": "duties_due_at"}.items():
            name = f"postgres/{table}.jsonl"
            rows = [json.loads(line) for line in parts[name].splitlines()]
            assert all(column in row for row in rows), f"{table} has no {column}"
            assert rows or table == "pages", "the backup has messages (it has no pages yet)"
            parts[name] = b"".join(
                json.dumps({k: v for k, v in row.items() if k != column}).encode() + b"\n"
                for row in rows
            )
        hashes = {name: hashlib.sha256(data).hexdigest() for name, data in parts.items()}
        about |= {"schema": 6, "files": hashes}
    with tarfile.open(to, "w:gz") as archive:
        for name, data in [("backup.json", json.dumps(about).encode()), *parts.items()]:
            entry = tarfile.TarInfo(name)
            entry.size = len(data)
            archive.addfile(entry, io.BytesIO(data))


async def test_a_backup_made_by_the_version_before_restores(
    backed_up: Backup, tmp_path: Path
) -> None:
    older = tmp_path / "older.tar.gz"
    older_backup(backed_up.file, older, backed_up.store)
    settings = {"PAGEKEEPER_DATA": str(tmp_path / "restored"), **new_database(backed_up)}
    done = bot_command("restore", "--from", str(older), **settings)
    assert done.returncode == 0, done.stderr
    assert set(backed_up.before) <= await carry_on(settings)
