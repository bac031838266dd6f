"""Checks on a page request form, returning every problem at once, per field, in plain words."""

from __future__ import annotations

from workflows.conversation import forms
from workflows.conversation.validation import check_length, clean_text
from workflows.district.config import DistrictConfig
from workflows.kernel import policy
from workflows.kernel.handling import FieldError
from workflows.kernel.model import PageDetails, Person, is_email


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
    errors = [
        *_check_kind_and_school(config, cleaned),
        *_check_platform(config, cleaned),
        *check_length(forms.PAGE_NAME, "a page name", cleaned.page_name, 3, forms.PAGE_NAME_MAX),
        *check_length(
            forms.PURPOSE, "the purpose", cleaned.purpose, forms.PURPOSE_MIN, forms.PURPOSE_MAX
        ),
        *check_length(forms.AUDIENCE, "the audience", cleaned.audience, 3, forms.AUDIENCE_MAX),
        *_check_co_owners(cleaned.co_owners),
    ]
    if not acknowledged:
        errors.append(
            FieldError(
                forms.ACKNOWLEDGED,
                f"Please confirm you have read the staff guidelines ({policy.STAFF_INFORMATION}).",
            )
        )
    return cleaned, tuple(errors)


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
