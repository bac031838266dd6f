"""Answers to a district's own questions (request fields, evidence with a decision), checked
by kind, every problem at once, each on its field."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from workflows.conversation.forms import CONFIRMED
from workflows.conversation.validation import clean_text
from workflows.kernel.handling import FieldError
from workflows.kernel.model import Answer, AnswerKind, Question

YES = ("yes", "true", "on")
NO = ("no", "false", "off")


def check_answers(
    questions: tuple[Question, ...], given: Mapping[str, str]
) -> tuple[tuple[Answer, ...], tuple[FieldError, ...]]:
    """The answers to `questions` found in `given` (form values by field), cleaned, and a
    problem for each one that is missing or not what the question asks for."""
    answers, errors = [], []
    for question in questions:
        raw = given.get(question.id, "")
        value, problem = _check(question, raw if isinstance(raw, str) else str(raw))
        if problem:
            errors.append(FieldError(question.id, problem))
        elif value:
            answers.append(Answer(question.id, question.label, value))
    return tuple(answers), tuple(errors)


def _check(question: Question, raw: str) -> tuple[str, str]:
    """(the value to keep, a problem in plain words or "")."""
    multiline = question.kind is AnswerKind.LONG_TEXT
    value = clean_text(raw, multiline=multiline)
    if question.id == CONFIRMED:
        if value.lower() in YES:
            return "Yes", ""
        return "", f"Please confirm: {question.label}"
    if not value:
        return "", f"Please answer: {question.label}" if question.required else ""
    if question.kind in (AnswerKind.TEXT, AnswerKind.LONG_TEXT):
        limit = question.max_length
        if limit and len(value) > limit:
            return "", f"Keep this under {limit} characters (it has {len(value)})."
        return value, ""
    if question.kind is AnswerKind.CHOICE:
        match = next((c for c in question.choices if c.casefold() == value.casefold()), None)
        return (match, "") if match else ("", "Choose one of the listed answers.")
    if question.kind is AnswerKind.YES_NO:
        if value.lower() in YES:
            return "Yes", ""
        return ("No", "") if value.lower() in NO else ("", "Answer yes or no.")
    if question.kind is AnswerKind.NUMBER:
        return _number(question, value)
    return _date(value)


def _number(question: Question, value: str) -> tuple[str, str]:
    try:
        number = float(value)
    except ValueError:
        return "", "Enter a number, like 3."
    if number != number or number in (float("inf"), float("-inf")):  # NaN or infinite
        return "", "Enter a number, like 3."
    low, high = question.minimum, question.maximum
    if low is not None and number < low:
        return "", f"Enter {_shown(low)} or more."
    if high is not None and number > high:
        return "", f"Enter {_shown(high)} or less."
    return _shown(number), ""


def _date(value: str) -> tuple[str, str]:
    try:
        return date.fromisoformat(value).isoformat(), ""
    except ValueError:
        return "", "Enter a date like 2026-12-01."


def _shown(number: float) -> str:
    return str(int(number)) if number.is_integer() else str(number)
