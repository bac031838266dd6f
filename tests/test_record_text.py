"""The stores' JSON is made and read by orjson: the text must be the very text the standard
library made before (files written by either version read the same), and whatever an
earlier version could have written must still read."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from storage.codec import to_dict
from storage.files import parsed, record_text
from tests.generated import live_page
from workflows.kernel.model import Person

LIVE = datetime(2026, 9, 7, 8, 30, tzinfo=UTC)
OWNER = Person("zoe.martin@example.org", "Zoë Martín", "Profesora — 3º")


def as_before(record: dict[str, Any]) -> str:
    """How 0.2.0 wrote a record (storage/files.py)."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize(
    "record",
    [
        to_dict(live_page(7, OWNER, LIVE)),
        {"name": 'Ms. Ruiz\'s "Room" 12\\', "lines": "one\ntwo\r\tthree"},
        {"control": "\x00\x01\x1f\x7f", "separators": "\u2028\u2029", "emoji": "📣 ✓ é"},
        {"nested": [[], {}, [1, -2, 3.5, 1e16, 0.1], {"a": None, "b": True, "c": False}]},
        {"big": 2**63 - 1, "empty": ""},
    ],
    ids=["a page", "quotes and breaks", "control characters", "nested", "numbers"],
)
def test_a_record_is_written_as_the_standard_library_wrote_it(record: dict[str, Any]) -> None:
    assert record_text(record) == as_before(record)
    assert parsed(record_text(record)) == record


@pytest.mark.parametrize(
    "text",
    ['{"name":"\\ud83d half an emoji"}', '{"score":NaN}', '{"n":1e400}'],
    ids=["a lone surrogate", "NaN", "out of range"],
)
def test_what_only_the_standard_library_reads_still_reads(text: str) -> None:
    found = parsed(text)
    assert json.dumps(found) == json.dumps(json.loads(text))


def test_text_that_is_not_json_is_still_refused() -> None:
    with pytest.raises(ValueError):
        parsed('{"name": "unfinished')
