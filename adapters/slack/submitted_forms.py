"""Pagekeeper's forms submitted in Slack (`view_submission`), answered before Bolt.

A submitted form is the write people wait on, and Bolt's dispatch of it (a context, the
middleware, each listener's matcher, the arguments for the listener, its response) costs more
than a tenth of handling one. Here the same listener answers it, with what Bolt's middleware
would check first: a form from outside the district's workspaces, a redelivery (which never
reaches here) or any other payload goes through Bolt as before, where outsiders are refused
and audited.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import orjson
from aiohttp import web
from slack_bolt.request.internals import extract_enterprise_id, extract_team_id

from adapters.slack.blocks import FORM_CALLBACK_PREFIX
from adapters.slack.workspaces import from_district

log = logging.getLogger(__name__)

# Cheaper than parsing a payload (20 KB for a form) to learn that it is not a submitted form.
_SUBMISSION = re.compile(r'"type":\s*"view_submission"')


class FormListener(Protocol):
    async def __call__(
        self,
        ack: Callable[..., Awaitable[None]],
        body: dict[str, Any],
        view: dict[str, Any],
    ) -> None: ...


class SubmittedForms:
    """`answer(payload_text)`: Slack's answer to a submitted Pagekeeper form from the
    district's workspaces, or None for Bolt to handle the payload."""

    def __init__(self, listener: FormListener, team_ids: frozenset[str]) -> None:
        self._listener = listener
        self._team_ids = team_ids

    async def answer(self, payload_text: str) -> web.Response | None:
        if not _SUBMISSION.search(payload_text):
            return None
        try:
            # orjson: the payload carries the whole form (6-20 KB), read in a third of the time.
            payload = orjson.loads(payload_text)
        except ValueError:
            return None  # Bolt answers what orjson cannot read (json may: a lone surrogate)
        if not isinstance(payload, dict) or payload.get("type") != "view_submission":
            return None
        view, user = payload.get("view"), payload.get("user")
        if not (isinstance(view, dict) and isinstance(user, dict) and user.get("id")):
            return None
        if not str(view.get("callback_id", "")).startswith(FORM_CALLBACK_PREFIX):
            return None
        team, enterprise = extract_team_id(payload), extract_enterprise_id(payload)
        if not from_district(team, enterprise, self._team_ids):
            return None
        acknowledged = Acknowledgement()
        try:
            await self._listener(acknowledged, payload, view)
        except Exception:
            # The form's name only (cut short: it comes from the payload), never its answers.
            log.exception("slack form submission failed callback=%.60s", view["callback_id"])
            return web.Response(status=500)
        return acknowledged.response


class Acknowledgement:
    """Stands in for Bolt's `ack` on a submitted form: what the listener acknowledges with
    (nothing, an update of the form, or errors pinned to its fields) becomes the answer."""

    def __init__(self) -> None:
        self.response = web.Response(status=200)

    async def __call__(
        self,
        response_action: str | None = None,
        view: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
    ) -> None:
        answer: dict[str, Any] = {}
        if response_action is not None:
            answer["response_action"] = response_action
        if view is not None:
            answer["view"] = view
        if errors is not None:
            answer["errors"] = errors
        self.response = web.json_response(answer) if answer else web.Response(status=200)
