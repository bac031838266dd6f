"""A form or click carried out is remembered for a day (SUBMISSIONS_KEPT), so that a repeat of
it is told what happened (#18). On TinyDB, older ones leave the store, from memory and from its
files: a large district's weekly checks add one a click, and kept for ever they grew the store
with time, not with the registry. A button pressed again after that is carried out again, and
the command's own checks answer, as for the same button on any other message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage import tinydb_store
from storage.tinydb_store import TinyDBStore
from tests.conftest import TEACHER
from tests.fakes import FakeClock, SequentialIds
from tests.records import audit_entries
from tests.test_reminders import live_page
from workflows.conversation.repeats import SUBMISSIONS_KEPT
from workflows.district.config import DistrictConfig
from workflows.engine import Engine
from workflows.kernel.commands import AttestMonitoring, SnoozeCheck
from workflows.kernel.model import Submission
from workflows.kernel.ports import Changes

CLICK = "slack:click:tom:1700.1:checked"
HOUR = timedelta(hours=1)


async def checks_recorded(store: TinyDBStore) -> int:
    return len([e for e in await audit_entries(store) if e.action == "MonitoringChecked"])


async def test_a_click_repeated_within_a_day_is_told_and_after_it_is_carried_out_again(
    config: DistrictConfig, tmp_path: Path
) -> None:
    clock = FakeClock()
    store = await TinyDBStore.open(tmp_path)
    engine = Engine(config, store, clock, SequentialIds())
    page_id = await live_page(engine)
    checked = AttestMonitoring(TEACHER, page_id)
    assert (await engine.handle(checked, submission=CLICK)).accepted

    clock.advance(seconds=(SUBMISSIONS_KEPT - HOUR).total_seconds())
    again = await engine.handle(checked, submission=CLICK)
    assert again.reply is not None and "It was not done a second time." in again.reply.text
    assert await checks_recorded(store) == 1

    # Longer ago than that, once anything later is carried out, the click is forgotten.
    clock.advance(hours=2)
    later = SnoozeCheck(TEACHER, page_id)
    assert (await engine.handle(later, submission="slack:click:tom:1700.9:snooze")).accepted
    assert await store.submission(CLICK) is None
    pressed = await engine.handle(checked, submission=CLICK)
    assert pressed.accepted and "second time" not in str(pressed.reply)
    assert await checks_recorded(store) == 2

    # Remembered again from now: a double click of this press is told, after a restart too.
    await store.close()
    reopened = await TinyDBStore.open(tmp_path)
    engine = Engine(config, reopened, clock, SequentialIds())
    repeat = await engine.handle(checked, submission=CLICK)
    assert repeat.reply is not None and "It was not done a second time." in repeat.reply.text
    assert await checks_recorded(reopened) == 2
    await reopened.close()


async def test_a_folder_with_months_of_submissions_keeps_only_the_latest_once_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Written as versions up to 0.2.0 did, keeping every submission, into the tables' files
    # (a checkpoint), not only the journal.
    monkeypatch.setattr(tinydb_store, "SUBMISSIONS_KEPT", timedelta.max)
    store = await TinyDBStore.open(tmp_path)
    start = datetime(2026, 1, 5, 16, 0, tzinfo=UTC)
    made = {f"click-{n:03}": start + n * 5 * HOUR for n in range(300)}  # about two months
    for key, at in made.items():
        await store.commit(Changes(submissions=(Submission(key, at, "Done", ""),)))
    await store.checkpoint()
    await store.close()
    for keys in (tmp_path / "tables").glob("submissions-*.keys"):
        keys.unlink()  # written by other code: not used (see storage/bucket_keys.py)
    monkeypatch.undo()

    newest = max(made.values())
    kept = {key for key, at in made.items() if at >= newest - SUBMISSIONS_KEPT}
    assert 1 < len(kept) < 20
    reopened = await TinyDBStore.open(tmp_path)
    assert {key for key in made if await reopened.submission(key)} == kept
    await reopened.close()
    on_disk = "".join(path.read_text() for path in (tmp_path / "tables").glob("submissions-*.json"))
    assert {key for key in made if f'"{key}"' in on_disk} == kept


async def test_a_submission_stored_after_a_newer_one_goes_once_the_newer_one_does(
    tmp_path: Path,
) -> None:
    """Moments normally only grow; one that does not (a clock set back) is kept a little
    longer, never less long."""
    store = await TinyDBStore.open(tmp_path)
    now = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
    newer = Submission("newer", now, "", "")
    late = Submission("late", now - 2 * SUBMISSIONS_KEPT, "", "")
    await store.commit(Changes(submissions=(newer,)))
    await store.commit(Changes(submissions=(late,)))
    assert await store.submission("late") == late  # kept until those before it go
    moved_on = now + SUBMISSIONS_KEPT + timedelta(seconds=1)
    await store.commit(Changes(submissions=(Submission("moved on", moved_on, "", ""),)))
    assert await store.submission("newer") is None and await store.submission("late") is None
    assert await store.submission("moved on") is not None
    await store.close()
