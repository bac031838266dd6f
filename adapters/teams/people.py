"""Who is who in Teams: the member's work email, looked up once and remembered.

TeamsInfo.get_member is throttled by Teams, so it is called once per person per process.
"""

from __future__ import annotations

import logging

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo

from workflows.kernel.model import Person

log = logging.getLogger(__name__)


class TeamsPeople:
    def __init__(self) -> None:
        self._people: dict[str, Person] = {}

    async def person(self, turn_context: TurnContext) -> Person:
        """The sender as a Person; the email is empty if Teams does not share one."""
        sender = turn_context.activity.from_property
        key = sender.aad_object_id or sender.id
        if key not in self._people:
            try:
                member = await TeamsInfo.get_member(turn_context, sender.id)
            except Exception:  # an unknown member, or an activity without Teams' channel data
                log.warning("teams member lookup failed member=%s", sender.id, exc_info=True)
                return Person("", sender.name or "")
            email = (member.email or member.user_principal_name or "").strip().lower()
            self._people[key] = Person(email, member.name or sender.name or email)
        return self._people[key]
