"""Spreadsheets as people make them (issue 13): cover sheets, Excel serial dates and date cells, formulas with no
saved value, section and totals rows, text kept exactly as written, very long evidence, NUL and control characters.
Each file is generated here and imported (or dry-run) on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from sqlalchemy import Engine, select

from s11data.store import db
from s11data.store.models import AuditReturn, Cycle, Organisation, Rag
from s11data.returns.return_file import MAX_CELL_CHARS, read_table
from hostile_returns import HOSTILE, HOSTILE_NAME, hostile_file_name, hostile_rows
from test_import import DEMO, LONG, NEW_ORG, codes, csv_of, current, run, snapshot


def _book(sheets: dict[str, list[list[object]]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rows(qs: list[str], grade: object = "Green", text: str = "Evidence") -> list[list[object]]:
    return [[DEMO, "2025-26", NEW_ORG, q, grade, f"{text} {q}"] for q in qs]


def _submitted_on(engine: Engine) -> dt.date | None:
    with db.read_session(engine) as s:
        return s.scalar(select(AuditReturn.submitted_on).join(AuditReturn.organisation).join(AuditReturn.cycle)
                        .where(Organisation.name == NEW_ORG, Cycle.label == "2025-26",
                               AuditReturn.is_current.is_(True)))


def test_the_sheet_read_is_named_after_a_cover_sheet() -> None:
    data = _book({"Cover": [["Section 11 return 2025-26"], ["Please complete the next sheet"]],
                  "Return": [LONG, [DEMO, "2025-26", NEW_ORG, "A1", "Green", "x"]]})
    table = read_table(data, "r.xlsx")
    assert "Read the sheet 'Return' (sheet 2 of 2)" in [n.message for n in table.notes]


@pytest.mark.parametrize("when", [45961, 45961.0, "45961", dt.datetime(2025, 10, 31, 14, 5), dt.date(2025, 10, 31)])
def test_excel_serial_dates_and_date_cells_are_read(seeded_engine: Engine, when: object) -> None:
    assert dt.date(1899, 12, 30) + dt.timedelta(days=45961) == dt.date(2025, 10, 31)
    qs = codes(seeded_engine)
    rows = [row + [when] for row in _rows(qs)]
    result = run(seeded_engine, _book({"returns": [LONG + ["submitted_on"], *rows]}), name="r.xlsx")
    assert result.ok, result.errors
    assert _submitted_on(seeded_engine) == dt.date(2025, 10, 31)


def test_formulas_with_no_saved_value_are_refused_by_row_and_column(seeded_engine: Engine) -> None:
    qs = codes(seeded_engine)
    rows = _rows(qs)
    rows[2][4] = '=IF(B4="","Green","Red")'  # written by a script: a formula, no value saved
    rows[5][4] = "=H7"
    before = snapshot(seeded_engine)
    result = run(seeded_engine, _book({"returns": [LONG, *rows]}), name="scripted.xlsx")
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(4, "rating"), (7, "rating")]
    assert "no saved value" in result.errors[0].message
    assert "Open and save the file in Excel first" in result.errors[0].fix
    assert snapshot(seeded_engine) == before


def test_section_and_totals_rows_are_skipped_with_a_note(seeded_engine: Engine) -> None:
    qs = codes(seeded_engine)
    rows = _rows(qs)
    rows.insert(0, ["Section A: Leadership", "", "", "", "", ""])
    rows.insert(5, ["", "", "Section B – Safer recruitment", "", "", ""])
    rows.append(["Total", "", "", "", "14", ""])
    result = run(seeded_engine, csv_of(rows))
    assert result.ok, result.errors
    notes = [w.message for w in result.warnings]
    assert "Rows 2, 7 are section headings ('Section A: Leadership', 'Section B – Safer recruitment') and were " \
           "skipped" in notes
    assert "Row 18 is a totals row ('Total') and was skipped" in notes
    assert len(current(seeded_engine, NEW_ORG)) == len(qs)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_text_is_kept_exactly_and_a_cell_up_to_the_limit_is_kept_whole(seeded_engine: Engine, fmt: str) -> None:
    qs = codes(seeded_engine)
    rows = _rows(qs)
    nbsp = "Named lead:\u00a0J.\u00a0Smith — “see plan”  (two spaces)"
    longest = ("Long evidence. " * (MAX_CELL_CHARS // 15 + 1))[:MAX_CELL_CHARS]
    rows[0][5] = nbsp
    data = csv_of([*rows[:1], [*rows[1][:5], longest], *rows[2:]]) if fmt == "csv" else _xlsx_with(
        [LONG, *rows], (2, 5), longest)
    result = run(seeded_engine, data, name=f"r.{fmt}")
    assert result.ok, result.errors
    stored = current(seeded_engine, NEW_ORG)
    assert stored[qs[0]][2] == nbsp
    assert stored[qs[1]][2] == longest and len(stored[qs[1]][2]) == MAX_CELL_CHARS


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_cell_over_the_limit_is_refused_naming_its_row_and_column(seeded_engine: Engine, fmt: str) -> None:
    qs = codes(seeded_engine)
    rows = _rows(qs)
    text = "x" * (MAX_CELL_CHARS + 1)
    data = csv_of([*rows[:3], [*rows[3][:5], text], *rows[4:]]) if fmt == "csv" else _xlsx_with(
        [LONG, *rows], (4, 5), text)
    result = run(seeded_engine, data, name=f"r.{fmt}", dry_run=True)
    assert [(e.row, e.column) for e in result.errors] == [(5, "evidence")]
    assert f"{MAX_CELL_CHARS + 1:,} characters" in result.errors[0].message


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x7f"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_nul_and_control_characters_are_caught_by_the_dry_run_on_every_database(
        seeded_engine: Engine, fmt: str, character: str) -> None:
    qs = codes(seeded_engine)
    rows = _rows(qs)
    text = f"before{character}after"
    data = csv_of([rows[0], [*rows[1][:5], text], *rows[2:]]) if fmt == "csv" else _xlsx_with(
        [LONG, *rows], (2, 5), text)
    before = snapshot(seeded_engine)
    for dry_run in (True, False):
        result = run(seeded_engine, data, name=f"r.{fmt}", dry_run=dry_run)
        assert [(e.row, e.column) for e in result.errors] == [(3, "evidence")]
        assert f"code {ord(character)}" in result.errors[0].message and "Delete it" in result.errors[0].fix
    assert snapshot(seeded_engine) == before


def _patched(data: bytes, replace: dict[str, str]) -> bytes:
    """A workbook with texts put into its XML as other programs write them: longer than openpyxl allows (32,767),
    or with control characters escaped as Excel does ('_x0000_')."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename.startswith("xl/"):
                for old, new in replace.items():
                    body = body.replace(old.encode(), new.encode())
            target.writestr(item, body)
    return out.getvalue()


