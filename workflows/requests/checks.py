"""Checks on a page request form, returning every problem at once, per field, in plain words."""

from __future__ import annotations

import dataclasses

from workflows.conversation import forms
from workflows.conversation.validation import check_length, clean_text
from workflows.district.approvals import OwnerRules
from workflows.district.config import DistrictConfig, PageKind
from workflows.kernel.handling import FieldError
from workflows.kernel.model import Answer, PageDetails, Person, is_email
from workflows.kernel.policy import Rule
from workflows.requests.answers import check_answers


def check_request(
    config: DistrictConfig, requester: Person, details: PageDetails, acknowledged: bool
) -> tuple[PageDetails, tuple[FieldError, ...]]:
    """The details cleaned up, and every problem with them (none means it can be sent)."""
    cleaned = PageDetails(
        kind=clean_text(details.kind),
        school=clean_text(details.school or "") or None,
        platform=clean_text(details.platform),
        page_name=clean_text(details.page_name),
        purpose=clean_text(details.purpose, multiline=True),
        audience=clean_text(details.audience),
        co_owners=_distinct_co_owners(requester, details.co_owners),
    )
    kind = config.kind(cleaned.kind)
    answers: tuple[Answer, ...] = ()
    errors_for_kind: list[FieldError] = []
    if kind is not None:
        given = {answer.id: answer.value for answer in details.answers}
        answers, problems = check_answers(kind.questions, given)
        forum, forum_problems = _check_forum(config, kind, details.forum)
        errors_for_kind = [
            *forum_problems,
            *problems,
            *_check_name_rule(config, kind, cleaned),
            *_check_owners(config, kind, requester, cleaned),
        ]
        cleaned = dataclasses.replace(cleaned, answers=answers, forum=forum)
    errors = [
        *_check_kind_and_school(config, cleaned),
        *_check_platform(config, cleaned),
        *check_length(forms.PAGE_NAME, "a page name", cleaned.page_name, 3, forms.PAGE_NAME_MAX),
        *check_length(
            forms.PURPOSE, "the purpose", cleaned.purpose, forms.PURPOSE_MIN, forms.PURPOSE_MAX
        ),
        *check_length(forms.AUDIENCE, "the audience", cleaned.audience, 3, forms.AUDIENCE_MAX),
        *_check_co_owners(cleaned.co_owners),
        *errors_for_kind,
    ]
    if not acknowledged:
        errors.append(
            FieldError(
                forms.ACKNOWLEDGED,
                "Please confirm you have read the staff guidelines "
                f"({config.cite(Rule.STAFF_INFORMATION)}).",
            )
        )
    return cleaned, tuple(errors)


def _check_forum(
    config: DistrictConfig, kind: PageKind, given: str
) -> tuple[str, list[FieldError]]:
    """The page's forum type: the kind's only one, or the one chosen among the kind's."""
    chosen = clean_text(given)
    if not kind.forums:
        return "", []
    if len(kind.forums) == 1:
        return kind.forums[0], []
    if chosen in kind.forums:
        return chosen, []
    labels = [forum.label for forum_id in kind.forums if (forum := config.forum(forum_id))]
    return "", [
        FieldError(
            forms.FORUM,
            f"Choose the forum type of this {kind.label.lower()}: " + " or ".join(labels) + ".",
        )
    ]


def _check_name_rule(
    config: DistrictConfig, kind: PageKind, details: PageDetails
) -> list[FieldError]:
    rule = kind.page_name
    school = config.school(details.school)
    needed = [
        part.format(school=school.name if school else "", district=config.name)
        for part in rule.must_include
    ]
    missing = [
        part for part in needed if part and part.casefold() not in details.page_name.casefold()
    ]
    if not missing or not details.page_name:
        return []
    message = rule.message or (
        f"The name of a {kind.label.lower()} must include "
        + " and ".join(f"“{part}”" for part in missing)
        + " (the district's rule)."
    )
    return [FieldError(forms.PAGE_NAME, message)]


