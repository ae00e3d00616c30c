"""Survey-tool exports as they come (DESIGN §4): which tool wrote the file, its second header row, and the
unnamed columns that hold a question's evidence.

- **SurveyMonkey** writes two header rows: the question on row 1, and on row 2 "Response" under it and
  "Open-Ended Response" (or "Other (please specify)") under an unnamed column after it, which holds the comment
  box of that question. With row 2 deleted by hand, those columns are simply unnamed.
- **SmartSurvey** puts the code at the end ("question text [A1]", "Evidence [A1]"); **Microsoft Forms**, **Google
  Forms** and **Jotform** put question text in the header ("A1. There is a named lead…"), with completion or
  submission timestamps, e-mail and name columns beside the answers.

`shape(table, below)` names the tool in a note, reads a second header row, and maps every unnamed column right
after a question column to that question's evidence (`Table.evidence_of`), so no evidence is dropped unsaid.
"""
from __future__ import annotations

from typing import Protocol

from s11data.returns.headers import BRACKETED, header_key, looks_like_question
from s11data.returns.problems import Problem
from s11data.returns.workbook import column_letter


class Table(Protocol):
    """What `shape` reads and sets of a `return_file.Table`."""

    header: list[str]
    header_row: int
    evidence_of: dict[int, int]
    layout: str
    notes: list[Problem]

OPEN_ENDED = ("open-ended response", "other (please specify)", "comment", "comments", "other")
"""What SurveyMonkey's second header row says under a question's comment box."""
SECOND_ROW = ("response", *OPEN_ENDED)


_TOOLS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("SurveyMonkey", ("respondent id", "collector id")),
    ("Microsoft Forms", ("start time", "completion time")),
    ("Jotform", ("submission date",)),
    ("SmartSurvey", ("started", "ended")),
    ("Google Forms", ("timestamp",)),
)
"""Each tool and the header cells (compared after `header_key`) its exports always carry."""


def shape(table: Table, below: list[str] | None) -> int:
    """Read the header as the tool wrote it; return how many header rows there are (1 or 2)."""
    two_rows = below is not None and _is_second_row(below)
    if below is not None and len(below) > len(table.header):  # a sheet drops the blank headings at its end
        table.header.extend([""] * (len(below) - len(table.header)))
    if two_rows:
        _merge_second_row(table, below)  # type: ignore[arg-type]
    _unnamed_evidence(table)
    table.layout = _tool(table.header, two_rows)
    if table.layout:
        rows = (f"header rows {table.header_row}–{table.header_row + 1}" if two_rows
                else f"header row {table.header_row}")
        table.notes.append(Problem(table.header_row, None, f"Read as a {table.layout} export: {rows}"))
    if table.evidence_of:
        letters = ", ".join(column_letter(i) for i in sorted(table.evidence_of)[:12])
        more = " …" if len(table.evidence_of) > 12 else ""
        table.notes.append(Problem(table.header_row, None, f"The unnamed columns {letters}{more} were read as the "
                                   "evidence (open-ended response) of the question just before each",
                                   "Name them 'A1 evidence' … if that is wrong"))
    return 2 if two_rows else 1


def _is_second_row(cells: list[str]) -> bool:
    """SurveyMonkey's row 2: 'Response' / 'Open-Ended Response' under the questions, nothing that is data."""
    keys = [header_key(c) for c in cells if c]
    known = [k for k in keys if k in SECOND_ROW]
    return bool(known) and ("response" in known or "open-ended response" in known) and 2 * len(known) >= len(keys)


def _merge_second_row(table: Table, below: list[str]) -> None:
    header = table.header
    for index, sub in enumerate(below):
        if not header[index] and sub and header_key(sub) not in OPEN_ENDED:  # an answer option, not a comment box
            header[index] = f"column {column_letter(index)} ({sub})"


def _unnamed_evidence(table: Table) -> None:
    header = table.header
    for index in range(1, len(header)):
        if header[index] or not header[index - 1] or index - 1 in table.evidence_of:
            continue
        if looks_like_question(header[index - 1]):
            table.evidence_of[index] = index - 1
            header[index] = f"column {column_letter(index)} (unnamed: evidence of '{header[index - 1][:40]}')"


def _tool(header: list[str], two_rows: bool) -> str:
    keys = {header_key(h) for h in header if h}
    if two_rows:
        return "SurveyMonkey"
    for name, needed in _TOOLS:
        if all(k in keys for k in needed):
            return name
    if any(BRACKETED.search(h) for h in header):
        return "SmartSurvey"
    return ""
