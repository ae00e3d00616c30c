"""Reading a return file as people send it: CSV or XLSX, any common encoding, delimiter and header spelling.

`read_table` turns the bytes of an uploaded file into a `Table`: the header as written, and every non-blank row
with its spreadsheet row number (header = row 1, as Excel numbers it). It refuses, before parsing anything big,
files that are too large, workbooks that would unpack enormous and binary files with a text name; every refusal
is a `Problem` a business manager can act on. Cells come back as stripped text, with a cell that one of our
exports neutralised (`'=…`) restored to what was written (`=…`).

Column names are matched here too (`column_role`), because recognising the header is how the delimiter, the
header row and the sheet are chosen.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import re
import zipfile
from dataclasses import dataclass, field

from s11data.returns import survey_layouts
from s11data.returns.headers import header_key, looks_like_question
from s11data.returns.problems import FileRefused, Problem, refuse
from s11data.returns.spreadsheet import restore_cell
from s11data.returns.workbook import UnsavedFormula, Workbook, column_letter

__all__ = ["FileRefused", "Problem", "Table", "header_key", "looks_like_question", "read_table", "refuse", "too_large"]

MAX_FILE_BYTES = 20 * 1024 * 1024
"""Largest file accepted (a 10,000-row return with long evidence is about 3 MB); the same as the Upload page's
`server.maxUploadSize = 20` (Streamlit counts MB as 1024 × 1024 bytes, and so do we)."""
MAX_CELL_CHARS = 1_000_000
"""Longest cell kept whole (evidence pasted from a long document); a longer one is refused by row and column."""
MAX_CELLS = 2_000_000
"""Rows × columns held for one file (a 10,000-row long return is 80,000; 6,000 organisations × 60 wide columns
is 360,000)."""
MAX_UNPACKED_BYTES = 150 * 1024 * 1024
"""Largest total size an XLSX may unpack to (a 'zip bomb' is refused before it is opened)."""
MAX_ZIP_MEMBERS = 2_000
MAX_ROWS = 50_000
"""Rows of answers one file may hold (a 10,000-row return is the benchmark; more are refused within seconds)."""
MAX_COLUMNS = 1_000
MAX_PROBLEM_CELLS = 200
"""Cells reported one by one (control characters, unsaved formulas, over-long cells); the file is refused anyway."""
HEADER_SEARCH_ROWS = 10
"""A title or notes above the header (survey exports) is skipped: the header is looked for in these rows."""

LONG_COLUMNS: dict[str, tuple[str, ...]] = {
    "partnership": ("partnership", "partnership name", "safeguarding partnership", "children's partnership"),
    "cycle": ("cycle", "audit cycle", "cycle label", "audit year", "year", "audit"),
    "organisation": ("organisation", "organization", "organisation name", "organization name", "org",
                     "agency", "agency name", "organisation / agency", "name of organisation", "partner agency",
                     "your organisation", "provider"),
    "question": ("question", "question code", "question number", "question no", "question id", "code",
                 "standard", "standard number", "q", "q no", "item"),
    "rating": ("rating", "rag", "rag rating", "grade", "self rating", "self-rating", "self assessment",
               "self-assessment", "self-assessed rating", "score", "rating (rag)", "rag status", "response"),
    "evidence": ("evidence", "comments", "comment", "evidence / comments", "evidence and comments",
                 "supporting evidence", "narrative", "notes"),
    "moderated_rating": ("moderated rating", "moderated", "moderated rag", "moderated grade", "panel rating",
                         "agreed rating", "moderation"),
    "completed_by": ("completed by", "respondent", "completed by (name)", "name of person completing",
                     "email address", "email", "submitted by"),
    "submitted_on": ("submitted on", "submitted", "date submitted", "submission date", "date completed",
                     "completed on", "completion date", "timestamp", "date", "completion time", "end date",
                     "ended", "submitted at", "date modified"),
    "question_text": ("question text", "question wording", "text", "section", "section title", "theme"),
}
"""Every role a column can play, with the header spellings accepted for it (compared after `header_key`).
`question_text` columns (templates carry them to help people) are read as help and ignored."""

csv.field_size_limit(max(csv.field_size_limit(), MAX_FILE_BYTES + 1))  # long cells are refused by row, below

_ROLE_BY_KEY = {key: role for role, names in LONG_COLUMNS.items() for key in names}

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xd0\xcf\x11\xe0", "an old Excel .xls workbook (or a password-protected workbook)"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"{\\rtf", "a Rich Text (RTF) document"),
)


@dataclass
class Table:
    """A file as read: header cells as written and non-blank rows with their spreadsheet row numbers."""

    header: list[str]
    rows: list[tuple[int, list[str]]]
    header_row: int = 1
    kind: str = "csv"
    notes: list[Problem] = field(default_factory=list)
    """Warnings about how the file was read (encoding, sheet, layout, skipped lines)."""
    problems: list[Problem] = field(default_factory=list)
    """Row-level errors found while reading (e.g. more cells than the header)."""
    evidence_of: dict[int, int] = field(default_factory=dict)
    """Unnamed columns read by position: column index → index of the question column whose evidence it holds."""
    layout: str = ""
    """The survey tool whose export this is ("SurveyMonkey"), when recognised."""

    def column_name(self, index: int) -> str:
        """A column as messages name it: its header, or its letter when the header is blank."""
        header = self.header[index] if index < len(self.header) else ""
        return header or f"column {column_letter(index)}"


def size_text(size: int) -> str:
    """A size as every message says it: '20 MB', '23.4 MB' (MB of 1024 × 1024 bytes, as Streamlit counts)."""
    mb = size / (1024 * 1024)
    return f"{mb:.0f} MB" if mb.is_integer() else f"{mb:.1f} MB"


def too_large(size: int) -> FileRefused:
    """The one refusal of a file over the limit (CLI and Upload page alike)."""
    return refuse(f"The file is {size_text(size)}; the limit is {size_text(MAX_FILE_BYTES)}",
                  "Split it into smaller files (for example one per cycle) and upload each")


def column_role(header: str) -> str | None:
    """The role a long-form column plays (`organisation`, `rating` …), or None if not one of ours."""
    return _ROLE_BY_KEY.get(header_key(header))


def _recognised(cells: list[str]) -> int:
    """How many cells read as column names (a bare number is data, not a question code, for this count)."""
    return sum(1 for c in cells if c.strip() and (column_role(c) or (looks_like_question(c) and not _number(c))))


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# --- reading ----------------------------------------------------------------------------------------

def read_table(data: bytes, filename: str = "") -> Table:
    """Read a CSV or XLSX return file. Raises FileRefused with a clear reason when it cannot be read."""
    if len(data) > MAX_FILE_BYTES:
        raise too_large(len(data))
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise refuse("The file is empty", "Export the return again and upload the saved file")
    name = filename.lower()
    if data.startswith(b"PK\x03\x04"):
        table = _read_xlsx(data)
        if name and not name.endswith((".xlsx", ".xlsm")):
            table.notes.insert(0, Problem(None, None, f"'{filename}' is an Excel workbook despite its name; "
                                                      "it was read as a workbook"))
        return table
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise refuse(f"'{filename or 'The file'}' is {what}, not a CSV or XLSX return",
                         "Open it in Excel and save it as 'Excel Workbook (.xlsx)' or 'CSV UTF-8'")
    if name.endswith((".xls", ".ods", ".numbers")):
        raise refuse(f"'{filename}' is not a format the importer reads",
                     "Save it as 'Excel Workbook (.xlsx)' or 'CSV UTF-8' and upload that")
    return _read_text(data, filename)


def _decode(data: bytes, filename: str) -> tuple[str, list[Problem]]:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError:
            raise refuse("The file says it is UTF-16 text but its characters could not be read",
                         "In Excel choose Save As → 'CSV UTF-8 (Comma delimited)' and upload that") from None
    if data[:8192].count(b"\x00") > 3:  # a NUL or two in a cell is a row-level problem, found later
        raise refuse(f"'{filename or 'The file'}' is not a text file (it holds binary data)",
                     "Upload the return as CSV or XLSX; if it came from a survey tool, export it again as CSV")
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise refuse("The file's characters could not be read (neither UTF-8 nor Windows-1252)",
                     "In Excel choose Save As → 'CSV UTF-8 (Comma delimited)' and upload that") from None
    note = Problem(None, None, "The file is not UTF-8: it was read as Windows-1252 (Excel's usual CSV on "
                               "Windows). Check that names with accents look right in the preview",
                   "Next time save as 'CSV UTF-8'")
    return text, [note]


def _read_text(data: bytes, filename: str) -> Table:
    text, notes = _decode(data, filename)
    sample = text[:8192]
    if sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n") > max(8, len(sample) // 50):
        raise refuse(f"'{filename or 'The file'}' is not a text file (it holds control characters)",
                     "Upload the return as CSV or XLSX")
    delimiter = _delimiter(text)
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        table = _table(enumerate(records, start=1), kind="csv")
    except csv.Error as exc:
        raise refuse(f"The CSV could not be read after line {records.line_num}: {exc}",
                     "Check for an unclosed quote (\") in a cell; re-save the file from Excel",
                     row=records.line_num) from None
    table.notes[:0] = notes
    if delimiter != ",":
        name = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}[delimiter]
        table.notes.append(Problem(None, None, f"Columns are separated by {name}; read accordingly"))
    return table


def _delimiter(text: str) -> str:
    """The delimiter whose split of the first lines finds the most known column names (then the most columns)."""
    sample = text[:65536]
    best, best_score = ",", (-1, -1, -1)
    for delimiter in (",", ";", "\t", "|"):
        try:
            rows = [r for _, r in zip(range(HEADER_SEARCH_ROWS), csv.reader(io.StringIO(sample, newline=""),
                                                                              delimiter=delimiter))]
        except csv.Error:
            continue
        if not rows:
            continue
        recognised = max(_recognised(r) for r in rows)
        widths = [len(r) for r in rows if any(c.strip() for c in r)]
        steady = sum(1 for w in widths if w == max(widths, key=widths.count)) if widths else 0
        score = (recognised, steady if max(widths or [0]) > 1 else 0, max(widths or [0]))
        if score > best_score:
            best, best_score = delimiter, score
    return best


_EDGES = " \t\r\n"
"""Stripped from both ends of a cell (stray spaces and line breaks); everything else, no-break spaces included, is
kept as written."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Characters no return means to hold (NUL cannot even be stored on PostgreSQL): refused on every database."""


