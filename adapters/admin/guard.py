"""The admin token check, slowed for whoever keeps guessing: after a few wrong tokens from one
client, every request from it is refused (429, with when to try again) for a while, so the
token cannot be found by trying."""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta

from aiohttp import web

from workflows.kernel.ports import Clock

WRONG_ALLOWED = 5
LOCKED_FOR = timedelta(minutes=5)
# Clients remembered at once; a flood of addresses forgets the oldest, never grows memory.
CLIENTS_KEPT = 10_000


class TokenGuard:
    def __init__(self, token: str, clock: Clock) -> None:
        self._token = token.encode()
        self._clock = clock
        self._wrong: dict[str, list[datetime]] = {}

    def refusal(self, request: web.Request) -> web.Response | None:
        """None when the request carries the token and its client is not locked out; else
        the answer to give (401 for a wrong token, 429 while locked out)."""
        client = request.remote or "unknown"
        now = self._clock.now()
        recent = [moment for moment in self._wrong.get(client, []) if now - moment < LOCKED_FOR]
        if len(recent) >= WRONG_ALLOWED:
            wait = int((recent[0] + LOCKED_FOR - now).total_seconds()) + 1
            return web.json_response(
                {"error": f"too many wrong tokens from this address; try again in {wait} s"},
                status=429,
                headers={"Retry-After": str(wait)},
            )
        if self._matches(request):
            return None
        self._note(client, [*recent, now])
        return web.json_response(
            {"error": "a valid admin token is needed"},
            status=401,
            headers={"WWW-Authenticate": 'Bearer realm="pagekeeper"'},
        )

    def _matches(self, request: web.Request) -> bool:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            value.strip().encode(), self._token
        )

    def _note(self, client: str, wrong: list[datetime]) -> None:
        self._wrong.pop(client, None)
        self._wrong[client] = wrong  # newest last: the oldest is forgotten first
        while len(self._wrong) > CLIENTS_KEPT:
            del self._wrong[next(iter(self._wrong))]
