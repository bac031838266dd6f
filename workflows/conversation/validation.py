"""Checks on what people type that every form shares: clean text, required notes."""

from __future__ import annotations

import unicodedata

from workflows.conversation import forms
from workflows.kernel.handling import FieldError


def clean_text(value: str, *, multiline: bool = False) -> str:
    """Trim, and drop control characters (keeping line breaks where they belong)."""
    kept = (
        char
        for char in value
        if (multiline and char == "\n") or unicodedata.category(char)[0] != "C"
    )
    return "".join(kept).strip()


def check_note(value: str, what: str) -> tuple[str, FieldError | None]:
    """A required comment or reason, trimmed, with a problem if it is empty or too long."""
    note = clean_text(value, multiline=True)
    if not note:
        return note, FieldError(forms.NOTE, f"Please add {what}.")
    if len(note) > forms.NOTE_MAX:
        return note, FieldError(forms.NOTE, f"Keep {what} under {forms.NOTE_MAX} characters.")
    return note, None


def check_optional_note(value: str, what: str) -> tuple[str, FieldError | None]:
    """An optional comment or reason, trimmed, with a problem only if it is too long."""
    note = clean_text(value, multiline=True)
    if len(note) > forms.NOTE_MAX:
        return note, FieldError(forms.NOTE, f"Keep {what} under {forms.NOTE_MAX} characters.")
    return note, None


def check_length(field: str, what: str, value: str, low: int, high: int) -> list[FieldError]:
    """Problems with a required text of `low` to `high` characters."""
    if not value:
        return [FieldError(field, f"Please enter {what}.")]
    if len(value) < low:
        return [FieldError(field, f"Please write {what} in at least {low} characters.")]
    if len(value) > high:
        return [FieldError(field, f"Keep {what} under {high} characters (it has {len(value)}).")]
    return []
