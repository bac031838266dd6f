"""Identifiers people read aloud: the prefix, then six characters that cannot be confused."""

from __future__ import annotations

import re
from collections import Counter

from workflows.kernel.ids import random_id

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def test_an_id_is_its_prefix_and_six_unambiguous_characters() -> None:
    made = [random_id("REQ") for _ in range(3000)]
    assert all(re.fullmatch(f"REQ-[{ALPHABET}]{{6}}", made_id) for made_id in made)
    assert len(set(made)) == len(made)
    # Every character turns up in every place (3,000 draws: about 100 each).
    for place in range(4, 10):
        counts = Counter(made_id[place] for made_id in made)
        assert set(counts) == set(ALPHABET)
        assert min(counts.values()) > 40
