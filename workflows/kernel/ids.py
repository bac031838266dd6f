"""Identifiers people can read aloud and type: a prefix and six unambiguous characters."""

from __future__ import annotations

import itertools
import secrets
import time

_made = itertools.count()
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def random_id(prefix: str) -> str:
    """E.g. 'REQ-7K3Q9X'. 30**6 (about 729 million) values per prefix."""
    return prefix + "-" + "".join(secrets.choice(_ALPHABET) for _ in range(6))


def message_ids(count: int) -> list[str]:
    """Ids for the messages one commit queues. They sort in the order the messages were made
    (so a burst goes out in order), a random part keeps them unique across processes, and
    they share one stem (`batch_of`), so a store can keep a commit's messages together."""
    stem = f"MSG-{time.time_ns():020d}-{next(_made):09d}-{secrets.token_hex(6)}"
    return [f"{stem}-{index:03d}" for index in range(count)]


def batch_of(message_id: str) -> str:
    """The stem a message's id shares with the others queued by the same commit (ids made
    before batches, four parts long, are each their own)."""
    parts = message_id.split("-")
    return "-".join(parts[:4]) if len(parts) == 5 else message_id
