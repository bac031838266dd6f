"""The TinyDB store keeps every acknowledged write through crashes, and never guesses at damage."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from storage import buckets, files, integrity, tinydb_store
from storage.codec import to_dict
from storage.integrity import verify_folder
from storage.tinydb_store import INLINE_COMMIT, TinyDBStore
from tests.crash_writer import batch
from tests.fakes import FakeClock
from tests.records import audit_content, audit_entries
from tests.stories import ask_for_page
from tests.test_store_contract import ANA, MONDAY, TOM, a_message, a_page, a_request, an_entry
from workflows.district.config import DistrictConfig
from workflows.engine import Engine
from workflows.kernel.model import PageStatus, Person, RequestStatus
from workflows.kernel.ports import Changes, StorageError

ROOT = Path(__file__).resolve().parent.parent
CRASH_ROUNDS = 25
OPEN_STORE = (
    "import sys, pathlib; from storage.tinydb_store import TinyDBStore; "
    "TinyDBStore(pathlib.Path(sys.argv[1]))"
)


async def test_everything_is_still_there_after_a_restart(tmp_path: Path) -> None:
    store = await TinyDBStore.open(tmp_path)
    await store.commit(Changes((a_request(1),), (a_page(1),), (an_entry("REQ-1"),)))
    await store.close()

    reopened = await TinyDBStore.open(tmp_path)
    assert await reopened.get_request("REQ-1") == a_request(1)
    assert await reopened.get_page("PAGE-1") == a_page(1)
    assert await audit_content(reopened) == [an_entry("REQ-1")]
    await reopened.close()


def test_no_acknowledged_write_is_lost_when_the_process_is_killed(tmp_path: Path) -> None:
    chance = random.Random(1114)
    acknowledged = 0
    handles_acknowledged: set[int] = set()
    for _ in range(CRASH_ROUNDS):
        writer = subprocess.Popen(
            [sys.executable, "-m", "tests.crash_writer", str(tmp_path)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "ready"
        for _ in range(chance.randint(1, 10)):
            line = writer.stdout.readline().split()
            acknowledged = max(acknowledged, int(line[1]))
            handles_acknowledged.add(int(line[1]))
        # A commit takes a few milliseconds; this pause puts the kill anywhere inside the next.
        time.sleep(chance.uniform(0, 0.015))
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        writer.stdout.close()
        _check_every_acknowledged_commit_is_whole(tmp_path, acknowledged, handles_acknowledged)
    assert acknowledged > CRASH_ROUNDS


def _check_every_acknowledged_commit_is_whole(
    folder: Path, acknowledged: int, remembered: set[int]
) -> None:
    async def check() -> None:
        store = await TinyDBStore.open(folder)  # raises if any file were unreadable
        try:
            requests = {request.id: request for request in await store.find_requests()}
            audit = Counter((e.subject, e.action) for e in await audit_entries(store))
            for number in range(1, acknowledged + 1):
                assert await store.recall_message(f"with-commit|{number}") == f"H{number}"
            # A kill between a commit and its own handle leaves that one handle out: only the
            # handles whose acknowledgement was seen must be there.
            for number in remembered:
                assert await store.recall_message(f"remembered|{number}") == f"R{number}", (
                    f"the handle remembered after commit {number} was lost"
                )
        finally:
            await store.close()
        for number in range(1, acknowledged + 1):
            for request in batch(number):
                assert request.id in requests, f"acknowledged {request.id} was lost"
        for number in range(1, acknowledged):
            for request in batch(number):
                assert requests[request.id].status is RequestStatus.APPROVED
        # Whatever was written after the last acknowledgement is whole too, never half.
        numbers = {request_id.split("-")[1] for request_id in requests}
        for number_text in numbers:
            for request in batch(int(number_text)):
                assert request.id in requests, f"commit {number_text} was half written"
                assert audit[(request.id, "Created")] == 1, f"{request.id} audit lost or doubled"

    asyncio.run(check())


async def test_a_commit_journaled_but_not_applied_is_finished_on_open(tmp_path: Path) -> None:
    store = await TinyDBStore.open(tmp_path)
    await store.close()
    entry = {
        "seq": 1,
        "requests": [to_dict(a_request(7))],
        "pages": [],
        "audit": [{**to_dict(an_entry("REQ-7")), "detail": "one"}, to_dict(an_entry("REQ-7"))],
    }
    (tmp_path / "journal.jsonl").write_text(json.dumps(entry) + "\n")
    # The crash came after the first audit line and part of the second.
    append(
        tmp_path / "audit.jsonl", json.dumps({"seq": 1, **entry["audit"][0]}) + '\n{"seq": 1, "at'
    )

    reopened = await TinyDBStore.open(tmp_path)
    assert await reopened.get_request("REQ-7") == a_request(7)
    assert [entry.detail for entry in await audit_entries(reopened)] == ["one", "détail ✓"]
    # The journal starts again from where the trail now stands (its two lines, linked in).
    [header] = (tmp_path / "journal.jsonl").read_text().splitlines()
    assert json.loads(header)["head"]["count"] == 2
    await reopened.close()


async def test_a_torn_last_journal_line_was_never_acknowledged_and_is_dropped(
    tmp_path: Path,
) -> None:
    store = await TinyDBStore.open(tmp_path)
    await store.commit(Changes(requests=(a_request(1),)))
    await store.close()
    append(tmp_path / "journal.jsonl", '{"seq": 2, "requests": [{"id": "REQ-2"')

    reopened = await TinyDBStore.open(tmp_path)
    assert [r.id for r in await reopened.find_requests()] == ["REQ-1"]
    await reopened.close()


async def test_a_damaged_file_stops_the_store_and_is_left_untouched(tmp_path: Path) -> None:
    store = await TinyDBStore.open(tmp_path)
    await store.commit(Changes(requests=(a_request(1),)))
    await store.close()
    [bucket] = [path for path in (tmp_path / "tables").glob("*.json") if path.stat().st_size > 0]
    bucket.write_text('{"records": {"1": {"id": "REQ-1", "stat')

    with pytest.raises(StorageError, match=f"{bucket} is unreadable"):
        await TinyDBStore.open(tmp_path)
    assert bucket.read_text() == '{"records": {"1": {"id": "REQ-1", "stat'


async def test_damage_inside_the_audit_log_is_reported_with_its_line(tmp_path: Path) -> None:
    store = await TinyDBStore.open(tmp_path)
    await store.commit(Changes(audit=(an_entry("REQ-1"), an_entry("REQ-2"))))
    await store.close()
    lines = (tmp_path / "audit.jsonl").read_text().splitlines()
    damaged = "garbage\n" + lines[1] + "\n"
    (tmp_path / "audit.jsonl").write_text(damaged)
    with pytest.raises(StorageError, match=r"audit\.jsonl is damaged at line 1"):
        await TinyDBStore.open(tmp_path)
    assert (tmp_path / "audit.jsonl").read_text() == damaged


def test_a_second_process_cannot_open_the_same_folder(tmp_path: Path) -> None:
    store = TinyDBStore(tmp_path)
    second = subprocess.run(
        [sys.executable, "-c", OPEN_STORE, str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert "already in use by another Pagekeeper process" in second.stderr
    asyncio.run(store.close())


async def test_a_failed_write_fails_the_health_check_until_writes_succeed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = await TinyDBStore.open(tmp_path)
    # Every commit writes the table files (a checkpoint), as the journal's limit would.
    monkeypatch.setattr("storage.tinydb_store.JOURNAL_LIMIT", 0)

    def disk_full(path: Path, data: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("storage.buckets.write_atomically", disk_full)
    monkeypatch.setattr("storage.tinydb_store.write_atomically", disk_full)
    # The commit is safe in the journal: acknowledged. Its checkpoint, on the flusher's
    # thread, is refused; once that is known the store takes no more writes.
    await store.commit(Changes(requests=(a_request(1),)))
    with pytest.raises(StorageError, match="No space left on device"):
        await store.checkpoint()
    with pytest.raises(StorageError, match="still failing"):
        await store.check()
    with pytest.raises(StorageError, match="still failing"):
        await store.commit(Changes(requests=(a_request(3),)))

    monkeypatch.undo()  # room on the disk again: no restart needed
    await store.check()
    assert await store.get_request("REQ-1") == a_request(1), "finished from the journal"
    await store.commit(Changes(requests=(a_request(2),)))
    await store.close()
    reopened = await TinyDBStore.open(tmp_path)
    assert [r.id for r in await reopened.find_requests()] == ["REQ-1", "REQ-2"]
    await reopened.close()


async def test_a_journal_the_disk_cannot_write_stops_writes_and_loses_nothing_applied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A commit's line is written on the syncer's thread: when the disk refuses it, the
    commit is applied in memory already. Its wait fails, the store takes no more writes, and
    the line stays queued until the disk takes it, so the files agree with what was read."""
    store = await TinyDBStore.open(tmp_path)
    write = files.JsonLines._write

    def disk_full(self: files.JsonLines, data: bytes, *, sync: bool) -> None:
        if self.path.name == "journal.jsonl":
            raise OSError(28, "No space left on device")
        write(self, data, sync=sync)

    monkeypatch.setattr(files.JsonLines, "_write", disk_full)
    with pytest.raises(StorageError, match="No space left on device"):
        await store.commit(Changes(requests=(a_request(1),), audit=(an_entry("REQ-1"),)))
    with pytest.raises(StorageError, match="still failing"):
        await store.check()
    with pytest.raises(StorageError, match="still failing"):
        await store.commit(Changes(requests=(a_request(3),)))
    with pytest.raises(StorageError, match="still failing"):
        await store.first_time("slack:v0=abc", datetime.now(UTC), timedelta(minutes=5))
    assert (tmp_path / "audit.jsonl").read_text() == "", "no trail line before its commit's"

    monkeypatch.undo()  # room again: the queued line is written, no restart needed
    await store.check()
    await store.commit(Changes(requests=(a_request(2),)))
    await store.close()
    reopened = await TinyDBStore.open(tmp_path)
    try:
        assert [r.id for r in await reopened.find_requests()] == ["REQ-1", "REQ-2"]
        assert [entry.subject for entry in await audit_entries(reopened)] == ["REQ-1"]
    finally:
        await reopened.close()


