"""Outgoing Teams activities: the quick JSON walk gives exactly what msrest's own does."""

from __future__ import annotations

import copy
import inspect
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import botbuilder.schema as schema
import botbuilder.schema.teams as teams_schema
import pytest
from botbuilder.core import TurnContext
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    CardAction,
    ChannelAccount,
    DeliveryModes,
    Entity,
    Mention,
    SuggestedActions,
)
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import MicrosoftAppCredentials
from msrest.serialization import Model, Serializer

from adapters.teams.cards import adaptive_card
from adapters.teams.messenger import card_activity
from adapters.teams.serializer import CardSerializer
from workflows.kernel.cards import Button, Card, Field, Section

INCOMING = {
    "type": "message",
    "id": "in-1",
    "timestamp": "2026-12-03T10:15:00.123Z",
    "localTimestamp": "2026-12-03T05:15:00.123-05:00",
    "channelId": "msteams",
    "serviceUrl": "https://smba.example.net/amer/",
    "from": {"id": "29:ana", "name": "Ana Ruiz", "aadObjectId": "aad-ana"},
    "recipient": {"id": "28:bot", "name": "Pagekeeper"},
    "conversation": {"id": "a:ana", "conversationType": "personal", "tenantId": "t1"},
    "channelData": {"tenant": {"id": "t1"}},
    "entities": [{"type": "clientInfo", "locale": "en-US", "country": "US"}],
    "text": "my-requests",
}
DEPENDENCIES = ConnectorClient(
    MicrosoftAppCredentials("", ""), "https://smba.example.net/"
)._serialize.dependencies


def a_card() -> dict[str, Any]:
    sections = tuple(
        Section(f"Room {i} News (REQ-{i})", "Waiting for the principal.\nPlatform: facebook")
        for i in range(5)
    )
    card = Card(
        "Your requests",
        "You have 5 requests — «quoted», emoji 📚.",
        (Field("School", "Lincoln Elementary"),),
        sections,
        (Button("Approve", "approve", "REQ-1"),),
    )
    return adaptive_card(card)


def a_reply() -> Activity:
    incoming = Activity().deserialize(INCOMING)
    reference = TurnContext.get_conversation_reference(incoming)
    return TurnContext.apply_conversation_reference(
        card_activity(a_card(), "Your requests"), reference
    )


def an_update() -> Activity:
    activity = a_reply()
    activity.id = "out-7"
    activity.timestamp = datetime(2026, 12, 3, 10, 16, 1, 250000, tzinfo=UTC)
    activity.local_timestamp = datetime(2026, 12, 3, 5, 16, 1, tzinfo=timezone(timedelta(hours=-5)))
    return activity


def a_rich_message() -> Activity:
    activity = a_reply()
    activity.type = ActivityTypes.message
    activity.delivery_mode = DeliveryModes.notification
    activity.text = "Pick one"
    activity.suggested_actions = SuggestedActions(
        to=["29:ana"],
        actions=[CardAction(type="imBack", title="Yes", value="yes"), None],
    )
    activity.entities = [
        Mention(mentioned=ChannelAccount(id="29:ana", name="Ana"), text="<at>Ana</at>"),
        Entity(type="clientInfo"),
    ]
    activity.members_added = [ChannelAccount(id="29:grace", name="Grace", role="user")]
    activity.value = {"action": "approve", "request": "REQ-1", "n": [1, 2.5, True, None]}
    activity.channel_data = {"notification": {"alert": True}}
    return activity


def with_plain_entities() -> Activity:
    """An activity whose entities are dicts, not models: msrest rebuilds them as models."""
    activity = a_reply()
    activity.entities = [{"type": "mention", "text": "<at>Ana</at>", "extra": 1}]
    return activity


@pytest.mark.parametrize(
    ("make", "walked"),
    [(a_reply, True), (an_update, True), (a_rich_message, True), (with_plain_entities, False)],
    ids=["a reply", "an update", "suggested actions and mentions", "entities as dicts"],
)
def test_an_activity_becomes_the_json_msrest_itself_would_send(
    make: Any, walked: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    stock_body = Serializer.body
    stock = stock_body(Serializer(DEPENDENCIES), copy.deepcopy(make()), "Activity")
    handed_to_msrest: list[Any] = []

    def msrest_body(self: Serializer, data: Any, data_type: str, **kwargs: Any) -> Any:
        handed_to_msrest.append(data)
        return stock_body(self, data, data_type, **kwargs)

    monkeypatch.setattr(Serializer, "body", msrest_body)
    quick = CardSerializer(DEPENDENCIES).body(make(), "Activity")

    assert quick == stock
    assert bool(handed_to_msrest) is not walked
    assert quick["attachments"][0]["content"]["type"] == "AdaptiveCard"


def test_the_schema_has_nothing_the_quick_walk_does_not_handle() -> None:
    """The walk writes each attribute under its key as it is: no model of the schema may have
    flattened (dotted) keys, additional properties or validation rules (read-only, required),
    which msrest treats specially."""
    models = [
        model
        for module in (schema, teams_schema)
        for _, model in inspect.getmembers(module, inspect.isclass)
        if issubclass(model, Model) and model is not Model
    ]
    assert len(models) > 100

    for model in models:
        assert not model._validation, model.__name__
        for description in model._attribute_map.values():
            assert description["key"], model.__name__
            assert "." not in description["key"], model.__name__


def test_a_copy_of_an_outgoing_activity_shares_its_card_and_the_card_is_unchanged() -> None:
    card = a_card()
    activity = card_activity(card, "Your requests")

    copied = copy.deepcopy(activity)

    assert copied.attachments[0] is not activity.attachments[0]
    assert copied.attachments[0].content is activity.attachments[0].content
    assert copied.attachments[0].content == card
    assert type(copied.attachments[0].content) is dict  # msrest's stock serializer asks for one
    assert Serializer(DEPENDENCIES).body(copied, "Activity")["attachments"][0]["content"] == card
