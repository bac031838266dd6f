"""Reading the approval parts of the district's file: roles, chains, owner rules, request
fields and page-name rules. Each problem is raised at the key at fault, with a suggestion
when a name is close to a known one."""

from __future__ import annotations

import difflib
import string
from collections.abc import Collection
from dataclasses import dataclass

from workflows.district.approvals import (
    BUILT_IN_ROLES,
    PRINCIPAL_ROUTE,
    SUPERINTENDENT_ROUTE,
    NameRule,
    OwnerRules,
    Role,
    StepRule,
)
from workflows.district.config import PageKind, Route
from workflows.district.loading_calendar import read_schedule
from workflows.district.reader import Table, dotted
from workflows.kernel.model import AnswerKind, Question

# Names the request form already uses; a district's own field cannot take them.
FORM_NAMES = frozenset(
    {"kind", "school", "platform", "page_name", "purpose", "audience", "co_owners", "acknowledged"}
)
EVIDENCE_KINDS = (AnswerKind.TEXT, AnswerKind.LONG_TEXT, AnswerKind.DATE, AnswerKind.NUMBER)
MAX_OWNERS = 11  # the requester and at most ten co-owners
NAME_PLACEHOLDERS = frozenset({"school", "district"})
# The statement a review step asks its reviewer to confirm, unless the file words it.
CONFIRMATION = "confirmed"


@dataclass(frozen=True)
class Known:
    """What the rest of the file defines, for checking references to it."""

    people: frozenset[str]
    roles: dict[str, Role]
    platforms: frozenset[str]
    forums: frozenset[str] = frozenset()


def read_roles(root: Table, people: frozenset[str]) -> tuple[Role, ...]:
    """The district's own roles: `[roles.<id>]` (district-wide, with their holders) and
    `[school_roles.<id>]` (held school by school)."""
    roles = []
    for role_id, table in root.optional_named_tables("roles"):
        _not_built_in(table, role_id, "roles")
        holders = table.emails("people")
        for email in holders:
            require_listed(table, "people", email, people)
        roles.append(Role(role_id, table.text("label"), at_school=False, holders=holders))
        table.finish()
    for role_id, table in root.optional_named_tables("school_roles"):
        _not_built_in(table, role_id, "school_roles")
        label = table.text("label")
        _check_fields(table, "label", label, frozenset({"school"}))
        roles.append(Role(role_id, label, at_school=True))
        table.finish()
    seen: set[str] = set()
    for role in roles:
        if role.id in seen:
            kinds = "[roles.*] and [school_roles.*]"
            raise root.problem("school_roles", f"role '{role.id}' is defined in both {kinds}")
        seen.add(role.id)
    return tuple(roles)


