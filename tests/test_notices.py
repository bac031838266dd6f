"""The notices a page must display are legal text: the example reproduces AR 1114's items with
every limiting phrase, and a district's file from an earlier version gives the very notices it
gave then."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from storage.codec import from_dict
from workflows.district.loading import load_config
from workflows.kernel.model import PageDetails
from workflows.pages.notices import page_notices

FIXTURES = Path(__file__).parent / "fixtures"
REGULATION = (FIXTURES / "AR-1114.txt").read_text()

# For each item AR 1114 says every official platform displays (and the statement on links),
# the phrases that carry its meaning and its limits. Dropping any narrows or widens it.
ITEMS = {
    "1 purpose": [
        "users are expected to use the site only for those intended purposes",
    ],
    "2 security": ["security settings"],
    "3 monitoring": [
        "regularly monitored",
        "any inappropriate post will be promptly removed",
        "are obscene, libelous, or so incite students as to create a clear and present danger",
        "of the commission of unlawful acts on school premises",
        "violation of school rules, or substantial disruption of the school's orderly operation",
        "are not related to the stated purpose of the site, including, but not limited to",
        "comments of a commercial nature, political activity, and comments that constitute "
        "discrimination or harassment",
    ],
    "4 protocols": [
        "protocols for users",
        "communicate in a respectful, courteous, and professional manner",
    ],
    "5 responsibility": [
        "personally responsible for the content of their posts",
        "not responsible for the content of external online platforms",
    ],
    "6 views": [
        "are those of the users and do not necessarily reflect the views of",
    ],
    "7 endorsement": [
        "reference to a specific commercial product or service does not imply endorsement or "
        "recommendation of that product or service by",
    ],
    "8 contact": ["violation of district guidelines on the use of official district social media"],
    "links": ["not officially recognized, authorized or acknowledged by the district"],
}


def normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).replace("\u2019", "'").lower()


EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"
# The built-in district and every example that cites AR 1114 as it stands (no [regulation]).
AR_1114_DISTRICTS = [None] + [
    path for path in sorted(EXAMPLES.glob("*.toml")) if "[regulation]" not in path.read_text()
]


@pytest.mark.parametrize("path", AR_1114_DISTRICTS, ids=lambda p: p.name if p else "built-in")
@pytest.mark.parametrize("item", sorted(ITEMS))
def test_each_ar_1114_district_reproduces_each_item_with_its_limits(
    item: str, path: Path | None
) -> None:
    config = load_config(path)
    kind = config.kinds[0]
    details = PageDetails(
        kind.id,
        config.schools[0].id,
        config.platforms[0].id,
        "Room 12 News",
        "Class news.",
        "Families",
    )
    shown = normal(page_notices(config, details).page_text())
    for phrase in ITEMS[item]:
        assert normal(phrase) in normal(REGULATION), f"not AR 1114's words: {phrase!r}"
        assert normal(phrase) in shown, f"item {item} drops {phrase!r}"


@pytest.mark.parametrize("path", AR_1114_DISTRICTS, ids=lambda p: p.name if p else "built-in")
def test_removal_reasons_keep_the_regulations_limits(path: Path | None) -> None:
    labels = {reason.id: normal(reason.label) for reason in load_config(path).removal_reasons}
    assert "so incites students as to create a clear and present danger" in labels["incites"]
    for example in ("commercial", "political", "harassment"):
        assert labels[example].startswith("not related to the stated purpose of the site")


def test_a_district_file_from_0_1_0_gives_the_notices_it_gave() -> None:
    config = load_config(FIXTURES / "district-0.1.0.toml")
    expected = json.loads((FIXTURES / "data-0.1.0" / "expected.json").read_text())
    request = next(r for r in expected["requests"] if r["id"] == "REQ-1")
    details = from_dict(PageDetails, request["details"])
    card = next(
        m["notice"]["card"]
        for m in expected["outbox"]
        if m["notice"]["card"]["title"] == "Approved: set up Room 12 News"
        and m["notice"]["to"] == "tom.baker@example.org"
    )
    assert page_notices(config, details).page_text() == card["sections"][0]["text"]