def _cell(value: object) -> str:
    """One cell as text: numbers without a spurious '.0', dates as ISO, formula-neutralised text restored."""
    if type(value) is str:  # every CSV cell: the fast path
        text = value.strip(_EDGES)
        return restore_cell(text) if text[:1] == "'" else text
    if value is None:
        return ""
    if isinstance(value, UnsavedFormula):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip(_EDGES)
    return restore_cell(text)


def _table(records, kind: str) -> Table:  # type: ignore[no-untyped-def]
    """Find the header among the first rows (numbered as the spreadsheet numbers them), then collect the non-blank
    rows after it."""
    head: list[tuple[int, list[str]]] = []
    iterator = iter(records)
    after: list[tuple[int, list[str]]] = []
    for number, record in iterator:
        if number > HEADER_SEARCH_ROWS:
            after.append((number, record))
            break
        head.append((number, [_cell(v) for v in record]))
    filled = [(n, r) for n, r in head if any(r)]
    if not filled:
        raise refuse("The file has no header and no rows", "Start from the template: download it above")
    scored = [(_recognised(r), -n, n, r) for n, r in filled]
    best = max(scored)
    header_row, header = (best[2], best[3]) if best[0] > 0 else filled[0]
    table = Table(header=list(header), rows=[], header_row=header_row, kind=kind)
    below = next((r for n, r in filled if n > header_row), None)
    header_rows = survey_layouts.shape(table, below)
    while table.header and not table.header[-1]:
        table.header.pop()
    if len(table.header) > MAX_COLUMNS:
        raise refuse(f"The header has {len(table.header)} columns; at most {MAX_COLUMNS} are read",
                     "Remove unused columns")
    if header_row > 1 and not table.layout:
        table.notes.append(Problem(header_row, None, f"The header was found on row {header_row}; the rows "
                                                     "above it were skipped"))
    width = len(table.header)
    for number, cells in head:
        if number > header_row + header_rows - 1:
            _add_row(table, number, cells, width)
    for number, record in itertools.chain(after, iterator):
        _add_row(table, number, [_cell(v) for v in record], width)
        if len(table.rows) > MAX_ROWS:
            raise refuse(f"The file has more than {MAX_ROWS:,} rows", "Split it into smaller files")
        if len(table.rows) * width > MAX_CELLS:
            raise refuse(f"The file holds more than {MAX_CELLS:,} cells ({len(table.rows):,} rows × {width} "
                         "columns so far)", "Remove unused columns, or split it into smaller files")
    if not table.rows:
        raise refuse("The file has a header but no rows of answers",
                     "Add one row per organisation and question (or per organisation in the wide form)",
                     row=header_row)
    return table


