"""What the district lets owners do about posts and users: each moderation action allowed,
forbidden, or allowed once a role approves it; how long a suspension may last; and when
repeat violations call for the referral the district's policy names.

A file without `[moderation]` allows what AR 1114 allows: removing posts, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from workflows.district.approvals import SUPERINTENDENT
from workflows.kernel.model import ModerationKind


class Allowance(StrEnum):
    ALLOWED = "allowed"
    FORBIDDEN = "forbidden"
    APPROVAL = "approval"


# How each action reads on a form (what to do) and in a record (what was done).
LABELS: dict[ModerationKind, str] = {
    ModerationKind.REMOVE: "Remove the post",
    ModerationKind.HIDE: "Hide the post",
    ModerationKind.BLOCK: "Block the user",
    ModerationKind.BAN: "Ban the user",
    ModerationKind.SUSPEND: "Suspend the user for a number of days",
    ModerationKind.REPORT: "Report to the platform",
    ModerationKind.REFER: "Refer the user to {office}",
}
DONE: dict[ModerationKind, str] = {
    ModerationKind.REMOVE: "Post removed",
    ModerationKind.HIDE: "Post hidden",
    ModerationKind.BLOCK: "User blocked",
    ModerationKind.BAN: "User banned",
    ModerationKind.SUSPEND: "User suspended",
    ModerationKind.REPORT: "Reported to the platform",
    ModerationKind.REFER: "User referred",
}
# Actions about a user rather than one post: they name the platform account concerned.
ABOUT_A_USER = frozenset(
    {ModerationKind.BLOCK, ModerationKind.BAN, ModerationKind.SUSPEND, ModerationKind.REFER}
)


@dataclass(frozen=True)
class ActionRule:
    """One action as the district allows it; `approvers` are roles, one of whom approves
    before the owner acts, when `allowance` is APPROVAL."""

    kind: ModerationKind
    allowance: Allowance
    label: str = ""
    approvers: tuple[str, ...] = ()

    def named(self, office: str) -> str:
        return (self.label or LABELS[self.kind]).format(office=office)


@dataclass(frozen=True)
class RepeatRule:
    """`violations` actions about one account within `within_days` prompt a referral."""

    violations: int
    within_days: int


@dataclass(frozen=True)
class Moderation:
    """The district's moderation rules. `refer_to` is the role repeat violators go to."""

    actions: tuple[ActionRule, ...] = (ActionRule(ModerationKind.REMOVE, Allowance.ALLOWED),)
    suspend_max_days: int = 30
    refer_to: str = SUPERINTENDENT
    repeat: RepeatRule | None = None

    def rule(self, kind: ModerationKind) -> ActionRule:
        """How the district treats `kind` (not listed: forbidden)."""
        found = next((rule for rule in self.actions if rule.kind is kind), None)
        return found or ActionRule(kind, Allowance.FORBIDDEN)

    @property
    def offered(self) -> tuple[ActionRule, ...]:
        """The actions an owner may take or ask approval for, in the file's order."""
        return tuple(rule for rule in self.actions if rule.allowance is not Allowance.FORBIDDEN)

    @property
    def removal_only(self) -> bool:
        return [rule.kind for rule in self.offered] == [ModerationKind.REMOVE]
