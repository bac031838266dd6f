"""The TinyDB store's order of messages waiting to go (storage/outbox_order.py): the same order
as storage.lanes.in_turn, read from the front of the backlog rather than sorted whole."""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from hypothesis import given, settings
from hypothesis import strategies as st

from storage.lanes import in_turn
from storage.outbox_order import OutboxOrder, Waiting


def claimed(
    order: OutboxOrder,
    now: float,
    limit: int,
    resting: Iterable[str] = (),
    unsynced: Iterable[str] = (),
) -> list[str]:
    """The first `limit` ids `order` gives, as a claim takes them (and puts them back)."""
    keys = order.due(now, frozenset(resting), dict.fromkeys(unsynced, 1))
    try:
        return list(itertools.islice(keys, limit))
    finally:
        keys.close()


def expected(
    summaries: dict[str, Waiting],
    now: float,
    limit: int,
    resting: Iterable[str] = (),
    unsynced: Iterable[str] = (),
) -> list[str]:
    """What storage.lanes.in_turn gives first, from every summary."""
    resting, unsynced = set(resting), set(unsynced)
    due = [
        (at, key, to, bulk)
        for key, (at, to, bulk, _) in summaries.items()
        if at <= now and to not in resting and key not in unsynced
    ]
    return list(itertools.islice(in_turn(due), limit))


def test_messages_people_wait_for_take_their_person_ahead_of_the_bulk_backlog() -> None:
    summaries: dict[str, Waiting] = {
        "check-1": (10.0, "ana", True, 10.0),
        "check-2": (11.0, "ben", True, 11.0),
        "card": (30.0, "ben", False, 30.0),
        "check-3": (12.0, "cy", True, 12.0),
        "later": (99.0, "dee", False, 99.0),
    }
    order = OutboxOrder(summaries)
    # Ben's check goes before his card, as it fell due first: one person's stay in order.
    assert claimed(order, 50.0, 10) == ["check-2", "card", "check-1", "check-3"]
    assert claimed(order, 50.0, 2) == ["check-2", "card"]
    assert claimed(order, 50.0, 10) == ["check-2", "card", "check-1", "check-3"], "unchanged"
    assert claimed(order, 50.0, 10, resting={"ben"}) == ["check-1", "check-3"]
    assert claimed(order, 50.0, 10, unsynced={"card"}) == ["check-1", "check-2", "check-3"]


def test_a_message_settled_or_retried_later_moves_out_of_the_way() -> None:
    summaries: dict[str, Waiting] = {f"m{n}": (float(n), f"p{n}", True, 0.0) for n in range(5)}
    order = OutboxOrder(summaries)
    del summaries["m0"]  # delivered
    order.changed("m0")
    summaries["m1"] = (100.0, "p1", True, 0.0)  # the platform said: try again later
    order.changed("m1")
    assert claimed(order, 50.0, 10) == ["m2", "m3", "m4"]
    assert claimed(order, 100.0, 10) == ["m2", "m3", "m4", "m1"]


def test_many_writes_keep_the_order_small() -> None:
    summaries: dict[str, Waiting] = {}
    order = OutboxOrder(summaries)
    for n in range(20_000):
        summaries[f"m{n}"] = (float(n), f"p{n % 7}", n % 3 == 0, 0.0)
        order.changed(f"m{n}")
        if n >= 10:  # ten waiting at a time, the rest delivered
            del summaries[f"m{n - 10}"]
            order.changed(f"m{n - 10}")
    assert len(order._heap) <= 2 * 10 + 1000
    assert claimed(order, 1e9, 20) == expected(summaries, 1e9, 20)


people = st.sampled_from(["ana", "ben", "cy", "dee"])
waiting = st.tuples(st.integers(0, 20).map(float), people, st.booleans(), st.just(0.0))
keys = st.sampled_from([f"m{n}" for n in range(12)])
changes = st.lists(st.tuples(keys, st.none() | waiting), max_size=40)


@settings(max_examples=300, deadline=None)
@given(
    first=st.dictionaries(keys, waiting),
    changes=changes,
    now=st.integers(0, 22).map(float),
    limit=st.integers(1, 12),
    resting=st.sets(people, max_size=2),
    unsynced=st.sets(keys, max_size=3),
)
def test_the_order_is_in_turns_order_after_any_writes(
    first: dict[str, Waiting],
    changes: list[tuple[str, Waiting | None]],
    now: float,
    limit: int,
    resting: set[str],
    unsynced: set[str],
) -> None:
    summaries = dict(first)
    order = OutboxOrder(summaries)
    for key, summary in changes:
        if summary is None:
            summaries.pop(key, None)
        else:
            summaries[key] = summary
        order.changed(key)
        assert claimed(order, now, limit) == expected(summaries, now, limit)
    assert claimed(order, now, limit, resting, unsynced) == expected(
        summaries, now, limit, resting, unsynced
    )