def _add_row(table: Table, number: int, cells: list[str], width: int) -> None:
    if not any(cells):
        return
    if len(cells) > width:
        extra = [c for c in cells[width:] if c]
        if extra:
            table.problems.append(Problem(
                number, None, f"Row {number} has {len(cells)} cells but the header has {width} columns "
                              f"(extra: '{extra[0][:40]}')",
                "A value probably contains the separator: put it in double quotes, or re-save from Excel"))
        cells = cells[:width]
    if max(map(len, cells)) > MAX_CELL_CHARS or _CONTROL.search("\n".join(cells)) or (
            table.kind == "xlsx" and any(type(c) is UnsavedFormula for c in cells)):
        cells = _checked_cells(table, number, cells)
    table.rows.append((number, cells + [""] * (width - len(cells))))


def _checked_cells(table: Table, number: int, cells: list[str]) -> list[str]:
    """The cells of a row with each over-long cell, control character and unsaved formula reported (and blanked,
    so nothing large is held)."""
    checked = []
    for index, cell in enumerate(cells):
        problem = _cell_problem(cell)
        if problem is not None:
            if len(table.problems) < MAX_PROBLEM_CELLS:
                table.problems.append(Problem(number, table.column_name(index), *problem))
            cell = ""
        checked.append(cell)
    return checked


