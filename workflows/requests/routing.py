"""Who must authorize a page (AR 1114: Authorization): the page kind's approval chain, step by
step, as the district's file sets it, with nobody approving a page they asked for or will
co-own."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from workflows.district.approvals import StepRule
from workflows.district.config import DistrictConfig, School
from workflows.kernel.model import PageDetails, PageRequest, Step


@dataclass(frozen=True)
class Routing:
    """The chain a request goes through, in words a requester understands.

    A routing with `held_because` set has no chain: the request waits for the district
    contact, and the reason says why.
    """

    steps: tuple[Step, ...]
    held_because: str = ""

    @property
    def held(self) -> bool:
        return bool(self.held_because)

    @property
    def approvers(self) -> tuple[str, ...]:
        """Who decides first."""
        return self.steps[0].approvers if self.steps else ()

    @property
    def description(self) -> str:
        """Who decides first, or why nobody can yet."""
        return self.held_because or self.steps[0].title


class _Held(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def route_request(config: DistrictConfig, requester: str, details: PageDetails) -> Routing:
    """The chain for a request from `requester`; its kind and school are already valid."""
    kind = config.kind(details.kind)
    if kind is None:
        return Routing((), "its kind of page is no longer offered")
    school = config.school(details.school)
    excluded = {requester, *(owner.email for owner in details.co_owners)}
    steps = []
    try:
        for rule in kind.steps:
            if _applies(rule, details):
                step = _resolve(config, rule, school, excluded)
                if step is not None:
                    steps.append(step)
    except _Held as held:
        return Routing((), held.reason)
    if not steps:
        return Routing((), "no step of its approval chain applies to it")
    return Routing(tuple(steps))


def escalation_for(config: DistrictConfig, request: PageRequest) -> tuple[str, ...]:
    """Who else gets a request that has waited too long at its current step (maybe nobody:
    everyone who could decide may have it already)."""
    targets = _routed(config, request).escalate_to
    co_owners = {owner.email for owner in request.details.co_owners}
    taken = {*request.approvers, request.requester.email, *co_owners}
    return tuple(email for email in targets if email not in taken)


def with_approvers(
    request: PageRequest, approvers: tuple[str, ...], delegates: tuple[tuple[str, str], ...] = ()
) -> PageRequest:
    """The request with these approvers on its current step (and delegates, added for
    approvers who are away); the version is left as it is, for the caller to move on."""
    current = dataclasses.replace(
        request.current,
        approvers=approvers,
        delegates=(*request.current.delegates, *delegates),
    )
    steps = request.chain
    return dataclasses.replace(
        request,
        approvers=approvers,
        steps=(*steps[: request.step], current, *steps[request.step + 1 :]),
    )


def allowed_for(config: DistrictConfig, request: PageRequest) -> tuple[str, ...]:
    """Who may act on the request's current step (as a delegate, for instance)."""
    return _routed(config, request).allowed


def _routed(config: DistrictConfig, request: PageRequest) -> Step:
    """The current step with who may act on it. A request stored before chains (its step
    knows only its approvers) is routed again for it: it was a one-step chain."""
    if request.current.allowed:
        return request.current
    first = route_request(config, request.requester.email, request.details).steps
    return first[0] if first else request.current


def _applies(rule: StepRule, details: PageDetails) -> bool:
    return (not rule.platforms or details.platform in rule.platforms) and (
        not rule.kinds or details.kind in rule.kinds
    )


def _resolve(
    config: DistrictConfig, rule: StepRule, school: School | None, excluded: set[str]
) -> Step | None:
    """The step as it stands for this request; None when it is skipped (nobody holds its
    roles and it applies only where someone does)."""
    if school is None and _needs_school(config, rule):
        raise _Held("no school was chosen")
    holders = _holders(config, (*rule.roles,), rule.people, school)
    stand_ins = _eligible(_holders(config, rule.stand_in, (), school), excluded)
    fallback = _eligible(_holders(config, rule.fallback, (), school), excluded)
    allowed = _eligible(tuple(dict.fromkeys((*holders, *stand_ins, *fallback))), excluded)
    where = school.name if school else ""
    if not holders:
        if rule.only_if_filled:
            return None
        if not stand_ins:
            raise _Held(_vacancy(config, rule, where))
        above = _eligible(fallback, set(stand_ins))
        title = _labels(config, rule.stand_in, (), where, "or")
        return _step(rule, title, stand_ins, above, allowed)
    eligible = _eligible(holders, excluded)
    if eligible:
        title = rule.title.format(school=where) if rule.title else _title(config, rule, where)
        escalation = _eligible(stand_ins or fallback, set(eligible))
        return _step(rule, title, eligible, escalation, allowed, needs_all=rule.needs_all)
    # Everyone who could decide asked for the page or will co-own it: the step goes up.
    if not fallback:
        raise _Held(_vacancy(config, rule, where, rule.fallback))
    return _step(rule, _labels(config, rule.fallback, (), where, "or"), fallback, (), allowed)


def _step(
    rule: StepRule,
    title: str,
    approvers: tuple[str, ...],
    escalation: tuple[str, ...],
    allowed: tuple[str, ...],
    *,
    needs_all: bool = False,
) -> Step:
    return Step(title, approvers, needs_all, rule.review, rule.evidence, escalation, allowed)


def _holders(
    config: DistrictConfig, roles: tuple[str, ...], people: tuple[str, ...], school: School | None
) -> tuple[str, ...]:
    found = [email for role in roles for email in config.holders(role, school)]
    return tuple(dict.fromkeys([*found, *people]))


def _eligible(emails: tuple[str, ...], excluded: set[str]) -> tuple[str, ...]:
    return tuple(email for email in emails if email not in excluded)


def _needs_school(config: DistrictConfig, rule: StepRule) -> bool:
    roles = (config.role(role_id) for role_id in (*rule.roles, *rule.stand_in))
    return any(role is not None and role.at_school for role in roles)


def _title(config: DistrictConfig, rule: StepRule, where: str) -> str:
    return _labels(config, rule.roles, rule.people, where, "and" if rule.needs_all else "or")


def _labels(
    config: DistrictConfig,
    roles: tuple[str, ...],
    people: tuple[str, ...],
    where: str,
    joiner: str,
) -> str:
    found = [config.role(role_id) for role_id in roles]
    labels = [role.named(where) for role in found if role is not None]
    labels += [person.name if (person := config.person(email)) else email for email in people]
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + f" {joiner} " + labels[-1]


def _vacancy(
    config: DistrictConfig, rule: StepRule, where: str, roles: tuple[str, ...] | None = None
) -> str:
    for role_id in roles if roles is not None else rule.roles:
        role = config.role(role_id)
        if role is not None:
            return role.vacancy(where)
    return f"nobody is set up as {_title(config, rule, where)} yet"
