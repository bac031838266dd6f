"""What the TinyDB store keeps in memory of each stored message (when it is due, to whom,
whether bulk, when made) is read from the record's fields without decoding it; it must say
exactly what the decoded message says, for every shape a message is stored in."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone

import pytest

from storage.codec import to_dict
from storage.tinydb_store import _waiting_entry
from workflows.kernel.cards import Card
from workflows.kernel.messages import Message, OutboxEntry

MADE = datetime(2026, 9, 7, 8, 30, 15, 123456, tzinfo=UTC)
WAITING = OutboxEntry(
    id="M-1",
    message=Message("ana@district.example", Card("Please approve", "A request"), "approval:R-1"),
    created_at=MADE,
    next_attempt_at=MADE + timedelta(minutes=3, microseconds=1),
)


def decoded_summary(entry: OutboxEntry) -> tuple[float, str, bool, float] | None:
    if entry.settled:
        return None
    when, made = entry.next_attempt_at.timestamp(), entry.created_at.timestamp()
    return when, entry.message.to, entry.message.bulk, made


@pytest.mark.parametrize(
    "entry",
    [
        WAITING,
        dataclasses.replace(WAITING, message=dataclasses.replace(WAITING.message, bulk=True)),
        dataclasses.replace(WAITING, attempts=2, last_error="rate limited"),
        dataclasses.replace(
            WAITING, next_attempt_at=datetime(2026, 9, 7, 10, tzinfo=timezone(timedelta(hours=-5)))
        ),
        dataclasses.replace(WAITING, delivered_at=MADE),
        dataclasses.replace(WAITING, failed_reason="nobody by that address"),
        dataclasses.replace(WAITING, unreachable=True),
    ],
    ids=["waiting", "bulk", "retried", "other zone", "delivered", "given up", "unreachable"],
)
def test_a_stored_message_is_summarised_as_its_decoded_self(entry: OutboxEntry) -> None:
    assert _waiting_entry(to_dict(entry)) == decoded_summary(entry)


def test_a_message_stored_by_0_1_0_is_summarised_too() -> None:
    record = to_dict(WAITING)
    record["notice"] = record.pop("message")  # 0.1.0's name, and no `bulk` yet
    del record["notice"]["bulk"]
    assert _waiting_entry(record) == decoded_summary(WAITING)
    settled = {**record, "delivered_at": MADE.isoformat()}
    assert _waiting_entry(settled) is None
