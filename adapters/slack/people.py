"""Who is who in Slack: a user's work email and title, and the user behind an email."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from workflows.delivery.messenger import Unreachable
from workflows.kernel.model import Person


class SlackPeople:
    """Looks people up through the Web API once, then remembers them for this process."""

    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client
        self._people: dict[str, Person] = {}
        self._user_ids: dict[str, str] = {}

    async def person(self, user_id: str) -> Person:
        """The Slack user as a Person; the email is empty when Slack does not share it."""
        if user_id not in self._people:
            response = await self._client.users_info(user=user_id)
            user = response["user"]
            profile = user.get("profile", {})
            email = str(profile.get("email", "")).lower()
            name = profile.get("real_name") or user.get("real_name") or user.get("name", "")
            self._people[user_id] = Person(email, str(name), str(profile.get("title", "")))
            if email:
                self._user_ids[email] = user_id
        return self._people[user_id]

    async def user_id(self, email: str) -> str:
        """The Slack user with this work email; Unreachable if there is none."""
        if email not in self._user_ids:
            try:
                response = await self._client.users_lookupByEmail(email=email)
            except SlackApiError as error:
                if error.response.get("error") == "users_not_found":
                    raise Unreachable(f"no Slack account uses {email}") from None
                raise
            self._user_ids[email] = str(response["user"]["id"])
        return self._user_ids[email]

    async def known_user_ids(self, emails: tuple[str, ...]) -> dict[str, str]:
        """Slack ids for the emails that have one (used to pre-fill people pickers)."""
        found = {}
        for email in emails:
            try:
                found[email] = await self.user_id(email)
            except Unreachable:
                continue
        return found
