"""Which handler carries out which command, typed so a handler can only be registered for the
command it takes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from workflows.kernel.handling import Context, Handled

C = TypeVar("C")
Handler = Callable[[C, Context], Awaitable[Handled]]


class Handlers:
    """Command types and their handlers; `add` checks (with mypy) that they belong together."""

    def __init__(self) -> None:
        self._by_type: dict[type, Handler[Any]] = {}
        self._reading: set[type] = set()
        self._alone: set[type] = set()

    def add(
        self,
        kind: type[C],
        handler: Handler[C],
        *,
        reads_only: bool = False,
        alone: bool = False,
    ) -> Handlers:
        """Register `handler` for `kind`; `reads_only` for a handler that changes no record (a
        report): the engine runs it beside other commands rather than in turn with them;
        `alone` for one that changes many records at once (a batch): it runs with no other
        command beside it, so a click on one of its records cannot send it back to the start."""
        if kind in self._by_type:
            raise ValueError(f"{kind.__name__} already has a handler")
        if reads_only and alone:
            raise ValueError(f"{kind.__name__}: a report takes no turn, so none alone either")
        self._by_type[kind] = handler
        if reads_only:
            self._reading.add(kind)
        if alone:
            self._alone.add(kind)
        return self

    def reads_only(self, command: object) -> bool:
        """Whether `command`'s handler changes no record."""
        return type(command) in self._reading

    def alone(self, command: object) -> bool:
        """Whether `command` runs with no other command beside it."""
        return type(command) in self._alone

    def handler_for(self, command: C) -> Handler[C]:
        """The handler registered for `command`'s type; KeyError names a missing one."""
        try:
            return self._by_type[type(command)]
        except KeyError:
            raise KeyError(f"no handler for {type(command).__name__}") from None

    @property
    def kinds(self) -> frozenset[type]:
        return frozenset(self._by_type)
