"""The store on PostgreSQL, for platforms with no lasting disk and for several web processes.

Every commit is one statement, a transaction of its own (see batched.py). A record is written
only if its stored version is the one it was read at (an UPDATE ... WHERE version = n, or an
INSERT that the primary key refuses for an existing id), so of two processes deciding the same
request at once exactly one succeeds; the other gets ConflictError and its engine reads again.
A commit made in the engine's turn is seen at once and waits for the server's disk after the
turn, sharing that wait with the commits made meanwhile (group commit, see
`PostgresStore._durable`). Outbox deliveries are shared out per person through `outbox_lanes`
(see schema.py), and duties run where an advisory lock is held.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
import uuid
import weakref
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import orjson
import psycopg
import psycopg_pool
from psycopg import AsyncConnection, sql
from psycopg.conninfo import conninfo_to_dict
from psycopg.types.json import set_json_dumps, set_json_loads
from psycopg_pool import AsyncConnectionPool

from storage.chain import Head
from storage.codec import from_dict
from storage.files import parsed
from storage.postgres.audit_chain import check_trail, start_head
from storage.postgres.batched import write_changes
from storage.postgres.rows import (
    fixed,
    insert,
)
from storage.postgres.schema import migrate
from storage.postgres.seen_together import SeenTogether
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
from workflows.kernel.ports import (
    Changes,
    Claim,
    ConflictError,
    Durable,
    RequestChecks,
    StorageError,
)
from workflows.pages.addresses import comparable

log = logging.getLogger(__name__)

# The engine carries out a few commands at a time per process (TURNS), so a few connections
# cover it, the dispatcher and the duties; small databases allow 20 connections in all (plus
# one per process for the duties' advisory lock).
POOL_SIZE = 5
# Commands the engine carries out side by side (see `PostgresStore.turns`): each holds one of
# the pool's connections at a time, so one is left for deliveries and the web pages. More
# than four gained nothing here, measured while a commit was still several statements: fifty
# forms at once took 59-63 ms in-process with four, 65-72 with eight, 80-95 with one.
TURNS = 4
AUDIT_CHUNK = 1000
CONNECT_SECONDS = 15.0
# A health check answers within this, database or not.
CHECK_SECONDS = 5.0
# When a page's duties are due, pages from before due times were kept (NULL) first; the
# expression of the index pages_due_order (schema 11).
DUE_ORDER = "COALESCE(duties_due_at, '-infinity'::timestamptz)"

# The SQLSTATE of pagekeeper_written (schema 13): a record was changed since it was read.
WRITTEN_BEFORE = "PK409"

# A connection handed out this recently is taken to be alive without a round trip.
ALIVE_WITHOUT_CHECK_SECONDS = 0.5

Row = tuple[Any, ...]


class IdleCheck:
    """The pool's check before handing a connection out: one that sat idle (the server may
    have dropped it in a restart or failover) is tried first and replaced if dead, rather than
    failing someone's click. One handed out moments ago is not: checking every time cost a
    round trip per query, a tenth of a form's work. The window is HikariCP's
    (aliveBypassWindowMs)."""

    def __init__(
        self,
        check: Callable[[AsyncConnection[Row]], Awaitable[None]],
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._check = check
        self._monotonic = monotonic
        self._handed_out: weakref.WeakKeyDictionary[AsyncConnection[Row], float] = (
            weakref.WeakKeyDictionary()
        )

    async def __call__(self, connection: AsyncConnection[Row]) -> None:
        now = self._monotonic()
        last = self._handed_out.get(connection)
        self._handed_out[connection] = now
        if last is None or now - last > ALIVE_WITHOUT_CHECK_SECONDS:
            await self._check(connection)


class PostgresStore:
    """Implements workflows.ports.Store on a PostgreSQL database shared by any number of
    processes."""

    # Every read and write waits on the server, and every write is checked by it (see the
    # module's docstring): while one command waits, others go ahead, as in another process.
    turns = TURNS

    def __init__(
        self, pool: AsyncConnectionPool[AsyncConnection[Row]], url: str, where: str
    ) -> None:
        self._pool = pool
        self._url = url
        self._where = where
        self._duties: AsyncConnection[Row] | None = None
        self._once_calls = 0
        self._seen = SeenTogether(self._first_seen)
        # The last write failed (a full disk on the server): health writes to check again.
        self._write_failed = False
        # Commits made in the engine's turn, and how many of them are known durable; the
        # one write under way that makes them so (see `_durable`), and the row it writes.
        self._committed = 0
        self._flushed = 0
        self._flushing: asyncio.Future[None] | None = None
        self._flush_key = f"durable:{uuid.uuid4().hex}"

    @classmethod
    async def open(cls, url: str) -> PostgresStore:
        """Connect, and create or migrate the schema (safe while other processes do too)."""
        where = describe(url)
        pool: AsyncConnectionPool[AsyncConnection[Row]] = AsyncConnectionPool(
            url,
            min_size=1,
            max_size=POOL_SIZE,
            open=False,
            timeout=CONNECT_SECONDS,
            check=IdleCheck(AsyncConnectionPool.check_connection),
            configure=_with_orjson,
            # A lone statement is its own transaction. Otherwise each read began one and the
            # pool ended it with a COMMIT: a second round trip per read. Whatever takes more
            # than one statement opens its transaction itself (connection.transaction()).
            kwargs={"autocommit": True},
        )
        try:
            # One plain connection first: a wrong address or password fails at once with the
            # server's reason, where the pool would keep retrying quietly.
            async with await AsyncConnection.connect(
                url, connect_timeout=int(CONNECT_SECONDS)
            ) as connection:
                await migrate(connection)
                await start_head(connection)
                await check_trail(connection)  # an edited or cut trail is refused at start
            await pool.open(wait=True, timeout=CONNECT_SECONDS)
        except (psycopg.Error, OSError) as error:
            await pool.close()
            reason = driver_reason(error, hide=url)
            raise StorageError(f"could not open the database at {where}: {reason}") from None
        return cls(pool, url, where)

    async def get_request(self, request_id: str) -> PageRequest | None:
        rows = await self._fetch("SELECT doc FROM requests WHERE id = %s", (request_id,))
        return from_dict(PageRequest, rows[0][0]) if rows else None

    async def get_page(self, page_id: str) -> Page | None:
        rows = await self._fetch("SELECT doc FROM pages WHERE id = %s", (page_id,))
        return from_dict(Page, rows[0][0]) if rows else None

    async def find_requests(
        self,
        *,
        requester: str | None = None,
        approver: str | None = None,
        status: RequestStatus | None = None,
        page_name: str | None = None,
    ) -> list[PageRequest]:
        filters: list[tuple[str, object]] = [
            ("requester = %s", requester),
            ("approvers @> ARRAY[%s::text]", approver),
            ("status = %s", status.value if status else None),
            ("name_key = %s", page_name.casefold() if page_name is not None else None),
        ]
        query, values = _select("requests", "submitted_at, id", filters)
        rows = await self._fetch(query, values)
        return [from_dict(PageRequest, row[0]) for row in rows]

    async def request_times(self, requester: str, since: datetime) -> list[datetime]:
        rows = await self._fetch(
            "SELECT submitted_at FROM requests WHERE requester = %s AND submitted_at >= %s"
            " ORDER BY submitted_at",
            (requester, since),
        )
        return [row[0] for row in rows]

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
        filters: list[tuple[str, object]] = [
            (f"{DUE_ORDER} <= %s", due_by),
            ("(doc->'details'->>'school') = %s", school),
            ("owners @> ARRAY[%s::text]", owner),
            ("status = %s", status.value if status else None),
            ("name_key = %s", page_name.casefold() if page_name is not None else None),
            ("url_key = %s", comparable(url) if url is not None else None),
        ]
        if due_by is None:
            query, values = _select("pages", "approved_at, id", filters)
        else:  # read in the order of the index pages_due_order: the limit ends the scan
            query, values = _select("pages", f"{DUE_ORDER}, id", filters, limit=limit)
        rows = await self._fetch(query, values)
        return [from_dict(Page, row[0]) for row in rows]

    async def commit_in_turn(self, changes: Changes) -> Durable:
        """The transaction commits without waiting for the server's disk (for it alone), so
        the engine's next command goes ahead at once; the wait for the disk comes after the
        turn, shared by every commit made meanwhile (see `_durable`)."""
        await self._commit(changes, wait_for_disk=False)
        self._committed += 1
        return functools.partial(self._durable, self._committed)

    async def commit(self, changes: Changes) -> None:
        await self._commit(changes, wait_for_disk=True)

    async def _durable(self, committed: int) -> None:
        """Once commit number `committed` is on the server's disk. The server writes its log
        in order, so a transaction that waits for the disk, begun after a commit, puts that
        commit there too: one such write serves every commit made before it (group commit)."""
        while self._flushed < committed:
            if self._flushing is None:
                self._flushing = asyncio.ensure_future(self._flush())
            await asyncio.shield(self._flushing)

    async def _flush(self) -> None:
        upto = self._committed
        try:
            # A write the log keeps (a transaction that wrote nothing would not wait for the
            # disk), to a row of this process's own (no other process waits on its lock).
            await self._execute(MARK, {"key": self._flush_key})
        finally:
            self._flushing = None
        self._flushed = max(self._flushed, upto)

    async def _commit(self, changes: Changes, *, wait_for_disk: bool) -> None:
        try:
            # One statement, its own transaction (see batched.py): the server stops it at a
            # stale record itself (WRITTEN_BEFORE), and hashes the audit lines on after the
            # head it locks, so nothing waits on an answer before the commit.
            async with self._pool.connection() as connection:
                await write_changes(connection, changes, wait_for_disk=wait_for_disk)
        except psycopg.errors.UniqueViolation as error:
            # Only a rule another process just satisfied first can be broken here (an address
            # already active): the engine reads again and explains it to the person.
            raise ConflictError(f"someone else got there first: {driver_reason(error)}") from None
        except psycopg.Error as error:
            if error.sqlstate == WRITTEN_BEFORE:
                raise ConflictError(driver_reason(error)) from None
            raise self._failure("write to", error) from None

    async def aways(self) -> list[Away]:
        rows = await self._fetch("SELECT doc FROM aways ORDER BY email", ())
        return [from_dict(Away, row[0]) for row in rows]

    async def request_checks(
        self, *, requester: str, since: datetime, page_name: str
    ) -> RequestChecks:
        """One statement where the four reads took four round trips, about a tenth of the
        web process's work on each request form."""
        rows = await self._fetch(
            REQUEST_CHECKS,
            {"requester": requester, "since": since, "name": page_name.casefold()},
        )
        parts: tuple[list[Any], ...] = ([], [], [], [])
        for part, at, _, doc in rows:
            parts[part].append(at if part == TIMES else doc)
        times, pages, requests, aways = parts
        return RequestChecks(
            times=tuple(times),
            pages=tuple(from_dict(Page, doc) for doc in pages),
            requests=tuple(from_dict(PageRequest, doc) for doc in requests),
            aways=tuple(from_dict(Away, doc) for doc in aways),
        )

    async def submission(self, key: str) -> Submission | None:
        rows = await self._fetch("SELECT doc FROM submissions WHERE key = %s", (key,))
        return from_dict(Submission, rows[0][0]) if rows else None

    async def acknowledgements(self) -> list[Acknowledgement]:
        rows = await self._fetch("SELECT doc FROM acknowledgements ORDER BY email", ())
        return [from_dict(Acknowledgement, row[0]) for row in rows]

    async def iter_audit(
        self, start: datetime | None, end: datetime | None
    ) -> AsyncIterator[AuditEntry]:
        after = 0
        while True:
            rows = await self._fetch(
                "SELECT seq, doc FROM audit WHERE seq > %(after)s"
                " AND (%(start)s::timestamptz IS NULL OR at >= %(start)s)"
                " AND (%(end)s::timestamptz IS NULL OR at < %(end)s)"
                " ORDER BY seq LIMIT %(limit)s",
                {"after": after, "start": start, "end": end, "limit": AUDIT_CHUNK},
            )
            if not rows:
                return
            for seq, doc in rows:
                yield from_dict(AuditEntry, doc)
                after = seq

    async def audit_after(
        self, position: int, limit: int
    ) -> tuple[list[tuple[int, AuditEntry]], int]:
        rows = await self._fetch(
            "SELECT seq, doc FROM audit WHERE seq > %s ORDER BY seq LIMIT %s", (position, limit)
        )
        lines = [(int(seq), from_dict(AuditEntry, doc)) for seq, doc in rows]
        return lines, lines[-1][0] if lines else position

    async def audit_at(self, positions: Sequence[int]) -> list[AuditEntry]:
        rows = await self._fetch(
            "SELECT seq, doc FROM audit WHERE seq = ANY(%s)", (list(positions),)
        )
        found = {int(seq): from_dict(AuditEntry, doc) for seq, doc in rows}
        return [found[position] for position in positions]

    async def claim_messages(
        self,
        holder: str,
        now: datetime,
        limit: int,
        lease: timedelta,
        resting: frozenset[str] = frozenset(),
    ) -> Claim:
        values = {
            "holder": holder,
            "now": now,
            "until": now + lease,
            "limit": limit,
            "resting": list(resting),
        }
        async with self._pool.connection() as connection, connection.transaction():
            # Lanes are locked in the order of their people, so two claims never deadlock;
            # a lane another holder took meanwhile fails the WHERE and is not returned.
            # Its lanes are written by a transaction that waits for the disk, as every other
            # here: so are the commits of the messages it read (see `_durable`), and no message
            # goes out that a crash of the server could take back.
            cursor = await connection.execute(CLAIM_PEOPLE, values)
            people = [row[0] for row in await cursor.fetchall()]
            rows: list[Row] = []
            if people:
                cursor = await connection.execute(CLAIMED_MESSAGES, {**values, "people": people})
                rows = await cursor.fetchall()
            cursor = await connection.execute(
                "SELECT count(DISTINCT holder) FROM outbox_lanes WHERE held_until > %s", (now,)
            )
            counted = await cursor.fetchone()
        senders = int(counted[0]) if counted else 1
        return Claim(tuple(from_dict(OutboxEntry, row[0]) for row in rows), max(1, senders))

    async def release_messages(self, holder: str) -> None:
        await self._execute("DELETE FROM outbox_lanes WHERE holder = %s", (holder,))

    async def outbox_waiting(self) -> tuple[int, datetime | None]:
        rows = await self._fetch(
            "SELECT count(*), min(created_at) FROM outbox WHERE NOT settled", ()
        )
        count, oldest = rows[0] if rows else (0, None)
        return int(count), oldest

    async def pages_by_status(self) -> dict[PageStatus, int]:
        rows = await self._fetch("SELECT status, count(*) FROM pages GROUP BY status", ())
        return {PageStatus(status): int(count) for status, count in rows}

    async def renew_lease(self, holder: str, until: datetime) -> None:
        await self._execute(
            "UPDATE outbox_lanes SET held_until = %s WHERE holder = %s", (until, holder)
        )

    async def hold_duty(self, duty: str) -> bool:
        """A session advisory lock on a connection of its own: it is let go when this process
        (or its connection) ends, and the next process to ask takes the duty over."""
        try:
            if self._duties is None or self._duties.closed or self._duties.broken:
                self._duties = await AsyncConnection.connect(self._url, autocommit=True)
            cursor = await self._duties.execute(
                "SELECT pg_try_advisory_lock(%s)", (zlib.crc32(duty.encode()),)
            )
            row = await cursor.fetchone()
        except psycopg.Error as error:
            log.warning("could not ask for duty=%s: %s", duty, driver_reason(error))
            return False
        return bool(row and row[0])

    async def failed_messages(self) -> list[OutboxEntry]:
        rows = await self._fetch("SELECT doc FROM outbox WHERE failed ORDER BY created_at, id", ())
        return [from_dict(OutboxEntry, row[0]) for row in rows]

    async def remember_message(self, key: str, handle: str) -> None:
        await self._execute(UPSERT_HANDLE, {"key": key, "handle": handle})

    async def recall_message(self, key: str) -> str | None:
        rows = await self._fetch("SELECT handle FROM message_handles WHERE key = %s", (key,))
        return str(rows[0][0]) if rows else None

    async def first_time(self, key: str, now: datetime, keep_for: timedelta) -> bool:
        self._once_calls += 1
        if self._once_calls % ONCE_PRUNE_EVERY == 0:
            await self._execute("DELETE FROM once_keys WHERE seen_at <= %s", (now - keep_for,))
        return await self._seen.first_time(key, now, keep_for)

    async def _first_seen(
        self, keys: list[str], nows: list[datetime], keep_for: timedelta
    ) -> set[str]:
        """Which of `keys` (first seen at `nows`) are new, or were last seen over `keep_for`
        before: one statement, so two processes receiving the same request cannot both see
        it first."""
        rows = await self._fetch(FIRST_TIME, {"keys": keys, "nows": nows, "kept": keep_for})
        return {str(row[0]) for row in rows}

    async def keep_pass(self, key: str, email: str, expires: datetime) -> None:
        # Long-expired passes go as new ones come (by the caller's clock, as every time here).
        await self._execute(KEEP_PASS, {"key": key, "email": email, "expires": expires})

    async def take_pass(self, key: str, now: datetime) -> str | None:
        # One statement: of two processes opening the same link, only one gets a row.
        rows = await self._fetch(TAKE_PASS, {"key": key, "now": now})
        return str(rows[0][0]) if rows else None

    async def read_pass(self, key: str, now: datetime) -> str | None:
        rows = await self._fetch(READ_PASS, {"key": key, "now": now})
        return str(rows[0][0]) if rows else None

    async def drop_pass(self, key: str) -> None:
        await self._execute("DELETE FROM passes WHERE key = %s", (key,))

    async def check(self) -> None:
        """A read; after a failed write, a real write (reads work on a full disk)."""
        await self._fetch("SELECT 1", (), wait=CHECK_SECONDS)
        if self._write_failed:
            await self._execute(MARK, {"key": "health-probe"})
            self._write_failed = False

    async def close(self) -> None:
        if self._duties is not None:
            await self._duties.close()
        await self._pool.close()

    async def _fetch(self, query: Any, values: Any, wait: float | None = None) -> list[Row]:
        try:
            async with self._pool.connection(wait) as connection:
                cursor = await connection.execute(query, values)
                return await cursor.fetchall()
        except psycopg.Error as error:
            raise self._failure("read", error) from None

    async def _execute(self, query: Any, values: Any) -> None:
        try:
            async with self._pool.connection() as connection:
                await connection.execute(query, values)
        except psycopg.Error as error:
            raise self._failure("write to", error) from None

    def _failure(self, doing: str, error: psycopg.Error) -> StorageError:
        if doing == "write to":
            self._write_failed = True
        if isinstance(error, psycopg_pool.PoolTimeout):
            return StorageError(f"the database at {self._where} does not answer")
        return StorageError(
            f"could not {doing} the database at {self._where}: {driver_reason(error)}"
        )


