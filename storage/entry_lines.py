"""A commit's journal line made of the texts of its records, so that each record is encoded
once: the text that goes into the journal is the one its table keeps in memory."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from storage.files import record_text


@dataclass(frozen=True)
class EncodedEntry:
    line: bytes  # the journal line, its newline included
    texts: dict[str, list[str]]  # for each list of records, each one's `record_text`


def encoded_entry(entry: dict[str, Any]) -> EncodedEntry:
    """`entry` as one journal line, and the text of each record in its lists."""
    texts = {
        key: [record_text(record) for record in value]
        for key, value in entry.items()
        if isinstance(value, list)
    }
    rest = record_text({key: value for key, value in entry.items() if key not in texts})
    members = [rest[1:-1]] if rest != "{}" else []  # the braces are the line's own
    members += (f"{json.dumps(key)}:[{','.join(found)}]" for key, found in texts.items())
    line = "{" + ",".join(members) + "}"
    return EncodedEntry(line.encode() + b"\n", texts)


def records_and_texts(
    entry: dict[str, Any], texts: dict[str, list[str]], key: str
) -> list[tuple[dict[str, Any], str]]:
    """The records under `key` with their texts: from `texts` when there, else encoded now
    (a commit replayed from the journal at start)."""
    records: list[dict[str, Any]] = entry.get(key, [])
    found = texts[key] if key in texts else [record_text(record) for record in records]
    return list(zip(records, found, strict=True))
