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


def message_id() -> str:
    """Outbox ids sort in the order the messages were made (so a burst goes out in order),
    and a random tail keeps them unique across processes."""
    return f"MSG-{time.time_ns():020d}-{next(_made):09d}-{secrets.token_hex(6)}"