async def test_a_commit_the_disk_refuses_on_the_stores_thread_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = await TinyDBStore.open(tmp_path)

    def disk_full(self: files.JsonLines, records: object, **_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.JsonLines, "append", disk_full)
    with pytest.raises(StorageError, match="No space left on device"):
        await store.remember_message("slack:C1:1", "1700000000.000100")  # synced, in turn
    monkeypatch.undo()
    assert await store.recall_message("slack:C1:1") is None
    await store.commit(Changes(requests=(a_request(2),)))
    await store.close()
    reopened = await TinyDBStore.open(tmp_path)
    assert [r.id for r in await reopened.find_requests()] == ["REQ-2"]
    await reopened.close()


def test_a_crash_during_an_append_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    log = files.JsonLines(tmp_path / "log.jsonl")
    log.append([{"n": 1}])
    size = os.path.getsize(tmp_path / "log.jsonl")
    log.close()
    with open(tmp_path / "log.jsonl", "ab") as handle:
        handle.write(b'{"n": 2')
    reopened = files.JsonLines(tmp_path / "log.jsonl")
    assert list(reopened) == [{"n": 1}] and reopened.last == {"n": 1}
    assert os.path.getsize(tmp_path / "log.jsonl") == size
    reopened.close()


def test_queued_lines_reach_the_disk_in_order_and_after_the_lines_they_follow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = files.JsonLines(tmp_path / "journal.jsonl")
    trail = files.JsonLines(tmp_path / "audit.jsonl", written_after=journal)
    journal.queue([{"seq": 1}])
    trail.queue([{"seq": 1, "line": "a"}])
    assert trail.size() > 0 and trail.last == {"seq": 1, "line": "a"}
    assert (tmp_path / "journal.jsonl").read_text() == "", "queued: not written yet"

    write = files.JsonLines._write

    def journal_refused(self: files.JsonLines, data: bytes, *, sync: bool) -> None:
        if self is journal:
            raise OSError(28, "No space left on device")
        write(self, data, sync=sync)

    monkeypatch.setattr(files.JsonLines, "_write", journal_refused)
    with pytest.raises(OSError):
        trail.write_queued()
    assert (tmp_path / "audit.jsonl").read_text() == "", "never ahead of its journal line"
    monkeypatch.undo()

    trail.queue([{"seq": 2, "line": "b"}])
    assert list(trail) == [{"seq": 1, "line": "a"}, {"seq": 2, "line": "b"}], "kept, in order"
    assert list(files.JsonLines(tmp_path / "journal.jsonl")) == [{"seq": 1}]
    assert trail.size() == os.path.getsize(tmp_path / "audit.jsonl")
    trail.close()
    journal.close()


