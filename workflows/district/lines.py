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
    """The path a table header opens, with the index of every array of tables it is inside:
    [[chains.board.steps.evidence]] inside the second step is
    ('chains', 'board', 'steps', 1, 'evidence', 0)."""
    parts = tuple(part.strip().strip('"') for part in name.split("."))
    path: KeyPath = ()
    for depth in range(1, len(parts) + 1):
        prefix = parts[:depth]
        path = (*path, parts[depth - 1])
        if depth == len(parts) and bracket == "[[":
            index = array_counts.get(prefix, -1) + 1
            array_counts[prefix] = index
            # A new element of an array starts its nested arrays afresh.
            for nested in [key for key in array_counts if key[:depth] == prefix and key != prefix]:
                del array_counts[nested]
            return (*path, index)
        if prefix in array_counts:
            path = (*path, array_counts[prefix])
    return path


def _shared_prefix(left: KeyPath, right: KeyPath) -> int:
    depth = 0
    for a, b in zip(left, right, strict=False):
        if a != b:
            break
        depth += 1
    return depth
