"""The audit trail's hash chain: each line's hash covers its own content and the hash before
it, so editing, removing or reordering any line changes every hash after it, and cutting the
end shows against the head the store keeps elsewhere (the journal; a row in PostgreSQL).

Lines written before the chain existed carry no hash; they are still linked in (a running hash
over every line), so editing one of them breaks the first hashed line after it. Hashes are
computed over a line's stored form (a dict), so checking a trail never decodes it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

from storage.codec import to_dict
from workflows.kernel.model import AuditEntry

START = ""
# Fields the store adds beside an entry's content: not part of what is hashed.
_BESIDE = ("hash", "seq")
_REQUIRED = ("at", "actor", "action", "subject", "clause")


@dataclass(frozen=True)
class Head:
    """Where the trail stands: how many lines, and the hash of the last."""

    count: int = 0
    hash: str = START

    def as_dict(self) -> dict[str, Any]:
        """The head as stored beside the trail."""
        return {"count": self.count, "hash": self.hash}

    @classmethod
    def of(cls, stored: dict[str, Any]) -> Head:
        """The head `as_dict` stored."""
        return cls(int(stored["count"]), str(stored["hash"]))


class ChainBroken(Exception):
    """The trail does not match its hash chain; the message says where."""


def link(previous: str, line: dict[str, Any]) -> str:
    """The hash of the stored line `line` following a line whose hash was `previous`."""
    return hashlib.sha256((previous + "\n" + hashed_text(line)).encode()).hexdigest()


def hashed_text(line: dict[str, Any]) -> str:
    """What of the stored line `line` its hash covers, after the previous hash and a newline:
    its content, as canonical JSON (ASCII only)."""
    content = {key: value for key, value in line.items() if key not in _BESIDE}
    return json.dumps(content, sort_keys=True, separators=(",", ":"))


def extend(head: Head, entries: Iterable[AuditEntry]) -> tuple[Head, tuple[AuditEntry, ...]]:
    """`entries` hashed on after `head`, and the head after them."""
    hashed = []
    count, current = head.count, head.hash
    for entry in entries:
        current = link(current, to_dict(entry))
        count += 1
        hashed.append(dataclasses.replace(entry, hash=current))
    return Head(count, current), tuple(hashed)


def check_line(head: Head, line: dict[str, Any], hashed_before: bool) -> Head:
    """The head after the stored line `line`; ChainBroken if it is not an audit line, carries
    a hash the chain does not give, or has none after lines that had one."""
    number = head.count + 1
    if any(key not in line for key in _REQUIRED):
        raise ChainBroken(f"audit line {number} is not an audit entry")
    expected = link(head.hash, line)
    stored = line.get("hash")
    if stored != expected and (stored or hashed_before):
        raise ChainBroken(
            f"audit line {number} ({line['at']} {line['action']} {line['subject']}) does not "
            "match the lines before it: a line was edited, removed or inserted at or before it"
        )
    return Head(number, expected)


class Walk:
    """A trail checked line by line from its start: once a line carries a hash, every later
    one must (an unhashed line after them was written by hand)."""

    def __init__(self, head: Head = Head(), hashed: bool = False) -> None:
        """From the start, or on from `head` (`hashed`: the lines before carried hashes)."""
        self.head = head
        self.hashed = hashed

    def add(self, line: dict[str, Any]) -> None:
        """Check the next stored line; ChainBroken if it does not follow."""
        self.head = check_line(self.head, line, self.hashed)
        self.hashed = self.hashed or bool(line.get("hash"))


async def verify(lines: AsyncIterator[dict[str, Any]], recorded: Head | None) -> Head:
    """Walk a whole trail of stored lines; the head it reaches. ChainBroken when a line does
    not match, or when the trail ends anywhere but at the head the store recorded."""
    walk = Walk()
    async for line in lines:
        walk.add(line)
    head = walk.head
    if recorded is not None and recorded != head:
        raise ChainBroken(
            f"the audit trail has {head.count} lines but the store recorded {recorded.count} "
            "(its end was cut, or lines were added or changed)"
        )
    return head