def read_school_roles(
    table: Table, roles: dict[str, Role], people: frozenset[str]
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A school's `roles = { <school role> = [emails] }`: who holds each role there."""
    if not table.has("roles"):
        table.optional_table("roles")
        return ()
    held = table.table("roles")
    school_roles = {role_id for role_id, role in roles.items() if role.at_school}
    pairs = []
    for role_id in held.names():
        if role_id not in school_roles:
            close = difflib.get_close_matches(role_id, sorted(school_roles), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise held.problem(
                role_id, f"'{role_id}' is not one of the [school_roles.*] in this file{hint}"
            )
        emails = held.emails(role_id)
        for email in emails:
            require_listed(held, role_id, email, people)
        pairs.append((role_id, emails))
    held.finish()
    return tuple(pairs)


def read_chains(root: Table, known: Known) -> dict[str, tuple[StepRule, ...]]:
    """Named chains, `[[chains.<id>.steps]]`, that page kinds share with `chain = "<id>"`."""
    chains = {}
    for chain_id, table in root.optional_named_tables("chains"):
        chains[chain_id] = _steps(table, known)
        table.finish()
    return chains


def read_kind(
    kind_id: str, table: Table, known: Known, chains: dict[str, tuple[StepRule, ...]]
) -> PageKind:
    label = table.text("label")
    needs_school = table.flag("needs_school")
    steps = _kind_steps(table, known, chains)
    uses_school = any(
        known.roles[role].at_school
        for step in steps
        for role in (*step.roles, *step.stand_in, *step.fallback)
    )
    if uses_school and not needs_school:
        raise table.problem(
            "needs_school",
            f"page_kinds.{kind_id}: its approvers are school roles, so it needs a school "
            "(needs_school = true)",
        )
    kind = PageKind(
        id=kind_id,
        label=label,
        needs_school=needs_school,
        steps=steps,
        owners=_owners(table.optional_table("owners"), known),
        questions=_questions(table),
        page_name=_name_rule(table.optional_table("page_name")),
        forums=_forum_ids(table, known),
        monitoring=read_schedule(table.optional_table("monitoring")),
    )
    table.finish()
    return kind


def check_step_kinds(root: Table, kinds: tuple[PageKind, ...]) -> None:
    """Steps that apply to some page kinds only must name kinds the file defines."""
    ids = {kind.id for kind in kinds}
    for kind in kinds:
        for step in kind.steps:
            for name in step.kinds:
                if name not in ids:
                    raise root.problem(
                        "page_kinds", f"a step applies to page kind '{name}', which is not defined"
                    )


def require_listed(table: Table, key: str, email: str, known: Collection[str]) -> None:
    if email not in known:
        raise table.problem(
            key, f"{email} is not listed under [[people]]; add their name and title"
        )


def _kind_steps(
    table: Table, known: Known, chains: dict[str, tuple[StepRule, ...]]
) -> tuple[StepRule, ...]:
    given = [key for key in ("route", "chain", "steps") if table.has(key)]
    if len(given) != 1:
        where = dotted(table.path)
        if not given:
            raise table.problem(
                None, f"[{where}] needs who approves it: route, chain or [[{where}.steps]]"
            )
        raise table.problem(given[1], f"[{where}] sets {' and '.join(given)}; use only one")
    if given == ["route"]:
        route = table.text("route")
        if route not in {value.value for value in Route}:
            raise table.problem(
                "route",
                f"route must be 'principal' or 'superintendent', not {route!r} (for any other "
                "approvers, give the page kind a chain)",
            )
        return PRINCIPAL_ROUTE if route == Route.PRINCIPAL else SUPERINTENDENT_ROUTE
    if given == ["chain"]:
        chain = table.text("chain")
        if chain not in chains:
            close = difflib.get_close_matches(chain, sorted(chains), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise table.problem("chain", f"there is no [chains.{chain}] in this file{hint}")
        return chains[chain]
    return _steps(table, known)


def _steps(table: Table, known: Known) -> tuple[StepRule, ...]:
    steps = tuple(_step(step, known) for step in table.tables("steps"))
    return steps


def _step(table: Table, known: Known) -> StepRule:
    roles = role_ids(table, "roles", known, ())
    people = table.emails("people")
    for email in people:
        require_listed(table, "people", email, known.people)
    if not roles and not people:
        raise table.problem(None, f"[[{dotted(table.path)}]] needs roles or people to decide it")
    review = table.flag("review", False)
    confirm = table.text("confirm", "")
    if review and not confirm:
        raise table.problem(
            "confirm",
            f'{dotted(table.path)} is a review: add confirm = "...", the statement the reviewer '
            "confirms (for example: I walked the owners through the district's protocols)",
        )
    if confirm and not review:
        raise table.problem("confirm", f"{dotted(table.path)}.confirm is only for review steps")
    evidence = tuple(
        _question(entry, EVIDENCE_KINDS) for entry in table.optional_tables("evidence")
    )
    if review:
        statement = Question(CONFIRMATION, confirm, AnswerKind.YES_NO)
        evidence = (statement, *evidence)
    platforms = table.words("platforms", ())
    for platform in platforms:
        if platform not in known.platforms:
            close = difflib.get_close_matches(platform, sorted(known.platforms), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise table.problem("platforms", f"there is no [platforms.{platform}]{hint}")
    title = table.text("title", "")
    _check_fields(table, "title", title, frozenset({"school"}))
    step = StepRule(
        title=title,
        roles=roles,
        people=people,
        needs_all=table.choice("needs", ("any", "all"), "any") == "all",
        review=review,
        confirm=confirm,
        evidence=evidence,
        platforms=platforms,
        kinds=table.words("kinds", ()),
        only_if_filled=table.flag("only_if_filled", False),
        stand_in=role_ids(table, "stand_in", known, ()),
        fallback=role_ids(table, "fallback", known, ("superintendent",)),
    )
    table.finish()
    return step


def role_ids(table: Table, key: str, known: Known, default: tuple[str, ...]) -> tuple[str, ...]:
    ids = table.words(key, default)
    for role_id in ids:
        if role_id not in known.roles:
            options = sorted(known.roles)
            close = difflib.get_close_matches(role_id, options, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"roles are: {', '.join(options)}"
            raise table.problem(key, f"{dotted((*table.path, key))}: no role '{role_id}'; {hint}")
    return ids


def _forum_ids(table: Table, known: Known) -> tuple[str, ...]:
    forums = table.words("forums", ())
    for forum in forums:
        if forum not in known.forums:
            close = difflib.get_close_matches(forum, sorted(known.forums), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise table.problem(
                "forums", f"{dotted((*table.path, 'forums'))}: no [forums.{forum}]{hint}"
            )
    return forums


def _owners(table: Table | None, known: Known) -> OwnerRules:
    if table is None:
        return OwnerRules()
    minimum = table.count("min", 1)
    maximum = table.count("max", MAX_OWNERS)
    if maximum > MAX_OWNERS:
        raise table.problem("max", f"{dotted((*table.path, 'max'))} can be at most {MAX_OWNERS}")
    if minimum > maximum:
        raise table.problem("min", f"{dotted((*table.path, 'min'))} is more than max")
    domains = table.words("email_domains", ())
    rules = OwnerRules(
        minimum=minimum,
        maximum=maximum,
        email_domains=tuple(domain.lstrip("@") for domain in domains),
        titles=table.words("titles", ()),
        roles=role_ids(table, "roles", known, ()),
    )
    table.finish()
    return rules


def _questions(table: Table) -> tuple[Question, ...]:
    questions = tuple(
        _question(entry, tuple(AnswerKind)) for entry in table.optional_tables("fields")
    )
    seen: set[str] = set()
    for index, question in enumerate(questions):
        if question.id in FORM_NAMES or question.id in seen:
            reason = "is already on the form" if question.id in FORM_NAMES else "appears twice"
            raise table.problem(
                "fields",
                f"{dotted((*table.path, 'fields'))}[{index + 1}]: "
                f"'{question.id}' {reason}; choose another id",
            )
        seen.add(question.id)
    return questions


def _question(table: Table, kinds: tuple[AnswerKind, ...]) -> Question:
    # The keys every question has are read first: a missing optional key is taken for a typo
    # of any unread key that looks like it ("kind" and "id").
    question_id, label = table.identifier("id"), table.text("label")
    kind = AnswerKind(table.choice("kind", tuple(kinds), AnswerKind.TEXT))
    choices = table.words_as_given("choices") if kind is AnswerKind.CHOICE else ()
    if kind is AnswerKind.CHOICE and not choices:
        raise table.problem("choices", f"{dotted(table.path)} is a choice: list its choices")
    texts = kind in (AnswerKind.TEXT, AnswerKind.LONG_TEXT)
    numbers = kind is AnswerKind.NUMBER
    question = Question(
        id=question_id,
        label=label,
        kind=kind,
        required=table.flag("required", True),
        help=table.text("help", ""),
        choices=choices,
        max_length=table.count("max_length", 500) if texts else 0,
        minimum=table.optional_number("min") if numbers else None,
        maximum=table.optional_number("max") if numbers else None,
        published=table.flag("published", False),
    )
    table.finish()
    return question


def _name_rule(table: Table | None) -> NameRule:
    if table is None:
        return NameRule()
    parts = table.words_as_given("must_include")
    for part in parts:
        _check_fields(table, "must_include", part, NAME_PLACEHOLDERS)
    rule = NameRule(parts, table.text("message", ""))
    table.finish()
    return rule


def _not_built_in(table: Table, role_id: str, section: str) -> None:
    if role_id in BUILT_IN_ROLES:
        raise table.problem(
            None,
            f"[{section}.{role_id}]: '{role_id}' is built in (from [district] and [[schools]]); "
            "give your role another id",
        )


def _check_fields(table: Table, key: str, template: str, allowed: frozenset[str]) -> None:
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as error:
        raise table.problem(key, f"{dotted((*table.path, key))}: {error}") from None
    for name in names:
        if name not in allowed:
            choices = ", ".join("{" + option + "}" for option in sorted(allowed))
            raise table.problem(
                key, f"{dotted((*table.path, key))}: unknown placeholder {{{name}}}; use {choices}"
            )