# People with a message someone waits for come first (bool_and(bulk) is false for them), then
# those with only bulk ones; see Message.bulk.
CLAIM_PEOPLE = """
INSERT INTO outbox_lanes (recipient, holder, held_until)
SELECT recipient, %(holder)s, %(until)s FROM (
    SELECT recipient, bool_and(bulk) AS only_bulk, min(next_attempt_at) AS first_due
    FROM outbox
    WHERE NOT settled AND next_attempt_at <= %(now)s
      AND NOT (recipient = ANY(%(resting)s::text[]))
      AND NOT EXISTS (
          SELECT 1 FROM outbox_lanes held WHERE held.recipient = outbox.recipient
          AND held.holder <> %(holder)s AND held.held_until > %(now)s)
    GROUP BY recipient ORDER BY only_bulk, first_due LIMIT %(limit)s
) AS due ORDER BY recipient
ON CONFLICT (recipient) DO UPDATE SET holder = excluded.holder, held_until = excluded.held_until
WHERE outbox_lanes.holder = excluded.holder OR outbox_lanes.held_until <= %(now)s
RETURNING recipient
"""

# The claimed people's due messages in the same order: each person's in the order they fell due.
CLAIMED_MESSAGES = """
SELECT doc FROM outbox
WHERE recipient = ANY(%(people)s::text[]) AND NOT settled AND next_attempt_at <= %(now)s
ORDER BY bool_and(bulk) OVER (PARTITION BY recipient), next_attempt_at, id
LIMIT %(limit)s
"""
# The reads of `request_checks`, each in the order of its own method, told apart by `part`.
TIMES = 0
REQUEST_CHECKS = """
SELECT 0 AS part, submitted_at AS at, id, NULL::jsonb AS doc FROM requests
WHERE requester = %(requester)s AND submitted_at >= %(since)s
UNION ALL SELECT 1, approved_at, id, doc FROM pages WHERE name_key = %(name)s
UNION ALL SELECT 2, submitted_at, id, doc FROM requests WHERE name_key = %(name)s
UNION ALL SELECT 3, NULL, email, doc FROM aways
ORDER BY part, at, id
"""
# A row comes back for each key that is new, or whose earlier sighting is out of the window.
FIRST_TIME = """
INSERT INTO once_keys (key, seen_at)
SELECT * FROM unnest(%(keys)s::text[], %(nows)s::timestamptz[])
ON CONFLICT (key) DO UPDATE SET seen_at = excluded.seen_at
WHERE once_keys.seen_at <= excluded.seen_at - %(kept)s::interval
RETURNING key
"""
ONCE_PRUNE_EVERY = 256
KEEP_PASS = """
WITH pruned AS (DELETE FROM passes WHERE expires_at < %(expires)s - interval '1 day')
INSERT INTO passes (key, email, expires_at) VALUES (%(key)s, %(email)s, %(expires)s)
ON CONFLICT (key) DO UPDATE SET email = excluded.email, expires_at = excluded.expires_at
"""
TAKE_PASS = """
WITH taken AS (DELETE FROM passes WHERE key = %(key)s RETURNING email, expires_at)
SELECT email FROM taken WHERE expires_at > %(now)s
"""
READ_PASS = "SELECT email FROM passes WHERE key = %(key)s AND expires_at > %(now)s"
MARK = """
INSERT INTO once_keys (key, seen_at) VALUES (%(key)s, now())
ON CONFLICT (key) DO UPDATE SET seen_at = excluded.seen_at
"""
UPSERT_HANDLE = fixed(
    insert(
        "message_handles",
        ("key", "handle"),
        "ON CONFLICT (key) DO UPDATE SET handle = excluded.handle",
    )
)


