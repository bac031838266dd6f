"""Page addresses: read the way browsers read them, checked against the page's platform, kept
in one normal form, and compared the way people type them (scheme, www, case, slashes,
tracking and share-link parameters do not make two addresses different).

A browser decides where an address goes (the WHATWG URL rules), so this does too where it
matters: a backslash ends the host, tabs and line breaks are dropped, and anything before an
@ is a user name, which an official address never has. Hosts that are numbers (IP
addresses) or mix scripts (a Cyrillic letter in a Latin name) are refused.
"""

from __future__ import annotations

import ipaddress
import unicodedata
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from workflows.conversation import forms
from workflows.conversation.validation import clean_text
from workflows.district.config import DistrictConfig, Platform
from workflows.kernel.handling import FieldError

URL_MAX = 500
HANDLE_MAX = 100
TRACKING = (
    "utm_",
    "fbclid",
    "gclid",
    "igshid",
    "igsh",
    "mc_",
    "si",
    "ref",
    "_ga",
    "mibextid",
)
EXAMPLE = "https://www.facebook.com/LincolnRoom12"


class AddressProblem(ValueError):
    """Why a text is not an address a family could safely open, in plain words."""


@dataclass(frozen=True)
class Parsed:
    host: str
    path: str
    query: tuple[tuple[str, str], ...]


def check_url(url: str, platform: Platform | None = None) -> tuple[str, FieldError | None]:
    """The address in its normal form, and a problem if it is not a web address a family
    could open on the page's platform (`platform` None: any https site)."""
    text = clean_text(url)
    if not text:
        return text, FieldError(forms.URL, "Enter the address of the page.")
    if len(text) > URL_MAX:
        return text, FieldError(forms.URL, f"Keep the address under {URL_MAX} characters.")
    try:
        return normal(text, platform), None
    except AddressProblem as problem:
        return text, FieldError(forms.URL, str(problem))


def normal(text: str, platform: Platform | None) -> str:
    """The one form an address is kept in: https, the platform's own host, the page's path,
    and only the query that names the page (share and tracking parameters dropped)."""
    if text.startswith("@"):
        return _from_handle(text[1:], platform)
    parsed = parse(text)
    host = _platform_host(parsed, platform)
    noise = platform.share_parameters if platform else ()
    kept = [(key, value) for key, value in parsed.query if not _noise(key, noise)]
    query = f"?{urlencode(kept)}" if kept else ""
    return f"https://{host}{parsed.path}{query}"


def parse(text: str) -> Parsed:
    """Host, path and query of an address as a browser would read it; AddressProblem when a
    browser would go somewhere other than it seems, or nowhere."""
    cleaned = "".join(ch for ch in text.strip() if ch not in "\t\n\r")
    scheme, separator, rest = cleaned.partition("://")
    if not separator or not scheme.isalpha():
        scheme, rest = "https", cleaned  # typed without one, as apps show addresses
    if scheme.lower() not in ("http", "https"):
        raise AddressProblem(f"Enter a web address starting with https:// (for example {EXAMPLE}).")
    rest = rest.replace("\\", "/")  # browsers read a backslash as a slash in web addresses
    end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority, remainder = rest[:end], rest[end:]
    if "@" in authority:
        raise AddressProblem(
            "That address has a user name before the site (the part before @), which sends "
            "browsers somewhere else. Enter the page's own address."
        )
    host, port = authority, ""
    if authority.count(":") == 1:
        host, _, port = authority.partition(":")
    if port and not port.isdigit():  # "javascript:...", "mailto:...": not a web address
        raise AddressProblem(f"Enter a web address starting with https:// (for example {EXAMPLE}).")
    if port and port not in ("80", "443"):
        raise AddressProblem("Enter the address without a port number.")
    parts = urlsplit(
        "https://placeholder" + (remainder if remainder.startswith("/") else "/" + remainder)
    )
    path = "/" + "/".join(segment for segment in parts.path.split("/") if segment)
    return Parsed(_host(host), "" if path == "/" else path, tuple(parse_qsl(parts.query)))


def possible_addresses(config: DistrictConfig, text: str) -> list[str]:
    """What a typed address, share link or @handle may stand for (an @handle: the page of
    that handle on each platform that has handles), in normal form."""
    cleaned = clean_text(text)
    if cleaned.startswith("@"):
        found = []
        for with_handles in (p for p in config.platforms if p.handle_url):
            try:
                found.append(_from_handle(cleaned[1:], with_handles))
            except AddressProblem:
                continue
        return found
    try:
        parsed = parse(cleaned)
        on = next((p for p in config.platforms if p.hosts and _on(parsed.host, p.hosts)), None)
        return [normal(cleaned, on)]
    except AddressProblem:
        return []


