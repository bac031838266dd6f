"""The baseline for benchmarks/slack_ack.py: a Bolt app that only acks and opens a modal.

It opens the same request form Pagekeeper opens, rendered once at start, so the comparison
measures what Pagekeeper adds around the same Slack work.

Run: python benchmarks/bare_bolt_app.py PORT  (reads SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET,
SLACK_API_URL like Pagekeeper does)
"""

from __future__ import annotations

import os
import sys
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import modal
from workflows.conversation.forms import request_form
from workflows.district.loading import load_config

VIEW = modal(request_form(load_config(None)), {})


def main() -> None:
    client = AsyncWebClient(
        token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]
    )
    bolt = AsyncApp(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"])

    @bolt.command("/request-page")
    async def open_modal(ack: Any, body: dict[str, Any]) -> None:
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=VIEW)

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    app = web.Application()
    app.router.add_post("/slack/events", events)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)


if __name__ == "__main__":
    main()
