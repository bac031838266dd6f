"""The Teams app package: manifest.json and two icons in a zip, ready to upload to Teams."""

from __future__ import annotations

import json
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

from workflows.conversation.slash_commands import COMMANDS

MANIFEST_VERSION = "1.17"
SCHEMA = f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
Colour = tuple[int, int, int, int]
BRAND: Colour = (31, 78, 121, 255)  # the district blue of the Slack manifest
WHITE: Colour = (255, 255, 255, 255)
PNG = b"\x89PNG\r\n\x1a\n"


def write_package(path: Path, *, app_id: str, domain: str, version: str = "1.0.0") -> Path:
    """Write the zip to `path`; `domain` is where Pagekeeper is reachable (for validDomains)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(manifest(app_id, domain, version), indent=2))
        package.writestr("color.png", _icon(192, BRAND, WHITE))
        package.writestr("outline.png", _icon(32, None, WHITE))
    return path


def manifest(app_id: str, domain: str, version: str) -> dict[str, Any]:
    commands = [{"title": name, "description": text} for name, text in COMMANDS.items()]
    return {
        "$schema": SCHEMA,
        "manifestVersion": MANIFEST_VERSION,
        "version": version,
        "id": app_id,
        "developer": {
            "name": "Pagekeeper",
            "websiteUrl": f"https://{domain}",
            "privacyUrl": f"https://{domain}",
            "termsOfUseUrl": f"https://{domain}",
        },
        "name": {"short": "Pagekeeper", "full": "Pagekeeper: official district social media"},
        "description": {
            "short": "Request and run official district social media pages.",
            "full": (
                "Ask for an official district social media page, get it approved by the right "
                "person, and receive the notice text and posting disclaimer the district's "
                "regulation requires."
            ),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*BRAND[:3]),
        "bots": [
            {
                "botId": app_id,
                "scopes": ["personal"],
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [{"scopes": ["personal"], "commands": commands}],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [domain],
    }


def _icon(size: int, background: Colour | None, ink: Colour) -> bytes:
    """A square PNG: the outline of a page with three lines of text, in `ink`."""
    rows = [
        b"\x00" + b"".join(_pixel(size, x, y, background, ink) for x in range(size))
        for y in range(size)
    ]
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    image = zlib.compress(b"".join(rows))
    return PNG + _chunk(b"IHDR", header) + _chunk(b"IDAT", image) + _chunk(b"IEND", b"")


def _pixel(size: int, x: int, y: int, background: Colour | None, ink: Colour) -> bytes:
    stroke = max(1, size // 48)
    left, right, top, bottom = size // 4, size - size // 4, size // 8, size - size // 8
    on_edge = (
        left <= x < right and (top <= y < top + stroke or bottom - stroke <= y < bottom)
    ) or (top <= y < bottom and (left <= x < left + stroke or right - stroke <= x < right))
    on_text = left + 3 * stroke <= x < right - 3 * stroke and any(
        abs(y - size * k // 100) < stroke for k in (35, 50, 65)
    )
    if on_edge or on_text:
        return bytes(ink)
    return bytes(background) if background else b"\x00\x00\x00\x00"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
