"""Find the line of a TOML file that a configuration problem points at.

`tomllib` reports positions only for syntax errors; for a value that parses but makes no
sense we walk the text to the table and key named by the value's path.
"""

from __future__ import annotations

import re

KeyPath = tuple[str | int, ...]

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")
_KEY = re.compile(r"""^\s*("?)([A-Za-z0-9_\-]+)\1\s*=""")


def line_of(text: str, path: KeyPath) -> int:
    """The 1-based line where `path` (e.g. ("schools", 1, "principals")) is set, best effort."""
    best_line, best_depth = 1, 0
    section: KeyPath = ()
    array_counts: dict[tuple[str, ...], int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            section = _section_path(header.group(1), header.group(2), array_counts)
            depth = _shared_prefix(section, path)
            if depth == len(section) and depth > best_depth:
                best_line, best_depth = number, depth
            continue
        key = _KEY.match(line)
        if key:
            depth = _shared_prefix((*section, key.group(2)), path)
            if depth == len(section) + 1 and depth > best_depth:
                best_line, best_depth = number, depth
    return best_line


def _section_path(bracket: str, name: str, array_counts: dict[tuple[str, ...], int]) -> KeyPath:
    parts = tuple(part.strip().strip('"') for part in name.split("."))
    if bracket == "[[":
        index = array_counts.get(parts, -1) + 1
        array_counts[parts] = index
        return (*parts, index)
    return parts


def _shared_prefix(left: KeyPath, right: KeyPath) -> int:
    depth = 0
    for a, b in zip(left, right, strict=False):
        if a != b:
            break
        depth += 1
    return depth