def append(path: Path, text: str) -> None:
    with open(path, "a") as handle:
        handle.write(text)


async def test_keys_seen_once_outlive_a_restart_and_the_file_keeps_only_live_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("storage.tinydb_store.ONCE_FILE_LIMIT", 2000)
    window, start = timedelta(minutes=5), datetime(2026, 12, 1, 9, tzinfo=UTC)
    store = await TinyDBStore.open(tmp_path)
    for number in range(100):  # a minute apart: only the last five stay in the window
        assert await store.first_time(f"key-{number}", start + timedelta(minutes=number), window)
    await store.close()
    lines = (tmp_path / "once.jsonl").read_text().splitlines()
    assert len(lines) < 40, "rewritten with the live keys once it grew past its limit"

    reopened = await TinyDBStore.open(tmp_path)
    now = start + timedelta(minutes=99)
    assert await reopened.first_time("key-99", now, window) is False
    assert await reopened.first_time("key-10", now, window) is True
    await reopened.close()


async def test_keys_are_rewritten_off_the_event_loop_and_those_seen_meanwhile_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("storage.tinydb_store.ONCE_FILE_LIMIT", 2000)
    real_rewrite = tinydb_store._rewrite_once_file
    rewriters: list[threading.Thread] = []
    started, release = threading.Event(), threading.Event()

    def held(path: Path, live: dict[str, datetime], folder: Path) -> int:
        rewriters.append(threading.current_thread())
        started.set()
        release.wait(timeout=30)  # until the test has sent more requests meanwhile
        return real_rewrite(path, live, folder)

    monkeypatch.setattr(tinydb_store, "_rewrite_once_file", held)
    now, window = datetime(2026, 12, 1, 9, tzinfo=UTC), timedelta(minutes=5)
    store = await TinyDBStore.open(tmp_path)
    for number in range(200):
        assert await store.first_time(f"key-{number}", now, window)
        await asyncio.sleep(0)  # requests come one by one
    # The file passed its limit: a rewrite is under way (waited for off the loop).
    assert await asyncio.to_thread(started.wait, 30), "no rewrite started"
    # Answered while the rewrite is held on its thread: nothing waits for it.
    meanwhile = [f"late-{number}" for number in range(50)]
    for key in meanwhile:
        assert await store.first_time(key, now, window)
    release.set()
    await store.close()
    assert threading.main_thread() not in rewriters
    reopened = await TinyDBStore.open(tmp_path)
    for key in ["key-0", "key-199", *meanwhile]:
        assert await reopened.first_time(key, now, window) is False, key
    await reopened.close()


