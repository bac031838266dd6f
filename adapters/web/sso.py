"""Single sign-on to the dashboard through the district's identity provider (Microsoft
Entra ID, Google Workspace or any OpenID Connect provider): the authorization code flow with
PKCE. The browser keeps the flow's state, nonce and code verifier in a short-lived cookie of
its own; the ID token is checked against the provider's published keys, its issuer, audience,
expiry and nonce; the email must be verified (where the provider says) and in one of the
district's domains."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
import time
from dataclasses import dataclass, field
from html import escape
from typing import Any
from urllib.parse import urlencode

import jwt
from aiohttp import ClientError, ClientSession, ClientTimeout, web

from adapters.html import tag
from adapters.web.sessions import SignIns
from workflows.kernel.links import Links

log = logging.getLogger(__name__)

FLOW_COOKIE = "pagekeeper_sso"
FLOW_LASTS = 600  # seconds: as long as a sign-in link
# The provider's configuration and keys are read again after this long (keys rotate).
KEYS_FRESH_FOR = 3600
ALGORITHMS = ["RS256", "ES256"]
TIMEOUT = ClientTimeout(total=10)

NOT_SIGNED_IN = "You are not signed in. "
TRY_AGAIN = (
    "Try again from the sign-in page, or type dashboard in chat (in Slack: /dashboard) for "
    "a sign-in link."
)


@dataclass(frozen=True)
class SsoSettings:
    """PAGEKEEPER_OIDC_ISSUER, _CLIENT_ID, _CLIENT_SECRET and _DOMAINS."""

    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    domains: frozenset[str] = frozenset()


class SignInRefused(Exception):
    """Why the provider's answer does not sign anyone in, in words for the person."""


