"""Limits on what anyone can send, checked before any other work: no field, however it
arrives, makes the bot do more than a bounded amount of work."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from workflows.kernel.commands import Command
from workflows.kernel.handling import FieldError
from workflows.kernel.model import Answer, PageDetails, Person

# Far above any field's own limit (the form says those): this only stops hostile sizes.
TEXT_MAX = 5000
PEOPLE_MAX = 50


def oversized(command: Command) -> tuple[FieldError, ...]:
    """A problem for each field of `command` beyond the limits (none for a fair command)."""
    return tuple(_problems(command))


def _problems(record: object) -> Iterator[FieldError]:
    assert dataclasses.is_dataclass(record)
    for field in dataclasses.fields(record):
        value = getattr(record, field.name)
        if isinstance(value, str) and len(value) > TEXT_MAX:
            yield FieldError(field.name, f"Keep this under {TEXT_MAX} characters.")
        elif isinstance(value, PageDetails):
            yield from _problems(value)
        elif isinstance(value, tuple) and len(value) > PEOPLE_MAX:
            yield FieldError(field.name, f"Name at most {PEOPLE_MAX} people here.")
        elif isinstance(value, tuple):
            for item in value:
                if isinstance(item, Answer) and len(item.value) > TEXT_MAX:
                    yield FieldError(item.id, f"Keep this under {TEXT_MAX} characters.")
                elif isinstance(item, Person) and len(item.email) > TEXT_MAX:
                    yield FieldError(field.name, "That is not an email address.")