def _check_owners(
    config: DistrictConfig, kind: PageKind, requester: Person, details: PageDetails
) -> list[FieldError]:
    """The page kind's owner rules: how many owners (the requester counts) and who may be one."""
    rules = kind.owners
    owners = (requester, *details.co_owners)
    what = f"{kind.label.lower()}s"
    errors = []
    if len(owners) < rules.minimum:
        more = rules.minimum - len(owners)
        errors.append(
            FieldError(
                forms.CO_OWNERS,
                f"{kind.label}s need at least {rules.minimum} owners (you count as one), so "
                f"someone can always moderate: add {more} more co-owner{'s' if more > 1 else ''}.",
            )
        )
    if len(owners) > rules.maximum:
        errors.append(
            FieldError(
                forms.CO_OWNERS,
                f"{kind.label}s have at most {rules.maximum} owners (you count as one).",
            )
        )
    for owner in owners:
        problem = _may_not_own(config, rules, owner, details, what)
        if problem:
            field = forms.KIND if owner is requester else forms.CO_OWNERS
            errors.append(FieldError(field, problem))
    return errors


def _may_not_own(
    config: DistrictConfig, rules: OwnerRules, owner: Person, details: PageDetails, what: str
) -> str:
    who = "You" if not owner.name else owner.name
    domain = owner.email.rpartition("@")[2]
    if rules.email_domains and domain not in rules.email_domains:
        allowed = " or ".join(f"@{d}" for d in rules.email_domains)
        return f"{owner.email} cannot own {what}: owners must use a district address ({allowed})."
    title = owner.title.casefold()
    if rules.titles and not any(word.casefold() in title for word in rules.titles):
        allowed = ", ".join(rules.titles)
        shown = f"“{owner.title}”" if owner.title else "not known to Pagekeeper"
        return (
            f"{who} cannot own {what}: owners' titles must include {allowed} ({who}'s is {shown})."
        )
    school = config.school(details.school)
    if rules.roles and not any(owner.email in config.holders(r, school) for r in rules.roles):
        labels = [
            role.named(school.name if school else "")
            for r in rules.roles
            if (role := config.role(r))
        ]
        return f"{who} cannot own {what}: owners must be " + " or ".join(labels) + "."
    return ""


def _check_kind_and_school(config: DistrictConfig, details: PageDetails) -> list[FieldError]:
    if not details.kind:
        return [FieldError(forms.KIND, "Choose what kind of page this is.")]
    kind = config.kind(details.kind)
    if kind is None:
        return [FieldError(forms.KIND, "Choose a kind of page from the list.")]
    if details.school is not None and config.school(details.school) is None:
        return [FieldError(forms.SCHOOL, "Choose a school from the list.")]
    if kind.needs_school and details.school is None:
        return [FieldError(forms.SCHOOL, f"Choose the school this {kind.label.lower()} is for.")]
    return []


def _check_platform(config: DistrictConfig, details: PageDetails) -> list[FieldError]:
    if not details.platform:
        return [FieldError(forms.PLATFORM, "Choose the platform the page will be on.")]
    if config.platform(details.platform) is None:
        return [FieldError(forms.PLATFORM, "Choose a platform from the list.")]
    return []


def _distinct_co_owners(requester: Person, people: tuple[Person, ...]) -> tuple[Person, ...]:
    # The requester is always an owner, so naming themselves again is harmless: drop it.
    seen = {requester.email}
    distinct = []
    for person in people:
        email = person.email.strip().lower()
        if email not in seen:
            seen.add(email)
            distinct.append(Person(email, clean_text(person.name), clean_text(person.title)))
    return tuple(distinct)


def _check_co_owners(people: tuple[Person, ...]) -> list[FieldError]:
    if len(people) > forms.CO_OWNERS_MAX:
        return [FieldError(forms.CO_OWNERS, f"Choose at most {forms.CO_OWNERS_MAX} co-owners.")]
    bad = [person.email for person in people if not is_email(person.email)]
    if bad:
        return [FieldError(forms.CO_OWNERS, f"{', '.join(bad)} is not a work email address.")]
    return []
