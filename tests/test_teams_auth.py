"""Teams in production mode: every bad token is a 401, never a 500, and nothing happens.

Tokens are checked against signing keys published by a local OpenID server standing in for
the Bot Framework's, so a correctly signed token with the wrong audience can be tested too.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from adapters.teams.app import TeamsCredentials
from adapters.teams.plug import ADAPTER as TEAMS
from adapters.teams.plug import plug_with
from bot.bootstrap import build
from bot.config import settings_from
from bot.web import make_app
from storage.memory import MemoryStore
from tests.fake_teams import TOM, FakeConnector, TeamsClient
from tests.fakes import FakeClock

APP_ID = "11111111-2222-3333-4444-555555555555"
ISSUER = "https://api.botframework.com"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclasses.dataclass(frozen=True)
class LocalCloudCredentials(TeamsCredentials):
    """Public-cloud settings, except that signing keys come from a server on this machine."""

    TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL: str = ""
    TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL: str = ""
    TO_CHANNEL_FROM_BOT_LOGIN_URL: str = "https://login.microsoftonline.com/botframework.com"
    TO_CHANNEL_FROM_BOT_OAUTH_SCOPE: str = "https://api.botframework.com"
    TO_BOT_FROM_CHANNEL_TOKEN_ISSUER: str = ISSUER
    OAUTH_URL: str = "https://api.botframework.com"
    CALLER_ID: str = "urn:botframework:azure"


@pytest.fixture(scope="module")
def openid_url() -> Iterator[str]:
    # The SDK fetches keys with blocking `requests`, so this server needs a thread of its own.
    jwk = json.loads(RSAAlgorithm.to_jwk(KEY.public_key()))
    documents: dict[str, Any] = {
        "/keys": {"keys": [{**jwk, "kid": "k1", "endorsements": ["msteams"]}]}
    }

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps(documents.get(self.path, {})).encode()
            self.send_response(200 if self.path in documents else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    documents["/openid"] = {"issuer": ISSUER, "jwks_uri": f"{base}/keys"}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"{base}/openid"
    server.shutdown()


@pytest.fixture
async def teams(openid_url: str) -> AsyncIterator[TeamsClient]:
    connector = FakeConnector()
    await connector.start()
    settings = settings_from(
        {
            "MicrosoftAppId": APP_ID,
            "MicrosoftAppPassword": "not-a-real-password",
            "PAGEKEEPER_TEAMS_TENANT_ID": "t1",
        }
    )
    credentials = LocalCloudCredentials(
        APP_ID, "not-a-real-password", "MultiTenant", "", openid_url, openid_url
    )
    teams_with_local_keys = dataclasses.replace(
        TEAMS, plug=lambda _, host: plug_with(credentials, host, frozenset({"t1"}))
    )
    pagekeeper = await build(
        settings, store=MemoryStore(), clock=FakeClock(), adapters=(teams_with_local_keys,)
    )
    server = TestServer(make_app(pagekeeper))
    await server.start_server()
    client = TeamsClient(str(server.make_url("/api/messages")), connector)
    yield client
    await client.close()
    await server.close()
    assert connector.sent == [], "a refused request must not make the bot say anything"
    await connector.close()


def token(**claims: Any) -> str:
    now = int(time.time())
    payload = {
        "iss": ISSUER,
        "aud": APP_ID,
        "serviceurl": "http://127.0.0.1/",
        "nbf": now - 60,
        "exp": now + 3600,
        **claims,
    }
    return jwt.encode(payload, KEY, algorithm="RS256", headers={"kid": "k1"})


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(None, id="no token"),
        pytest.param("Bearer not-a-token", id="malformed"),
        pytest.param("Basic dXNlcjpwYXNz", id="wrong scheme"),
        pytest.param(f"Bearer {token(aud='someone-else')}", id="wrong audience"),
        pytest.param(f"Bearer {token(exp=int(time.time()) - 3600)}", id="expired"),
        pytest.param(f"Bearer {token(iss='https://evil.example.org')}", id="unknown issuer"),
    ],
)
async def test_a_bad_token_gets_401(teams: TeamsClient, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    status = await teams.post(teams.activity(TOM, "message", text="request-page"), **headers)
    assert status == 401


async def test_garbage_bodies_get_400_not_500(teams: TeamsClient) -> None:
    signed = {"Authorization": f"Bearer {token(serviceurl=teams.connector.url)}"}
    assert await teams.post(["not", "an", "activity"], **signed) == 400
    assert await teams.post({"type": ""}, **signed) == 400
    assert await teams.post({"type": 7, "channelId": "msteams", "serviceUrl": "x"}, **signed) in (
        400,
        401,
    )
    async with teams.session.post(
        teams.url, data="{trunc", headers={"Content-Type": "application/json", **signed}
    ) as answer:
        assert answer.status == 400
    async with teams.session.post(teams.url, data="hello") as answer:
        assert answer.status == 415


async def test_a_large_unauthenticated_body_is_refused_before_it_is_read(
    teams: TeamsClient,
) -> None:
    """400 KB with no token (or a forged one) costs nothing: 401 before any parsing."""
    huge = teams.activity(TOM, "message", text="x", value={"purpose": "y" * 400_000})
    assert await teams.post(huge) == 401
    assert await teams.post(["not", "an", "activity"]) == 401, "read only after the token"
    forged = {"Authorization": f"Bearer {token(aud='someone-else')}"}
    small = teams.activity(TOM, "message", text="x", value={"purpose": "y" * 100_000})
    assert await teams.post(small, **forged) == 401
    assert await teams.post(huge, **forged) == 413


async def test_a_correctly_signed_token_for_this_bot_is_accepted(teams: TeamsClient) -> None:
    # The control for the cases above: same keys, right audience. A typing indicator needs no
    # reply, so nothing has to reach the real Bot Framework from this machine.
    signed = token(serviceurl=teams.connector.url)
    status = await teams.post(teams.activity(TOM, "typing"), Authorization=f"Bearer {signed}")
    assert status == 201
