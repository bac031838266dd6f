"""How long a large district's TinyDB folder takes to open, and the memory it then holds.

The folder is written through the store itself, as years of use would leave it: N active
pages, each with its approved request, two delivered messages per page (a monitoring check
card each; they settle into settled.jsonl), 20 audit entries per page (1,000,000 at 50,000
pages), and 20 weekly monitoring checks per page answered with a click (spread over the week
by page, as checks are by default), each click's submission kept as versions up to 0.2.0
kept them all (1,000,000; this version forgets them a day after, see
conversation.repeats.SUBMISSIONS_KEPT). A fresh process then opens it as
the bot does at start (every check, the audit trail's hash chain included) and reports the
time and its resident memory (VmRSS), beside a process that only imports the same code.

- "first start": the trail checked entry by entry (a folder from before checkpoints noted
  how much of it was checked, or one whose noted bytes changed);
- "no key files": the first start after upgrading from a version that kept none
  (every bucket decoded; they are written then, see storage/bucket_keys.py);
- "start": every later start (the noted bytes hashed, the entries after them checked, the
  tables' keys read from their key files);
- "keeping every click": a copy of the folder as first written, opened as versions up to
  0.2.0 did, every submission kept: the peer for what forgetting them after a day saves.

Then `python -m bot migrate-data` copies the folder into a throwaway PostgreSQL (fsync off:
the copy's memory is measured, not the disk), and a folder a tenth its size the same way: the
copy reads a closed folder file by file (storage/folder_reader.py), so its peak resident
memory should not grow with the folder.

Limits from issue #18: start <= 3 s and RSS <= 300 MB at 50,000 pages and 1,000,000 entries;
migrate-data's memory flat in the size of the folder (here: within 1.25x of the tenth's).
Run: .venv/bin/python benchmarks/startup.py [--pages N]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage import tinydb_store
from storage.tinydb_store import TinyDBStore
from tests.generated import APPROVER, live_page
from tests.throwaway_postgres import ThrowawayPostgres
from workflows.conversation.repeats import REPLY_KEPT
from workflows.district.loading import load_config
from workflows.duties.messages import check_answered, monitoring_checks
from workflows.kernel.messages import OutboxEntry
from workflows.kernel.model import AuditEntry, PageRequest, Person, RequestStatus, Submission
from workflows.kernel.policy import Clause
from workflows.kernel.ports import Changes

START_LIMIT_S = 3.0
RSS_LIMIT_MB = 300
FLAT_LIMIT = 1.25
MESSAGES_PER_PAGE = 2
AUDIT_PER_PAGE = 20
CLICKS_PER_PAGE = 20  # weekly checks, each answered with a click
CHUNK = 500
LIVE = datetime(2025, 9, 1, 15, 0, tzinfo=UTC)
CLAUSE = Clause("AR 1114: Monitoring")

OPEN = """
import os, sys, time
from datetime import timedelta
from pathlib import Path
started = time.perf_counter()
from storage import tinydb_store
from storage.tinydb_store import TinyDBStore
if os.environ.get("KEEP_EVERY_CLICK"):
    tinydb_store.SUBMISSIONS_KEPT = timedelta.max
store = TinyDBStore(Path(sys.argv[1])) if len(sys.argv) > 1 else None
took = time.perf_counter() - started
rss = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS"))
print(f"{took:.3f} {rss // 1024}")
if store is not None:
    store._close()
