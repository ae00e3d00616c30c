"""Reading return files as they arrive (DESIGN §4): encodings, line endings, delimiters, headers, refusals.

These read bytes only (`s11data.returns.return_file`), no database: every messy file is generated here.
"""
from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from s11data.returns import return_file
from s11data.returns.return_file import FileRefused, column_role, read_table

HEADER = ["partnership", "cycle", "organisation", "question", "rating", "evidence"]
ROWS = [["NSSCP", "2023-24", "Sirona Care & Health", "A1", "Green", "Named lead; reports to board, annually"],
        ["NSSCP", "2023-24", "Sirona Care & Health", "A2", "Amber/Green", "Café staff trained — see plan"]]


def _csv(rows: list[list[str]], delimiter: str = ",", newline: str = "\n", encoding: str = "utf-8") -> bytes:
    def cell(value: str) -> str:
        if any(ch in value for ch in (delimiter, '"', "\n", "\r")):
            return '"' + value.replace('"', '""') + '"'
        return value
    return (newline.join(delimiter.join(cell(v) for v in row) for row in rows) + newline).encode(encoding)


def _refusal(data: bytes, name: str = "returns.csv") -> str:
    with pytest.raises(FileRefused) as caught:
        read_table(data, name)
    return str(caught.value)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_utf8_with_or_without_bom_utf16_and_crlf_read_the_same(encoding: str, newline: str) -> None:
    table = read_table(_csv([HEADER, *ROWS], newline=newline, encoding=encoding), "r.csv")
    assert table.header == HEADER
    assert table.rows == [(2, ROWS[0]), (3, ROWS[1])]
    assert not table.notes and not table.problems


def test_windows_1252_is_read_and_said_so() -> None:
    table = read_table(_csv([HEADER, *ROWS], newline="\r\n", encoding="cp1252"), "r.csv")
    assert table.rows[1][1][5] == "Café staff trained — see plan"
    assert any("Windows-1252" in n.message for n in table.notes)


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_the_delimiter_is_the_one_that_finds_the_header(delimiter: str) -> None:
    table = read_table(_csv([HEADER, *ROWS], delimiter=delimiter), "r.txt")
    assert table.header == HEADER and table.rows[0][1] == ROWS[0]


def test_commas_inside_a_semicolon_file_do_not_fool_the_guess() -> None:
    rows = [HEADER, ["NSSCP", "2023-24", "Sirona", "A1", "G", "a, b, c, d, e, f, g, h"]]
    text = "\n".join(";".join(r) for r in rows).encode()
    table = read_table(text, "r.csv")
    assert table.header == HEADER and table.rows[0][1][5] == "a, b, c, d, e, f, g, h"


def test_header_case_and_spacing_and_variants_are_matched() -> None:
    assert column_role("  Organisation Name ") == "organisation"
    assert column_role("QUESTION_CODE") == "question"
    assert column_role("RAG") == "rating"
    assert column_role("Evidence / Comments") == "evidence"
    assert column_role("Moderated Rating*") == "moderated_rating"
    assert column_role("Date submitted") == "submitted_on"
    assert column_role("Favourite colour") is None


def test_title_rows_above_the_header_are_skipped_and_rows_keep_spreadsheet_numbers() -> None:
    rows = [["Section 11 return – North Somerset"], [""], HEADER, *ROWS]
    table = read_table(_csv(rows), "r.csv")
    assert table.header_row == 3 and table.header == HEADER
    assert [n for n, _ in table.rows] == [4, 5]


def test_a_cell_with_a_line_break_is_one_spreadsheet_row() -> None:
    rows = [HEADER, ROWS[0][:5] + ["first line\nsecond line"], ROWS[1]]
    table = read_table(_csv(rows, newline="\r\n"), "r.csv")
    assert [n for n, _ in table.rows] == [2, 3]
    assert table.rows[0][1][5] == "first line\nsecond line"


def test_blank_rows_are_skipped_without_renumbering() -> None:
    table = read_table(_csv([HEADER, ROWS[0], [""] * 6, ROWS[1]]), "r.csv")
    assert [n for n, _ in table.rows] == [2, 4]


