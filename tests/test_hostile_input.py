"""Hostile input on every route: garbage, truncated JSON, wrong types, huge and odd strings.

Never a 5xx, never a crash, nothing stored from a bad request, and a person filling a form
gets a clear message. Sized for CI; `make soak` (PAGEKEEPER_SOAK=1) runs many more examples.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import itertools
import json
import os
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.bootstrap import build
from bot.config import Settings, settings_from
from bot.web import MAX_BODY_BYTES, make_app
from storage.memory import MemoryStore
from tests.background import Background
from tests.fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack
from tests.fake_teams import TOM, FakeConnector, TeamsClient
from tests.fakes import FakeClock

EXAMPLES = 1500 if os.environ.get("PAGEKEEPER_SOAK") else 40
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ADMIN_TOKEN = "fuzz-admin-token-long-enough-to-be-accepted"
SUBMISSIONS = itertools.count()

odd_text = st.text(
    alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Z", "C"]), max_size=300
) | st.sampled_from(["", " ", "\x00", "\u202e", "💥" * 50, "a" * 5000, "<script>", "'; DROP TABLE"])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | odd_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(odd_text, inner, max_size=4),
    max_leaves=12,
)


@dataclass
class Sites:
    background: Background
    connected: str  # Slack and the admin exports
    local: str  # Teams (Emulator) and the playground
    connected_store: MemoryStore
    local_store: MemoryStore
    connector_url: str


@pytest.fixture(scope="module")
def sites() -> Iterator[Sites]:
    background = Background()

    async def start() -> tuple[Sites, list[Any]]:
        fake, connector = FakeSlack(), FakeConnector()
        await fake.start()
        await connector.start()
        connected_store, local_store = MemoryStore(), MemoryStore()
        connected = settings_from(
            {
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_TEAM_ID": "T1",
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_API_URL": fake.api_url,
                "PAGEKEEPER_ADMIN_TOKEN": ADMIN_TOKEN,
            }
        )
        servers = [
            TestServer(make_app(await build(connected, store=connected_store, clock=FakeClock()))),
            TestServer(make_app(await build(Settings(), store=local_store, clock=FakeClock()))),
        ]
        for server in servers:
            await server.start_server()
        found = Sites(
            background,
            str(servers[0].make_url("")),
            str(servers[1].make_url("")),
            connected_store,
            local_store,
            connector.url,
        )
        return found, [*servers, fake, connector]

    found, closers = background.run(start())
    yield found

    async def stop() -> None:
        for closer in closers:
            await closer.close()

    background.run(stop())
    background.stop()


def post(base: str, path: str, body: bytes, headers: dict[str, str]) -> int:
    parts = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("POST", path, body=body, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


def get(base: str, path: str, headers: dict[str, str]) -> int:
    parts = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


def signed(body: bytes) -> dict[str, str]:
    """Headers Slack would send: an HMAC of any bytes, even ones that are not UTF-8."""
    stamp = str(int(time.time()))
    base = b"v0:" + stamp.encode() + b":" + body
    digest = hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


@FUZZ
@given(
    body=st.binary(max_size=2000) | odd_text.map(str.encode),
    sign=st.booleans(),
    kind=st.sampled_from(["application/json", "application/x-www-form-urlencoded", "text/plain"]),
)
def test_slack_endpoint_never_fails_on_garbage(
    sites: Sites, body: bytes, sign: bool, kind: str
) -> None:
    headers = {"Content-Type": kind, **(signed(body) if sign else {})}
    assert post(sites.connected, "/slack/events", body, headers) < 500


@FUZZ
@given(
    values=st.dictionaries(
        st.sampled_from(
            ["kind", "school", "platform", "page_name", "purpose", "audience", "acknowledged"]
        ),
        odd_text,
        max_size=7,
    )
)
def test_a_slack_form_with_odd_values_gets_clear_messages_and_stores_nothing_bad(
    sites: Sites, values: dict[str, str]
) -> None:
    state = {
        name: {name: {"type": "plain_text_input", "value": value}} for name, value in values.items()
    }
    view = {
        "id": f"V{next(SUBMISSIONS)}",  # Slack never sends the same submission twice
        "type": "modal",
        "callback_id": "pagekeeper:request_page",
        "private_metadata": "{}",
        "blocks": [{"type": "input", "block_id": name} for name in values],
        "state": {"values": state},
    }
    payload = {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": "UTOM"},
        "view": view,
    }
    body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
    before = len(sites.background.run(sites.connected_store.find_requests()))
    status = post(
        sites.connected,
        "/slack/events",
        body,
        {"Content-Type": "application/x-www-form-urlencoded", **signed(body)},
    )
    assert status == 200
    after = sites.background.run(sites.connected_store.find_requests())
    assert len(after) - before <= 1
    for request in after:
        assert len(request.details.page_name) <= 100 and "\x00" not in request.details.purpose


@FUZZ
@given(body=json_values, kind=st.sampled_from(["application/json", "text/plain"]))
def test_teams_endpoint_never_fails_on_garbage(sites: Sites, body: Any, kind: str) -> None:
    data = json.dumps(body).encode() if kind == "application/json" else str(body).encode()
    assert post(sites.local, "/api/messages", data, {"Content-Type": kind}) < 500


@FUZZ
@given(text=odd_text, value=json_values)
def test_teams_activities_with_odd_text_and_card_values_never_fail(
    sites: Sites, text: str, value: Any
) -> None:
    client = TeamsClient.__new__(TeamsClient)
    client.connector = type("C", (), {"url": sites.connector_url})()  # type: ignore[assignment]
    client._ids = iter(range(10**9))  # type: ignore[assignment]
    activity = client.activity(TOM, "message", text=text, value=value)
    assert (
        post(
            sites.local,
            "/api/messages",
            json.dumps(activity).encode(),
            {"Content-Type": "application/json"},
        )
        < 500
    )


@FUZZ
@given(
    path=st.sampled_from(["/playground/say", "/playground/act", "/playground/clock"]),
    body=json_values,
)
def test_playground_never_fails_on_garbage(sites: Sites, path: str, body: Any) -> None:
    assert (
        post(sites.local, path, json.dumps(body).encode(), {"Content-Type": "application/json"})
        < 500
    )


@FUZZ
@given(
    name=st.sampled_from(["pages", "audit", "removals", "x"]),
    start=odd_text,
    end=odd_text,
    token=st.sampled_from(["", ADMIN_TOKEN, "wrong", "Bearer"]),
)
def test_admin_exports_never_fail_and_need_the_token(
    sites: Sites, name: str, start: str, end: str, token: str
) -> None:
    query = urllib.parse.urlencode({"from": start, "to": end})
    status = get(
        sites.connected, f"/admin/export/{name}.csv?{query}", {"Authorization": f"Bearer {token}"}
    )
    assert status < 500
    if token != ADMIN_TOKEN:
        # 400: the server refused the URL; 429: too many wrong tokens from this address.
        assert status in (400, 401, 429), "no data without the token"


@pytest.mark.parametrize(
    ("site", "path"),
    [("connected", "/slack/events"), ("local", "/api/messages"), ("local", "/playground/say")],
)
def test_enormous_bodies_are_refused_with_413_before_parsing(
    sites: Sites, site: str, path: str
) -> None:
    body = b"{" + b'"x":"' + b"a" * (MAX_BODY_BYTES + 10) + b'"}'
    assert post(getattr(sites, site), path, body, {"Content-Type": "application/json"}) == 413


def test_bad_requests_stored_nothing(sites: Sites) -> None:
    assert sites.background.run(sites.local_store.find_requests()) == []
