"""Optimistic concurrency shared by every store: a write must build on the version it read."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from workflows.kernel.model import Page, PageRequest, Submission
from workflows.kernel.ports import ConflictError


def check_versions(
    stored_version: Callable[[str], int | None], incoming: Iterable[PageRequest | Page]
) -> None:
    """Raise ConflictError unless each record is new (version 1) or the next stored version."""
    for record in incoming:
        current = stored_version(record.id)
        expected = 1 if current is None else current + 1
        if record.version != expected:
            raise ConflictError(
                f"{record.id}: writing version {record.version}, but version {expected} is next"
            )


def check_new_submissions(stored: Callable[[str], bool], incoming: Iterable[Submission]) -> None:
    """Raise ConflictError if any submission was stored already (a repeat acted on at once)."""
    for submission in incoming:
        if stored(submission.key):
            raise ConflictError(f"submission {submission.key} was already carried out")
