"""Typed, path-aware access to parsed TOML, raising `ConfigProblem` at the first bad value."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from workflows.district.lines import KeyPath
from workflows.kernel.model import is_email

_IDENTIFIER = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")


class ConfigProblem(Exception):
    """A value at `path` is wrong; the loader turns this into file:line: message."""

    def __init__(self, path: KeyPath, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def dotted(path: KeyPath) -> str:
    """('schools', 1, 'principals') -> 'schools[2].principals' (1-based for people)."""
    text = ""
    for part in path:
        text += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


class Table:
    """One TOML table. Every key must be read or it is reported as unknown by `finish()`."""

    def __init__(self, data: dict[str, Any], path: KeyPath = ()) -> None:
        self._data = data
        self._path = path
        self._known: set[str] = set()

    @property
    def path(self) -> KeyPath:
        return self._path

    def problem(self, key: str | None, message: str) -> ConfigProblem:
        return ConfigProblem(self._path if key is None else (*self._path, key), message)

    def _get(self, key: str, kind: type, kind_name: str, default: Any = None) -> Any:
        self._known.add(key)
        if key not in self._data:
            typo = difflib.get_close_matches(key, [k for k in self._data if k not in self._known])
            if typo:
                raise self.problem(
                    typo[0],
                    f"unknown setting '{dotted((*self._path, typo[0]))}'; did you mean '{key}'?",
                )
            if default is None:
                where = f"[{dotted(self._path)}]" if self._path else "the top level"
                raise self.problem(None, f"'{key}' is missing from {where}")
            return default
        value = self._data[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.problem(key, f"{dotted((*self._path, key))} must be {kind_name}")
        return value

    def text(self, key: str, default: str | None = None) -> str:
        value: str = self._get(key, str, "text in quotes", default)
        if default is None and not value.strip():
            raise self.problem(key, f"{dotted((*self._path, key))} must not be empty")
        return value.strip()

    def flag(self, key: str, default: bool | None = None) -> bool:
        value: bool = self._get(key, bool, "true or false", default)
        return value

    def identifier(self, key: str) -> str:
        value = self.text(key)
        if not _IDENTIFIER.match(value):
            raise self.problem(
                key,
                f"{dotted((*self._path, key))} must use lower-case letters, digits, - and _ "
                f"(got {value!r})",
            )
        return value

    def email(self, key: str, default: str | None = None) -> str:
        value = self.text(key, default)
        if value and not is_email(value):
            raise self.problem(key, f"{dotted((*self._path, key))}: {value!r} is not an email")
        return value.lower()

    def emails(self, key: str) -> tuple[str, ...]:
        values: list[Any] = self._get(key, list, "a list of emails", [])
        result = []
        for value in values:
            if not isinstance(value, str) or not is_email(value):
                raise self.problem(key, f"{dotted((*self._path, key))}: {value!r} is not an email")
            result.append(value.strip().lower())
        return tuple(result)

    def optional_count(self, key: str) -> int | None:
        if key not in self._data:
            self._known.add(key)
            return None
        return self.count(key, 1)

    def count(self, key: str, default: int) -> int:
        """A whole number of at least 1 (days, times...)."""
        value: int = self._get(key, int, "a whole number", default)
        if value < 1:
            raise self.problem(key, f"{dotted((*self._path, key))} must be 1 or more")
        return value

    def words(self, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        values: list[Any] = self._get(key, list, "a list of words in quotes", list(default))
        if not all(isinstance(value, str) for value in values):
            raise self.problem(
                key, f"{dotted((*self._path, key))} must be a list of words in quotes"
            )
        return tuple(value.strip().lower() for value in values)

    def choice(self, key: str, options: tuple[str, ...], default: str) -> str:
        """One of `options` (the first is not implied: `default` is)."""
        value = self.text(key, default)
        if value not in options:
            close = difflib.get_close_matches(value, options, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise self.problem(
                key,
                f"{dotted((*self._path, key))} must be one of {', '.join(options)}, "
                f"not {value!r}{hint}",
            )
        return value

    def date(self, key: str, default: date | None = None) -> date:
        """A TOML date (2026-12-21, no quotes)."""
        self._known.add(key)
        if key not in self._data:
            if default is not None:
                return default
            raise self.problem(None, f"'{key}' is missing from [{dotted(self._path)}]")
        value = self._data[key]
        if not isinstance(value, date) or isinstance(value, datetime):
            raise self.problem(
                key, f"{dotted((*self._path, key))} must be a date like 2026-12-21 (no quotes)"
            )
        return value

    def optional_number(self, key: str) -> float | None:
        self._known.add(key)
        if key not in self._data:
            return None
        value = self._data[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.problem(key, f"{dotted((*self._path, key))} must be a number")
        return float(value)

    def optional_tables(self, key: str) -> Iterator[Table]:
        """Like `tables`, but the key may be left out."""
        self._known.add(key)
        if key in self._data:
            yield from self.tables(key)

    def optional_named_tables(self, key: str) -> Iterator[tuple[str, Table]]:
        """Like `named_tables`, but the key may be left out."""
        self._known.add(key)
        if key in self._data:
            yield from self.named_tables(key)

    def has(self, key: str) -> bool:
        return key in self._data

    def holds_table(self, key: str) -> bool:
        """`key` is set to a table (`key = { ... }` or `[...key]`), not a plain value."""
        return isinstance(self._data.get(key), dict)

    def names(self) -> list[str]:
        """The keys this table holds, as written."""
        return list(self._data)

    def words_as_given(self, key: str) -> tuple[str, ...]:
        """A list of texts, kept as written (trimmed), empty when left out."""
        values: list[Any] = self._get(key, list, "a list of texts in quotes", [])
        if not all(isinstance(value, str) and value.strip() for value in values):
            raise self.problem(key, f"{dotted((*self._path, key))} must be a list of texts")
        return tuple(value.strip() for value in values)

    def optional_table(self, key: str) -> Table | None:
        if key not in self._data:
            self._known.add(key)
            return None
        return self.table(key)

    def table(self, key: str) -> Table:
        value: dict[str, Any] = self._get(key, dict, "a table, like [" + key + "]")
        return Table(value, (*self._path, key))

    def tables(self, key: str) -> Iterator[Table]:
        """The entries of an array of tables ([[key]]), each checked to be a table."""
        values: list[Any] = self._get(key, list, f"a list of [[{key}]] tables")
        if not values:
            raise self.problem(key, f"at least one [[{key}]] entry is needed")
        for index, value in enumerate(values):
            if not isinstance(value, dict):
                raise ConfigProblem((*self._path, key, index), f"{key} entries must be tables")
            yield Table(value, (*self._path, key, index))

    def named_tables(self, key: str) -> Iterator[tuple[str, Table]]:
        """The sub-tables of a table of tables ([key.name]), each with its name."""
        parent = self.table(key)
        if not parent._data:
            raise self.problem(key, f"at least one [{key}.<name>] table is needed")
        for name, value in parent._data.items():
            parent._known.add(name)
            if not isinstance(value, dict):
                raise parent.problem(name, f"{key}.{name} must be a table, like [{key}.{name}]")
            if not _IDENTIFIER.match(name):
                raise parent.problem(name, f"{key}.{name}: names use lower-case letters and _")
            yield name, Table(value, (*parent.path, name))

    def expect(self, *keys: str) -> None:
        """Declare the keys this table may hold and report any other at once."""
        self._known.update(keys)
        self.finish()
        self._known.difference_update(keys)

    def finish(self) -> None:
        """Report the first key nobody read: almost always a typo."""
        for key in self._data:
            if key not in self._known:
                close = difflib.get_close_matches(key, sorted(self._known), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                raise self.problem(key, f"unknown setting '{dotted((*self._path, key))}'{hint}")
