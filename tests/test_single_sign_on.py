"""Single sign-on to the dashboard through the district's OpenID Connect provider (a local
one here), and every way its answer can be wrong."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import ClientSession, CookieJar
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.bootstrap import build
from bot.config import SettingsError, settings_from
from bot.web import make_app
from storage.memory import MemoryStore
from tests.browsing import free_port
from tests.fake_oidc import CLIENT_ID, CLIENT_SECRET, FakeOpenIdProvider
from tests.fakes import FakeClock


@pytest.fixture
async def provider() -> AsyncIterator[FakeOpenIdProvider]:
    found = FakeOpenIdProvider()
    await found.start()
    yield found
    await found.close()


@pytest.fixture
async def site(provider: FakeOpenIdProvider) -> AsyncIterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = settings_from(
        {
            "PAGEKEEPER_PUBLIC_URL": base,
            "PAGEKEEPER_OIDC_ISSUER": provider.issuer,
            "PAGEKEEPER_OIDC_CLIENT_ID": CLIENT_ID,
            "PAGEKEEPER_OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "PAGEKEEPER_OIDC_DOMAINS": "example.org",
        }
    )
    pagekeeper = await build(settings, store=MemoryStore(), clock=FakeClock())
    server = TestServer(make_app(pagekeeper), port=port)
    await server.start_server()
    yield base
    await server.close()


async def signing_in(site: str) -> tuple[ClientSession, int, str]:
    """A browser through the whole flow: the dashboard's page after it, and its status."""
    browser = ClientSession(cookie_jar=CookieJar(unsafe=True))
    async with browser.get(f"{site}/dashboard/sso") as landed:
        return browser, landed.status, await landed.text()


async def test_a_district_account_signs_in_and_sees_what_its_role_reaches(
    site: str, provider: FakeOpenIdProvider
) -> None:
    async with ClientSession() as stranger, stranger.get(f"{site}/dashboard") as page:
        assert "Sign in with your district account" in await page.text()
    provider.user = {"email": "Ana.Ruiz@example.org", "email_verified": True}
    browser, status, html = await signing_in(site)
    try:
        assert status == 200 and "Overview" in html
        assert "Ana Ruiz" in html and "Lincoln Elementary" in html
    finally:
        await browser.close()


async def test_an_entra_work_account_signs_in_by_its_user_name(
    site: str, provider: FakeOpenIdProvider
) -> None:
    provider.user = {"preferred_username": "dana.whitfield@example.org", "tid": "t1"}
    browser, status, html = await signing_in(site)
    try:
        assert status == 200 and "Dana Whitfield (district contact)" in html
    finally:
        await browser.close()


@pytest.mark.parametrize(
    ("wrong", "said"),
    [
        ("another domain", "someone@elsewhere.org is not a example.org account"),
        ("unverified", "email address is not verified"),
        ("another key", "could not be checked"),
        ("another audience", "could not be checked"),
    ],
)
async def test_a_wrong_answer_signs_nobody_in(
    site: str, provider: FakeOpenIdProvider, wrong: str, said: str
) -> None:
    provider.user = {"email": "ana.ruiz@example.org", "email_verified": True}
    if wrong == "another domain":
        provider.user = {"email": "someone@elsewhere.org", "email_verified": True}
    elif wrong == "unverified":
        provider.user = {"email": "ana.ruiz@example.org", "email_verified": False}
    elif wrong == "another key":
        provider.signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        provider.audience = "some-other-app"
    browser, status, html = await signing_in(site)
    try:
        assert status == 400 and said in html.replace("&#x27;", "'")
        async with browser.get(f"{site}/dashboard") as after:
            assert after.status == 401
    finally:
        await browser.close()


async def test_a_callback_this_browser_did_not_start_is_refused(site: str) -> None:
    async with (
        ClientSession() as browser,
        browser.get(f"{site}/dashboard/sso/callback?code=x&state=y") as answer,
    ):
        assert answer.status == 400
        assert "did not start here" in await answer.text()


async def test_an_unreachable_provider_is_said_plainly() -> None:
    port = free_port()
    settings = settings_from(
        {
            "PAGEKEEPER_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "PAGEKEEPER_OIDC_ISSUER": f"http://127.0.0.1:{free_port()}",
            "PAGEKEEPER_OIDC_CLIENT_ID": CLIENT_ID,
            "PAGEKEEPER_OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "PAGEKEEPER_OIDC_DOMAINS": "example.org",
        }
    )
    server = TestServer(
        make_app(await build(settings, store=MemoryStore(), clock=FakeClock())), port=port
    )
    await server.start_server()
    try:
        async with ClientSession() as browser, browser.get(server.make_url("/dashboard/sso")) as a:
            assert a.status == 400 and "could not be reached" in await a.text()
    finally:
        await server.close()


@pytest.mark.parametrize(
    ("environ", "said"),
    [
        ({"PAGEKEEPER_OIDC_ISSUER": "https://accounts.google.com"}, "PAGEKEEPER_OIDC_CLIENT_ID"),
        (
            {
                "PAGEKEEPER_OIDC_ISSUER": "https://accounts.google.com",
                "PAGEKEEPER_OIDC_CLIENT_ID": "x",
            },
            "PAGEKEEPER_OIDC_DOMAINS",
        ),
        (
            {
                "PAGEKEEPER_OIDC_ISSUER": "http://idp.example.org",
                "PAGEKEEPER_OIDC_CLIENT_ID": "x",
                "PAGEKEEPER_OIDC_CLIENT_SECRET": "y",
                "PAGEKEEPER_OIDC_DOMAINS": "example.org",
            },
            "must be an https address",
        ),
    ],
)
def test_incomplete_or_unsafe_settings_stop_the_start(environ: dict[str, str], said: str) -> None:
    with pytest.raises(SettingsError, match=said) as refused:
        settings_from({**environ, "PAGEKEEPER_OIDC_CLIENT_SECRET": "s3cr3t-value"})
    assert "s3cr3t-value" not in str(refused.value)  # the secret is never repeated
