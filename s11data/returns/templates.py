"""Return templates for one cycle, pre-filled with its question codes and invited organisations.

Long form: one row per invited organisation × question, with the columns of the ratings export (so a template,
an export and a return are the same shape) plus `question_text` to help whoever fills it in (the importer reads
it as help and ignores it). Wide form: one row per invited organisation, then for each question code a column
`A1` (the grade) and `A1 evidence`. Both import as they are: rows left empty are skipped.
XLSX templates add a drop-down of grades on the rating cells, a `questions` sheet and a `how to fill in` sheet.
"""
from __future__ import annotations

import io
import re

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from s11data.returns.exports import RATING_COLUMNS
from s11data.store.lookup import find_cycle, find_partnership
from s11data.store.models import Cycle, Invitation, Organisation, Partnership, Question, Scale
from s11data.returns.ratings import accepted_grades
from s11data.store.scope import Scope
from s11data.returns.spreadsheet import neutralise, to_csv_bytes

LAYOUTS = ("long", "wide")
FORMATS = ("csv", "xlsx")
MIME = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
_DROPDOWN = {Scale.RAG: "Green,Amber,Red,Not rated,N/A", Scale.ZERO_TO_THREE: "3,2,1,0,Not rated,N/A",
             Scale.NONE: "Not rated,N/A"}


def _cycle(session: Session, scope: Scope, partnership: str, cycle: str) -> tuple[Partnership, Cycle]:
    found = find_partnership(session, partnership, scope)
    return found, find_cycle(session, found, cycle)


def _questions(session: Session, cycle: Cycle) -> list[Question]:
    return list(session.scalars(select(Question).where(Question.cycle_id == cycle.id)
                                .order_by(Question.position, Question.code)))


def _invited(session: Session, cycle: Cycle) -> list[str]:
    return list(session.scalars(select(Organisation.name).join(Invitation)
                                .where(Invitation.cycle_id == cycle.id).order_by(Organisation.name)))


def template_frame(session: Session, scope: Scope, partnership: str, cycle: str, layout: str) -> pd.DataFrame:
    """The template's rows for a cycle the caller may read."""
    p, c = _cycle(session, scope, partnership, cycle)
    questions, organisations = _questions(session, c), _invited(session, c) or [""]
    if layout == "long":
        rows = [[p.name, c.label, org, q.code, "", "", "", "", "", q.text] for org in organisations for q in questions]
        return pd.DataFrame(rows, columns=[*RATING_COLUMNS, "question_text"])
    if layout == "wide":
        columns = ["partnership", "cycle", "organisation", "completed_by", "submitted_on"]
        for q in questions:
            columns += [q.code, f"{q.code} evidence"]
        rows = [[p.name, c.label, org] + [""] * (len(columns) - 3) for org in organisations]
        return pd.DataFrame(rows, columns=columns)
    raise ValueError(f"unknown layout {layout!r}; use long or wide")


def template_file(session: Session, scope: Scope, partnership: str, cycle: str, layout: str,
                  fmt: str) -> tuple[str, bytes]:
    """(file name, bytes) of a template as CSV or XLSX."""
    p, c = _cycle(session, scope, partnership, cycle)
    frame = template_frame(session, scope, p.name, c.label, layout)
    name = file_name(p.short_name or p.name, c.label, layout, fmt)
    if fmt == "csv":
        return name, to_csv_bytes(frame)
    if fmt == "xlsx":
        return name, _workbook(frame, _questions(session, c), c, layout)
    raise ValueError(f"unknown format {fmt!r}; use csv or xlsx")


def file_name(partnership: str, cycle: str, layout: str, fmt: str) -> str:
    """E.g. 's11-return-nsscp-2023-24-long.xlsx'."""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", f"s11 return {partnership} {cycle} {layout}").strip("-").lower()
    return f"{stem}.{fmt}"


def guidance(cycle: Cycle, layout: str) -> list[str]:
    """How to fill in the template, in a business manager's words."""
    shape = ("one row per organisation and question" if layout == "long" else
             "one row per organisation; for each question a grade column (e.g. A1) and an evidence column")
    return [
        f"Section 11 return template: {cycle.label}, {layout} form ({shape}).",
        f"Grades: {accepted_grades(cycle.scale)}. A combined grade such as Amber/Green counts as the lower grade.",
        "A blank grade means the organisation did not rate the question: it is shown as Not rated.",
        "Leave an organisation's rows empty if it has not returned: it is skipped, nothing is recorded for it.",
        "Keep the partnership, cycle, organisation and question cells as they are.",
        "Dates (submitted_on): 2024-01-31 or 31/01/2024.",
        "Upload the file on the 'Upload returns' page (or: s11 import FILE). You will see every problem and every "
        "change before anything is saved.",
    ]


def _workbook(frame: pd.DataFrame, questions: list[Question], cycle: Cycle, layout: str) -> bytes:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        neutralise(frame).to_excel(writer, index=False, sheet_name="return")
        listing = pd.DataFrame([[q.code, q.section_title, q.text] for q in questions],
                               columns=["code", "section", "question"])
        neutralise(listing).to_excel(writer, index=False, sheet_name="questions")
        pd.DataFrame({"how to fill in": guidance(cycle, layout)}).to_excel(writer, index=False,
                                                                           sheet_name="how to fill in")
        sheet = writer.sheets["return"]
        sheet.freeze_panes = "A2"
        last = max(len(frame) + 1, 2)
        grades = DataValidation(type="list", formula1=f'"{_DROPDOWN[cycle.scale]}"', allow_blank=True,
                                showErrorMessage=False)
        codes = {q.code for q in questions}
        for index, name in enumerate(frame.columns, start=1):
            letter = get_column_letter(index)
            if name in ("rating", "moderated_rating") or name in codes:
                grades.add(f"{letter}2:{letter}{last}")
            sheet.column_dimensions[letter].width = 40 if "evidence" in name or name == "organisation" else 14
        sheet.add_data_validation(grades)
        writer.sheets["questions"].column_dimensions["C"].width = 100
        writer.sheets["how to fill in"].column_dimensions["A"].width = 120
    return buffer.getvalue()
