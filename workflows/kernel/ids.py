"""Identifiers people can read aloud and type: a prefix and six unambiguous characters."""

from __future__ import annotations

import itertools
import time

from workflows.kernel.randomness import random_below, random_bytes

_made = itertools.count()
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
_LENGTH = 6


def random_id(prefix: str) -> str:
    """E.g. 'REQ-7K3Q9X'. 30**6 (about 729 million) values per prefix."""
    # One draw from the system's randomness for all six characters, not one each.
    number = random_below(len(_ALPHABET) ** _LENGTH)
    characters = []
    for _ in range(_LENGTH):
        number, digit = divmod(number, len(_ALPHABET))
        characters.append(_ALPHABET[digit])
    return prefix + "-" + "".join(characters)


# A store may keep messages of one batch together; a handful each keeps a commit's few
# messages in one place without making a reminders run's hundreds into one large lump.
BATCH = 8


def message_ids(count: int) -> list[str]:
    """Ids for the messages one commit queues. They sort in the order the messages were made
    (so a burst goes out in order), a random part keeps them unique across processes, and
    each run of BATCH shares one stem (`batch_of`), so a store can keep them together."""
    ids: list[str] = []
    for first in range(0, count, BATCH):
        stem = f"MSG-{time.time_ns():020d}-{next(_made):09d}-{random_bytes(6).hex()}"
        ids.extend(f"{stem}-{index:03d}" for index in range(min(BATCH, count - first)))
    return ids


def batch_of(message_id: str) -> str:
    """The stem a message's id shares with the others queued by the same commit (ids made
    before batches, four parts long, are each their own)."""
    parts = message_id.split("-")
    return "-".join(parts[:4]) if len(parts) == 5 else message_id
