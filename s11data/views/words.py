"""The users' words for every table, chart and download: one mapping of fields to headings, dates as "3 Oct 2025",
days as "5 days overdue", blanks as "—", sources as citations (`s11data.citations`).

    people = words.for_people(frame, reports=citations.report_names(session, scope))

`for_people` is what a page (or a drafted report) shows and offers as a download; `s11 export` keeps the field
names of its contract (DESIGN §3) and never goes through here.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

import pandas as pd

from s11data.views.citations import cite

BLANK = "—"
"""An empty cell, as shown to people (never "None", never an empty string that reads as a mistake)."""

HEADINGS: dict[str, str] = {
    "response_rate": "% of expected returns received",
    "days_to_due": "due",
    "due": "due date",
    "made_by": "made by",
    "days_since_contact": "days since last contact",
    "last_contact_on": "last contacted",
    "last_contact": "last contact by",
    "last contact": "last contacted",
    "returns_due": "returns due",
    "invited_on": "invited on",
    "recorded_by": "recorded by",
    "entered_at": "entered",
    "theme_green": "theme % green",
    "next_cycle": "next cycle",
    "next_theme_green": "next cycle's % green",
    "theme_change": "theme change",
    "last_update_on": "last update",
    "last_update": "latest progress",
    "updates": "updates",
    "column_label": "text",
    "section_title": "section title",
    "last_cycle": "last cycle",
    "return": "return received",
    "returns": "returns received",
    "submitted": "returns received",
    "source": "source",
}
"""Field → heading, where the field's own name is not already a word people use (the rest: '_' → ' ')."""

DATE_FIELDS = frozenset({"due", "date", "invited_on", "last_contact_on", "last contact", "last_update_on",
                         "returns_due", "entered_at", "created", "at", "submitted_on", "published_on"})
"""Fields holding a date (or a date and time) written as ISO text or as a date."""

OPEN_STATUSES = frozenset({"open", "in progress", "not started"})
_ISO = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?(?:[ T](\d{2}):(\d{2}))?")


def heading(field: str) -> str:
    """The heading of a field, e.g. 'days_to_due' → 'due', 'section_title' → 'section title'."""
    return HEADINGS.get(field, field.replace("_", " "))


def day(value: object) -> str:
    """A date as people write it: '3 Oct 2025'; a month-only date '2024-01' → 'Jan 2024'; a date and time keeps
    its time ('1 Dec 2026 22:29'); blank → '—'. Text that is not a date is returned as it is."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT or value == "":
        return BLANK
    if isinstance(value, dt.datetime):
        return f"{value.day} {value:%b %Y %H:%M}"
    if isinstance(value, dt.date):
        return f"{value.day} {value:%b %Y}"
    match = _ISO.match(str(value))
    if not match:
        return str(value)
    year, month, dayno, hour, minute = match.groups()
    month_name = dt.date(int(year), int(month), 1).strftime("%b")
    text = f"{int(dayno)} {month_name} {year}" if dayno else f"{month_name} {year}"
    return f"{text} {hour}:{minute}" if hour else text


def days_phrase(days: object, status: str | None = None) -> str:
    """When an action is due, from its days to the due date: '5 days overdue', 'due today', 'due in 1 day';
    'no due date' when it has none; '—' once it is no longer open (complete or superseded)."""
    if status is not None and str(status) not in OPEN_STATUSES:
        return BLANK
    if days is None or pd.isna(days):
        return "no due date"
    n = int(days)
    if n == 0:
        return "due today"
    unit = "day" if abs(n) == 1 else "days"
    return f"{-n:,} {unit} overdue" if n < 0 else f"due in {n:,} {unit}"


def number(value: object) -> str:
    """A number as text beside blanks in the same column (a table column holds one type): '54.5', '3', '—'."""
    if value is None or pd.isna(value):
        return BLANK
    as_float = float(value)
    return f"{int(as_float):,}" if as_float.is_integer() else f"{round(as_float, 1):,}"


def _cell(value: object, reports: Mapping[str, str]) -> object:
    if value is None or value is pd.NA or value is pd.NaT or value == "":
        return BLANK
    if isinstance(value, float) and pd.isna(value):
        return BLANK
    if isinstance(value, dt.date):
        return day(value)
    return cite(value, reports) if isinstance(value, str) else value


def for_people(frame: pd.DataFrame, reports: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The frame as people read it: fields headed in their words, dates as '3 Oct 2025', days to a due date as
    '5 days overdue', blanks as '—' and file ids as report citations. Numbers stay numbers; a numeric column with
    blanks becomes text ('54.5', '—'), since a table column holds one type."""
    reports = reports or {}
    out = pd.DataFrame(index=frame.index)
    status = frame["status"].astype(str) if "status" in frame.columns else None
    for field in frame.columns:
        column = frame[field]
        name = str(field)
        if name == "days_to_due":
            values = [days_phrase(d, None if status is None else status.loc[i]) for i, d in column.items()]
            out[heading(name)] = values
        elif name in DATE_FIELDS:
            out[heading(name)] = [day(v) for v in column]
        elif pd.api.types.is_numeric_dtype(column.dtype):
            out[heading(name)] = column if not column.isna().any() else [number(v) for v in column]
        else:
            out[heading(name)] = _one_type([_cell(v, reports) for v in column])
    return out


def _one_type(values: list[object]) -> list[object]:
    """Text throughout when text and numbers mix (a shown column holds one type)."""
    if len({isinstance(v, str) for v in values}) < 2:
        return values
    return [v if isinstance(v, str) else number(v) if isinstance(v, (int, float)) else str(v) for v in values]
