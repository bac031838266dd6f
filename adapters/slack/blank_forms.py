"""Slash commands that only open a blank form (`/request-page`), answered before Bolt.

Opening a blank form needs nobody looked up and nothing stored, so the command is acknowledged
at once and the form opened right after, as Bolt would. Going through Bolt costs more than the
work: it builds a context and runs its middleware for every request, and it learns that a
listener acknowledged by polling every 10 ms. A command from outside the district's workspaces,
or any other command, goes through Bolt as before (where outsiders are refused and audited).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.follow_ups import FollowUps
from adapters.slack.workspaces import from_district
from workflows.conversation.slash_commands import form_opened_by
from workflows.engine import Engine
from workflows.kernel.cards import Form


class BlankForms:
    """`open_at_once(body)`: True when the signed request body was such a command, now
    acknowledged by the caller with an empty 200 while the form opens."""

    def __init__(
        self,
        engine: Engine,
        client: AsyncWebClient,
        team_ids: frozenset[str],
        commands: tuple[str, ...],
        view: Callable[[Form], dict[str, Any]],
        follow_ups: FollowUps,
    ) -> None:
        self._engine = engine
        self._client = client
        self._team_ids = team_ids
        self._commands = commands
        self._view = view
        self._follow_ups = follow_ups

    def open_at_once(self, body: str) -> bool:
        if not body.startswith(("command=", "token=")) and "&command=" not in body:
            return False  # an event or an interaction: not a slash command
        fields = dict(urllib.parse.parse_qsl(body))
        command, trigger = fields.get("command", ""), fields.get("trigger_id", "")
        ours = from_district(fields.get("team_id"), fields.get("enterprise_id"), self._team_ids)
        if command not in self._commands or not trigger or not ours:
            return False
        form = form_opened_by(self._engine.context.config, f"{command} {fields.get('text', '')}")
        if form is None:
            return False
        opening = self._client.views_open(trigger_id=trigger, view=self._view(form))
        self._follow_ups.start(opening, f"opening the form {form.action}")
        return True