def test_a_row_with_more_cells_than_the_header_is_a_problem_at_that_row() -> None:
    table = read_table(_csv([HEADER, ROWS[0] + ["stray"], ROWS[1]]), "r.csv")
    assert [(p.row, "separator" in p.fix) for p in table.problems] == [(2, True)]


def test_exported_neutralised_cells_come_back_as_written() -> None:
    rows = [HEADER, ["NSSCP", "2023-24", "Sirona", "A1", "G", "'=SUM(A1:A2)"]]
    assert read_table(_csv(rows), "r.csv").rows[0][1][5] == "=SUM(A1:A2)"


@pytest.mark.parametrize("data", [b"", b"   \r\n\r\n", b"\xef\xbb\xbf"])
def test_empty_files_are_refused(data: bytes) -> None:
    assert "empty" in _refusal(data)


def test_a_header_only_file_is_refused() -> None:
    message = _refusal(_csv([HEADER]))
    assert "header but no rows" in message


@pytest.mark.parametrize("data, what", [
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "PNG image"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, ".xls"),
    (bytes(range(256)) * 8, "not a text file"),
])
def test_a_binary_file_with_a_csv_name_is_refused_with_what_it_is(data: bytes, what: str) -> None:
    message = _refusal(data, "returns.csv")
    assert what in message and ("xlsx" in message or "CSV" in message)


def test_an_oversized_file_is_refused_before_it_is_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(return_file, "MAX_FILE_BYTES", 1000)
    message = _refusal(_csv([HEADER] + ROWS * 20))
    assert "limit is" in message


def _xlsx(rows: list[list[object]], sheet: str = "returns") -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_cells_come_back_as_text_numbers_without_dot_zero() -> None:
    import datetime as dt

    rows = [HEADER + ["submitted_on"], ["NSSCP", "2023-24", "Sirona", "A1", 3.0, None, dt.datetime(2024, 1, 31)]]
    table = read_table(_xlsx(rows), "r.xlsx")
    assert table.kind == "xlsx" and table.rows == [(2, ["NSSCP", "2023-24", "Sirona", "A1", "3", "", "2024-01-31"])]


def test_an_xlsx_named_csv_is_read_as_a_workbook_and_said_so() -> None:
    table = read_table(_xlsx([HEADER, ROWS[0]]), "returns.csv")
    assert table.rows[0][1] == ROWS[0]
    assert "Excel workbook despite its name" in table.notes[0].message


def test_an_xlsx_that_would_unpack_enormous_is_refused_before_opening(monkeypatch: pytest.MonkeyPatch) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * 3_000_000)  # compresses to a few KB
    monkeypatch.setattr(return_file, "MAX_UNPACKED_BYTES", 2_000_000)
    assert len(buffer.getvalue()) < 50_000
    message = _refusal(buffer.getvalue(), "returns.xlsx")
    assert "would unpack to" in message


def test_a_zip_that_is_not_a_workbook_or_a_damaged_one_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    assert "Word document" in _refusal(buffer.getvalue(), "returns.xlsx")
    assert "damaged" in _refusal(b"PK\x03\x04" + b"\x00" * 100, "returns.xlsx")


def test_the_sheet_with_the_returns_is_found_and_other_return_sheets_are_mentioned() -> None:
    book = openpyxl.Workbook()
    book.active.title = "Read me"
    book.active.append(["Please fill in the next sheet"])
    data_sheet = book.create_sheet("NSSCP")
    for row in [HEADER, ROWS[0]]:
        data_sheet.append(row)
    other = book.create_sheet("Other cycle")
    other.append(HEADER)
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_table(buffer.getvalue(), "r.xlsx")
    assert table.rows[0][1] == ROWS[0]
    assert any("'Other cycle'" in n.message for n in table.notes)


def test_xml_entity_attacks_in_a_workbook_are_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_xlsx([HEADER, ROWS[0]]))) as source, \
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = (b'<?xml version="1.0"?><!DOCTYPE workbook [<!ENTITY a "aaaaaaaaaa">'
                        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>' + data)  # "billion laughs", small
            target.writestr(item, data)
    assert "could not be opened" in _refusal(buffer.getvalue(), "r.xlsx")