async def test_many_keys_live_at_once_do_not_rewrite_the_file_on_every_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("storage.tinydb_store.ONCE_FILE_LIMIT", 2000)
    rewrites = []
    real_rewrite = tinydb_store._rewrite_once_file

    def counted(path: Path, live: dict[str, datetime], folder: Path) -> int:
        rewrites.append(len(live))
        return real_rewrite(path, live, folder)

    monkeypatch.setattr(tinydb_store, "_rewrite_once_file", counted)
    now, window = datetime(2026, 12, 1, 9, tzinfo=UTC), timedelta(minutes=5)
    store = await TinyDBStore.open(tmp_path)
    for number in range(1000):  # all in the window: 50 KB of keys, 25 times the limit
        assert await store.first_time(f"key-{number}", now, window)
        await asyncio.sleep(0)  # requests come one by one: a rewrite under way goes on
    await store.close()
    # The file doubles between rewrites: a handful, not one per request past the limit.
    assert 1 <= len(rewrites) <= 6
    reopened = await TinyDBStore.open(tmp_path)
    assert await reopened.first_time("key-0", now, window) is False
    assert await reopened.first_time("key-999", now, window) is False
    await reopened.close()


async def test_the_reminders_index_is_rebuilt_when_the_folder_is_opened_again(
    tmp_path: Path,
) -> None:
    monday = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    store = await TinyDBStore.open(tmp_path)
    due, later = monday + timedelta(hours=1), monday + timedelta(days=3)
    active = PageStatus.ACTIVE
    pages = (
        a_page(1, status=active, duties_due_at=due),
        a_page(2, status=active, duties_due_at=later),
    )
    await store.commit(Changes(pages=pages))
    await store.close()
    reopened = await TinyDBStore.open(tmp_path)
    try:
        found = await reopened.find_pages(status=active, due_by=monday + timedelta(hours=2))
        assert [page.id for page in found] == ["PAGE-1"]
    finally:
        await reopened.close()


