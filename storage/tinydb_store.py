"""The embedded default store: TinyDB files under PAGEKEEPER_DATA, crash-safe and fast.

A commit is first appended to a journal (one fsynced JSON line): that is the moment it is
acknowledged. It is then applied to the bucketed TinyDB tables and to the append-only audit
log. If the process dies in between, opening the folder replays the journal, so an
acknowledged write is never lost and a half-applied one is finished.

Commits made one after another by the engine share syncs of the journal (group commit, see
`commit_in_turn`): each waits for the first sync begun after its line was written.

The tables change in memory; their files are written at checkpoints, when the journal has
grown: on a thread of their own, so commits (and the clicks waiting on them) go on meanwhile,
each in the journal, which is cut to what the files lack once they are on disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import heapq
import json
import logging
import math
import os
import threading
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from tinydb import Query

from storage.ageing import AgeOrder
from storage.bucket_keys import KeyFile, fingerprint
from storage.buckets import BucketedTable, BucketSnapshot, write_snapshots
from storage.chain import Head, check_line, extend
from storage.codec import from_dict, to_dict
from storage.due_index import DueIndex
from storage.entry_lines import encoded_entry, records_and_texts
from storage.files import (
    JsonLines,
    fsync_directory,
    read_json,
    record_text,
    try_lock,
    write_atomically,
)
from storage.integrity import MANIFEST, Checked, check_folder, manifest
from storage.lanes import Lanes
from storage.once import first_time_in
from storage.outbox_order import OutboxOrder, Waiting
from storage.passes import PassBook
from storage.recent import RecentlyDecoded
from storage.request_checks import read_one_by_one
from storage.versions import check_new_submissions, check_versions
from workflows.conversation.repeats import SUBMISSIONS_KEPT
from workflows.kernel.ids import batch_of
from workflows.kernel.messages import OutboxEntry
from workflows.kernel.model import (
    Acknowledgement,
    AuditEntry,
    Away,
    Page,
    PageRequest,
    PageStatus,
    RequestStatus,
    Submission,
)
from workflows.kernel.ports import Changes, Claim, Durable, RequestChecks, StorageError
from workflows.pages.addresses import comparable

log = logging.getLogger(__name__)

# The data folder's layout, in meta.json; 2: the audit hash chain, tables.json, submissions;
# 3: messages delivered (or for people no platform reaches) kept in settled.jsonl, not tables.
FORMAT = 3
# 256 buckets keep each file near 20 records at 5,000 pages, so a write costs the same at any size.
DEFAULT_BUCKETS = 256
# Past this size a commit starts a checkpoint (every entry in the journal is applied by then).
JOURNAL_LIMIT = 4 * 1024 * 1024
# The journal that follows a checkpoint is brought this close to the live one on the flusher's
# thread, in at most CATCH_UP_ROUNDS copies; the store's thread copies the rest while no commit
# can be made. Copying (and syncing) there all commits made while the tables were written held
# that thread 22-48 ms at 50,000 pages, and a reminders batch waited behind it.
CAUGHT_UP = 64 * 1024
CATCH_UP_ROUNDS = 4
# Exports read the audit log this many lines at a time, so memory stays flat however long it is.
AUDIT_CHUNK = 1000
# The file of keys seen once is rewritten with only the live ones past this size.
ONCE_FILE_LIMIT = 1024 * 1024
# Marks of requests seen are written this long after the first of them, many in one write: one
# write and one wake of the syncer's thread per Slack request cost a tenth of acknowledging it.
ONCE_WRITE_DELAY = 0.1
# A read of at most this many records, or a commit of at most INLINE_COMMIT (a message may
# carry a card of several KB), is done on the event loop when the store's thread is between
# tasks (see `_read`); a longer one goes to that thread, so it never holds up the loop.
INLINE_RECORDS = 64
INLINE_COMMIT = 16
# Requests, and pages, decoded lately and kept for the next read (1.5-5 KB each in memory).
RECENT_RECORDS = 2048
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# The code that derives the tables' index keys and summaries (see storage/bucket_keys.py).
KEYS_CODE = fingerprint(
    __name__,
    "storage.buckets",
    "storage.codec",
    "workflows.pages.addresses",
    "workflows.kernel.messages",
    "workflows.kernel.model",
)

T = TypeVar("T")


class TinyDBStore:
    """Implements workflows.ports.Store. Disk work runs off the event loop, on the store's,
    the syncer's and the flusher's threads."""

    # One process owns the folder and its reads are in memory: commands side by side would
    # only take the store's thread from one another.
    turns = 1

    def __init__(self, folder: Path, buckets: int = DEFAULT_BUCKETS) -> None:
        self.folder = folder
        # Held by the store's thread while it runs a task (which may be changing records), so
        # a read on the event loop never sees a change half made (see `_read`).
        self._busy = threading.Lock()
        self._executor = _StoreThread(self._busy)
        # Writes the table files at a checkpoint; at most one checkpoint is under way.
        self._flusher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pagekeeper-tables")
        self._flushing: _Flush | None = None
        self._checkpoint_asked = False  # of the store's thread, by a commit on the event loop
        # Syncs the journal for commits that share it; `_swap` keeps the journal in place
        # while that thread takes hold of it.
        self._syncer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pagekeeper-sync")
        self._swap = threading.Lock()
        self._syncing: asyncio.Future[None] | None = None
        # Lines queued on the event loop are written on the syncer's thread (see `_write_soon`).
        self._writing_soon = False
        self._once_timer: asyncio.TimerHandle | None = None
        # Messages of commits not yet synced (id -> commit): not delivered before they are.
        self._unsynced: dict[str, int] = {}
        self._keying: Future[None] | None = None
        self._broken: str | None = None
        # The last write failed (a full disk): checked again by writing, until one succeeds.
        self._write_failed: str | None = None
        self._lock_handle = lock_folder(folder)
        try:
            state = check_folder(folder)  # before anything is written: damage is refused
            found_format, count = _folder_format(folder, buckets)
            tables = folder / "tables"
            self._requests = BucketedTable(
                tables,
                "requests",
                count,
                # By status too: the reminders read the pending ones every run.
                {
                    "name": _page_name,
                    "requester": _requester,
                    "approver": _approvers,
                    "status": _status,
                },
                summary=_submitted,
                code=KEYS_CODE,
            )
            self._pages = BucketedTable(
                tables,
                "pages",
                count,
                {"name": _page_name, "url": _page_url, "owner": _owners, "school": _school},
                # Each page's status and when its duties are next due: the reminders' index.
                summary=_duties_entry,
                code=KEYS_CODE,
            )
            self._duties: dict[str, tuple[str, float | None]] = self._pages.summaries
            self._recent_requests = RecentlyDecoded(PageRequest, RECENT_RECORDS)
            self._recent_pages = RecentlyDecoded(Page, RECENT_RECORDS)
            self._due = DueIndex(self._duties, [status.value for status in PageStatus])
            self._messages = BucketedTable(tables, "messages", count, code=KEYS_CODE)
            # A commit's messages share a bucket: one file written for all of them.
            # Only unsettled messages are ever looked at (given-up ones stay for the admins).
            self._outbox = BucketedTable(
                tables,
                "outbox",
                count,
                bucket_key=batch_of,
                summary=_waiting_entry,
                code=KEYS_CODE,
            )
            self._unsettled: dict[str, Waiting] = self._outbox.summaries
            self._order = OutboxOrder(self._unsettled)
            self._acknowledgements, self._aways = (
                BucketedTable(tables, name, count, code=KEYS_CODE)
                for name in ("acknowledgements", "aways")
            )
            # When each was carried out: the ones past SUBMISSIONS_KEPT leave the table.
            self._submissions = BucketedTable(
                tables, "submissions", count, summary=_carried_out_at, code=KEYS_CODE
            )
            self._submitted = AgeOrder()
            self._audit = JsonLines(folder / "audit.jsonl", state.audit_digest)
            # Messages done with: records for the folder's history, never read by the bot.
            self._settled = JsonLines(folder / "settled.jsonl")
            if found_format < 3:
                self._settled.cut_to(0)  # only an upgrade cut short wrote to it; it starts over
            self._audit_head = state.audit
            self._journal = JsonLines(folder / "journal.jsonl")
            self._follow_journal()
            # Keys seen once (replayed requests, repeated clicks), for a few minutes each.
            self._once_file = JsonLines(folder / "once.jsonl")
            self._once = {
                str(line["key"]): datetime.fromisoformat(line["at"]) for line in self._once_file
            }
            # Rewritten once it passes this size; after a rewrite, twice what the rewrite kept.
            self._once_limit = ONCE_FILE_LIMIT
            self._compacting: asyncio.Future[None] | None = None  # that rewrite, off the loop
            self._once_latest = EPOCH  # the latest moment a key was seen at
            # Dashboard sign-ins; not records, so not in the journal nor in backups.
            self._passes = PassBook(folder / "passes.jsonl", datetime.now(UTC))
            self._table_files = state.tables
            self._seq = self._recover()
            self._synced = self._seq  # the last commit known durable
            self._submitted.reset(self._submissions.summaries)
            self._forget_old_submissions()  # all of them at once after an upgrade
            settled = [record for record in self._outbox.search(None) if _done_with(record)]
            if found_format < 3:
                # Copied first, the tables left as they are until the folder says format 3:
                # a start cut short copies them again from the start.
                self._settled.append(settled)
            self._checkpoint()  # before the list of tables: see integrity.check_folder
            self._note_table_files()
            if found_format < FORMAT:
                # Format 2 added the audit trail's hash chain, the list of table files and
                # the submissions table; format 3 settled.jsonl. All are in place by now.
                _write_meta(self.folder, count)
                log.warning("data folder upgraded folder=%s format=%d", self.folder, FORMAT)
            # In settled.jsonl already (a table file keeps a copy until it is next written).
            self._outbox.remove(record["id"] for record in settled)
            self._lanes = Lanes()
            # Buckets read without a usable key file get one, written meanwhile by the
            # flusher's thread, so the next start need not decode them.
            keys = [found for table in self._every_table() for found in table.key_files()]
            self._keying = self._flusher.submit(_write_key_files, keys)
        except BaseException:
            self._lock_handle.close()
            raise

    @classmethod
    async def open(cls, folder: Path, buckets: int = DEFAULT_BUCKETS) -> TinyDBStore:
        """Open (and if needed recover) the store without blocking the event loop."""
        return await asyncio.get_running_loop().run_in_executor(None, cls, folder, buckets)

    async def get_request(self, request_id: str) -> PageRequest | None:
        found = await self._read(1, self._requests.get, request_id)
        return from_dict(PageRequest, found) if found else None

    async def get_page(self, page_id: str) -> Page | None:
        found = await self._read(1, self._pages.get, page_id)
        return from_dict(Page, found) if found else None

    async def find_requests(
        self,
        *,
        requester: str | None = None,
        approver: str | None = None,
        status: RequestStatus | None = None,
        page_name: str | None = None,
    ) -> list[PageRequest]:
        def wanted(request: PageRequest) -> bool:
            return (
                (requester is None or request.requester.email == requester)
                and (approver is None or approver in request.approvers)
                and (status is None or request.status is status)
            )

        narrowed = _narrowest(
            ("name", page_name.casefold() if page_name is not None else None),
            ("requester", requester),
            ("approver", approver),
            ("status", status.value if status is not None else None),
        )
        if narrowed is None:  # no index narrows it: every request is read
            size = _size(self._requests, None)
            found = await self._read(size, _decoded, PageRequest, self._requests, [])
            requests = [request for request in found if wanted(request)]
        else:
            table, recent = self._requests, self._recent_requests
            size = _size(table, narrowed)
            requests = await self._read(size, _narrowed, table, recent, narrowed, wanted)
        return sorted(requests, key=lambda request: (request.submitted_at, request.id))

    async def request_times(self, requester: str, since: datetime) -> list[datetime]:
        # From the summaries kept in memory: no request is decoded, so a busy person's hour
        # costs microseconds. A summary is a look-up, not a decode: many count as one record
        # in deciding whether the read is short enough for the event loop (see `_read`).
        size = _size(self._requests, ("requester", requester)) // 100
        start = _microseconds(since)
        submitted = await self._read(
            size, self._requests.summaries_by_index, "requester", requester
        )
        return [
            EPOCH + timedelta(microseconds=moment)
            for moment in sorted(submitted)
            if moment >= start
        ]

    async def find_pages(
        self,
        *,
        owner: str | None = None,
        status: PageStatus | None = None,
        page_name: str | None = None,
        url: str | None = None,
        due_by: datetime | None = None,
        school: str | None = None,
        limit: int | None = None,
    ) -> list[Page]:
        if url is not None:
            return await self._read(
                _size(self._pages, ("url", comparable(url))), self._pages_at, url, status
            )

        def wanted(page: Page) -> bool:
            return (
                (owner is None or page.is_owned_by(owner))
                and (status is None or page.status is status)
                and (school is None or page.details.school == school)
                and (page_name is None or page.details.page_name.casefold() == page_name.casefold())
            )

        if due_by is not None:
            filtered = owner is not None or page_name is not None or school is not None
            # Only the reminders ask without those: they read just as many as they handle.
            due = await self._run(self._pages_due, due_by, status, None if filtered else limit)
            return [page for page in due if wanted(page)][:limit]
        narrowed = _narrowest(
            ("name", page_name.casefold() if page_name is not None else None),
            ("owner", owner),
            ("school", school),
        )
        if narrowed is None:  # by status at most: every page is read (see `_read`)
            conditions = [] if status is None else [Query().status == status.value]
            size = _size(self._pages, None)
            pages = await self._read(size, _decoded, Page, self._pages, conditions)
        else:
            table, recent = self._pages, self._recent_pages
            size = _size(table, narrowed)
            pages = await self._read(size, _narrowed, table, recent, narrowed, wanted)
        return sorted(pages, key=lambda page: (page.approved_at, page.id))

    async def commit(self, changes: Changes) -> None:
        await (await self.commit_in_turn(changes))()

    async def commit_in_turn(self, changes: Changes) -> Durable:
        seq = None
        if _records(changes) <= INLINE_COMMIT and self._busy.acquire(blocking=False):
            try:  # here and now, like a short read (see `_read`)
                seq = self._commit_short(changes)
            finally:
                self._busy.release()
        if seq is None:
            seq = await self._run(self._commit, changes, False)
        return functools.partial(self._durable, seq)

    def _commit_short(self, changes: Changes) -> int | None:
        """`_commit` without a sync, on the event loop: None when the disk failed (trying it
        again is the store thread's work). A checkpoint is begun and finished on the store's
        thread (its syncs are not the loop's to wait for)."""
        if self._broken or self._write_failed:
            return None
        return self._commit(changes, False, finish_checkpoint=False)

    async def _durable(self, seq: int) -> None:
        """Once commit `seq` is synced: by a sync begun after it was written, this one's or
        one that another commit began meanwhile (group commit)."""
        while self._synced < seq:
            if self._syncing is None:
                self._syncing = asyncio.ensure_future(self._sync_journal())
            await asyncio.shield(self._syncing)

    async def _sync_journal(self) -> None:
        try:
            with self._swap:  # the journal as it is now, with every commit queued or written
                journal, written = self._journal, self._seq
            await asyncio.get_running_loop().run_in_executor(
                self._syncer, self._write_and_sync, journal
            )
        except OSError as error:
            # Applied in memory, perhaps not on disk: nothing more is written until the
            # journal is read back and the files are written again (see `_usable`).
            self._broken = f"could not write to {self._journal.path}: {error}"
            log.error("store write failed folder=%s error=%s", self.folder, error)
            raise StorageError(self._broken) from None
        finally:
            self._syncing = None
        self._synced = max(self._synced, written)

    def _write_and_sync(self, journal: JsonLines) -> None:
        """On the syncer's thread: write the journal's queued commits and sync it, then write
        the other files' queued lines (synced at the next checkpoint; the journal has them)."""
        descriptor = journal.written_descriptor()
        if descriptor is not None:  # else it was replaced, by a journal synced with it all
            try:
                _sync_file(descriptor)
            finally:
                os.close(descriptor)
        self._write_behind()

    def _write_soon(self) -> None:
        """Have the syncer's thread write what is queued, once for every line queued before."""
        if not self._writing_soon:
            self._writing_soon = True
            self._syncer.submit(self._write_behind)

    def _write_once_lines_later(self) -> None:
        """Have the marks of requests seen written within ONCE_WRITE_DELAY (on the event loop)."""
        if self._once_timer is None:
            self._once_timer = asyncio.get_running_loop().call_later(
                ONCE_WRITE_DELAY, self._once_lines_due
            )

    def _once_lines_due(self) -> None:
        self._once_timer = None
        self._write_soon()

    def _write_behind(self) -> None:
        self._writing_soon = False  # first: a line queued from now on asks again
        try:
            for lines in (self._journal, self._audit, self._settled, self._once_file):
                lines.write_queued()
        except OSError as error:
            # Still queued: written with the next sync, or before the file is read.
            self._write_failed = f"could not write to {self.folder}: {error}"
            log.error("store write failed folder=%s error=%s", self.folder, error)

    async def claim_messages(
        self,
        holder: str,
        now: datetime,
        limit: int,
        lease: timedelta,
        resting: frozenset[str] = frozenset(),
    ) -> Claim:
        return await self._run(self._claim, holder, now, limit, lease, resting)

    async def release_messages(self, holder: str) -> None:
        await self._run(self._lanes.release, holder)

    async def outbox_waiting(self) -> tuple[int, datetime | None]:
        return await self._run(self._waiting)

    def _waiting(self) -> tuple[int, datetime | None]:
        # From the summaries: decoding each waiting message took seconds in a large backlog.
        made = min((made for *_, made in self._unsettled.values()), default=None)
        return len(self._unsettled), None if made is None else datetime.fromtimestamp(made, UTC)

    async def pages_by_status(self) -> dict[PageStatus, int]:
        return await self._run(self._count_pages)

    def _count_pages(self) -> dict[PageStatus, int]:
        return dict(Counter(PageStatus(status) for status, _ in self._duties.values()))

    async def renew_lease(self, holder: str, until: datetime) -> None:
        await self._run(self._lanes.renew, holder, until)

    async def hold_duty(self, duty: str) -> bool:
        return True  # the folder lock already keeps every other process out

    async def acknowledgements(self) -> list[Acknowledgement]:
        table = self._acknowledgements
        found = await self._read(_size(table, None), _search, table, [])
        return [from_dict(Acknowledgement, record) for record in found]

    async def aways(self) -> list[Away]:
        found = await self._read(_size(self._aways, None), _search, self._aways, [])
        return [from_dict(Away, record) for record in found]

    async def request_checks(
        self, *, requester: str, since: datetime, page_name: str
    ) -> RequestChecks:
        return await read_one_by_one(self, requester=requester, since=since, page_name=page_name)

    async def submission(self, key: str) -> Submission | None:
        found = await self._read(1, self._submissions.get, key)
        return from_dict(Submission, found) if found else None

    async def iter_audit(
        self, start: datetime | None, end: datetime | None
    ) -> AsyncIterator[AuditEntry]:
        async for records in self._in_chunks(self._audit):
            for record in records:
                entry = from_dict(AuditEntry, record)
                if (start is None or entry.at >= start) and (end is None or entry.at < end):
                    yield entry

    async def audit_after(
        self, position: int, limit: int
    ) -> tuple[list[tuple[int, AuditEntry]], int]:
        return await self._run(self._decoded_audit, position, limit)

    async def audit_at(self, positions: Sequence[int]) -> list[AuditEntry]:
        records = await self._run(self._audit.lines_at, positions)
        return [from_dict(AuditEntry, record) for record in records]

    def _decoded_audit(self, position: int, limit: int) -> tuple[list[tuple[int, AuditEntry]], int]:
        # Decoded in the store's thread: a first read of a long trail leaves the loop free.
        lines, after = self._audit.lines_from(position, limit)
        return [(at, from_dict(AuditEntry, record)) for at, record in lines], after

    async def failed_messages(self) -> list[OutboxEntry]:
        found = await self._run(_search, self._outbox, [Query().failed_reason != ""])
        entries = [from_dict(OutboxEntry, record) for record in found]
        return sorted(entries, key=lambda entry: (entry.created_at, entry.id))

    def _pages_due(
        self, due_by: datetime, status: PageStatus | None, limit: int | None
    ) -> list[Page]:
        """Decoded only when due (or not yet known), and only the first `limit` of those: the
        rest of the registry, and the rest of a backlog, are not read."""
        # Due times are kept as POSIX seconds: comparing datetimes in different zones looks
        # their offsets up each time, most of a scan's cost at 50,000 pages.
        last = due_by.timestamp()
        if status is not None and limit is not None:  # the reminders: the few due first
            keys = self._due.due(status.value, last, limit)
        else:
            due = (
                (-math.inf if due is None else due, key)
                for key, (stored, due) in self._duties.items()
                if (status is None or stored == status) and (due is None or due <= last)
            )
            first = sorted(due) if limit is None else heapq.nsmallest(limit, due)
            keys = [key for _, key in first]
        found = (self._pages.get(key) for key in keys)
        return [from_dict(Page, record) for record in found if record is not None]

    def _pages_at(self, url: str, status: PageStatus | None) -> list[Page]:
        found = self._pages.by_index("url", comparable(url))
        pages = [from_dict(Page, record) for record in found]
        return [page for page in pages if status is None or page.status is status]

    def _claim(
        self, holder: str, now: datetime, limit: int, lease: timedelta, resting: frozenset[str]
    ) -> Claim:
        # Messages are read one by one as the lanes take them, never the whole backlog.
        self._forget_synced()
        keys = self._order.due(now.timestamp(), resting, self._unsynced)
        try:
            found = (self._outbox.get(key) for key in keys)
            due = (from_dict(OutboxEntry, record) for record in found if record)
            return self._lanes.claim(holder, due, now, limit, lease)
        finally:
            keys.close()  # puts back what was read: a claim changes no message

    def _forget_synced(self) -> None:
        synced = self._synced
        self._unsynced = {key: seq for key, seq in self._unsynced.items() if seq > synced}

    # Everything, a part at a time (each part read on the store's thread). `migrate-data`
    # reads a closed folder's files itself: see storage/folder_reader.py.

    async def iter_outbox(self) -> AsyncIterator[list[OutboxEntry]]:
        """Every outbox entry, settled (the oldest first) or not."""
        async for records in self._in_chunks(self._settled):
            yield [from_dict(OutboxEntry, record) for record in records]
        async for records in self._bucket_by_bucket(self._outbox):
            yield [from_dict(OutboxEntry, record) for record in records]

    async def iter_message_handles(self) -> AsyncIterator[list[tuple[str, str]]]:
        async for records in self._bucket_by_bucket(self._messages):
            yield [(str(record["id"]), str(record["handle"])) for record in records]

    async def outbox_entries(self) -> list[OutboxEntry]:
        """Every outbox entry, settled or not, at once."""
        return [entry async for entries in self.iter_outbox() for entry in entries]

    async def message_handles(self) -> dict[str, str]:
        """Every remembered message handle by key, at once."""
        return dict([pair async for pairs in self.iter_message_handles() for pair in pairs])

    async def _in_chunks(self, lines: JsonLines) -> AsyncIterator[list[dict[str, Any]]]:
        """A log's records, AUDIT_CHUNK lines at a time, each read on the store's thread."""
        offset, read = 0, 0
        while True:
            records, offset = await self._run(lines.chunk, offset, AUDIT_CHUNK, read + 1)
            if not records:
                return
            read += len(records)
            yield records

    async def _bucket_by_bucket(self, table: BucketedTable) -> AsyncIterator[list[dict[str, Any]]]:
        for index in range(table.bucket_count):
            records = await self._run(table.bucket_records, index)
            if records:
                yield records

    async def remember_message(self, key: str, handle: str) -> None:
        await self._run(self._commit, Changes(handles=((key, handle),)))

    async def recall_message(self, key: str) -> str | None:
        found = await self._read(1, self._messages.get, key)
        return str(found["handle"]) if found else None

    async def first_time(self, key: str, now: datetime, keep_for: timedelta) -> bool:
        # On the event loop itself: a dict look-up and a line queued, where a turn in the
        # store's thread would wait behind any commit's fsync (every Slack request asks this).
        if self._broken or self._write_failed:
            await self._run(self._usable)  # tried again for real; raises while writes fail
        return self._first_time(key, now, keep_for)

    async def keep_pass(self, key: str, email: str, expires: datetime) -> None:
        await self._run(self._passes.keep, key, email, expires)

    async def take_pass(self, key: str, now: datetime) -> str | None:
        return await self._run(self._passes.take, key, now)

    async def read_pass(self, key: str, now: datetime) -> str | None:
        # A dict look-up: every dashboard page asks, and needs no turn in the store's thread.
        return self._passes.read(key, now)

    async def drop_pass(self, key: str) -> None:
        await self._run(self._passes.drop, key)

    async def check(self) -> None:
        await self._run(self._checked)

    def _checked(self) -> None:
        self._usable()
        # Here, not before every commit (a system call each): a commit's line goes to a
        # journal already open, and a folder that stopped taking files fails the next
        # checkpoint, which stops writes until it takes them again.
        if not os.access(self.folder, os.W_OK):
            raise StorageError(f"{self.folder} is not writable")

    async def checkpoint(self) -> None:
        """Write every changed table file and empty the journal now (after any checkpoint
        under way); raises StorageError if the disk refuses."""
        await self._run(self._checkpoint_now)

    async def close(self) -> None:
        if self._compacting is not None:
            await self._compacting
        if self._once_timer is not None:
            self._once_timer.cancel()  # what it would write, closing writes
            self._once_timer = None
        await self._run(self._close)
        self._executor.shutdown(wait=True)

    async def _run(self, function: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, function, *args)

    async def _read(self, records: int, function: Callable[..., T], *args: Any) -> T:
        """`function`, a read of `records` records in memory: done here and now when they are
        few and the store's thread is between tasks, else on that thread after its task.

        A command holding the engine's turn reads a few records; each trip to the store's
        thread waits for the event loop to come round again, which takes milliseconds when
        it is busy, and every other command waits for the turn meanwhile."""
        if records <= INLINE_RECORDS and self._busy.acquire(blocking=False):
            try:
                return function(*args)
            finally:
                self._busy.release()
        return await self._run(function, *args)

    def _commit(
        self, changes: Changes, sync: bool = True, *, finish_checkpoint: bool = True
    ) -> int:
        """Write `changes` to the journal (synced, unless the caller waits for a shared sync)
        and apply them; returns their place in the journal (seq)."""
        self._usable(finish_checkpoint)
        check_versions(lambda key: _version(self._requests.get(key)), changes.requests)
        check_versions(lambda key: _version(self._pages.get(key)), changes.pages)
        stored = self._submissions.get
        check_new_submissions(lambda key: stored(key) is not None, changes.submissions)
        head, audit = extend(self._audit_head, changes.audit)
        entry = {
            "seq": self._seq + 1,
            "requests": [to_dict(request) for request in changes.requests],
            "pages": [to_dict(page) for page in changes.pages],
            "audit": [to_dict(line) for line in audit],
            "audit_head": head.as_dict(),
            "outbox": [to_dict(outgoing) for outgoing in changes.outbox],
            "acknowledgements": [
                {"id": item.person.email, **to_dict(item)} for item in changes.acknowledgements
            ],
            "handles": [{"id": key, "handle": handle} for key, handle in changes.handles],
            "submissions": [{"id": s.key, **to_dict(s)} for s in changes.submissions],
            "aways": [{"id": away.person, **to_dict(away)} for away in changes.aways],
        }
        encoded = encoded_entry(entry)
        try:
            if sync:
                self._journal.append([entry], lines=encoded.line)
            else:  # written and synced on the syncer's thread (see `_durable`)
                self._journal.queue([entry], lines=encoded.line)
        except OSError as error:
            raise self._failed(f"could not write to {self._journal.path}: {error}") from None
        self._write_failed = None
        self._seq += 1
        if not sync:
            self._forget_synced()  # kept short even where no dispatcher claims
            self._unsynced.update((outgoing.id, self._seq) for outgoing in changes.outbox)
        try:
            self._apply(entry, encoded.texts)
            if changes.submissions:
                self._forget_old_submissions()
            if finish_checkpoint:
                self._finish_checkpoint()
                self._checkpoint_if_due()
            elif (
                self._journal.size() > JOURNAL_LIMIT
                and self._flushing is None
                and not self._checkpoint_asked
            ):
                # On the event loop: taking every changed bucket is the store thread's work.
                # Asked once: each commit asking again woke that thread for nothing.
                self._checkpoint_asked = True
                self._executor.submit(self._checkpoint_if_due)
        except OSError as error:
            # The commit is safe in the journal; it is finished (replayed) before the next
            # write, once the disk takes writes again. Until then, nothing else is written.
            self._broken = f"could not write to {self.folder}: {error}"
            log.error("store write failed folder=%s error=%s", self.folder, error)
            raise StorageError(self._broken) from None
        return self._seq

    def _apply(
        self,
        entry: dict[str, Any],
        texts: dict[str, list[str]] | None = None,
        *,
        audit_written: int = 0,
    ) -> None:
        """Apply a journal entry (`texts`: its records' texts, see `encoded_entry`);
        `audit_written` of its audit lines are already in the log.

        The journal (fsynced) is what makes a commit durable: the tables change in memory
        and their files are written at the next checkpoint, the audit lines are appended
        without waiting for the disk (the checkpoint syncs them). A crash before then is
        finished from the journal at the next start, as a crash mid-commit always was. So a
        commit costs one fsync, not one per bucket file it touches (a delivered message once
        rewrote its outbox bucket, megabytes, every time)."""
        known = texts or {}
        tables = (
            (self._requests, "requests"),
            (self._pages, "pages"),
            (self._acknowledgements, "acknowledgements"),
            (self._messages, "handles"),
            (self._aways, "aways"),
            (self._submissions, "submissions"),
        )
        for table, key in tables:
            pairs = records_and_texts(entry, known, key)
            table.upsert((record for record, _ in pairs), (text for _, text in pairs))
        for page in entry["pages"]:
            self._due.changed(str(page["id"]))
        for submission in entry.get("submissions", []):
            key = str(submission["id"])
            self._submitted.add(key, self._submissions.summaries[key])
        outbox = records_and_texts(entry, known, "outbox")
        waiting = [(record, text) for record, text in outbox if not _done_with(record)]
        done = [(record, text) for record, text in outbox if _done_with(record)]
        self._outbox.upsert((record for record, _ in waiting), (text for _, text in waiting))
        self._outbox.remove(record["id"] for record, _ in done)
        for record, _ in outbox:
            self._order.changed(str(record["id"]))
        self._settled.queue(
            [record for record, _ in done], lines="".join(text + "\n" for _, text in done).encode()
        )
        lines = [{"seq": entry["seq"], **line} for line in entry["audit"]]
        self._audit.queue(lines[audit_written:])
        if "audit_head" in entry:
            self._audit_head = Head.of(entry["audit_head"])
        else:  # a commit journaled before the chain: its lines are linked in as they are
            for line in entry["audit"][audit_written:]:
                self._audit_head = check_line(self._audit_head, line, hashed_before=False)

    def _forget_old_submissions(self) -> None:
        """Take the submissions made over SUBMISSIONS_KEPT before the newest out of the table
        (and so out of memory; their files follow at the next checkpoint). Kept, one a
        click, they were the one table that grew with time rather than with the registry."""
        age = SUBMISSIONS_KEPT // timedelta(microseconds=1)
        self._submissions.remove(self._submitted.older_than(age))

    def _every_table(self) -> tuple[BucketedTable, ...]:
        return (
            self._requests,
            self._pages,
            self._outbox,
            self._acknowledgements,
            self._messages,
            self._aways,
            self._submissions,
        )

    def _note_table_files(self) -> None:
        """Keep the list of table files written, so a missing one is noticed at start."""
        files = frozenset().union(*(table.files() for table in self._every_table()))
        if files != self._table_files:
            write_atomically(self.folder / MANIFEST, manifest(set(files)))
            fsync_directory(self.folder)
            self._table_files = files

    def _checkpoint(self) -> None:
        """Write every changed table file, here and now, and start the journal over."""
        if self._keying is not None:  # its files are not this thread's to write meanwhile
            self._keying.result()
            self._keying = None
        self._finish_checkpoint(wait=True)
        self._settled.sync()
        if sum(table.flush() for table in self._every_table()):
            fsync_directory(self.folder / "tables")
            self._note_table_files()
        self._audit.sync()
        path = self._journal.path
        self._switch_journal(_prepare_journal(path, self._journal_header(), self._journal.size()))

    def _checkpoint_now(self) -> None:
        self._finish_checkpoint(wait=True)
        self._usable()
        try:
            self._checkpoint()
        except OSError as error:
            raise self._failed(f"could not write to {self.folder}: {error}") from None

    def _checkpoint_if_due(self) -> None:
        self._checkpoint_asked = False
        if self._journal.size() > JOURNAL_LIMIT:
            self._begin_checkpoint()

    def _begin_checkpoint(self) -> None:
        """Start writing the changed table files on the flusher's thread, as they are now,
        and the journal that follows them (see `_prepare_journal`); `_finish_checkpoint` puts
        it in place once they are on disk."""
        if self._flushing is not None:
            return  # still writing the last one: the journal grows a little longer
        header, mark = self._journal_header(), self._journal.size()
        written = (self._settled.written_descriptor(), self._audit.written_descriptor())
        logs = [descriptor for descriptor in written if descriptor is not None]
        snapshots = [found for table in self._every_table() for found in table.snapshot()]
        job = self._flusher.submit(
            _write_checkpoint, logs, snapshots, self._journal.path, header, mark
        )
        self._flushing = _Flush(snapshots, job)
        job.add_done_callback(self._flushed)

    def _flushed(self, job: Future[int]) -> None:
        """On the flusher's thread: have the store's thread finish the checkpoint."""
        with contextlib.suppress(RuntimeError):  # the store is closing: it finishes it
            self._executor.submit(self._finish_checkpoint)

    def _finish_checkpoint(self, *, wait: bool = False) -> None:
        """Once a checkpoint's files are written, cut the journal to the commits made since
        it began (with `wait`, wait for them). If the disk refused, the store takes no more
        writes until it takes them again (see `_usable`); the journal still holds it all."""
        flush = self._flushing
        if flush is None or not (wait or flush.job.done()):
            return
        self._flushing = None
        try:
            copied = flush.job.result()
            first_written = not all(snapshot.bucket.exists for snapshot in flush.snapshots)
            for snapshot in flush.snapshots:
                snapshot.written()
            if first_written:  # the list of table files changes only then
                self._note_table_files()
            self._switch_journal(copied)
        except OSError as error:
            for snapshot in flush.snapshots:
                snapshot.failed()
            self._broken = f"could not write to {self.folder}: {error}"
            log.error("store write failed folder=%s error=%s", self.folder, error)

    def _journal_header(self) -> dict[str, Any]:
        """The journal's first line: where the audit trail and settled.jsonl stand now."""
        return {
            "head": self._audit_head.as_dict(),
            "seq": self._seq,
            "settled": self._settled.size(),
            # How much of the trail is checked: the next start checks only what follows it.
            "audit": Checked(
                self._audit.size(),
                self._audit.digest(),
                self._audit_head,
                bool(self._audit.last and self._audit.last.get("hash")),
            ).as_dict(),
        }

    def _switch_journal(self, copied: int) -> None:
        """Put the prepared journal in place of the journal, with the commits written to it
        from byte `copied` on added (atomically: a crash leaves the old journal or the new
        one, never none; synced: every commit written so far is durable then)."""
        path = self._journal.path
        self._journal.write_queued()
        with open(path, "rb") as reader:
            reader.seek(copied)
            since = reader.read()
        prepared = _next_journal(path)
        with open(prepared, "ab") as writer:
            writer.write(since)
            writer.flush()
            os.fsync(writer.fileno())
        os.replace(prepared, path)
        fsync_directory(self.folder)
        with self._swap:
            replaced, self._journal = self._journal, JsonLines(path)
        self._follow_journal()
        # Closing the last handle on the replaced file frees its blocks, which waits for the
        # file system while the checkpoint's syncs keep it busy (14-30 ms measured at 30,000
        # pages): done on the flusher's thread, not while a commit waits for this one.
        self._flusher.submit(replaced.close)

    def _follow_journal(self) -> None:
        """The audit trail's and settled.jsonl's lines reach the disk after the commits
        they come from (a trail with a line of a commit lost in a crash would be false)."""
        self._audit.written_after = self._settled.written_after = self._journal

    def _recover(self) -> int:
        """Finish every journaled commit, then start an empty journal. Returns the last seq."""
        audited = int(self._audit.last["seq"]) if self._audit.last else 0
        last = audited
        replayed = 0
        for entry in self._journal:
            if "head" in entry:  # the journal's first line: where it began
                last = max(last, int(entry["seq"]))
                self._settled_from(int(entry.get("settled", 0)))
                continue
            seq = int(entry["seq"])
            audit_written = self._audited_lines(seq, audited, len(entry["audit"]))
            self._apply(entry, audit_written=audit_written)
            last = max(last, seq)
            replayed += 1
        if replayed:
            log.warning("store recovered folder=%s replayed_commits=%d", self.folder, replayed)
        return last

    def _settled_from(self, size: int) -> None:
        """Cut settled.jsonl back to where the journal began (what follows came from commits
        the journal holds, and is written again as they are finished)."""
        if self._settled.size() < size:
            raise StorageError(
                f"{self._settled.path} is shorter than when it was last saved ({size} bytes); "
                "restore the data folder from a backup"
            )
        self._settled.cut_to(size)

    def _audited_lines(self, seq: int, audited: int, count: int) -> int:
        """How many of commit `seq`'s audit lines reached the log before a crash."""
        if seq < audited:
            return count
        if seq > audited:
            return 0
        return sum(1 for line in self._audit.tail(count) if line["seq"] == seq)

    def _first_time(self, key: str, now: datetime, keep_for: timedelta) -> bool:
        if not first_time_in(self._once, key, now, keep_for):
            return False
        # Not fsynced, and written on the syncer's thread a moment later: a replay is refused
        # after the process restarts unless it died within moments of the first; only a
        # machine crash within the few minutes of the window forgets it, and an fsync per
        # Slack request halved how many the bot could acknowledge.
        self._once_file.queue([_once_line(key, now)])
        self._once_latest = max(now, self._once_latest)
        if self._once_file.size() > self._once_limit and self._compacting is None:
            self._compacting = asyncio.ensure_future(self._compact_once(keep_for))
        self._write_once_lines_later()
        return True

    async def _compact_once(self, keep_for: timedelta) -> None:
        """Rewrite the file with the keys still in their window, on a thread of its own (a
        megabyte written and synced once held every request up), atomically: a crash leaves
        the old file or the new one. Keys seen meanwhile are carried into the new file."""
        now = self._once_latest
        live = {key: at for key, at in self._once.items() if now - at < keep_for}
        path = self._once_file.path
        try:
            size = await asyncio.get_running_loop().run_in_executor(
                None, _rewrite_once_file, path, live, self.folder
            )
        except OSError as error:  # the old file goes on as it was; writes stop until it works
            self._failed(f"could not write to {path}: {error}")
            return
        finally:
            self._compacting = None
        latest = self._once_latest
        self._once = {key: at for key, at in self._once.items() if latest - at < keep_for}
        newer = [
            _once_line(key, at)
            for key, at in self._once.items()
            if live.get(key) != at  # seen since the snapshot (a key may come back, later)
        ]
        replaced, self._once_file = self._once_file, JsonLines(path)
        self._once_file.queue(newer)
        replaced.close()  # its queued lines go to the replaced file: the new one has their keys
        # When more keys are live than the limit holds (over about 9,000 Slack requests in the
        # five minutes), a limit left as it was rewrote the whole file on every request:
        # 22 requests a second instead of about 1,200.
        self._once_limit = max(ONCE_FILE_LIMIT, 2 * size)

    def _failed(self, problem: str) -> StorageError:
        log.error("store write failed: %s", problem)
        self._write_failed = problem
        return StorageError(problem)

    def _usable(self, finish_checkpoint: bool = True) -> None:
        """Raise StorageError unless the store takes writes. After a failed write it tries
        again for real (a full disk may have room now): a commit left half applied is
        finished from the journal, and a probe file is written."""
        if finish_checkpoint:  # a checkpoint's files the disk refused count as a failure
            self._finish_checkpoint()
        if self._broken:
            try:
                self._seq = self._recover()
                self._checkpoint()  # the files written for real: the disk takes writes again
                self._synced = max(self._synced, self._seq)
            except OSError as error:
                raise StorageError(f"{self._broken}; still failing: {error}") from None
            log.warning("store writable again folder=%s", self.folder)
            self._broken = None
        if self._write_failed:
            try:
                write_atomically(self.folder / "health.probe", b"ok\n")
            except OSError as error:
                raise StorageError(f"{self._write_failed}; still failing: {error}") from None
            log.warning("store writable again folder=%s", self.folder)
            self._write_failed = None

    def _close(self) -> None:
        if not (self._broken or self._write_failed):
            # Everything is applied: a journal holding only where the trail ends lets the
            # next start tell a trail cut by even one line from one a crash left unfinished.
            with contextlib.suppress(OSError):
                self._checkpoint()
        self._flusher.shutdown(wait=True)
        self._syncer.shutdown(wait=True)
        self._journal.close()
        self._once_file.close()
        self._passes.close()
        self._settled.close()
        self._audit.close()
        self._lock_handle.close()


def _rewrite_once_file(path: Path, live: dict[str, datetime], folder: Path) -> int:
    """Replace the file of keys seen once with `live`; returns the bytes written."""
    data = "".join(record_text(_once_line(key, at)) + "\n" for key, at in live.items()).encode()
    write_atomically(path, data)
    fsync_directory(folder)
    return len(data)


def _once_line(key: str, at: datetime) -> dict[str, str]:
    """A key seen once, as once.jsonl keeps it."""
    return {"key": key, "at": at.isoformat()}


def _sync_file(descriptor: int) -> None:
    os.fsync(descriptor)


def _write_key_files(files: list[KeyFile]) -> None:
    """Key files are a cache (see bucket_keys): one the disk refuses costs the next start
    time, nothing else."""
    try:
        for found in files:
            found.write()
    except OSError as error:
        log.warning("could not write the tables' key files error=%s", error)


@dataclass(frozen=True)
class _Flush:
    """A checkpoint under way: the buckets being written, and the job writing them (it
    gives where the journal it prepared stops: see `_write_checkpoint`)."""

    snapshots: list[BucketSnapshot]
    job: Future[int]


def _write_checkpoint(
    logs: list[int],
    snapshots: list[BucketSnapshot],
    journal: Path,
    header: dict[str, Any],
    mark: int,
) -> int:
    """On the flusher's thread: sync settled.jsonl and the audit trail (`logs`, descriptors
    of theirs, closed here) before the journal says where they stand, and settled messages
    before the tables they leave (a table file without one means settled.jsonl has it); write
    the tables; prepare the journal that follows them."""
    try:
        for descriptor in logs:
            os.fsync(descriptor)
    finally:
        for descriptor in logs:
            os.close(descriptor)
    write_snapshots(snapshots)
    return _prepare_journal(journal, header, mark)


def _prepare_journal(journal: Path, header: dict[str, Any], mark: int) -> int:
    """Write (and sync) the journal to follow a checkpoint beside the journal: `header`, then
    the commits written from byte `mark` on (those made after the tables were taken) as far
    as they are complete, again until few are left (see CAUGHT_UP). Returns where in the
    journal that copy stops: the store's thread adds what follows when it puts the new
    journal in place (see `_switch_journal`)."""
    copied = mark
    with open(_next_journal(journal), "wb") as writer:
        writer.write(json.dumps(header).encode() + b"\n")
        for _ in range(CATCH_UP_ROUNDS):
            added = _copy_complete_lines(journal, copied, writer)
            copied += added
            if added <= CAUGHT_UP:
                break
        writer.flush()
        os.fsync(writer.fileno())
    return copied


def _copy_complete_lines(journal: Path, start: int, writer: BinaryIO) -> int:
    """Copy the journal's lines from byte `start` on to `writer`; returns the bytes copied."""
    with open(journal, "rb") as reader:
        reader.seek(start)
        since = reader.read()
    since = since[: since.rfind(b"\n") + 1]  # a line still being appended is added later
    writer.write(since)
    return len(since)


def _next_journal(journal: Path) -> Path:
    return journal.with_name(f".{journal.name}.next")


def _decoded(kind: type[T], table: BucketedTable, conditions: list[Any]) -> list[T]:
    return [from_dict(kind, record) for record in _search(table, conditions)]


def _narrowed(
    table: BucketedTable,
    recent: RecentlyDecoded[T],
    narrowed: tuple[str, str],
    wanted: Callable[[T], bool],
) -> list[T]:
    """The records `narrowed` (index, key) finds in `table` that are `wanted`."""
    found = (recent.decode(text) for text in table.texts_by_index(*narrowed))
    return [record for record in found if wanted(record)]


def _records(changes: Changes) -> int:
    """How many records `changes` writes."""
    return sum(len(getattr(changes, field.name)) for field in fields(changes))


def _size(table: BucketedTable, narrowed: tuple[str, str] | None) -> int:
    """How many records a search of `table` narrowed by `narrowed` reads."""
    return len(table) if narrowed is None else table.indexed(*narrowed)


class _StoreThread(ThreadPoolExecutor):
    """The store's one thread: each task holds `busy` while it runs."""

    def __init__(self, busy: threading.Lock) -> None:
        super().__init__(max_workers=1, thread_name_prefix="pagekeeper-store")
        self._busy = busy

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        return super().submit(self._holding, fn, *args, **kwargs)

    def _holding(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with self._busy:
            return fn(*args, **kwargs)


def _narrowest(*wanted: tuple[str, str | None]) -> tuple[str, str] | None:
    """The first of (index, key) that was asked for: looked up in its index, the records are a
    person's or a name's, not the whole table."""
    return next(((index, key) for index, key in wanted if key is not None), None)


def _search(table: BucketedTable, conditions: list[Any]) -> list[dict[str, Any]]:
    """Every record of `table` that all `conditions` (TinyDB queries) hold for."""
    condition = None
    for each in conditions:
        condition = each if condition is None else condition & each
    return list(table.search(condition))


def _school(record: dict[str, Any]) -> str:
    return str(record["details"]["school"])


def _owners(record: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(owner["email"]) for owner in record["owners"])


def _status(record: dict[str, Any]) -> str:
    return str(record["status"])


def _requester(record: dict[str, Any]) -> str:
    return str(record["requester"]["email"])


def _approvers(record: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(email) for email in record["approvers"])


def _page_url(record: dict[str, Any]) -> str:
    return comparable(record["url"]) if record.get("url") else ""


def _page_name(record: dict[str, Any]) -> str:
    return str(record["details"]["page_name"]).casefold()


def _version(record: dict[str, Any] | None) -> int | None:
    return int(record["version"]) if record else None


def _submitted(record: dict[str, Any]) -> int:
    """When a request was submitted, in microseconds since the epoch (exact, unlike a float)."""
    return _microseconds(datetime.fromisoformat(record["submitted_at"]))


def _carried_out_at(record: dict[str, Any]) -> int:
    """When a submission was carried out, in microseconds since the epoch."""
    return _microseconds(datetime.fromisoformat(record["at"]))


def _microseconds(moment: datetime) -> int:
    return (moment.astimezone(UTC) - EPOCH) // timedelta(microseconds=1)


def _duties_entry(record: dict[str, Any]) -> tuple[str, float | None]:
    """A page's status and when its duties are due, in POSIX seconds (None: not yet known)."""
    due = record.get("duties_due_at")
    return str(record["status"]), datetime.fromisoformat(due).timestamp() if due else None


def _done_with(record: dict[str, Any]) -> bool:
    """A message delivered, or for someone no platform reaches: it moves to settled.jsonl.
    (Messages given up on stay in the table: the admins look at them, and may send again.)"""
    return bool(record.get("delivered_at") or record.get("unreachable")) and not record.get(
        "failed_reason"
    )


def _waiting_entry(record: dict[str, Any]) -> Waiting | None:
    """What claiming needs of a stored message waiting to go: when (POSIX seconds), to whom,
    whether bulk; and when it was made, for the metrics; None for one settled.

    Read from the fields themselves: decoding the whole entry, its card included, was a
    twentieth of a form's time on the event loop (a form stores two or three messages)."""
    message = record.get("message")
    if message is None:  # 0.1.0 stored them under other names: decoded as any record is
        return _waiting_entry(to_dict(from_dict(OutboxEntry, record)))
    if record.get("delivered_at") or record.get("failed_reason") or record.get("unreachable"):
        return None
    return (
        datetime.fromisoformat(record["next_attempt_at"]).timestamp(),
        str(message["to"]),
        bool(message.get("bulk", False)),
        datetime.fromisoformat(record["created_at"]).timestamp(),
    )


def open_once(folder: Path) -> None:
    """Open the folder as the bot does at start (every check, unfinished changes finished)
    and close it: StorageError if it could not serve."""
    store = TinyDBStore(folder)
    store._close()
    store._executor.shutdown()


def lock_folder(folder: Path) -> Any:
    """Only one process may use a data folder; a second would overwrite the first's work."""
    folder.mkdir(parents=True, exist_ok=True)
    handle = try_lock(folder)
    if handle is None:
        raise StorageError(f"{folder} is already in use by another Pagekeeper process")
    return handle


def _folder_format(folder: Path, wanted: int) -> tuple[int, int]:
    """The folder's format and bucket count (fixed when it is created: changing it would lose
    records). A folder of a newer format than this version knows is refused; an older one is
    read as it is, and upgraded once opened (`_write_meta`)."""
    meta = folder / "meta.json"
    if not meta.exists():
        _write_meta(folder, wanted)
        return FORMAT, wanted
    data = read_json(meta)
    found = data.get("format") if isinstance(data, dict) else None
    if not isinstance(found, int) or not isinstance(data.get("buckets"), int):
        raise StorageError(f"{meta} is not a Pagekeeper data folder's")
    if found > FORMAT:
        raise StorageError(
            f"{folder} is in data format {found}, written by a newer Pagekeeper than this one "
            f"(which reads formats up to {FORMAT}): upgrade Pagekeeper, or restore the backup "
            "taken before the upgrade to go back"
        )
    return found, int(data["buckets"])


def _write_meta(folder: Path, buckets: int) -> None:
    meta = json.dumps({"format": FORMAT, "buckets": buckets}).encode()
    write_atomically(folder / "meta.json", meta)
    fsync_directory(folder)
