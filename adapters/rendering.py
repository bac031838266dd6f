"""Rendering shared by the adapters: the blank forms the core hands out are rendered once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from workflows.kernel.cards import Form

R = TypeVar("R")


class RenderedOnce(Generic[R]):
    """The last form rendered, by identity: the core hands out the same blank form object
    until the district file changes, so hashing the whole form on every command is avoided."""

    def __init__(self, render: Callable[[Form], R]) -> None:
        self._render = render
        self._last: tuple[Form, R] | None = None

    def __call__(self, form: Form) -> R:
        if self._last is None or self._last[0] is not form:
            self._last = (form, self._render(form))
        return self._last[1]