@pytest.mark.parametrize("key_files", ["kept", "lost"])
async def test_a_restart_answers_alike_from_key_files_or_from_decoding(
    tmp_path: Path, key_files: str
) -> None:
    monday = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    store = await TinyDBStore.open(tmp_path)
    active = PageStatus.ACTIVE
    pages = (
        a_page(1, status=active, duties_due_at=monday, url="https://facebook.com/room12"),
        a_page(2, status=active, duties_due_at=monday + timedelta(days=3), owners=(ANA,)),
        a_page(3),
    )
    await store.commit(Changes(requests=(a_request(1),), pages=pages, outbox=(a_message(1),)))
    await store.close()
    if key_files == "lost":
        for path in (tmp_path / "tables").glob("*.keys"):
            path.unlink()
    reopened = await TinyDBStore.open(tmp_path)
    try:
        due = await reopened.find_pages(status=active, due_by=monday + timedelta(hours=2))
        assert [page.id for page in due] == ["PAGE-1"]
        assert [p.id for p in await reopened.find_pages(owner=ANA.email)] == ["PAGE-2"]
        at = await reopened.find_pages(url="https://www.facebook.com/room12/")
        assert [page.id for page in at] == ["PAGE-1"]
        counts = await reopened.pages_by_status()
        assert counts == {PageStatus.ACTIVE: 2, PageStatus.SETTING_UP: 1}
        assert [r.id for r in await reopened.find_requests(requester=TOM.email)] == ["REQ-1"]
        assert (await reopened.outbox_waiting())[0] == 1
    finally:
        await reopened.close()
    assert len(list((tmp_path / "tables").glob("*.keys"))) == len(
        list((tmp_path / "tables").glob("*.json"))
    ), "every bucket read has its key file again"


