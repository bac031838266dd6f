"""Telling every process on one database to read the district file again: PostgreSQL's
LISTEN/NOTIFY, so processes on other machines hear it too."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import psycopg
from psycopg import AsyncConnection

from storage.postgres.store import CONNECT_SECONDS, describe, driver_reason
from workflows.kernel.ports import StorageError

log = logging.getLogger(__name__)

CHANNEL = "pagekeeper_reload"
# After losing the database, listen again after this long.
RETRY_SECONDS = 5.0


async def announce_reload(url: str, key: str) -> None:
    """Ask every process listening on the database at `url` to reload; `key` names this
    request, so exactly one of them reports it."""
    try:
        async with await AsyncConnection.connect(
            url, autocommit=True, connect_timeout=int(CONNECT_SECONDS)
        ) as connection:
            await connection.execute("SELECT pg_notify(%s, %s)", (CHANNEL, key))
    except psycopg.Error as error:
        reason = driver_reason(error, hide=url)
        raise StorageError(f"could not reach the database at {describe(url)}: {reason}") from None


async def listen_for_reloads(
    url: str,
    reload: Callable[[str], Awaitable[object]],
    listening: Callable[[], None] = lambda: None,
) -> None:
    """Call `reload` with each request's key, for as long as the bot runs (listening again
    after the database comes back); `listening` is called each time it starts listening."""
    while True:
        try:
            async with await AsyncConnection.connect(
                url, autocommit=True, connect_timeout=int(CONNECT_SECONDS)
            ) as connection:
                await connection.execute(f"LISTEN {CHANNEL}")
                listening()
                async for notice in connection.notifies():
                    await reload(notice.payload)
        except (psycopg.Error, OSError) as error:
            log.warning("not listening for reloads: %s", driver_reason(error, hide=url))
        await asyncio.sleep(RETRY_SECONDS)
