"""A commit's journal line is made of its records' texts (each record encoded once): it must
read back as the very entry, and each text as its record."""

from __future__ import annotations

import json
from typing import Any

import pytest

from storage.entry_lines import encoded_entry, records_and_texts
from storage.files import record_text

ENTRY: dict[str, Any] = {
    "seq": 7,
    "requests": [{"id": "R-1", "page_name": 'Ms. Ruiz\'s "Room" 12\n', "status": "pending"}],
    "pages": [],
    "audit": [{"at": "2026-09-07T08:30:00+00:00", "action": "submitted", "who": "ana"}],
    "audit_head": {"seq": 7, "hash": "ab12"},
    "outbox": [{"id": "M-1", "message": {"to": "ana", "card": {"title": "Élève ✓"}}}] * 2,
}


@pytest.mark.parametrize(
    "entry",
    [
        ENTRY,
        {"requests": [{"id": "R-2"}], "pages": []},  # nothing but lists
        {"seq": 1, "head": True},  # no lists at all
        {},
    ],
    ids=["a form's commit", "only lists", "no lists", "empty"],
)
def test_the_line_reads_back_as_the_entry_and_each_text_as_its_record(
    entry: dict[str, object],
) -> None:
    encoded = encoded_entry(entry)
    assert encoded.line.endswith(b"\n") and encoded.line.count(b"\n") == 1
    assert json.loads(encoded.line) == entry
    for key, value in entry.items():
        if isinstance(value, list):
            assert [json.loads(text) for text in encoded.texts[key]] == value
            assert encoded.texts[key] == [record_text(record) for record in value]


def test_records_come_with_their_texts_whether_encoded_before_or_not() -> None:
    encoded = encoded_entry(ENTRY)
    given = records_and_texts(ENTRY, encoded.texts, "outbox")
    replayed = records_and_texts(ENTRY, {}, "outbox")
    assert given == replayed == [(r, record_text(r)) for r in ENTRY["outbox"]]
    assert records_and_texts(ENTRY, {}, "aways") == []
