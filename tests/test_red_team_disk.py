"""Red-team finding 5: a full disk. A message that was sent is never sent again because
recording it failed, and `/healthz` says 503 from the first failed write until writes succeed
again, without a restart. On a real small filesystem (tmpfs, when this process may mount one)
and with ENOSPC injected in the file layer."""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from aiohttp import ClientSession

from storage.tinydb_store import TinyDBStore
from tests.chat_drivers import SlackChat, slack_chat
from tests.conftest import TEACHER
from tests.stories import ask_for_page
from workflows.district.loading import load_config
from workflows.kernel.ports import StorageError


@contextlib.contextmanager
def small_filesystem(where: Path) -> Iterator[Path]:
    """A 4 MB tmpfs at `where`; skips when this process may not mount one (not root)."""
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(folder: Path) -> Path:
    """Write until the filesystem is full; the file that filled it."""
    filler = folder / "filler"
    with open(filler, "wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as error:
            assert error.errno == errno.ENOSPC
    return filler


async def health(chat: SlackChat) -> int:
    async with ClientSession() as session, session.get(chat.base + "healthz") as answer:
        return answer.status


async def deliver_for_a_while(chat: SlackChat, rounds: int = 5) -> None:
    """What the dispatcher's loop does: rounds, each failing while the disk is full."""
    for _ in range(rounds):
        with contextlib.suppress(StorageError):
            await chat.dispatcher.drain()


def cards_to_ana(chat: SlackChat) -> int:
    return len([c for c in chat.fake.of("chat.postMessage") if c.args["channel"] == "UANARUIZ"])


async def full_disk_story(folder: Path, make_full: Callable[[], Callable[[], None]]) -> None:
    store = await TinyDBStore.open(folder / "data")
    async with slack_chat(load_config(None), store) as chat:
        assert await health(chat) == 200
        await chat.engine.handle(ask_for_page(TEACHER))  # queued; Ana's card is due
        make_room = make_full()
        await deliver_for_a_while(chat)
        assert cards_to_ana(chat) == 1, "sent once, though recording it failed"
        assert await health(chat) == 503

        make_room()
        assert await health(chat) == 200, "writable again, without a restart"
        await deliver_for_a_while(chat)
        assert cards_to_ana(chat) == 1
        [for_ana] = [
            e for e in await store.outbox_entries() if e.message.to == "ana.ruiz@example.org"
        ]
        assert for_ana.delivered_at is not None, "recorded once the disk had room"


async def test_a_full_filesystem_sends_nothing_twice_and_health_follows_it(
    tmp_path: Path,
) -> None:
    with small_filesystem(tmp_path / "small") as folder:

        def make_full() -> Callable[[], None]:
            filler = fill(folder)
            return filler.unlink

        await full_disk_story(folder, make_full)


async def test_enospc_in_the_file_layer_sends_nothing_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def make_full() -> Callable[[], None]:
        def no_space(descriptor: int) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr("storage.files.os.fsync", no_space)
        return monkeypatch.undo

    await full_disk_story(tmp_path, make_full)
