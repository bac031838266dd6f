"""The TinyDB store's index of pages by the time their duties fall due (storage/due_index.py):
a reminders run reads the few due first, however large the registry."""

from __future__ import annotations

from storage.due_index import DueIndex, Summary


def test_the_earliest_due_come_first_and_reading_them_changes_nothing() -> None:
    summaries: dict[str, Summary] = {
        "late": ("active", 300.0),
        "early": ("active", 100.0),
        "unknown": ("active", None),
        "setting-up": ("setting_up", 50.0),
        "not-yet": ("active", 900.0),
    }
    index = DueIndex(summaries)
    assert index.due("active", by=500.0, limit=10) == ["unknown", "early", "late"]
    assert index.due("active", by=500.0, limit=2) == ["unknown", "early"]
    assert index.due("active", by=500.0, limit=2) == ["unknown", "early"], "still due"
    assert index.due("setting_up", by=500.0, limit=10) == ["setting-up"]


def test_a_page_written_again_is_found_at_its_new_time_only() -> None:
    summaries: dict[str, Summary] = {"a": ("active", 100.0), "b": ("active", 200.0)}
    index = DueIndex(summaries)
    summaries["a"] = ("active", 1000.0)  # its check answered: due next week
    index.changed("a")
    assert index.due("active", by=500.0, limit=10) == ["b"]
    summaries["b"] = ("retired", 200.0)
    index.changed("b")
    assert index.due("active", by=5000.0, limit=10) == ["a"]
    assert index.due("retired", by=5000.0, limit=10) == ["b"]


def test_many_writes_of_the_same_pages_keep_the_index_small() -> None:
    summaries: dict[str, Summary] = {f"p{n}": ("active", float(n)) for n in range(10)}
    index = DueIndex(summaries)
    for week in range(1, 500):
        for n in range(10):
            summaries[f"p{n}"] = ("active", float(week * 1000 + n))
            index.changed(f"p{n}")
    assert sum(len(heap) for heap in index._heaps.values()) <= 2 * 10 + 1000
    assert index.due("active", by=499_003.0, limit=10) == ["p0", "p1", "p2", "p3"]
