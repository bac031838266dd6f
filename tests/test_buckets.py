"""The table files stay TinyDB's own: TinyDB opens what the store writes, and the store reads
any layout TinyDB writes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tinydb import Query, TinyDB

from storage import buckets
from storage.buckets import BucketedTable

RECORDS = [
    {"id": "PAGE-1", "name": "Room 12 News", "owners": ["tom@example.org"]},
    {"id": "PAGE-2", "name": "Élan — club de français", "owners": []},
]


def test_tinydb_opens_what_the_table_writes(tmp_path: Path) -> None:
    table = BucketedTable(tmp_path, "pages", 1)
    table.upsert(RECORDS)
    table.upsert([{**RECORDS[0], "name": "Room 12 Weekly"}])
    table.flush()
    found = TinyDB(tmp_path / "pages-000.json").table("records")
    assert found.get(Query().id == "PAGE-1") == {**RECORDS[0], "name": "Room 12 Weekly"}
    assert found.get(Query().id == "PAGE-2") == RECORDS[1]
    assert len(found) == 2


def test_the_table_reads_a_file_tinydb_wrote_and_carries_on(tmp_path: Path) -> None:
    with TinyDB(tmp_path / "pages-000.json", indent=2) as database:  # TinyDB's own layout
        database.table("records").insert_multiple(RECORDS)
    table = BucketedTable(tmp_path, "pages", 1, {"owner": lambda r: tuple(r["owners"])})
    assert table.get("PAGE-2") == RECORDS[1]
    assert table.by_index("owner", "tom@example.org") == [RECORDS[0]]
    table.upsert([{"id": "PAGE-3", "name": "Team", "owners": []}])
    table.remove(["PAGE-1"])
    table.flush()
    again = BucketedTable(tmp_path, "pages", 1, {"owner": lambda r: tuple(r["owners"])})
    assert [record["id"] for record in again.search(None)] == ["PAGE-2", "PAGE-3"]
    assert again.by_index("owner", "tom@example.org") == []
    # New records never take the document id of one removed (TinyDB's own rule).
    stored = json.loads((tmp_path / "pages-000.json").read_text())["records"]
    assert sorted(stored, key=int) == ["2", "3"]


def test_a_snapshot_writes_the_table_as_it_was_when_taken(tmp_path: Path) -> None:
    """A checkpoint takes the changed buckets and writes them on another thread while the
    table goes on changing: what it writes is the table as it was when taken."""
    table = BucketedTable(tmp_path, "pages", 1)
    table.upsert(RECORDS)
    (taken,) = table.snapshot()
    table.upsert([{**RECORDS[0], "name": "Renamed meanwhile"}, {"id": "PAGE-3", "name": "New"}])
    table.remove(["PAGE-2"])
    taken.write()
    taken.written()
    written = TinyDB(tmp_path / "pages-000.json").table("records")
    assert sorted(written.all(), key=lambda record: record["id"]) == RECORDS
    # The changes made meanwhile are the next checkpoint's.
    assert table.flush() == 1
    again = BucketedTable(tmp_path, "pages", 1)
    assert [record["name"] for record in again.search(None)] == ["Renamed meanwhile", "New"]


# Key files: what a start reads instead of decoding every record (storage/bucket_keys.py).

OWNER = {"owner": lambda record: tuple(record["owners"])}


def by_owner(folder: Path, code: str = "") -> BucketedTable:
    return BucketedTable(folder, "pages", 1, OWNER, summary=lambda r: [r["name"], 1.5], code=code)


def decoding_counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many bucket files were decoded record by record since."""
    decoded: list[int] = []
    real = buckets._records_in

    def counted(*args: Any) -> Any:
        decoded.append(1)
        return real(*args)

    monkeypatch.setattr(buckets, "_records_in", counted)
    return decoded


def test_a_start_reads_the_key_file_instead_of_decoding_the_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = by_owner(tmp_path)
    table.upsert(RECORDS)
    table.flush()
    decoded = decoding_counted(monkeypatch)

    again = by_owner(tmp_path)

    assert not decoded
    assert again.get("PAGE-2") == RECORDS[1]
    assert again.by_index("owner", "tom@example.org") == [RECORDS[0]]
    assert (
        again.summaries
        == table.summaries
        == {
            "PAGE-1": ("Room 12 News", 1.5),
            "PAGE-2": ("Élan — club de français", 1.5),
        }
    )
    again.upsert([{**RECORDS[0], "owners": ["ana@example.org"]}])  # its old keys are known
    assert again.by_index("owner", "tom@example.org") == []


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda keys: keys.write_bytes(keys.read_bytes()[:-40]), id="torn"),
        pytest.param(lambda keys: keys.unlink(), id="lost"),
        pytest.param(
            lambda keys: (keys.parent / "pages-000.json").write_text(
                json.dumps(
                    {"records": {"1": {**RECORDS[1], "owners": ["tom@example.org"]}}},
                    separators=(",", ":"),
                )
            ),
            id="bucket written by another version",
        ),
    ],
)
def test_a_key_file_that_does_not_match_its_bucket_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spoil: Callable[[Path], object]
) -> None:
    table = by_owner(tmp_path)
    table.upsert(RECORDS)
    table.flush()
    spoil(tmp_path / "pages-000.keys")
    decoded = decoding_counted(monkeypatch)

    again = by_owner(tmp_path)

    assert decoded == [1], "the bucket was decoded"
    expected = {
        record["id"]: record
        for record in json.loads((tmp_path / "pages-000.json").read_text())["records"].values()
    }
    assert {record["id"]: record for record in again.search(None)} == expected
    owned = [r["id"] for r in expected.values() if "tom@example.org" in r["owners"]]
    assert [r["id"] for r in again.by_index("owner", "tom@example.org")] == owned
    # A key file for the bucket as read is written, for the next start.
    [key_file] = again.key_files()
    key_file.write()
    decoded.clear()
    assert by_owner(tmp_path).by_index("owner", "tom@example.org") == again.by_index(
        "owner", "tom@example.org"
    )
    assert not decoded


def test_a_key_file_written_by_other_code_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = by_owner(tmp_path, code="before the upgrade")
    table.upsert(RECORDS)
    table.flush()
    decoded = decoding_counted(monkeypatch)
    assert by_owner(tmp_path, code="after it").summaries == table.summaries
    assert decoded == [1]
