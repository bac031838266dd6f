"""Checks on what people type, returning every problem at once, per field, in plain words."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from workflows import forms, policy
from workflows.config import DistrictConfig
from workflows.model import PageDetails, Person

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
URL_MAX = 500


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


def is_email(value: str) -> bool:
    return bool(_EMAIL.match(value.strip()))


def clean_text(value: str, *, multiline: bool = False) -> str:
    """Trim, and drop control characters (keeping line breaks where they belong)."""
    kept = (
        char
        for char in value
        if (multiline and char == "\n") or unicodedata.category(char)[0] != "C"
    )
    return "".join(kept).strip()


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
        *_check_length(forms.PAGE_NAME, "a page name", cleaned.page_name, 3, forms.PAGE_NAME_MAX),
        *_check_length(
            forms.PURPOSE, "the purpose", cleaned.purpose, forms.PURPOSE_MIN, forms.PURPOSE_MAX
        ),
        *_check_length(forms.AUDIENCE, "the audience", cleaned.audience, 3, forms.AUDIENCE_MAX),
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


def check_url(url: str) -> tuple[str, FieldError | None]:
    """The address trimmed, and a problem if it is not a web address a family could open."""
    address = clean_text(url)
    parts = urlsplit(address)
    if not address:
        return address, FieldError(forms.URL, "Enter the address of the page.")
    if len(address) > URL_MAX:
        return address, FieldError(forms.URL, f"Keep the address under {URL_MAX} characters.")
    if parts.scheme not in {"http", "https"} or "." not in (parts.hostname or ""):
        return address, FieldError(
            forms.URL,
            "Enter the full address, starting with https:// (for example "
            "https://www.facebook.com/LincolnRoom12).",
        )
    return address, None


def check_note(value: str, what: str) -> tuple[str, FieldError | None]:
    """A required comment or reason, trimmed, with a problem if it is empty or too long."""
    note = clean_text(value, multiline=True)
    if not note:
        return note, FieldError(forms.NOTE, f"Please add {what}.")
    if len(note) > forms.NOTE_MAX:
        return note, FieldError(forms.NOTE, f"Keep {what} under {forms.NOTE_MAX} characters.")
    return note, None


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


def _check_length(field: str, what: str, value: str, low: int, high: int) -> list[FieldError]:
    if not value:
        return [FieldError(field, f"Please enter {what}.")]
    if len(value) < low:
        return [FieldError(field, f"Please write {what} in at least {low} characters.")]
    if len(value) > high:
        return [FieldError(field, f"Keep {what} under {high} characters (it has {len(value)}).")]
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
    bad = [person.email for person in people if not _EMAIL.match(person.email)]
    if bad:
        return [FieldError(forms.CO_OWNERS, f"{', '.join(bad)} is not a work email address.")]
    return []
