"""Identifiers people can read aloud and type: a prefix and six unambiguous characters."""

from __future__ import annotations

import secrets
import uuid

_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def random_id(prefix: str) -> str:
    """E.g. 'REQ-7K3Q9X'. 30**6 (about 729 million) values per prefix."""
    return prefix + "-" + "".join(secrets.choice(_ALPHABET) for _ in range(6))


def message_id() -> str:
    """Outbox messages are many and never read aloud: a full random UUID, never reused."""
    return "MSG-" + uuid.uuid4().hex
