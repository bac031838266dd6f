"""Reading the district file again without a restart (SIGHUP, or `python -m bot reload`).

A file that does not pass the same checks as `check-config` is refused: the one in force stays,
the problem is logged and the district contact is told. A good file is put in force between
two commands, then waiting requests move to whoever holds their step's role now (see
workflows/requests/handover.py). With several processes on one database each puts the file in
force; one of them (the first to claim the reload's key) moves the requests and reports it.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
import signal
from datetime import timedelta
from pathlib import Path

from workflows.district.config import ConfigError
from workflows.district.loading import example_text, load_config
from workflows.engine import Engine
from workflows.kernel.commands import AdoptDistrictFile, RefuseDistrictFile
from workflows.kernel.events import RequestHandedOver
from workflows.kernel.handling import Outcome
from workflows.kernel.ports import Clock, OnceOnly

log = logging.getLogger(__name__)

# A reload's key is remembered this long, so a process that hears it late does not report it
# again.
KEY_KEPT = timedelta(hours=1)
# What the contact is told of a refused file: the checker's message names the line at fault
# first; a longer one is cut here.
PROBLEM_SHOWN = 1500


class Reloader:
    """Puts the district file at `path` (the built-in example when None) in force again."""

    def __init__(self, engine: Engine, path: Path | None, once: OnceOnly, clock: Clock) -> None:
        self._engine = engine
        self._path = path
        self._once = once
        self._clock = clock
        self._one_at_a_time = asyncio.Lock()

    async def reload(self, key: str = "") -> bool:
        """Read the file again and put it in force; False when it was refused. `key` names a
        reload several processes hear at once (empty: this process alone, as on SIGHUP)."""
        async with self._one_at_a_time:
            try:
                config = await asyncio.to_thread(load_config, self._path)
            except ConfigError as error:
                log.error("district file refused; the one in force stays: %s", error)
                if await self._reports(key):
                    await self._engine.handle(RefuseDistrictFile(_shortened(str(error))))
                return False
            fingerprint = await asyncio.to_thread(self.fingerprint)
            await self._engine.adopt(config)
            log.info("district file reloaded: fingerprint=%s", fingerprint)
            if await self._reports(key):
                outcome = await self._engine.handle(AdoptDistrictFile(fingerprint))
                log.info("requests moved to new approvers after the reload: %d", _moved(outcome))
            return True

    async def at_start(self) -> None:
        """Move requests left waiting for someone the file in force no longer names (the file
        was changed while the bot was stopped)."""
        try:
            outcome = await self._engine.handle(
                AdoptDistrictFile(await asyncio.to_thread(self.fingerprint), reloaded=False)
            )
        except Exception:  # the bot still serves; the next start or reload tries again
            log.exception("could not check waiting requests against the district file")
            return
        if _moved(outcome):
            log.info("requests moved to new approvers at start: %d", _moved(outcome))

    def fingerprint(self) -> str:
        """The start of the file's SHA-256, as the audit trail and the contact see it."""
        data = self._path.read_bytes() if self._path else example_text().encode()
        return hashlib.sha256(data).hexdigest()[:12]

    async def _reports(self, key: str) -> bool:
        if not key:
            return True
        return await self._once.first_time(f"reload:{key}", self._clock.now(), KEY_KEPT)


def reload_on_hangup(reloader: Reloader) -> None:
    """Reload on SIGHUP (systemd's `reload`), in the running event loop."""
    loop = asyncio.get_running_loop()
    pending: set[asyncio.Task[bool]] = set()  # kept until done, as asyncio asks

    def hangup() -> None:
        task = loop.create_task(reloader.reload(), name="pagekeeper-reload")
        pending.add(task)
        task.add_done_callback(pending.discard)

    loop.add_signal_handler(signal.SIGHUP, hangup)


def new_reload_key() -> str:
    """A key for one reload announced to every process."""
    return secrets.token_hex(8)


def _moved(outcome: Outcome) -> int:
    return sum(isinstance(event, RequestHandedOver) for event in outcome.events)


def _shortened(problem: str) -> str:
    return problem if len(problem) <= PROBLEM_SHOWN else problem[: PROBLEM_SHOWN - 1] + "…"