def _select(
    table: str,
    order: str,
    filters: list[tuple[str, object]],
    limit: int | None = None,
) -> tuple[bytes, list[object]]:
    """SELECT doc with only the filters given a value, so each look-up can use its index;
    `order` is SQL (constants of this module only)."""
    used = [(condition, value) for condition, value in filters if value is not None]
    query = _select_text(table, order, tuple(condition for condition, _ in used), limit)
    return query, [value for _, value in used]


@functools.lru_cache(maxsize=256)
def _select_text(table: str, order: str, conditions: tuple[str, ...], limit: int | None) -> bytes:
    where = sql.SQL(" AND ").join(sql.SQL(condition) for condition in conditions)
    query = sql.SQL("SELECT doc FROM {} WHERE {} ORDER BY {}{}").format(
        sql.Identifier(table),
        where if conditions else sql.SQL("true"),
        sql.SQL(order),
        sql.SQL(" LIMIT {}").format(sql.Literal(limit)) if limit is not None else sql.SQL(""),
    )
    return fixed(query)


async def verify_trail(url: str) -> Head:
    """Check the database's whole audit trail against its hash chain and recorded end, on a
    connection of its own (for `python -m bot verify-audit`, while the bot runs or not)."""
    try:
        async with await AsyncConnection.connect(
            url, connect_timeout=int(CONNECT_SECONDS)
        ) as connection:
            return await check_trail(connection)
    except psycopg.Error as error:
        reason = driver_reason(error, hide=url)
        raise StorageError(f"could not read the database at {describe(url)}: {reason}") from None


async def _with_orjson(connection: AsyncConnection[Row]) -> None:
    """Documents go to and come from the database through orjson, several times faster than
    the standard library's json (whose dumps alone was about 5% of the bot's CPU per
    submitted form, by py-spy)."""
    set_json_dumps(orjson.dumps, connection)
    set_json_loads(parsed, connection)


def describe(url: str) -> str:
    """Where a database is, for messages: host, port and name, never the user or password."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.Error:
        return "the configured DATABASE_URL"
    host = str(parts.get("host") or "localhost")
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"{host}{port}/{parts.get('dbname') or '(default database)'}"


def driver_reason(error: BaseException, hide: str = "") -> str:
    """The first line of a driver error: enough to act on, never the connection string (a
    malformed one is echoed by libpq, password included)."""
    lines = str(error).strip().splitlines()
    text = lines[0] if lines else type(error).__name__
    for secret in filter(None, [hide, _password(hide)]):
        text = text.replace(secret, "***")
    return text


def _password(url: str) -> str:
    try:
        return str(conninfo_to_dict(url).get("password") or "")
    except psycopg.Error:
        return ""