def _xlsx_with(rows: list[list[object]], cell: tuple[int, int], text: str) -> bytes:
    """A workbook of `rows` whose cell (row index, column index) holds `text`, however long or odd."""
    placeholder = "PLACEHOLDER-CELL"
    rows = [list(r) for r in rows]
    rows[cell[0]][cell[1]] = placeholder
    escaped = "".join(f"_x{ord(c):04X}_" if ord(c) < 32 or ord(c) == 127 else c for c in text)
    return _patched(_book({"returns": rows}), {placeholder: escaped})


def test_a_return_with_blank_template_rows_counts_them_as_no_answer(seeded_engine: Engine) -> None:
    qs = codes(seeded_engine)
    rows = _rows(qs[:3]) + [[DEMO, "2025-26", NEW_ORG, q, "", ""] for q in qs[3:]]
    result = run(seeded_engine, csv_of(rows), dry_run=True)
    assert result.ok
    assert result.rating_counts()["new"] == 3
    assert any("no answer for " + ", ".join(qs[3:6]) in w.message for w in result.warnings)
    stored_rags = {p.incoming.answers[q].grade.rag for p in result.plans for q in p.incoming.answers}
    assert stored_rags == {Rag.GREEN}


def test_hostile_text_is_stored_and_reported_exactly_as_written(seeded_engine: Engine) -> None:
    qs = codes(seeded_engine)
    rows = hostile_rows(DEMO, "2025-26", NEW_ORG, qs)
    rows.append([DEMO, "2025-26", HOSTILE_NAME, qs[0], "Green", HOSTILE[0]])
    refused = run(seeded_engine, csv_of(rows), name=hostile_file_name(), dry_run=True)
    assert f"Unknown organisation '{HOSTILE_NAME}'" in [e.message for e in refused.errors]  # as written, no markup
    assert hostile_file_name() in refused.summary()
    result = run(seeded_engine, csv_of(rows[:-1]), name=hostile_file_name())
    assert result.ok, result.errors
    stored = current(seeded_engine, NEW_ORG)
    assert [stored[q][2] for q in qs] == [r[5] for r in rows[:-1]]