async def test_sessions_and_sign_outs_survive_a_restart(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    store = await TinyDBStore.open(tmp_path)
    await store.keep_pass("session:kept", "tom.baker@example.org", now + timedelta(hours=8))
    await store.keep_pass("session:ended", "ana.ruiz@example.org", now + timedelta(hours=8))
    await store.keep_pass("link:old", "ana.ruiz@example.org", now - timedelta(minutes=1))
    await store.drop_pass("session:ended")
    await store.close()
    again = await TinyDBStore.open(tmp_path)
    try:
        assert await again.read_pass("session:kept", now) == "tom.baker@example.org"
        assert await again.read_pass("session:ended", now) is None
        assert "link:old" not in (tmp_path / "passes.jsonl").read_text()
    finally:
        await again.close()


async def test_audit_lines_the_machine_lost_are_written_again_from_the_journal(
    tmp_path: Path,
) -> None:
    """Commits sync the journal; audit lines and table files reach the disk at checkpoints.
    A machine that crashed before one loses those lines and writes, never a commit."""
    store = await TinyDBStore.open(tmp_path / "live")
    await store.commit(Changes(requests=(a_request(1),), audit=(an_entry("REQ-1"),)))
    await store.close()  # a checkpoint: REQ-1 and its line are in the files
    store = await TinyDBStore.open(tmp_path / "live")
    synced = (tmp_path / "live" / "audit.jsonl").stat().st_size
    for number in (2, 3, 4):
        request = a_request(number)
        await store.commit(Changes(requests=(request,), audit=(an_entry(request.id),)))
    # The disk as a power cut would leave it: what was synced, and no more of the trail.
    shutil.copytree(tmp_path / "live", tmp_path / "after")
    os.truncate(tmp_path / "after" / "audit.jsonl", synced)
    await store.close()
    recovered = await TinyDBStore.open(tmp_path / "after")
    try:
        assert [r.id for r in await recovered.find_requests()] == [f"REQ-{n}" for n in (1, 2, 3, 4)]
        assert [e.subject for e in await audit_entries(recovered)] == [
            f"REQ-{n}" for n in (1, 2, 3, 4)
        ]
    finally:
        await recovered.close()
    verify_folder(tmp_path / "after")


class Held:
    """Stands in for a function a checkpoint calls on the flusher's thread: the first
    `allowed` calls go through, the next waits until released."""

    def __init__(self, real: Callable[..., None], allowed: int) -> None:
        self.real = real
        self.allowed = allowed
        self.waiting = threading.Event()
        self.released = threading.Event()

    def __call__(self, *args: Any) -> None:
        if self.allowed == 0:
            self.waiting.set()
            assert self.released.wait(10), "never released"
        self.allowed -= 1
        self.real(*args)


async def commit_request(store: TinyDBStore, number: int) -> None:
    request = a_request(number)
    await asyncio.wait_for(
        store.commit(Changes(requests=(request,), audit=(an_entry(request.id),))), 5
    )


async def test_commits_go_on_while_a_checkpoint_writes_the_table_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = await TinyDBStore.open(tmp_path)
    monkeypatch.setattr("storage.tinydb_store.JOURNAL_LIMIT", 0)  # every commit starts one
    held = Held(buckets.write_atomically, allowed=0)
    monkeypatch.setattr("storage.buckets.write_atomically", held)
    await commit_request(store, 1)
    assert await asyncio.to_thread(held.waiting.wait, 5), "the checkpoint is writing"

    for number in (2, 3, 4):  # none waits for the files (each would time out)
        await commit_request(store, number)
    assert [r.id for r in await store.find_requests()] == [f"REQ-{n}" for n in (1, 2, 3, 4)]

    held.released.set()
    await store.checkpoint()
    assert len((tmp_path / "journal.jsonl").read_bytes().splitlines()) == 1, "only its head"
    await store.close()
    reopened = await TinyDBStore.open(tmp_path)
    try:
        assert len(await reopened.find_requests()) == 4
        assert len(await audit_entries(reopened)) == 4
    finally:
        await reopened.close()


class PausedAfterFirst:
    """Stands in for a function a checkpoint calls on the flusher's thread: the first call
    waits, once done, until released."""

    def __init__(self, real: Callable[..., int]) -> None:
        self.real = real
        self.calls = 0
        self.waiting = threading.Event()
        self.released = threading.Event()

    def __call__(self, *args: Any) -> int:
        done = self.real(*args)
        self.calls += 1
        if self.calls == 1:
            self.waiting.set()
            assert self.released.wait(10), "never released"
        return done


async def test_commits_made_while_a_checkpoint_is_prepared_are_copied_off_the_stores_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The journal that follows a checkpoint catches up on the flusher's thread with the
    commits made while it was written, so the store's thread, which holds every commit up
    while it puts that journal in place, has next to nothing left to copy and sync."""
    store = await TinyDBStore.open(tmp_path)
    monkeypatch.setattr("storage.tinydb_store.JOURNAL_LIMIT", 0)  # every commit starts one
    monkeypatch.setattr("storage.tinydb_store.CAUGHT_UP", 0)  # copy until none is left
    paused = PausedAfterFirst(tinydb_store._copy_complete_lines)
    monkeypatch.setattr("storage.tinydb_store._copy_complete_lines", paused)
    left_to_the_store: list[int] = []
    switch = TinyDBStore._switch_journal

    def switching(self: TinyDBStore, copied: int) -> None:
        left_to_the_store.append(self.folder.joinpath("journal.jsonl").stat().st_size - copied)
        switch(self, copied)

    monkeypatch.setattr(TinyDBStore, "_switch_journal", switching)
    writing = Held(buckets.write_atomically, allowed=0)
    monkeypatch.setattr("storage.buckets.write_atomically", writing)
    await commit_request(store, 1)
    assert await asyncio.to_thread(writing.waiting.wait, 5), "the checkpoint is writing"
    await commit_request(store, 2)  # while the tables are written: the first copy takes it
    writing.released.set()
    assert await asyncio.to_thread(paused.waiting.wait, 5), "the first copy is made"
    for number in (3, 4):  # while the first copy was made: the next takes them
        await commit_request(store, number)

    paused.released.set()
    await store.checkpoint()
    assert left_to_the_store[0] == 0
    await store.close()
    reopened = await TinyDBStore.open(tmp_path)
    try:
        assert [r.id for r in await reopened.find_requests()] == [f"REQ-{n}" for n in (1, 2, 3, 4)]
    finally:
        await reopened.close()


@pytest.mark.parametrize(
    ("held_call", "allowed"),
    [
        ("write_atomically", 0),  # before any table file is written
        ("write_atomically", 2),  # part-way through
        ("fsync_directory", 0),  # every file written, the journal not yet cut
    ],
)
async def test_a_crash_during_a_checkpoint_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, held_call: str, allowed: int
) -> None:
    store = await TinyDBStore.open(tmp_path / "live")
    for number in range(1, 7):
        await commit_request(store, number)
    monkeypatch.setattr("storage.tinydb_store.JOURNAL_LIMIT", 0)
    held = Held(getattr(buckets, held_call), allowed)
    monkeypatch.setattr(f"storage.buckets.{held_call}", held)
    await commit_request(store, 7)
    assert await asyncio.to_thread(held.waiting.wait, 5)
    await commit_request(store, 8)
    # The disk as a crash at this moment leaves it.
    shutil.copytree(tmp_path / "live", tmp_path / "after")
    held.released.set()
    await store.close()

    recovered = await TinyDBStore.open(tmp_path / "after")
    try:
        assert [r.id for r in await recovered.find_requests()] == [f"REQ-{n}" for n in range(1, 9)]
        assert [e.subject for e in await audit_entries(recovered)] == [
            f"REQ-{n}" for n in range(1, 9)
        ]
    finally:
        await recovered.close()
    verify_folder(tmp_path / "after")


async def test_delivered_messages_leave_memory_and_survive_any_crash_once(tmp_path: Path) -> None:
    """A delivered message is written to settled.jsonl and dropped from the tables (the
    bot's memory grows with what is waiting, not with everything ever sent). A crash before
    the next checkpoint, of the process or of the machine, leaves each message once."""
    store = await TinyDBStore.open(tmp_path / "live")
    sent = [a_message(number) for number in range(1, 5)]
    await store.commit(Changes(outbox=tuple(sent)))
    await store.close()
    store = await TinyDBStore.open(tmp_path / "live")
    synced = (tmp_path / "live" / "settled.jsonl").stat().st_size
    delivered = [dataclasses.replace(entry, delivered_at=MONDAY) for entry in sent[:3]]
    await store.commit(Changes(outbox=tuple(delivered)))
    assert await store.outbox_waiting() == (1, sent[3].created_at)
    # A killed process leaves every line written; a power cut only what was synced.
    shutil.copytree(tmp_path / "live", tmp_path / "killed")
    shutil.copytree(tmp_path / "live", tmp_path / "power-cut")
    os.truncate(tmp_path / "power-cut" / "settled.jsonl", synced)
    await store.close()
    for folder in ("live", "killed", "power-cut"):
        reopened = await TinyDBStore.open(tmp_path / folder)
        try:
            entries = sorted(await reopened.outbox_entries(), key=lambda entry: entry.id)
            assert entries == [*delivered, sent[3]], folder
        finally:
            await reopened.close()
        lines = (tmp_path / folder / "settled.jsonl").read_text().splitlines()
        assert sorted(json.loads(line)["id"] for line in lines) == ["MSG-1", "MSG-2", "MSG-3"]
        tables = "".join(
            p.read_text() for p in (tmp_path / folder / "tables").glob("outbox-*.json")
        )
        assert "MSG-1" not in tables and "MSG-4" in tables


async def test_a_settled_file_shorter_than_the_journal_says_is_refused(tmp_path: Path) -> None:
    store = await TinyDBStore.open(tmp_path)
    await store.commit(Changes(outbox=(dataclasses.replace(a_message(1), delivered_at=MONDAY),)))
    await store.close()
    os.truncate(tmp_path / "settled.jsonl", 0)
    with pytest.raises(StorageError, match=r"settled\.jsonl is shorter than when it was last"):
        await TinyDBStore.open(tmp_path)


async def test_a_start_checks_only_the_lines_added_since_the_trail_was_last_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each checkpoint notes how much of the trail is checked, with the SHA-256 of those
    bytes; the next start hashes them (fast) and checks line by line only what follows. A
    change to any byte of them has it check every line, and the broken one is named."""
    store = await TinyDBStore.open(tmp_path)
    for number in range(1, 6):
        await store.commit(Changes(audit=(an_entry(f"REQ-{number}"),)))
    await store.close()
    checked: list[bytes] = []
    parse = integrity._parsed

    def counted(path: Path, line: bytes, number: int) -> dict[str, object]:
        if path.name == "audit.jsonl":
            checked.append(line)
        return parse(path, line, number)

    monkeypatch.setattr(integrity, "_parsed", counted)
    store = await TinyDBStore.open(tmp_path)
    assert checked == []  # all five were checked before
    await store.commit(Changes(audit=(an_entry("REQ-6"),)))
    await store.close()
    await (await TinyDBStore.open(tmp_path)).close()
    assert checked == []

    lines = (tmp_path / "audit.jsonl").read_text().splitlines(keepends=True)
    lines[1] = lines[1].replace("REQ-2", "REQ-9")
    (tmp_path / "audit.jsonl").write_text("".join(lines))
    with pytest.raises(StorageError, match=r"audit line 2 \(.* REQ-9\) does not match"):
        await TinyDBStore.open(tmp_path)
    assert len(checked) == 2
    # The verify command checks every line, whatever a start noted.
    checked.clear()
    lines[1] = lines[1].replace("REQ-9", "REQ-2")
    (tmp_path / "audit.jsonl").write_text("".join(lines))
    verify_folder(tmp_path)
    assert len(checked) == 6


async def test_commits_made_while_the_journal_syncs_share_the_next_sync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, config: DistrictConfig, clock: FakeClock
) -> None:
    store = await TinyDBStore.open(tmp_path)
    held = Held(tinydb_store._sync_file, allowed=0)
    syncs: list[int] = []

    def counted(descriptor: int) -> None:
        syncs.append(descriptor)
        held(descriptor)

    monkeypatch.setattr(tinydb_store, "_sync_file", counted)
    engine = Engine(config, store, clock)
    written: list[Changes] = []
    applied = asyncio.Event()

    def write(changes: Changes) -> None:
        written.append(changes)
        if len(written) == 10:
            applied.set()

    engine.on_write(write)
    teachers = [Person(f"teacher{n}@example.org", f"Teacher {n}") for n in range(10)]
    first = asyncio.create_task(engine.handle(ask_for_page(teachers[0], page_name="Room 0")))
    assert await asyncio.to_thread(held.waiting.wait, 5), "the first commit's sync is under way"
    others = [
        asyncio.create_task(engine.handle(ask_for_page(teacher, page_name=f"Room {n}")))
        for n, teacher in enumerate(teachers[1:], start=1)
    ]
    await asyncio.wait_for(applied.wait(), 5)  # all ten written, one after another

    assert not first.done() and not any(task.done() for task in others), "none is durable yet"
    lease = timedelta(minutes=1)
    claim = await store.claim_messages("sender", clock.now(), 100, lease)
    assert claim.entries == (), "nothing is delivered before its commit is durable"

    held.released.set()
    outcomes = await asyncio.gather(first, *others)
    assert all(outcome.accepted for outcome in outcomes)
    assert len(syncs) == 2, "the nine commits made during the first sync shared one"
    claim = await store.claim_messages("sender", clock.now(), 100, lease)
    assert len(claim.entries) >= 10
    await store.close()


async def test_a_journal_the_disk_cannot_sync_stops_writes_until_it_can(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = await TinyDBStore.open(tmp_path)

    def failing(descriptor: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(tinydb_store, "_sync_file", failing)
    with pytest.raises(StorageError, match="Input/output error"):
        await store.commit(Changes(requests=(a_request(1),)))
    monkeypatch.undo()
    await store.check()  # the journal read back and the files written: writable again
    await store.commit(Changes(requests=(a_request(2),)))
    await store.close()
    reopened = await TinyDBStore.open(tmp_path)
    try:
        # The first was written, only its sync failed: the journal still had it.
        assert [r.id for r in await reopened.find_requests()] == ["REQ-1", "REQ-2"]
    finally:
        await reopened.close()


async def test_a_short_read_or_commit_is_done_at_once_yet_never_meets_one_half_applied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = await TinyDBStore.open(tmp_path)
    steps = store.commit_in_turn(Changes((a_request(1),))).__await__()
    with pytest.raises(StopIteration):
        next(steps)  # written in one step: no trip to the store's thread and back
    await store.commit(Changes())  # and synced

    steps = store.get_request("REQ-1").__await__()
    with pytest.raises(StopIteration) as answered:
        next(steps)  # answered in one step
    assert answered.value.value == a_request(1)

    held = Held(buckets.BucketedTable.upsert, allowed=0)
    monkeypatch.setattr(buckets.BucketedTable, "upsert", lambda *args: held(*args))
    approved = a_request(1, status=RequestStatus.APPROVED, version=2)
    # A long commit is applied on the store's thread, meanwhile the loop goes on.
    trail = tuple(an_entry("REQ-1") for _ in range(INLINE_COMMIT))
    commit = asyncio.create_task(store.commit(Changes((approved,), audit=trail)))
    assert await asyncio.to_thread(held.waiting.wait, 5), "the commit is being applied"
    read = asyncio.create_task(store.get_request("REQ-1"))
    for _ in range(5):
        await asyncio.sleep(0)  # the read's turns on the loop, without time passing
    assert not read.done(), "a read waits for the change under way"

    held.released.set()
    await commit
    assert await read == approved
    await store.close()


async def test_the_count_of_waiting_messages_reads_none_of_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`/metrics` asks for it every scrape: decoding each waiting message held the store's
    thread for seconds in a Monday backlog."""
    store = await TinyDBStore.open(tmp_path)
    waiting = [a_message(number) for number in range(1, 6)]
    await store.commit(Changes(outbox=tuple(waiting)))

    def unread(*args: Any) -> None:
        raise AssertionError("a waiting message was read")

    monkeypatch.setattr(buckets.BucketedTable, "get", unread)
    oldest = min(entry.created_at for entry in waiting)
    assert await store.outbox_waiting() == (5, oldest)
    await store.close()
