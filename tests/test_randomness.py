"""Random bytes drawn from a buffer of the system's randomness: never the same twice, not
across a refill and not between a process and a child it forks; numbers below a limit are
uniform."""

from __future__ import annotations

import os
from collections import Counter

from workflows.kernel.randomness import random_below, random_bytes


def test_bytes_are_never_handed_out_twice_across_refills() -> None:
    drawn = [random_bytes(6) for _ in range(5000)]  # 30,000 bytes: several refills
    assert all(len(each) == 6 for each in drawn)
    assert len(set(drawn)) == len(drawn)
    assert len(random_bytes(10_000)) == 10_000  # more than one refill's worth at once


def test_a_forked_child_draws_other_bytes_than_its_parent() -> None:
    random_bytes(1)  # the buffer is filled before the fork
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        os.write(writing, random_bytes(16))
        os._exit(0)
    os.close(writing)
    os.waitpid(child, 0)
    in_child = os.read(reading, 16)
    os.close(reading)
    assert len(in_child) == 16 and in_child != random_bytes(16)


def test_numbers_below_a_limit_are_in_range_and_uniform() -> None:
    assert {random_below(1) for _ in range(50)} == {0}
    for limit in (2, 3, 30, 1000, 30**6, 2**40 + 1):
        drawn = [random_below(limit) for _ in range(2000)]
        assert all(0 <= number < limit for number in drawn)
    # 30 values, 30,000 draws: about 1,000 each; a skew of a fifth would be far outside chance.
    counts = Counter(random_below(30) for _ in range(30_000))
    assert set(counts) == set(range(30))
    assert min(counts.values()) > 800 and max(counts.values()) < 1200
    # The top of a limit that is not a power of two is reached (no value is cut off).
    assert max(random_below(30**6) for _ in range(20_000)) > 0.99 * 30**6
