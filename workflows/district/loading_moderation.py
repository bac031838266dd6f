"""Reading `[moderation]`: which actions owners may take, which need a role's approval, how
long a suspension may last, and when repeat violations prompt a referral."""

from __future__ import annotations

import difflib

from workflows.district.approvals import SUPERINTENDENT
from workflows.district.loading_approvals import Known, role_ids
from workflows.district.moderation import ActionRule, Allowance, Moderation, RepeatRule
from workflows.district.reader import Table, dotted
from workflows.kernel.model import ModerationKind

KINDS = tuple(kind.value for kind in ModerationKind)
ALLOWANCES = tuple(allowance.value for allowance in Allowance)


def read_moderation(table: Table | None, known: Known) -> Moderation:
    """`[moderation]` with `[moderation.actions]` (each action "allowed", "forbidden" or
    "approval", or a table with `allowance`, `approvers` and `label`) and optionally
    `[moderation.repeat]`. Left out: removing posts is allowed, nothing else."""
    if table is None:
        return Moderation()
    approvers = role_ids(table, "approvers", known, (SUPERINTENDENT,))
    refer_to = table.text("refer_to", SUPERINTENDENT)
    if refer_to not in known.roles:
        raise table.problem(
            "refer_to",
            f"{dotted((*table.path, 'refer_to'))}: no role '{refer_to}'; roles are: "
            + ", ".join(sorted(known.roles)),
        )
    max_days = table.count("suspend_max_days", 30)
    actions = _actions(table.table("actions"), known, approvers)
    repeat_table = table.optional_table("repeat")
    repeat = None
    if repeat_table is not None:
        violations = repeat_table.count("violations", 3)
        repeat = RepeatRule(violations, repeat_table.count("within_days", 30))
        repeat_table.finish()
    table.finish()
    moderation = Moderation(actions, max_days, refer_to, repeat)
    if not moderation.offered:
        raise table.problem("actions", "moderation.actions: allow at least one action")
    if repeat and moderation.rule(ModerationKind.REFER).allowance is Allowance.FORBIDDEN:
        raise table.problem(
            "repeat",
            "moderation.repeat prompts a referral, so moderation.actions.refer must be "
            '"allowed" or "approval"',
        )
    return moderation


def _actions(table: Table, known: Known, approvers: tuple[str, ...]) -> tuple[ActionRule, ...]:
    rules = []
    for name in table.names():
        if name not in KINDS:
            close = difflib.get_close_matches(name, KINDS, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"actions are: {', '.join(KINDS)}"
            raise table.problem(name, f"{dotted((*table.path, name))}: no such action; {hint}")
        kind = ModerationKind(name)
        if table.holds_table(name):
            entry = table.table(name)
            allowance = Allowance(entry.choice("allowance", ALLOWANCES, Allowance.ALLOWED))
            own = role_ids(entry, "approvers", known, approvers)
            label = entry.text("label", "")
            entry.finish()
            rules.append(ActionRule(kind, allowance, label, own))
        else:
            allowance = Allowance(table.choice(name, ALLOWANCES, Allowance.ALLOWED))
            rules.append(ActionRule(kind, allowance, "", approvers))
    table.finish()
    return tuple(rules)
