"""Records decoded lately: shared while unchanged, never served once changed, bounded."""

from __future__ import annotations

import json

from storage.codec import to_dict
from storage.recent import RecentlyDecoded
from tests.test_store_contract import a_page
from workflows.kernel.model import Page, PageStatus


def stored(page: Page) -> str:
    return json.dumps(to_dict(page))


def test_a_record_read_again_is_the_same_object_until_it_changes() -> None:
    recent = RecentlyDecoded(Page, limit=10)
    text = stored(a_page(1))

    first = recent.decode(text)

    assert first == a_page(1)
    assert recent.decode(text) is first
    changed = recent.decode(stored(a_page(1, status=PageStatus.ACTIVE)))
    assert changed.status is PageStatus.ACTIVE


def test_past_its_limit_the_least_recently_read_is_forgotten() -> None:
    recent = RecentlyDecoded(Page, limit=2)
    one, two, three = (stored(a_page(n)) for n in (1, 2, 3))
    kept_one = recent.decode(one)
    kept_two = recent.decode(two)
    assert recent.decode(one) is kept_one  # read again: now the most recent

    recent.decode(three)

    assert recent.decode(one) is kept_one
    assert recent.decode(two) is not kept_two, "the least recently read was forgotten"