def comparable(url: str) -> str:
    """A canonical form: host without www or m., path without trailing slash, real query only."""
    text = url.strip()
    parts = urlsplit(text if "://" in text else f"https://{text}")
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    path = parts.path.rstrip("/").lower()
    kept = [(key, value) for key, value in parse_qsl(parts.query) if not _tracking(key)]
    query = f"?{urlencode(sorted(kept)).lower()}" if kept else ""
    return f"{host}{path}{query}"


def _from_handle(handle: str, platform: Platform | None) -> str:
    if platform is None or not platform.handle_url:
        where = platform.label if platform else "this platform"
        raise AddressProblem(f"Enter the page's full address: {where} has no @handles.")
    if not (0 < len(handle) <= HANDLE_MAX) or not all(
        ch.isascii() and (ch.isalnum() or ch in "._-") for ch in handle
    ):
        raise AddressProblem(f"@{handle[:HANDLE_MAX]} is not a {platform.label} handle.")
    return platform.handle_url.format(handle=handle)


def _platform_host(parsed: Parsed, platform: Platform | None) -> str:
    if platform is None or not platform.hosts:
        if "." not in parsed.host:
            raise AddressProblem(f"Enter the full address (for example {EXAMPLE}).")
        return parsed.host
    if not _on(parsed.host, platform.hosts):
        raise AddressProblem(
            f"That address is not on {platform.label}: {platform.label} pages are at "
            + " or ".join(_bare(host) for host in platform.hosts)
            + "."
        )
    first = parsed.path.split("/")[1].lower() if parsed.path else ""
    if not first or first in platform.not_pages:
        raise AddressProblem(
            f"That is not the address of a page on {platform.label} (it is the site itself, "
            "a post, a search or a sign-in). Open the page and copy its address."
        )
    base = next(_bare(host) for host in platform.hosts if _on(parsed.host, (host,)))
    subdomain = parsed.host.removesuffix(base).removesuffix(".")
    # The platform's own address for the page: its first host, for www., m. or none.
    return parsed.host if subdomain not in ("", "www", "m", "mobile") else platform.hosts[0]


def _bare(host: str) -> str:
    return host.removeprefix("www.")


def _on(host: str, hosts: tuple[str, ...]) -> bool:
    return any(host == _bare(known) or host.endswith("." + _bare(known)) for known in hosts)


def _host(raw: str) -> str:
    host = raw.strip().strip(".").lower()
    if not host:
        raise AddressProblem(f"Enter the full address (for example {EXAMPLE}).")
    if _is_ip(host):
        raise AddressProblem("Enter the page's address by name, not a numeric IP address.")
    try:
        ascii_host = host.encode("idna").decode("ascii")
        readable = ascii_host.encode("ascii").decode("idna")
    except UnicodeError:
        raise AddressProblem("That address has characters no web address can have.") from None
    for label in readable.split("."):
        if len(_scripts(label)) > 1:
            raise AddressProblem(
                "That address mixes alphabets (for example a Cyrillic letter that looks Latin), "
                "a common trick. Type the address yourself, or copy it from the page."
            )
    return ascii_host


def _is_ip(host: str) -> bool:
    if host.startswith("["):
        return True
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    # Browsers also read hosts like 2130706433, 0x7f.1 or 127.1 as IPv4 addresses.
    last = host.rsplit(".", 1)[-1]
    return bool(last) and (last.isdigit() or last.lower().startswith("0x"))


def _scripts(label: str) -> set[str]:
    """The alphabets a host label's letters come from (digits and hyphens belong to none)."""
    scripts = set()
    for char in label:
        if char.isalpha():
            scripts.add(unicodedata.name(char, "UNKNOWN").split(" ")[0])
    return scripts


def _noise(key: str, share_parameters: tuple[str, ...]) -> bool:
    return _tracking(key) or key.lower() in share_parameters


def _tracking(key: str) -> bool:
    lowered = key.lower()
    prefixes = [name for name in TRACKING if name.endswith("_")]
    return lowered in TRACKING or any(lowered.startswith(prefix) for prefix in prefixes)
