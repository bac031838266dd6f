"""Page addresses compared the way people type them: scheme, www, case, slashes and tracking
parameters do not make two addresses different."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

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
