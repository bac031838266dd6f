"""A local OpenID Connect provider for the single sign-on tests: discovery, keys, an
authorization endpoint that signs in whoever the test says, and a token endpoint that checks
the code, the client's secret, the redirect and the PKCE verifier before it answers."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from typing import Any
from urllib.parse import urlencode

import jwt
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID, CLIENT_SECRET = "pagekeeper-test", "a-client-secret"


class FakeOpenIdProvider:
    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.server = TestServer(self._app())
        self.issuer = ""
        # Who signs in next, and what the test wants wrong with the answer.
        self.user: dict[str, Any] = {}
        self.signing_key: Any = None
        self.audience = CLIENT_ID
        self._codes: dict[str, dict[str, Any]] = {}

    async def start(self) -> None:
        await self.server.start_server()
        self.issuer = str(self.server.make_url("")).rstrip("/")

    async def close(self) -> None:
        await self.server.close()

    def _app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/.well-known/openid-configuration", self._configuration)
        app.router.add_get("/jwks", self._keys)
        app.router.add_get("/authorize", self._authorize)
        app.router.add_post("/token", self._token)
        return app

    async def _configuration(self, _: web.Request) -> web.Response:
        return web.json_response(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
            }
        )

    async def _keys(self, _: web.Request) -> web.Response:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return web.json_response({"keys": [{**public, "kid": "key-1", "alg": "RS256"}]})

    async def _authorize(self, request: web.Request) -> web.Response:
        asked = request.query
        assert asked["client_id"] == CLIENT_ID and asked["code_challenge_method"] == "S256"
        code = secrets.token_urlsafe(16)
        self._codes[code] = dict(asked)
        back = urlencode({"code": code, "state": asked["state"]})
        return web.Response(status=302, headers={"Location": f"{asked['redirect_uri']}?{back}"})

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        asked = self._codes.pop(str(form.get("code", "")), None)
        verifier = str(form.get("code_verifier", ""))
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        if (
            asked is None
            or form.get("client_secret") != CLIENT_SECRET
            or form.get("redirect_uri") != asked["redirect_uri"]
            or challenge.rstrip(b"=").decode() != asked["code_challenge"]
        ):
            return web.json_response({"error": "invalid_grant"}, status=400)
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": "user-1",
            "iat": now,
            "exp": now + 300,
            "nonce": asked["nonce"],
            **self.user,
        }
        token = jwt.encode(
            claims, self.signing_key or self.key, algorithm="RS256", headers={"kid": "key-1"}
        )
        return web.json_response({"id_token": token, "token_type": "Bearer"})
