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
import re
import zipfile
from dataclasses import dataclass, field

from s11data.returns.spreadsheet import restore_cell

MAX_FILE_BYTES = 20 * 1024 * 1024
"""Largest file accepted (a 10,000-row return with long evidence is about 3 MB)."""
MAX_UNPACKED_BYTES = 150 * 1024 * 1024
"""Largest total size an XLSX may unpack to (a 'zip bomb' is refused before it is opened)."""
MAX_ZIP_MEMBERS = 2_000
MAX_ROWS = 200_000
MAX_COLUMNS = 1_000
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
                     "completed on", "completion date", "timestamp", "date"),
    "question_text": ("question text", "question wording", "text", "section", "section title", "theme"),
}
"""Every role a column can play, with the header spellings accepted for it (compared after `header_key`).
`question_text` columns (templates carry them to help people) are read as help and ignored."""

_ROLE_BY_KEY = {key: role for role, names in LONG_COLUMNS.items() for key in names}
_QUESTION_LIKE = re.compile(r"^(?:q|question\s*)?[a-z]{0,2}\s?\d{1,3}[a-z]?(?:[\s.:)\-_].*)?$", re.I)
"""A header that looks like a question code ("A1", "Q12", "3", "A1. There is a named lead…")."""

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


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth knowing) about a file, placed at its spreadsheet row and column."""

    row: int | None
    column: str | None
    message: str
    fix: str = ""

    @property
    def text(self) -> str:
        """What is wrong and how to fix it, in one line."""
        return f"{self.message}. {self.fix}" if self.fix else self.message

    def as_json(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "message": self.text}


class FileRefused(Exception):
    """The file cannot be read at all; `problems` say why and what to do."""

    def __init__(self, *problems: Problem) -> None:
        super().__init__("; ".join(p.text for p in problems))
        self.problems = list(problems)


def refuse(message: str, fix: str = "", row: int | None = None, column: str | None = None) -> FileRefused:
    return FileRefused(Problem(row, column, message, fix))


@dataclass
class Table:
    """A file as read: header cells as written and non-blank rows with their spreadsheet row numbers."""

    header: list[str]
    rows: list[tuple[int, list[str]]]
    header_row: int = 1
    kind: str = "csv"
    notes: list[Problem] = field(default_factory=list)
    """Warnings about how the file was read (encoding, sheet, skipped lines)."""
    problems: list[Problem] = field(default_factory=list)
    """Row-level errors found while reading (e.g. more cells than the header)."""


def header_key(text: str) -> str:
    """A header folded for matching: case, spaces, underscores, trailing '*' or ':' ignored."""
    text = text.replace("\ufeff", "").replace("_", " ").replace("\u00a0", " ").lower()
    text = re.sub(r"\s+", " ", text).strip(" *:?")
    return text


def column_role(header: str) -> str | None:
    """The role a long-form column plays (`organisation`, `rating` …), or None if not one of ours."""
    return _ROLE_BY_KEY.get(header_key(header))


def looks_like_question(header: str) -> bool:
    return bool(_QUESTION_LIKE.match(header_key(header)))


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
        raise refuse(f"The file is {len(data) / 1e6:.1f} MB; the limit is {MAX_FILE_BYTES / 1e6:.0f} MB",
                     "Split it into smaller files (for example one per cycle) and upload each")
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
    if b"\x00" in data[:8192]:
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
    if sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\t\r\n") > 8:
        raise refuse(f"'{filename or 'The file'}' is not a text file (it holds control characters)",
                     "Upload the return as CSV or XLSX")
    delimiter = _delimiter(text)
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        table = _table(records, kind="csv")
    except csv.Error as exc:
        raise refuse(f"The CSV could not be read: {exc}",
                     "Check for an unclosed quote (\") in a cell; re-save the file from Excel") from None
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


def _cell(value: object) -> str:
    """One cell as text: numbers without a spurious '.0', dates as ISO, formula-neutralised text restored."""
    if type(value) is str:  # every CSV cell: the fast path
        if "\u00a0" in value:
            value = value.replace("\u00a0", " ")
        text = value.strip()
        return restore_cell(text) if text[:1] == "'" else text
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).replace("\u00a0", " ").strip()
    return restore_cell(text)


def _table(records, kind: str) -> Table:  # type: ignore[no-untyped-def]
    """Find the header among the first rows, then collect the non-blank rows after it."""
    head: list[tuple[int, list[str]]] = []
    iterator = iter(records)
    for number, record in zip(range(1, HEADER_SEARCH_ROWS + 1), iterator):
        head.append((number, [_cell(v) for v in record]))
    filled = [(n, r) for n, r in head if any(r)]
    if not filled:
        raise refuse("The file has no header and no rows", "Start from the template: download it above")
    scored = [(_recognised(r), -n, n, r) for n, r in filled]
    best = max(scored)
    header_row, header = (best[2], best[3]) if best[0] > 0 else filled[0]
    while header and not header[-1]:
        header.pop()
    if len(header) > MAX_COLUMNS:
        raise refuse(f"The header has {len(header)} columns; at most {MAX_COLUMNS} are read",
                     "Remove unused columns")
    table = Table(header=header, rows=[], header_row=header_row, kind=kind)
    if header_row > 1:
        table.notes.append(Problem(header_row, None, f"The header was found on row {header_row}; the rows "
                                                     "above it were skipped"))
    width = len(header)
    for number, cells in head:
        if number > header_row:
            _add_row(table, number, cells, width)
    for number, record in enumerate(iterator, start=HEADER_SEARCH_ROWS + 1):
        _add_row(table, number, [_cell(v) for v in record], width)
        if len(table.rows) > MAX_ROWS:
            raise refuse(f"The file has more than {MAX_ROWS:,} rows", "Split it into smaller files")
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
    table.rows.append((number, cells + [""] * (width - len(cells))))


# --- XLSX -------------------------------------------------------------------------------------------

def _check_zip(data: bytes) -> None:
    """Refuse an XLSX whose parts would unpack enormous, before openpyxl opens it."""
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


def _read_xlsx(data: bytes) -> Table:
    import openpyxl  # uses defusedxml (installed) against XML attacks

    _check_zip(data)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure to open is the same message to the user
        raise refuse(f"The workbook could not be opened ({type(exc).__name__})",
                     "Open it in Excel, save it again as .xlsx (or as CSV UTF-8) and upload the new file") from None
    try:
        sheet, others = _pick_sheet(book)
        table = _table(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1), kind="xlsx")
        if others:
            table.notes.append(Problem(None, None, f"Read the sheet '{sheet.title}' only; the sheets "
                                                   f"{', '.join(repr(o) for o in others[:5])} were not imported",
                                       "Upload each sheet of returns as its own file"))
        return table
    finally:
        book.close()


TEMPLATE_SHEETS = ("questions", "how to fill in")
"""Sheets of our XLSX template that hold help, not returns."""


def _pick_sheet(book):  # type: ignore[no-untyped-def]
    """The first sheet with the most recognisable header (the template's help sheets are skipped), and the names
    of other sheets that look like returns too."""
    scores = []
    for sheet in book.worksheets[:20]:
        rows = sheet.iter_rows(values_only=True, max_row=HEADER_SEARCH_ROWS, max_col=200)
        score = max((_recognised([_cell(v) for v in row]) for row in rows), default=0)
        scores.append((0 if sheet.title in TEMPLATE_SHEETS else score, sheet))
    best_score = max(score for score, _ in scores)
    best = next(sheet for score, sheet in scores if score == best_score)
    others = [sheet.title for score, sheet in scores if sheet is not best and score >= 2]
    return best, others