def _cell_problem(cell: str) -> tuple[str, str] | None:
    """(what is wrong, the fix) for one cell that cannot be kept as written, else None."""
    if type(cell) is UnsavedFormula:
        return (f"The cell holds a formula ({cell[:60]}) with no saved value",
                "Open and save the file in Excel first (Excel saves each formula's value), then upload it again")
    if len(cell) > MAX_CELL_CHARS:
        return (f"The cell is {len(cell):,} characters long; the longest kept is {MAX_CELL_CHARS:,}",
                "Shorten it (attach the rest as a document). If it should be short, a double quote (\") earlier "
                "in the row is probably not closed")
    found = _CONTROL.search(cell)
    if found is not None:
        code = ord(found.group())
        what = "a NUL character (code 0)" if code == 0 else f"an invisible control character (code {code})"
        return (f"The cell holds {what} at character {found.start() + 1}, which cannot be stored",
                "Delete it: retype that part of the cell (or paste the text through Notepad) and upload again")
    return None


# --- XLSX -------------------------------------------------------------------------------------------

def _check_zip(data: bytes) -> zipfile.ZipFile:
    """The archive of an XLSX, refused when its parts would unpack enormous, before any is read."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise refuse("The workbook is damaged (it cannot be unzipped)",
                     "Open it in Excel, save it again as .xlsx and upload the new file") from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise refuse(f"The workbook has {len(members)} parts; that is not a return", "Save the data as CSV")
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_UNPACKED_BYTES:
        raise refuse(f"The workbook would unpack to {unpacked / 1e6:,.0f} MB (limit "
                     f"{MAX_UNPACKED_BYTES / 1e6:.0f} MB)", "Save the return sheet alone as CSV and upload that")
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names:
        what = ("an OpenDocument file" if "mimetype" in names else
                "a Word document" if "word/document.xml" in names else "a zip archive")
        raise refuse(f"The file is {what}, not an Excel workbook",
                     "Save the return as 'Excel Workbook (.xlsx)' or 'CSV UTF-8'")
    return archive


def _read_xlsx(data: bytes) -> Table:
    archive = _check_zip(data)
    try:
        book = Workbook(archive)
        sheet, others = _pick_sheet(book)
        table = _table(book.rows(sheet[1], MAX_COLUMNS + 1), kind="xlsx")
    except FileRefused:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure to read is the same message to the user
        raise refuse(f"The workbook could not be opened ({type(exc).__name__})",
                     "Open it in Excel, save it again as .xlsx (or as CSV UTF-8) and upload the new file") from None
    where = f"sheet {book.sheets.index(sheet) + 1} of {len(book.sheets)}"
    if len([s for s in book.sheets if s[0] not in TEMPLATE_SHEETS]) < 2:
        return table  # the only sheet (beside our template's help): nothing to say
    if others:
        table.notes.append(Problem(None, None, f"Read the sheet '{sheet[0]}' ({where}) only; the sheets "
                                               f"{', '.join(repr(o) for o in others[:5])} were not imported",
                                   "Upload each sheet of returns as its own file"))
    else:
        table.notes.append(Problem(None, None, f"Read the sheet '{sheet[0]}' ({where})"))
    return table


TEMPLATE_SHEETS = ("questions", "how to fill in")
"""Sheets of our XLSX template that hold help, not returns."""


def _pick_sheet(book: Workbook) -> tuple[tuple[str, str], list[str]]:
    """The first sheet with the most recognisable header (the template's help sheets are skipped), and the names
    of other sheets that look like returns too."""
    if not book.sheets:
        raise refuse("The workbook has no sheets", "Open it in Excel, save it again as .xlsx and upload it")
    scores = []
    for sheet in book.sheets[:20]:
        rows = book.rows(sheet[1], 200, max_rows=HEADER_SEARCH_ROWS)
        score = max((_recognised([_cell(v) for v in row]) for _, row in rows), default=0)
        scores.append((0 if sheet[0] in TEMPLATE_SHEETS else score, sheet))
    best_score = max(score for score, _ in scores)
    best = next(sheet for score, sheet in scores if score == best_score)
    others = [sheet[0] for score, sheet in scores if sheet is not best and score >= 2]
    return best, others
