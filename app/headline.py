"""The headline sentence of each page in meeting mode, in the users' words, from figures s11data defines once.

Pure functions over numbers (no Streamlit, no queries): the page reads the figures through its typed reads and
passes them here, so the same fact is worded the same on every page, e.g.

    returns_part(19, 22)                  → '19 of 22 returns'
    grade_part(46.0, 45.2, 'outstanding', '2024-25')   → '46% outstanding (+1 since 2024-25)'
    actions_part(18, 9, 0)                → '9 actions overdue'
    sentence(['19 of 22 returns', '46% outstanding'])  → '19 of 22 returns · 46% outstanding'
"""
from __future__ import annotations

from collections.abc import Iterable

SEPARATOR = " · "
MINUS = "−"


def signed(points: float) -> str:
    """'+1', '−6', '±0' for a change in percentage points (rounded to whole points)."""
    whole = round(points)
    return "±0" if whole == 0 else (f"+{whole}" if whole > 0 else f"{MINUS}{abs(whole)}")


def plural(n: int, one: str, many: str | None = None) -> str:
    """'1 return', '3 returns'."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def returns_part(received: int, expected: int) -> str:
    return f"{received} of {plural(expected, 'return')}" if expected else plural(received, "return")


def grade_part(now: float | None, before: float | None, words: str, before_label: str | None = None,
               first: bool = True) -> str:
    """'46% outstanding (+1 since 2024-25)'; the cycle named only on the first change in a sentence."""
    if now is None:
        return ""
    change = ""
    if before is not None:
        change = f" ({signed(now - before)}" + (f" since {before_label})" if first and before_label else ")")
    return f"{now:.0f}% {words}{change}"


def actions_part(open_: int, overdue: int, undated: int = 0) -> str:
    """'9 actions overdue' · '28 open actions, no due date' (when none of them has one) · 'no action overdue'."""
    if not open_:
        return "no open actions"
    if undated >= open_:
        return f"{plural(open_, 'open action')}, no due date"
    return f"{plural(overdue, 'action')} overdue" if overdue else "no action overdue"


def sentence(parts: Iterable[str]) -> str:
    """The parts that have something to say, joined with ' · '."""
    return SEPARATOR.join(p for p in parts if p)