"""


async def write_folder(folder: Path, pages: int) -> None:
    config = load_config(None)
    # As versions up to 0.2.0 wrote it: every click kept (this one forgets them once a day
    # old, at its first start too).
    tinydb_store.SUBMISSIONS_KEPT = timedelta.max
    store = await TinyDBStore.open(folder)
    made_messages = 0
    for first in range(0, pages, CHUNK):
        numbers = range(first, min(first + CHUNK, pages))
        owners = [Person(f"owner{n}@example.org", f"Owner {n}", "Teacher") for n in numbers]
        made = [live_page(n, owner, LIVE) for n, owner in zip(numbers, owners, strict=True)]
        requests = [
            PageRequest(
                id=page.request_id,
                requester=page.owners[0],
                details=page.details,
                status=RequestStatus.APPROVED,
                approvers=(APPROVER.email,),
                route="the principal of Lincoln Elementary",
                submitted_at=LIVE - timedelta(days=2),
            )
            for page in made
        ]
        outbox = []
        for page in made:
            for _ in range(MESSAGES_PER_PAGE):
                for message in monitoring_checks(config, page):
                    made_messages += 1
                    outbox.append(OutboxEntry(f"MSG-{made_messages}", message, LIVE, LIVE, 1, LIVE))
        audit = [
            AuditEntry(LIVE + timedelta(days=k), page.owners[0].email, "Checked", page.id, CLAUSE)
            for page in made
            for k in range(AUDIT_PER_PAGE)
        ]
        clicks = []
        for number, page in zip(numbers, made, strict=True):
            owner = page.owners[0]
            answered = dataclasses.replace(page, nudge_answered_at=LIVE)
            seen = check_answered(config, answered, owner, "Checked, nothing to remove,")[0].card
            clicks += [
                Submission(
                    f"slack:click:{owner.email}:{week}:monitoring_checked:{page.id}",
                    LIVE + timedelta(weeks=week, days=number % 7),
                    seen.title,
                    seen.text[:REPLY_KEPT],
                )
                for week in range(CLICKS_PER_PAGE)
            ]
        await store.commit(
            Changes(
                requests=tuple(requests),
                pages=tuple(made),
                audit=tuple(audit),
                outbox=tuple(outbox),
                submissions=tuple(clicks),
            )
        )
    await store.close()


def opened(folder: Path | None, *, keep_every_click: bool = False) -> tuple[float, int]:
    """Seconds to open `folder` in a fresh process and its RSS in MB (None: imports only);
    `keep_every_click`: as versions up to 0.2.0, every submission kept."""
    command = [sys.executable, "-c", OPEN, *([str(folder)] if folder else [])]
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "KEEP_EVERY_CLICK": "1"} if keep_every_click else None
    out = subprocess.run(
        command, cwd=root, env=env, check=True, capture_output=True, text=True
    ).stdout
    took, rss = out.split()
    return float(took), int(rss)


# `python -m bot migrate-data`, then its own peak resident memory (VmHWM, in kB). The kernel's
# ru_maxrss of a child keeps the parent's size from before exec: this process, which wrote the
# folder, is far larger than the copy, and that figure was its, not the copy's.
MIGRATE = """
import sys
from bot.__main__ import main
status = main(["migrate-data", "--from", sys.argv[1]])
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(peak, file=sys.stderr)
sys.exit(status)
"""


def migrated(folder: Path) -> tuple[float, int]:
    """Seconds `python -m bot migrate-data` took to copy `folder`, and its peak RSS in MB."""
    postgres = ThrowawayPostgres()
    postgres.start()
    try:
        env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
        env["DATABASE_URL"] = postgres.create_database("migrated")
        command = [sys.executable, "-c", MIGRATE, str(folder)]
        root = Path(__file__).resolve().parent.parent
        started = time.perf_counter()
        copying = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
        took = time.perf_counter() - started
        if copying.returncode:
            raise RuntimeError(f"migrate-data failed ({copying.returncode}): {copying.stderr}")
    finally:
        postgres.stop()
    return took, int(copying.stderr.split()[-1]) // 1024


def main(pages: int) -> None:
    with tempfile.TemporaryDirectory(prefix="pagekeeper-startup-") as name:
        folder = Path(name)
        asyncio.run(write_folder(folder, pages))
        # As a folder from before checkpoints noted the checked bytes: every entry checked.
        journal = folder / "journal.jsonl"
        header, *rest = journal.read_text().splitlines(keepends=True)
        unnoted = header.split(', "audit": ')[0] + "}\n"
        journal.write_text(unnoted + "".join(rest))
        as_before = Path(f"{name}-as-before")
        shutil.copytree(folder, as_before)
        first = opened(folder)
        for key_file in (folder / "tables").glob("*.keys"):
            key_file.unlink()
        unkeyed = opened(folder)
        later = [opened(folder) for _ in range(3)]
        try:
            opened(as_before, keep_every_click=True)  # its first start: every entry checked
            kept_all = [opened(as_before, keep_every_click=True) for _ in range(3)]
        finally:
            shutil.rmtree(as_before)
        bare = opened(None)
        copy = migrated(folder)
        size = sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())
    with tempfile.TemporaryDirectory(prefix="pagekeeper-startup-") as name:
        asyncio.run(write_folder(Path(name), pages // 10))
        tenth = migrated(Path(name))
    audit = pages * AUDIT_PER_PAGE
    print(
        f"TinyDB folder: {pages:,} pages and requests, {audit:,} audit entries, "
        f"{pages * MESSAGES_PER_PAGE:,} delivered messages, {pages * CLICKS_PER_PAGE:,} "
        f"clicks over {CLICKS_PER_PAGE} weeks; {size / 1e6:,.0f} MB on disk once the first "
        "start forgot the clicks over a day old"
    )
    print(f"  imports alone:  {bare[0]:6.2f} s  {bare[1]:4d} MB")
    print(f"  first start:    {first[0]:6.2f} s  {first[1]:4d} MB  (every entry checked)")
    print(
        f"  no key files:   {unkeyed[0]:6.2f} s  {unkeyed[1]:4d} MB  "
        "(once, the first start after the upgrade)"
    )
    flat = copy[1] <= FLAT_LIMIT * tenth[1]
    print(
        f"  migrate-data to PostgreSQL: {copy[0]:6.1f} s, peak {copy[1]} MB; a tenth of the "
        f"folder: {tenth[0]:.1f} s, peak {tenth[1]} MB "
        f"(memory flat in the folder's size, within {FLAT_LIMIT}x: "
        f"{'meets' if flat else 'MISSES'})"
    )
    took = max(t for t, _ in later)
    rss = max(r for _, r in later)
    ok = took <= START_LIMIT_S and rss <= RSS_LIMIT_MB
    print(
        f"  start (worst of 3): {took:6.2f} s  {rss:4d} MB   limits <= {START_LIMIT_S:.0f} s, "
        f"<= {RSS_LIMIT_MB} MB: {'meets' if ok else 'MISSES'}"
    )
    print(
        f"  keeping every click, as up to 0.2.0 (worst of 3): {max(t for t, _ in kept_all):6.2f}"
        f" s  {max(r for _, r in kept_all):4d} MB   (a copy of the folder as first written)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=50_000)
    main(parser.parse_args().pages)
