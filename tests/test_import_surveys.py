"""Survey-tool exports as they come (DESIGN §4, issue 13): each tool's export of one return is generated here, as
CSV and as XLSX where the tool exports XLSX, and must import exactly (every grade, every evidence text, the
submission date) on SQLite and PostgreSQL, with a note naming the layout recognised."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from sqlalchemy import Engine, select

from s11data.store import db
from s11data.store.models import AuditReturn, Cycle, Organisation, Rag
from test_import import DEMO, NEW_ORG, codes, current, run

WHEN = dt.datetime(2025, 10, 31, 9, 12, 44)
GRADES = ["Green", "Amber", "Red"]
RAGS = {"Green": Rag.GREEN, "Amber": Rag.AMBER, "Red": Rag.RED}


def evidence(code: str) -> str:
    return f"Evidence for {code}:\u00a0audit of 12 files, see plan §3"  # a no-break space, kept as written


def _answers(qs: list[str]) -> list[tuple[str, str, str]]:
    return [(q, GRADES[i % 3], evidence(q)) for i, q in enumerate(qs)]


def survey_export(tool: str, qs: list[str], organisation: str = NEW_ORG, xlsx: bool = False,
                  second_row: bool = True) -> list[list[object]]:
    """The rows (header rows first) a tool exports for one response, with its own columns beside the answers."""
    answers = _answers(qs)
    when: object = WHEN
    if tool == "SurveyMonkey":
        when = when if xlsx else WHEN.strftime("%m/%d/%Y %I:%M:%S %p")
        head = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address",
                "First Name", "Last Name", "Which organisation is this return for?"]
        header = head + [h for q, _, _ in answers for h in (f"{q}. How well does your organisation meet this "
                                                               "standard?", "")]
        sub = [""] * (len(head) - 1) + ["Response"] + ["Response", "Open-Ended Response"] * len(answers)
        row = ["114230001", "4410001", WHEN - dt.timedelta(hours=1) if xlsx else "10/31/2025 08:12:44 AM", when,
               "10.0.0.1", "lead@example.org", "Renée", "Dupont", organisation]
        row += [v for _, grade, text in answers for v in (grade, text)]
        return [header, sub, row] if second_row else [header, row]
    if tool == "Microsoft Forms":
        header = ["ID", "Start time", "Completion time", "Email", "Name", "Name of your organisation"]
        header += [h for q, _, _ in answers for h in (f"{q}. Rating – how well is this standard met?",
                                                       f"{q}. Evidence")]
        row = [7, WHEN - dt.timedelta(minutes=40), WHEN, "lead@example.org", "Renée Dupont", organisation]
        return [header, row + [v for _, grade, text in answers for v in (grade, text)]]
    if tool == "SmartSurvey":
        header = ["UserID", "Name", "Email", "IP Address", "Unique ID", "Started", "Ended", "Organisation"]
        header += [h for q, _, _ in answers for h in (f"How well is this standard met? [{q}]", f"Evidence [{q}]")]
        row = ["88121", "Renée Dupont", "lead@example.org", "10.0.0.1", "u-1",
               WHEN.strftime("%d/%m/%Y %H:%M") if not xlsx else WHEN, WHEN if xlsx else WHEN.strftime(
                   "%d/%m/%Y %H:%M"), organisation]
        return [header, row + [v for _, grade, text in answers for v in (grade, text)]]
    if tool == "Google Forms":
        header = ["Timestamp", "Email address", "Organisation name"]
        header += [h for q, _, _ in answers for h in (f"How well is this standard met? ({q})",
                                                       f"Supporting evidence ({q})")]
        row = [WHEN if xlsx else WHEN.strftime("%Y/%m/%d %I:%M:%S %p GMT"), "lead@example.org", organisation]
        return [header, row + [v for _, grade, text in answers for v in (grade, text)]]
    if tool == "Jotform":
        header = ["Submission Date", "Organisation", "Your name"]
        header += [h for q, _, _ in answers for h in (f"{q} - Standard met?", f"{q} - Evidence / comments")]
        row = [WHEN if xlsx else "Oct 31, 2025", organisation, "Renée Dupont"]
        return [header, row + [v for _, grade, text in answers for v in (grade, text)]]
    raise ValueError(tool)


def as_csv(rows: list[list[object]]) -> bytes:
    def cell(value: object) -> str:
        text = str(value)
        return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n') else text
    return ("\r\n".join(",".join(cell(v) for v in row) for row in rows) + "\r\n").encode("utf-8-sig")


def as_xlsx(rows: list[list[object]], sheet: str = "Sheet1") -> bytes:
    book = openpyxl.Workbook()
    book.active.title = sheet
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


CASES = [("SurveyMonkey", "csv"), ("SurveyMonkey", "xlsx"), ("Microsoft Forms", "xlsx"), ("SmartSurvey", "csv"),
         ("SmartSurvey", "xlsx"), ("Google Forms", "csv"), ("Google Forms", "xlsx"), ("Jotform", "csv"),
         ("Jotform", "xlsx")]


def _submitted_on(engine: Engine) -> dt.date | None:
    with db.read_session(engine) as s:
        return s.scalar(select(AuditReturn.submitted_on).join(AuditReturn.organisation).join(AuditReturn.cycle)
                        .where(Organisation.name == NEW_ORG, Cycle.label == "2025-26",
                               AuditReturn.is_current.is_(True)))


@pytest.mark.parametrize("tool, fmt", CASES)
def test_a_survey_export_imports_exactly_and_says_which_tool_wrote_it(seeded_engine: Engine, tool: str,
                                                                      fmt: str) -> None:
    qs = codes(seeded_engine)
    rows = survey_export(tool, qs, xlsx=fmt == "xlsx")
    data = as_xlsx(rows) if fmt == "xlsx" else as_csv(rows)
    result = run(seeded_engine, data, name=f"export.{fmt}", partnership=DEMO, cycle="2025-26")
    assert result.ok, result.errors
    header_rows = "header rows 1–2" if tool == "SurveyMonkey" else "header row 1"
    assert f"Read as a {tool} export: {header_rows}" in [w.message for w in result.warnings]
    assert result.rows == 1 and result.imported == len(qs)
    stored = current(seeded_engine, NEW_ORG)
    assert {q: (v[0], v[2]) for q, v in stored.items()} == {q: (RAGS[g], e) for q, g, e in _answers(qs)}
    assert _submitted_on(seeded_engine) == WHEN.date()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_surveymonkey_without_its_second_row_keeps_every_evidence_text(seeded_engine: Engine, fmt: str) -> None:
    qs = codes(seeded_engine)
    rows = survey_export("SurveyMonkey", qs, xlsx=fmt == "xlsx", second_row=False)
    data = as_xlsx(rows) if fmt == "xlsx" else as_csv(rows)
    result = run(seeded_engine, data, name=f"monkey.{fmt}", partnership=DEMO, cycle="2025-26")
    assert result.ok, result.errors
    notes = [w.message for w in result.warnings]
    assert any(n.startswith("The unnamed columns K, M, O") and "evidence" in n for n in notes), notes
    stored = current(seeded_engine, NEW_ORG)
    assert [stored[q][2] for q in qs] == [evidence(q) for q in qs]  # none dropped, the last one included


def test_an_unknown_layout_is_refused_naming_its_columns_and_the_fix(seeded_engine: Engine) -> None:
    rows = [["Respondent", "Score 1", "Score 2"], ["Someone", "Green", "Red"]]
    result = run(seeded_engine, as_csv(rows), partnership=DEMO, cycle="2025-26")
    assert not result.ok
    error = result.errors[0]
    assert "'Score 1'" in error.message and "'Score 2'" in error.message
    assert "[A1]" in error.fix and "template" in error.fix
