"""Every adapter the bot can run with. Chat platforms come first, in the order a message is
tried: someone the first cannot reach is tried on the next (the playground, in local mode,
takes whoever is left)."""

from __future__ import annotations

from typing import Any

from adapters.admin.plug import ADAPTER as ADMIN
from adapters.playground.plug import ADAPTER as PLAYGROUND
from adapters.plug import Adapter
from adapters.slack.plug import ADAPTER as SLACK
from adapters.teams.plug import ADAPTER as TEAMS
from adapters.web.plug import ADAPTER as WEB

ADAPTERS: tuple[Adapter[Any], ...] = (SLACK, TEAMS, PLAYGROUND, ADMIN, WEB)