class SingleSignOn:
    def __init__(self, settings: SsoSettings, sign_ins: SignIns, links: Links) -> None:
        self._settings = settings
        self._sign_ins = sign_ins
        self._links = links
        self._callback = links.dashboard("/sso/callback")
        self._session: ClientSession | None = None
        self._provider: tuple[float, dict[str, Any]] | None = None
        self._keys: tuple[float, jwt.PyJWKSet] | None = None

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/dashboard/sso", self.begin),
            web.get("/dashboard/sso/callback", self.callback),
        ]

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def begin(self, request: web.Request) -> web.StreamResponse:
        """Off to the provider, with a state, a nonce and a PKCE challenge of this browser's."""
        try:
            provider = await self._configuration()
        except SignInRefused as refused:
            return self._refused(request, str(refused))
        state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
        challenge = _b64(hashlib.sha256(verifier.encode()).digest())
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self._settings.client_id,
                "redirect_uri": self._callback,
                "scope": "openid email profile",
                "state": state,
                "nonce": nonce,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
        response = web.Response(
            status=303, headers={"Location": f"{provider['authorization_endpoint']}?{query}"}
        )
        response.set_cookie(
            FLOW_COOKIE,
            f"{state}.{nonce}.{verifier}",
            max_age=FLOW_LASTS,
            path="/dashboard/sso",
            httponly=True,
            samesite="Lax",  # sent on the provider's redirect back (a top-level GET)
            secure=self._links.secure,
        )
        return response

    async def callback(self, request: web.Request) -> web.StreamResponse:
        state, _, rest = request.cookies.get(FLOW_COOKIE, "").partition(".")
        nonce, _, verifier = rest.partition(".")
        given = request.query.get("state", "")
        if not (state and given and hmac.compare_digest(state, given)):
            return self._refused(request, "This sign-in did not start here, or took too long.")
        if "error" in request.query:
            described = request.query.get("error_description", request.query["error"])
            return self._refused(request, f"The sign-in service said: {described[:300]}")
        try:
            email = await self._email(request.query.get("code", ""), nonce, verifier)
        except SignInRefused as refused:
            return self._refused(request, str(refused))
        response = await self._sign_ins.start_session(email, "single sign-on")
        response.del_cookie(FLOW_COOKIE, path="/dashboard/sso")
        return response

    async def _email(self, code: str, nonce: str, verifier: str) -> str:
        provider = await self._configuration()
        answer = await self._post(
            provider["token_endpoint"],
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self._callback,
                "client_id": self._settings.client_id,
                "client_secret": self._settings.client_secret,
                "code_verifier": verifier,
            },
        )
        token = answer.get("id_token")
        if not isinstance(token, str):
            raise SignInRefused("The sign-in service sent no identity.")
        claims = await self._verified(token, provider)
        if not (nonce and hmac.compare_digest(str(claims.get("nonce", "")), nonce)):
            raise SignInRefused("This sign-in's answer belongs to another sign-in.")
        return self._district_email(claims)

    async def _verified(self, token: str, provider: dict[str, Any]) -> dict[str, Any]:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            key = await self._key(kid, provider)
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                audience=self._settings.client_id,
                issuer=provider.get("issuer", self._settings.issuer),
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
                leeway=60,
            )
        except jwt.PyJWTError as error:
            log.warning("single sign-on refused: identity token not valid: %s", error)
            raise SignInRefused(
                "The identity the sign-in service sent could not be checked."
            ) from None
        return claims

    def _district_email(self, claims: dict[str, Any]) -> str:
        # Google says whether it checked the address; Entra ID's work accounts carry it as
        # the user name. An address the provider marks unverified is never trusted.
        if claims.get("email_verified") is False:
            raise SignInRefused("Your account's email address is not verified.")
        email = str(claims.get("email") or claims.get("preferred_username") or "").lower()
        domain = email.rpartition("@")[2]
        if not domain or domain not in self._settings.domains:
            log.warning("single sign-on refused: %s is not in the district's domains", email)
            raise SignInRefused(
                f"{email or 'This account'} is not a {_list(self._settings.domains)} account."
            )
        return email

    async def _key(self, kid: object, provider: dict[str, Any]) -> Any:
        for fresh in (False, True):  # a key not seen yet: the provider may have rotated
            keys = await self._key_set(provider, fresh)
            found = next((k for k in keys.keys if k.key_id == kid or kid is None), None)
            if found is not None:
                return found.key
        raise SignInRefused("The identity the sign-in service sent could not be checked.")

    async def _key_set(self, provider: dict[str, Any], fresh: bool) -> jwt.PyJWKSet:
        if fresh or self._keys is None or time.monotonic() - self._keys[0] > KEYS_FRESH_FOR:
            data = await self._get(provider["jwks_uri"])
            try:
                self._keys = (time.monotonic(), jwt.PyJWKSet.from_dict(data))
            except jwt.PyJWTError:
                raise SignInRefused("The sign-in service's keys could not be read.") from None
        return self._keys[1]

    async def _configuration(self) -> dict[str, Any]:
        if self._provider is None or time.monotonic() - self._provider[0] > KEYS_FRESH_FOR:
            url = self._settings.issuer + "/.well-known/openid-configuration"
            found = await self._get(url)
            needed = ("authorization_endpoint", "token_endpoint", "jwks_uri")
            if any(not isinstance(found.get(name), str) for name in needed):
                raise SignInRefused("The sign-in service is not set up as expected.")
            self._provider = (time.monotonic(), found)
        return self._provider[1]

    async def _get(self, url: str) -> dict[str, Any]:
        return await self._ask("GET", url, None)

    async def _post(self, url: str, form: dict[str, str]) -> dict[str, Any]:
        return await self._ask("POST", url, form)

    async def _ask(self, method: str, url: str, form: dict[str, str] | None) -> dict[str, Any]:
        if self._session is None:
            self._session = ClientSession(timeout=TIMEOUT)
        try:
            async with self._session.request(method, url, data=form) as answer:
                body = await answer.read()
                if answer.status >= 400:
                    log.warning("single sign-on: %s answered %d", url, answer.status)
                    raise SignInRefused("The sign-in service refused this sign-in.")
                found = json.loads(body)
        except (ClientError, TimeoutError, ValueError) as error:
            log.warning("single sign-on: %s could not be read: %s", url, type(error).__name__)
            raise SignInRefused("The sign-in service could not be reached.") from None
        if not isinstance(found, dict):
            raise SignInRefused("The sign-in service is not set up as expected.")
        return found

    def _refused(self, request: web.Request, why: str) -> web.Response:
        body = (
            tag("h1", "Not signed in")
            + tag("p", escape(NOT_SIGNED_IN + why))
            + tag("p", escape(TRY_AGAIN))
        )
        return self._sign_ins.page(request, "Not signed in", body, 400)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _list(domains: frozenset[str]) -> str:
    return " or ".join(sorted(domains))
