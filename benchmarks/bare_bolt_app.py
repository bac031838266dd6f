"""The baseline for benchmarks/slack_ack.py: a Bolt app that only acks and opens a modal.

It is the best honest configuration of the alternative: it opens the very request form
Pagekeeper opens (rendered once at start, as Pagekeeper renders its blank form once), and its
Web API client keeps one HTTP session for every call, as Pagekeeper's does (slack_sdk's default
opens a new session per call). So the comparison measures what Pagekeeper adds around the same
Slack work.

Run: python benchmarks/bare_bolt_app.py PORT  (reads SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET,
SLACK_API_URL like Pagekeeper does)
"""

from __future__ import annotations

import os
import sys
from typing import Any

from aiohttp import ClientSession, web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import modal
from workflows.conversation.forms import request_form
from workflows.district.loading import load_config

VIEW = modal(request_form(load_config(None)), {})


async def application() -> web.Application:
    client = AsyncWebClient(
        token=os.environ["SLACK_BOT_TOKEN"],
        base_url=os.environ["SLACK_API_URL"],
        session=ClientSession(),  # one session, reused: made inside the running loop
    )
    bolt = AsyncApp(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"])

    @bolt.command("/request-page")
    async def open_modal(ack: Any, body: dict[str, Any]) -> None:
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=VIEW)

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    async def close_session(_: web.Application) -> None:
        await client.session.close()

    app = web.Application()
    app.router.add_post("/slack/events", events)
    app.on_cleanup.append(close_session)
    return app


def main() -> None:
    web.run_app(application(), host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)


if __name__ == "__main__":
    main()
