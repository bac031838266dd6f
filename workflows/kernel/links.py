"""Where the district's web pages live, so every link the bot sends starts at one address."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Links:
    """Addresses on the district's Pagekeeper site. `base` is PAGEKEEPER_PUBLIC_URL (or, in
    local mode, the bot's own address); empty when the district has no web pages, so nothing
    links to them."""

    base: str = ""

    @property
    def on(self) -> bool:
        """The public directory and the dashboard are served."""
        return bool(self.base)

    @property
    def secure(self) -> bool:
        """Reached over https (cookies may be marked Secure; only local mode's is not)."""
        return not self.base.startswith("http://")

    @property
    def origin(self) -> str:
        """Scheme and host, as browsers name the site in an Origin header."""
        scheme, _, rest = self.base.partition("://")
        return f"{scheme}://{rest.split('/')[0]}"

    def directory(self) -> str:
        return f"{self.base}/official"

    def official_page(self, page_id: str) -> str:
        """A page's short, stable public address: its notices, owners and contact."""
        return f"{self.base}/official/{page_id}"

    def dashboard(self, path: str = "") -> str:
        return f"{self.base}/dashboard{path}"

    def sign_in(self, token: str) -> str:
        return f"{self.base}/dashboard/sign-in/{token}"


# No web pages: the default for an engine built without a public address (tests, tools).
NO_LINKS = Links()
