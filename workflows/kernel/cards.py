"""Neutral cards: what the bot says, before any platform decides how it looks.

Slack renders a card as Block Kit, Teams as an Adaptive Card, the playground as HTML. Every
card also has a plain-text form for notifications, screen readers and text-only surfaces.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from workflows.kernel.policy import Clause


class InputKind(StrEnum):
    TEXT = "text"
    MULTILINE = "multiline"
    URL = "url"
    CHOICE = "choice"
    PEOPLE = "people"
    CHECKBOX = "checkbox"
    NUMBER = "number"
    DATE = "date"


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Input:
    """One field of a form. `name` is the field the engine reports errors against."""

    name: str
    label: str
    kind: InputKind = InputKind.TEXT
    required: bool = True
    options: tuple[Option, ...] = ()
    initial: str | tuple[str, ...] = ""
    hint: str = ""
    max_length: int = 0

    def matching(self, typed: str) -> tuple[Option, ...]:
        """The options whose label contains `typed` (in any case), in their order: what a
        searched choice offers as the person types."""
        wanted = typed.strip().casefold()
        return tuple(option for option in self.options if wanted in option.label.casefold())


@dataclass(frozen=True)
class Form:
    """A set of inputs submitted together as one action."""

    title: str
    action: str
    value: str
    submit_label: str
    inputs: tuple[Input, ...]
    intro: str = ""


class ButtonStyle(StrEnum):
    DEFAULT = "default"
    PRIMARY = "primary"
    DANGER = "danger"


@dataclass(frozen=True)
class Button:
    """A button; when `form` is set, clicking opens that form instead of acting at once;
    when `url` is set, it opens that address (a sign-in link) and nothing else happens."""

    label: str
    action: str
    value: str
    style: ButtonStyle = ButtonStyle.DEFAULT
    form: Form | None = None
    url: str = ""


@dataclass(frozen=True)
class Field:
    label: str
    value: str


@dataclass(frozen=True)
class Section:
    """A titled block of text; `copyable` text is meant to be pasted somewhere verbatim."""

    heading: str
    text: str
    copyable: bool = False


class StepState(StrEnum):
    DONE = "done"
    CURRENT = "current"
    LATER = "later"
    STOPPED = "stopped"


@dataclass(frozen=True)
class StepLine:
    """One step of a process a card follows (an approval chain): where it stands, in words."""

    label: str
    state: StepState
    detail: str = ""

    def plain_text(self) -> str:
        mark = {
            StepState.DONE: "[done]",
            StepState.CURRENT: "[now]",
            StepState.STOPPED: "[stopped]",
        }
        prefix = mark.get(self.state, "[later]")
        return f"{prefix} {self.label}" + (f": {self.detail}" if self.detail else "")


@dataclass(frozen=True)
class Card:
    title: str
    text: str = ""
    fields: tuple[Field, ...] = ()
    sections: tuple[Section, ...] = ()
    buttons: tuple[Button, ...] = ()
    clause: Clause | None = None
    progress: tuple[StepLine, ...] = ()

    def plain_text(self) -> str:
        """The whole card as plain text, for surfaces that cannot show it natively."""
        parts = [self.title]
        if self.text:
            parts.append(self.text)
        if self.progress:
            parts.append("\n".join(line.plain_text() for line in self.progress))
        parts.extend(f"{field.label}: {field.value}" for field in self.fields)
        parts.extend(f"{section.heading}\n{section.text}" for section in self.sections)
        if self.buttons:
            parts.append("Actions: " + ", ".join(button.label for button in self.buttons))
        if self.clause:
            parts.append(f"Rule: {self.clause}")
        return "\n\n".join(parts)
