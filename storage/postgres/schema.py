"""The database schema, as numbered migrations applied at start.

Each migration runs once, in order, inside one transaction that holds an advisory lock, so
several processes starting together never apply one twice. A database migrated by a newer
Pagekeeper than this one is refused rather than guessed at.
"""

from __future__ import annotations

from psycopg import AsyncConnection

from workflows.kernel.ports import StorageError

# Any fixed number works; it only has to be the same in every process sharing a database.
MIGRATION_LOCK = 7_143_110_001

MIGRATIONS: tuple[str, ...] = (
    # 1: records as JSON documents, with the columns the look-ups need beside them.
    """
    CREATE TABLE requests (
        id text PRIMARY KEY,
        version integer NOT NULL CHECK (version > 0),
        requester text NOT NULL,
        approvers text[] NOT NULL,
        status text NOT NULL,
        name_key text NOT NULL,
        submitted_at timestamptz NOT NULL,
        doc jsonb NOT NULL
    );
    CREATE INDEX requests_requester ON requests (requester);
    CREATE INDEX requests_approvers ON requests USING gin (approvers);
    CREATE INDEX requests_status ON requests (status);
    CREATE INDEX requests_name ON requests (name_key);

    CREATE TABLE pages (
        id text PRIMARY KEY,
        version integer NOT NULL CHECK (version > 0),
        owners text[] NOT NULL,
        status text NOT NULL,
        name_key text NOT NULL,
        url_key text,
        approved_at timestamptz NOT NULL,
        doc jsonb NOT NULL
    );
    CREATE INDEX pages_owners ON pages USING gin (owners);
    CREATE INDEX pages_status ON pages (status);
    CREATE INDEX pages_name ON pages (name_key);
    CREATE INDEX pages_url ON pages (url_key);

    -- The audit trail: rows are only ever added. import_key marks rows copied from a TinyDB
    -- folder, so copying the same folder twice adds nothing.
    CREATE TABLE audit (
        seq bigserial PRIMARY KEY,
        at timestamptz NOT NULL,
        subject text NOT NULL,
        doc jsonb NOT NULL,
        import_key text UNIQUE
    );
    CREATE INDEX audit_subject ON audit (subject);
    CREATE FUNCTION audit_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the audit trail is append-only: rows cannot be changed or removed';
    END $$;
    CREATE TRIGGER audit_no_update_or_delete BEFORE UPDATE OR DELETE ON audit
        FOR EACH ROW EXECUTE FUNCTION audit_is_append_only();
    CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
        FOR EACH STATEMENT EXECUTE FUNCTION audit_is_append_only();

    CREATE TABLE outbox (
        id text PRIMARY KEY,
        recipient text NOT NULL,
        settled boolean NOT NULL,
        failed boolean NOT NULL,
        created_at timestamptz NOT NULL,
        next_attempt_at timestamptz NOT NULL,
        doc jsonb NOT NULL
    );
    CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE NOT settled;
    CREATE INDEX outbox_recipient ON outbox (recipient) WHERE NOT settled;
    CREATE INDEX outbox_failed ON outbox (created_at, id) WHERE failed;

    -- Who is sending to a person right now: one process at a time, so one person's
    -- messages keep their order even with several processes delivering.
    CREATE TABLE outbox_lanes (
        recipient text PRIMARY KEY,
        holder text NOT NULL,
        held_until timestamptz NOT NULL
    );

    CREATE TABLE acknowledgements (
        email text PRIMARY KEY,
        doc jsonb NOT NULL
    );

    CREATE TABLE message_handles (
        key text PRIMARY KEY,
        handle text NOT NULL
    );
    """,
    # 2: one active page per address, even when two processes confirm the same one at once
    # (the loser's command is run again and finds the address taken).
    """
    CREATE UNIQUE INDEX pages_one_active_per_address ON pages (url_key)
        WHERE status = 'active' AND url_key IS NOT NULL;
    """,
    # 3: approvers away, and who decides in their place meanwhile (one row per approver).
    """
    CREATE TABLE aways (
        email text PRIMARY KEY,
        doc jsonb NOT NULL
    );
    """,
    # 4: keys seen once within a few minutes (replayed Slack requests, repeated clicks).
    """
    CREATE TABLE once_keys (
        key text PRIMARY KEY,
        seen_at timestamptz NOT NULL
    );
    CREATE INDEX once_keys_seen_at ON once_keys (seen_at);
    """,
    # 5: where the audit trail's hash chain stands (one row; see audit_chain.py). It is
    # filled in at start, from the rows already there.
    """
    CREATE TABLE audit_head (
        one boolean PRIMARY KEY DEFAULT true CHECK (one),
        count bigint NOT NULL,
        hash text NOT NULL
    );
    """,
    # 6: forms and clicks carried out, so a repeat of one acts once (the key is unique).
    """
    CREATE TABLE submissions (
        key text PRIMARY KEY,
        doc jsonb NOT NULL
    );
    """,
    # 7: bulk messages (monitoring checks, reminders) wait behind the ones people wait for.
    """
    ALTER TABLE outbox ADD COLUMN bulk boolean NOT NULL DEFAULT false;
    """,
    # 8: when each page's duties are next due, so a reminders run reads only the pages due
    # (NULL for pages written before: read every run until they are written again).
    """
    ALTER TABLE pages ADD COLUMN duties_due_at timestamptz;
    CREATE INDEX pages_duties_due ON pages (status, duties_due_at);
    """,
    # 9: a school's pages found without reading the whole registry.
    """
    CREATE INDEX pages_school ON pages ((doc->'details'->>'school'));
    """,
    # 10: dashboard sign-ins (one-time links and sessions), by the hash of what people hold.
    """
    CREATE TABLE passes (
        key text PRIMARY KEY,
        email text NOT NULL,
        expires_at timestamptz NOT NULL
    );
    CREATE INDEX passes_expiry ON passes (expires_at);
    """,
    # 11: a reminders run reads the earliest due pages, as many as it handles, in index order
    # (pages written before due times were kept first; see store.DUE_ORDER).
    """
    CREATE INDEX pages_due_order
        ON pages (status, (COALESCE(duties_due_at, '-infinity'::timestamptz)), id);
    DROP INDEX pages_duties_due;
    """,
    # 12: the index of pages by owner takes each write at once. With GIN's default fast
    # update, writes (every answered check rewrites its page) wait in a pending list that
    # every look-up reads through until a vacuum cleans it: a person's pages took 2.2 ms at
    # 50,000 pages against 0.06 ms at 500. Cleaned here once, for the list already there.
    # Requests by approver keep fast update: each form writes one, and their look-ups met.
    """
    ALTER INDEX pages_owners SET (fastupdate = off);
    SELECT gin_clean_pending_list('pages_owners'::regclass);
    """,
    # 13: a commit is one statement (batched.py). Versioned writes that find a record
    # changed stop the transaction themselves (pagekeeper_written, SQLSTATE PK409), and
    # the server hashes audit lines on after the head while it holds the head's lock: the
    # same hash as storage/chain.py's `link`, over the text `hashed_text` gives (ASCII).
    """
    CREATE FUNCTION pagekeeper_written(written bigint, expected bigint, conflict text)
    RETURNS bigint LANGUAGE plpgsql AS $$
    BEGIN
        IF written <> expected THEN
            RAISE EXCEPTION USING ERRCODE = 'PK409', MESSAGE = conflict;
        END IF;
        RETURN written;
    END $$;
    CREATE FUNCTION pagekeeper_append_audit(lines jsonb) RETURNS bigint
    LANGUAGE plpgsql AS $$
    DECLARE
        head_count bigint;
        head_hash text;
        line jsonb;
    BEGIN
        SELECT count, hash INTO head_count, head_hash FROM audit_head FOR UPDATE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'the audit trail''s head is missing from the database';
        END IF;
        FOR line IN
            SELECT value FROM jsonb_array_elements(lines) WITH ORDINALITY ORDER BY ordinality
        LOOP
            head_hash := encode(
                sha256(convert_to(head_hash || E'\\n' || (line->>'hashed'), 'UTF8')), 'hex');
            head_count := head_count + 1;
            INSERT INTO audit (at, subject, doc) VALUES (
                (line->>'at')::timestamptz,
                line->>'subject',
                (line->'doc') || jsonb_build_object('hash', head_hash));
        END LOOP;
        UPDATE audit_head SET count = head_count, hash = head_hash;
        RETURN head_count;
    END $$;
    """,
)


async def migrate(connection: AsyncConnection) -> int:
    """Bring the schema up to date; returns the version it is at."""
    async with connection.transaction():
        await connection.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        await connection.execute(
            "CREATE TABLE IF NOT EXISTS pagekeeper_schema ("
            " version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        cursor = await connection.execute("SELECT coalesce(max(version), 0) FROM pagekeeper_schema")
        row = await cursor.fetchone()
        current = int(row[0]) if row else 0
        if current > len(MIGRATIONS):
            raise StorageError(
                f"the database's schema is version {current}, made by a newer Pagekeeper than "
                f"this one (which knows up to version {len(MIGRATIONS)}); upgrade Pagekeeper"
            )
        for version in range(current + 1, len(MIGRATIONS) + 1):
            await connection.execute(MIGRATIONS[version - 1].encode())
            await connection.execute(
                "INSERT INTO pagekeeper_schema (version) VALUES (%s)", (version,)
            )
    return len(MIGRATIONS)
