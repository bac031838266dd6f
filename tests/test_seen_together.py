"""Replay keys checked together (storage/postgres/seen_together.py): what each caller is told
when the check fails, or when the same key is asked twice before it is checked."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from storage.postgres.seen_together import SeenTogether
from workflows.kernel.ports import StorageError

NOW = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=5)


async def test_keys_asked_while_a_check_is_under_way_go_in_the_next_one_together() -> None:
    checks: list[list[str]] = []
    release = asyncio.Event()

    async def check(keys: list[str], nows: list[datetime], kept: timedelta) -> set[str]:
        checks.append(keys)
        await release.wait()
        return {key for key in keys if key != "old"}

    seen = SeenTogether(check)
    first = asyncio.create_task(seen.first_time("a", NOW, WINDOW))
    await asyncio.sleep(0)
    rest = [asyncio.create_task(seen.first_time(key, NOW, WINDOW)) for key in ("b", "old", "b")]
    await asyncio.sleep(0)
    release.set()
    assert await first is True
    assert [await task for task in rest] == [True, False, False]
    assert checks == [["a"], ["b", "old"]]


async def test_a_failed_check_reaches_everyone_waiting_and_the_next_check_goes_ahead() -> None:
    failing = True

    async def check(keys: list[str], nows: list[datetime], kept: timedelta) -> set[str]:
        await asyncio.sleep(0)
        if failing:
            raise StorageError("the database at db:5432/district does not answer")
        return set(keys)

    seen = SeenTogether(check)
    asked = [seen.first_time(key, NOW, WINDOW) for key in ("a", "b", "c")]
    results = await asyncio.gather(*asked, return_exceptions=True)
    assert all(isinstance(result, StorageError) for result in results)
    failing = False
    assert await seen.first_time("a", NOW, WINDOW) is True
    with pytest.raises(StorageError, match="does not answer"):
        failing = True
        await seen.first_time("d", NOW, WINDOW)
