"""Records-request exports: CSV for pages, audit and removals, behind a token, streamed."""

from __future__ import annotations

import csv
import io
import json
import tracemalloc
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from bot.bootstrap import build
from bot.config import Settings, settings_from
from bot.web import make_app
from storage.chain import link
from storage.tinydb_store import TinyDBStore
from tests.fakes import FakeClock
from tests.stories import ask_for_page, only_message_to
from workflows.kernel.commands import ConfirmPageLive, Decide, RecordModeration
from workflows.kernel.model import Person, Verdict

TOKEN = "a-long-random-admin-token-of-32-characters"
TOM = Person("tom.baker@example.org", "Tom Baker")
ANA = Person("ana.ruiz@example.org", "Ana Ruiz")


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[tuple[ClientSession, str, object]]:
    store = await TinyDBStore.open(tmp_path / "data")
    pagekeeper = await build(
        settings_from({"PAGEKEEPER_ADMIN_TOKEN": TOKEN}), store=store, clock=FakeClock()
    )
    server = TestServer(make_app(pagekeeper))
    await server.start_server()
    async with ClientSession() as session:
        yield session, str(server.make_url("/admin/export/")), pagekeeper
    await server.close()


async def get(session: ClientSession, url: str, token: str | None = TOKEN) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with session.get(url, headers=headers) as answer:
        return answer.status, await answer.text()


async def test_exports_need_the_admin_token(site: tuple[ClientSession, str, object]) -> None:
    session, base, _ = site
    assert (await get(session, base + "audit.csv", token=None))[0] == 401
    assert (await get(session, base + "audit.csv", token="wrong"))[0] == 401
    status, body = await get(session, base + "audit.csv")
    assert status == 200 and body.splitlines()[0] == "at,actor,action,record,rule,detail"
    assert (await get(session, base + "audit.csv?from=last-week"))[0] == 400
    assert TOKEN not in body


async def test_without_a_configured_token_there_are_no_export_routes(tmp_path: Path) -> None:
    pagekeeper = await build(Settings(), store=await TinyDBStore.open(tmp_path), clock=FakeClock())
    server = TestServer(make_app(pagekeeper))
    await server.start_server()
    try:
        async with ClientSession() as session:
            assert (await get(session, str(server.make_url("/admin/export/audit.csv"))))[0] == 404
    finally:
        await server.close()


async def test_pages_audit_and_removals_for_a_date_range(
    site: tuple[ClientSession, str, object],
) -> None:
    session, base, pagekeeper = site
    engine = pagekeeper.engine  # type: ignore[attr-defined]
    await engine.handle(
        ask_for_page(TOM, purpose='=HYPERLINK("http://evil") is not a purpose, but long')
    )
    [request] = await engine.context.store.find_requests()
    approved = await engine.handle(Decide(ANA, request.id, 1, Verdict.APPROVE))
    page_id = only_message_to(approved, TOM).card.buttons[0].value
    await engine.handle(ConfirmPageLive(TOM, page_id, "https://facebook.com/room12", True))
    await engine.handle(
        RecordModeration(TOM, page_id, "commercial", "-An ad for cars", "drive/1", from_check=True)
    )

    _, pages = await get(session, base + "pages.csv?from=2026-11-30&to=2026-11-30")
    [row] = list(csv.DictReader(io.StringIO(pages)))
    assert (row["page"], row["address"], row["status"]) == (
        page_id,
        "https://www.facebook.com/room12",  # kept in its normal form
        "active",
    )
    _, removals = await get(session, base + "removals.csv")
    [removal] = list(csv.DictReader(io.StringIO(removals)))
    assert removal["reason"] == "commercial" and removal["description"] == "'-An ad for cars"
    assert (removal["action"], removal["state"]) == ("remove", "done")
    assert removal["id"].startswith("MOD-")
    _, audit = await get(session, base + "audit.csv?from=2026-11-30")
    actions = [line["action"] for line in csv.DictReader(io.StringIO(audit))]
    assert actions[:2] == ["PageRequested", "RequestApproved"] and "PostRemoved" in actions
    _, none = await get(session, base + "audit.csv?from=2027-01-01")
    assert len(none.splitlines()) == 1


def write_audit_log(folder: Path, lines: int) -> int:
    """Give a data folder an audit trail of `lines` entries, as the store writes them (hashed
    on its chain, the journal starting where it ends); returns the trail's size in bytes."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    head = ""
    path = folder / "audit.jsonl"
    with open(path, "w") as log:
        for number in range(lines):
            entry = {
                "seq": number + 1,
                "at": (start + timedelta(minutes=number)).isoformat(),
                "actor": "tom.baker@example.org",
                "action": "MonitoringChecked",
                "subject": f"PAGE-{number % 5000}",
                "clause": "AR 1114: Platforms are regularly monitored; viewpoint-neutral removal",
                "detail": "checked; nothing to remove",
            }
            head = link(head, entry)
            log.write(json.dumps({**entry, "hash": head}) + "\n")
    header = {"head": {"count": lines, "hash": head}, "seq": lines}
    (folder / "journal.jsonl").write_text(json.dumps(header) + "\n")
    return path.stat().st_size


async def test_a_100000_line_audit_log_streams_in_bounded_memory(tmp_path: Path) -> None:
    await (await TinyDBStore.open(tmp_path)).close()  # a data folder
    size = write_audit_log(tmp_path, 100_000)
    store = await TinyDBStore.open(tmp_path)
    server = TestServer(
        make_app(
            await build(
                settings_from({"PAGEKEEPER_ADMIN_TOKEN": TOKEN}), store=store, clock=FakeClock()
            )
        )
    )
    await server.start_server()
    rows = 0
    tracemalloc.start()
    try:
        async with (
            ClientSession() as session,
            session.get(
                server.make_url("/admin/export/audit.csv"),
                headers={"Authorization": f"Bearer {TOKEN}"},
            ) as answer,
        ):
            async for _ in answer.content:
                rows += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        await server.close()
    assert rows == 100_001  # the header and every entry
    print(f"exported 100,000 audit rows; peak memory {peak / 1e6:.1f} MB, log {size / 1e6:.1f} MB")
    assert peak < 8 * 1024 * 1024 < size, (
        f"peak {peak / 1e6:.1f} MB while the log is {size / 1e6:.1f} MB"
    )
