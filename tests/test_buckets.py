"""The table files stay TinyDB's own: TinyDB opens what the store writes, and the store reads
any layout TinyDB writes."""

from __future__ import annotations

import json
from pathlib import Path

from tinydb import Query, TinyDB

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
