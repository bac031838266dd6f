"""A child process for the crash test: commits forever, printing 'ack N' after each commit returns.

Commit N creates eight requests (spread over several bucket files), approves the eight of
commit N-1, audits the new ones and keeps a message handle with them, so a commit cut in half
by a kill would show; then one more handle is remembered on its own, as adapters do. The
journal's limit is small, so checkpoints come every few commits and kills land inside them.
Run: python -m tests.crash_writer DATA_FOLDER
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
from pathlib import Path

from storage import tinydb_store
from storage.tinydb_store import TinyDBStore
from tests.test_store_contract import a_request, an_entry
from workflows.kernel.model import PageRequest, RequestStatus, next_version
from workflows.kernel.ports import Changes

PER_COMMIT = 8
JOURNAL_LIMIT = 30_000  # bytes: about every fifth commit


def batch(number: int) -> list[PageRequest]:
    return [
        dataclasses.replace(a_request(number), id=f"REQ-{number}-{part}")
        for part in range(PER_COMMIT)
    ]


async def write_forever(folder: Path) -> None:
    tinydb_store.JOURNAL_LIMIT = JOURNAL_LIMIT
    store = await TinyDBStore.open(folder)
    number = len(await store.find_requests()) // PER_COMMIT + 1
    print("ready", flush=True)
    while True:
        previous = [await store.get_request(r.id) for r in batch(number - 1)]
        approved = [next_version(r, status=RequestStatus.APPROVED) for r in previous if r]
        created = batch(number)
        await store.commit(
            Changes(
                requests=(*created, *approved),
                audit=tuple(an_entry(request.id, "Created") for request in created),
                handles=((f"with-commit|{number}", f"H{number}"),),
            )
        )
        await store.remember_message(f"remembered|{number}", f"R{number}")
        print(f"ack {number}", flush=True)
        number += 1


if __name__ == "__main__":
    asyncio.run(write_forever(Path(sys.argv[1])))
