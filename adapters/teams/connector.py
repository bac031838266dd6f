"""Outgoing Bot Framework calls: one connector client per service URL, reused, with retries.

The stock CloudAdapter builds a new ConnectorClient (and its msrest pipeline and retry policy)
on every turn and sends through `requests` on a thread pool. Here each service URL gets one
client for the life of the process, sending with aiohttp and retrying throttling (429, 412)
and gateway errors (502, 504) with backoff, honouring Retry-After.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import ClientTimeout
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AppCredentials,
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)
from botframework.connector.bot_framework_sdk_client_async import (
    BotFrameworkConnectorConfiguration,
)
from msrest.pipeline import AsyncHTTPPolicy, AsyncPipeline, Request, Response
from msrest.pipeline.aiohttp import AioHTTPSender
from msrest.pipeline.universal import RawDeserializer
from msrest.universal_http import ClientRequest
from msrest.universal_http.aiohttp import AioHttpClientResponse
from msrest.universal_http.aiohttp import AioHTTPSender as AioHTTPDriver

from adapters.teams.serializer import CardSerializer

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({412, 429, 502, 504})
ATTEMPTS = 4
BACKOFF_SECONDS = 0.5
MAX_WAIT_SECONDS = 30.0
REQUEST_TIMEOUT = ClientTimeout(total=30)


class RetryPolicy(AsyncHTTPPolicy):  # type: ignore[misc]
    """Retry throttled and gateway-failed calls with exponential backoff or Retry-After."""

    async def send(self, request: Request, **kwargs: Any) -> Response:
        for attempt in range(ATTEMPTS):
            response: Response = await self.next.send(request, **kwargs)
            status = response.http_response.status_code
            if status not in RETRY_STATUSES or attempt == ATTEMPTS - 1:
                return response
            wait = _wait(response.http_response.headers.get("Retry-After"), attempt)
            log.warning(
                "teams call retried status=%d attempt=%d wait=%.1f", status, attempt + 1, wait
            )
            await asyncio.sleep(wait)
        raise AssertionError("unreachable")


class BearerTokenPolicy(AsyncHTTPPolicy):  # type: ignore[misc]
    """Adds the bot's access token; MSAL caches it, and fetching runs off the event loop."""

    def __init__(self, credentials: AppCredentials) -> None:
        super().__init__()
        self._credentials = credentials

    async def send(self, request: Request, **kwargs: Any) -> Response:
        if self._credentials.microsoft_app_id:
            loop = asyncio.get_running_loop()
            token = await loop.run_in_executor(None, self._credentials.get_access_token)
            request.http_request.headers["Authorization"] = f"Bearer {token}"
        return await self.next.send(request, **kwargs)


class _AioHTTPDriver(AioHTTPDriver):  # type: ignore[misc]
    """msrest's aiohttp driver, made to send the request's headers and body (it omits them)."""

    async def send(self, request: ClientRequest, **config: Any) -> AioHttpClientResponse:
        result = await self._session.request(
            request.method,
            request.url,
            headers=request.headers,
            data=request.data,
            timeout=REQUEST_TIMEOUT,
        )
        response = AioHttpClientResponse(request, result)
        await response.load_body()
        return response


def _wait(retry_after: str | None, attempt: int) -> float:
    if retry_after and retry_after.strip().isdigit():
        return min(float(retry_after), MAX_WAIT_SECONDS)
    return min(BACKOFF_SECONDS * 2.0**attempt, MAX_WAIT_SECONDS)


class ReusedConnectorFactory(ConnectorFactory):  # type: ignore[misc]
    """Builds one connector client per (service URL, audience) and hands it out again."""

    def __init__(self, stock: ConnectorFactory) -> None:
        self._stock = stock
        self._clients: dict[tuple[str, str | None], ConnectorClient] = {}

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        key = (service_url, audience)
        if key not in self._clients:
            # The SDK's factory knows the credentials for this cloud; keep them, not its client.
            stock = await self._stock.create(service_url, audience)
            self._clients[key] = _client(stock.config.credentials, service_url)
        return self._clients[key]

    async def close(self) -> None:
        for client in self._clients.values():
            await client.config.pipeline.__aexit__(None, None, None)
        self._clients.clear()


def _client(credentials: AppCredentials, service_url: str) -> ConnectorClient:
    def pipeline(config: BotFrameworkConnectorConfiguration) -> AsyncPipeline:
        policies = [
            config.user_agent_policy,
            BearerTokenPolicy(credentials),
            RetryPolicy(),
            RawDeserializer(),
        ]
        return AsyncPipeline(policies, AioHTTPSender(_AioHTTPDriver()))

    config = BotFrameworkConnectorConfiguration(credentials, service_url, pipeline_type=pipeline)
    client = ConnectorClient(credentials, service_url, custom_configuration=config)
    client.conversations._serialize = CardSerializer(client._serialize.dependencies)
    return client


class ReusingAuthentication(BotFrameworkAuthentication):  # type: ignore[misc]
    """The SDK's configuration-based authentication, with connectors and token clients reused."""

    def __init__(self, configuration: Any) -> None:
        self._inner = ConfigurationBotFrameworkAuthentication(configuration)
        self._factories: dict[str, ReusedConnectorFactory] = {}
        self._token_clients: dict[str, UserTokenClient] = {}

    async def authenticate_request(
        self, activity: Activity, auth_header: str
    ) -> AuthenticateRequestResult:
        result: AuthenticateRequestResult = await self._inner.authenticate_request(
            activity, auth_header
        )
        result.connector_factory = self.create_connector_factory(result.claims_identity)
        return result

    async def authenticate_streaming_request(self, auth_header: str, channel_id_header: str) -> Any:
        return await self._inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ReusedConnectorFactory:
        key = _app_id(claims_identity)
        if key not in self._factories:
            stock = self._inner.create_connector_factory(claims_identity)
            self._factories[key] = ReusedConnectorFactory(stock)
        return self._factories[key]

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        key = _app_id(claims_identity)
        if key not in self._token_clients:
            self._token_clients[key] = await self._inner.create_user_token_client(claims_identity)
        return self._token_clients[key]

    def create_bot_framework_client(self) -> Any:
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return str(self._inner.get_originating_audience())

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self._inner.authenticate_channel_request(auth_header)

    async def close(self) -> None:
        for factory in self._factories.values():
            await factory.close()


def _app_id(claims_identity: ClaimsIdentity) -> str:
    claims = claims_identity.claims if claims_identity else {}
    return str(claims.get("appid") or claims.get("azp") or claims.get("aud") or "")
