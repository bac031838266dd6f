"""Page addresses: checked when an owner gives one, and compared the way people type them
(scheme, www, case, slashes and tracking parameters do not make two addresses different)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

from workflows.conversation import forms
from workflows.conversation.validation import clean_text
from workflows.kernel.handling import FieldError

URL_MAX = 500
TRACKING = ("utm_", "fbclid", "gclid", "igshid", "mc_", "si", "ref", "_ga", "mibextid")


def comparable(url: str) -> str:
    """A canonical form: host without www or m., path without trailing slash, real query only."""
    text = url.strip()
    parts = urlsplit(text if "://" in text else f"https://{text}")
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    path = parts.path.rstrip("/").lower()
    kept = [(key, value) for key, value in parse_qsl(parts.query) if not _tracking(key)]
    query = f"?{urlencode(sorted(kept)).lower()}" if kept else ""
    return f"{host}{path}{query}"


def _tracking(key: str) -> bool:
    lowered = key.lower()
    prefixes = [name for name in TRACKING if name.endswith("_")]
    return lowered in TRACKING or any(lowered.startswith(prefix) for prefix in prefixes)


def check_url(url: str) -> tuple[str, FieldError | None]:
    """The address trimmed, and a problem if it is not a web address a family could open."""
    address = clean_text(url)
    parts = urlsplit(address)
    if not address:
        return address, FieldError(forms.URL, "Enter the address of the page.")
    if len(address) > URL_MAX:
        return address, FieldError(forms.URL, f"Keep the address under {URL_MAX} characters.")
    if parts.scheme not in {"http", "https"} or "." not in (parts.hostname or ""):
        return address, FieldError(
            forms.URL,
            "Enter the full address, starting with https:// (for example "
            "https://www.facebook.com/LincolnRoom12).",
        )
    return address, None
