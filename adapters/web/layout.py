"""The frame every web page shares, and answers that browsers and caches can keep."""

from __future__ import annotations

import hashlib
from html import escape

from aiohttp import web

from adapters.html import tag

# No scripts at all, styles only from this server, forms only to it, never framed.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def document(title: str, district: str, body: str, nav: str = "") -> str:
    """A whole page: skip link, the district's header, the main content, the footer."""
    header = tag("p", escape(district)) + (tag("nav", nav, aria_label="Site") if nav else "")
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · {escape(district)}</title>"
        '<link rel="stylesheet" href="/web.css"></head><body>'
        + tag("a", "Skip to the content", href="#main", class_="skip")
        + tag("header", header, class_="site")
        + tag("main", body, id="main")
        + tag("footer", "Kept by Pagekeeper for " + escape(district) + ".", class_="site")
        + "</body></html>"
    )


def html_response(
    request: web.Request, html: str, *, status: int = 200, private: bool = False
) -> web.Response:
    """The page with an ETag: a browser or cache holding the same page gets 304 and no body.
    A private page (the dashboard) is never kept by shared caches."""
    body = html.encode()
    etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
    headers = {
        **SECURITY_HEADERS,
        "ETag": etag,
        "Cache-Control": "private, no-cache" if private else "public, no-cache",
    }
    if status == 200 and etag in _tags(request.headers.get("If-None-Match", "")):
        return web.Response(status=304, headers=headers)
    return web.Response(
        body=body, status=status, content_type="text/html", charset="utf-8", headers=headers
    )


def _tags(header: str) -> set[str]:
    return {part.strip().removeprefix("W/") for part in header.split(",") if part.strip()}
