"""Errors whose message is written for the person who caused them (shown as is, never as a stack trace)."""
from __future__ import annotations

import enum
from typing import TypeVar

E = TypeVar("E", bound=enum.Enum)


class UserError(Exception):
    """Something the user can fix; the message says what and how."""


def one_of(kind: type[E], value: object, what: str) -> E:
    """`value` as a member of the enum `kind`, or a UserError naming `what` it should be and the allowed values."""
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(str(member.value) for member in kind)
        raise UserError(f"'{value}' is not {what}; use one of: {allowed}.") from None


TEXT_MAX = 4000
"""The longest free text a form or file may give (a recommendation, a progress update, a question)."""


def checked_text(value: str | None, what: str, *, required: bool = False, limit: int = TEXT_MAX) -> str:
    """`value` stripped, or a UserError when it is required and blank or longer than `limit`."""
    value = (value or "").strip()
    if required and not value:
        raise UserError(f"Write the {what}.")
    if len(value) > limit:
        raise UserError(f"The {what} is {len(value)} characters; keep it under {limit}.")
    return value
