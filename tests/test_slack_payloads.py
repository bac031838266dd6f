"""Slack's form-encoded payloads are read exactly as the standard library reads them."""

from __future__ import annotations

import json
import random
import urllib.parse

import pytest

from adapters.slack.payloads import payload_json


def _standard(body: str) -> str:
    return dict(urllib.parse.parse_qsl(body, keep_blank_values=True))["payload"]


def test_a_submitted_form_reads_as_the_json_slack_sent() -> None:
    payload = json.dumps(
        {
            "type": "view_submission",
            "view": {
                "blocks": [{"type": "input", "label": "École — “Lincoln” 🙂 50% + 1 \\ ok"}],
                "state": {"values": {"purpose": {"purpose": {"value": "a=b&c\nd"}}}},
            },
        },
        ensure_ascii=False,
    )
    body = urllib.parse.urlencode({"payload": payload})
    assert payload_json(body) == _standard(body) == payload


@pytest.mark.parametrize(
    "body",
    ["command=/request-page&text=", "payload=%7B%7D&other=1", "payload=[1]", "payload=", "x=1"],
)
def test_any_other_body_is_left_to_bolt(body: str) -> None:
    assert payload_json(body) is None


def test_every_odd_escape_decodes_as_the_standard_library_does() -> None:
    # Broken escapes, raw backslashes, plus signs, non-ASCII, control characters.
    pieces = ["%", "%7B", "%7b", "%e2%80%9c", "%ZZ", "%4", "+", "=", "\\", "\\x41", "é", "a", "\n"]
    chosen = random.Random(18)
    for _ in range(5000):
        value = "{" + "".join(chosen.choice(pieces) for _ in range(chosen.randint(0, 10)))
        body = "payload=" + value
        assert payload_json(body) == _standard(body), value
