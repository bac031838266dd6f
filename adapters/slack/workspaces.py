"""Which Slack workspaces are the district's: the one test every way in shares."""

from __future__ import annotations


def from_district(team_id: str | None, enterprise_id: str | None, team_ids: frozenset[str]) -> bool:
    """A request from the district's workspaces (or its Enterprise Grid org)."""
    return team_id in team_ids or enterprise_id in team_ids
