"""Reading an XLSX workbook as a stream: one sheet's rows at a time, in bounded memory, whatever its size.

The sheet XML and the shared strings are parsed with expat callbacks (no tree is built, no DTD or entity is
accepted), so a sheet of a million styled-empty rows costs time, not memory, and yields nothing. Cell values come
back as Python values: text, float, bool, `datetime` for a number in a date format (the workbook's 1900 or 1904
date system), the error text ("#N/A") for an error cell, and `UnsavedFormula` for a formula that the program that
wrote the file never calculated (no saved value: Excel would show it, we cannot).
"""
from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from collections.abc import Iterator
from typing import IO
from xml.parsers import expat

import defusedxml.ElementTree as safe_xml

from s11data.returns.problems import refuse

MAX_SHARED_STRINGS = 400_000
"""Distinct texts a workbook may hold (a 10,000-row return holds a few tens of thousands; 50,000 rows at most)."""
MAX_SHARED_CHARS = 60_000_000
"""Characters all those texts may add up to (about 60 MB held while the sheet is read)."""
CHUNK = 1 << 16

_BUILTIN_DATES = {*range(14, 23), *range(27, 37), 45, 46, 47, *range(50, 59)}
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


class UnsavedFormula(str):
    """A formula cell with no saved value; the text is the formula ('=SUM(B2:B9)')."""


def column_index(ref: str) -> int:
    """0 for 'A1', 27 for 'AB7'."""
    index = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            index = index * 26 + ord(ch) - 64
        elif "a" <= ch <= "z":
            index = index * 26 + ord(ch) - 96
        else:
            break
    return index - 1


def column_letter(index: int) -> str:
    """'A' for 0, 'AB' for 27."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _local(name: str) -> str:
    """A tag without its namespace: '{…main}row' (ElementTree) or 'x:row' (expat) → 'row'."""
    return name.rpartition("}")[2].rpartition(":")[2]


def _parser() -> expat.XMLParserType:
    """An expat parser that refuses any DTD (no entity tricks) and buffers text."""
    parser = expat.ParserCreate()
    parser.buffer_text = True

    def no_dtd(*_args: object) -> None:
        raise ValueError("a DTD in a workbook part")

    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd
    return parser


def _unescape(text: str) -> str:
    """Excel writes characters XML cannot carry as '_x001F_'."""
    return _ESCAPED.sub(lambda m: chr(int(m[1], 16)), text) if "_x" in text else text


class Workbook:
    """The sheets of an XLSX archive (already checked for size), read on demand."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        names = set(archive.namelist())
        book = safe_xml.fromstring(archive.read("xl/workbook.xml"))
        self.date1904 = any(_local(e.tag) == "workbookPr" and e.get("date1904", "").lower() in ("1", "true")
                            for e in book.iter())
        targets = self._targets(names)
        self.sheets: list[tuple[str, str]] = []
        for index, element in enumerate(e for e in book.iter() if _local(e.tag) == "sheet"):
            rid = next((v for k, v in element.attrib.items() if k.endswith("}id") or k == "r:id"), "")
            path = targets.get(rid, f"xl/worksheets/sheet{index + 1}.xml")
            if path in names:
                self.sheets.append((element.get("name", f"Sheet{index + 1}"), path))
        self.date_styles = self._date_styles(names)
        self._strings: list[str] | None = None

    def _targets(self, names: set[str]) -> dict[str, str]:
        if "xl/_rels/workbook.xml.rels" not in names:
            return {}
        rels = safe_xml.fromstring(self.archive.read("xl/_rels/workbook.xml.rels"))
        found = {}
        for rel in rels.iter():
            target = rel.get("Target", "")
            if _local(rel.tag) == "Relationship" and target:
                path = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
                found[rel.get("Id", "")] = path
        return found

    def _date_styles(self, names: set[str]) -> set[int]:
        """Indexes of the cell styles whose number format shows a date or a time."""
        if "xl/styles.xml" not in names:
            return set()
        styles = safe_xml.fromstring(self.archive.read("xl/styles.xml"))
        custom = {int(e.get("numFmtId", "-1")): e.get("formatCode", "")
                  for e in styles.iter() if _local(e.tag) == "numFmt"}
        dates = set()
        for block in (e for e in styles if _local(e.tag) == "cellXfs"):
            for index, xf in enumerate(e for e in block if _local(e.tag) == "xf"):
                number = int(xf.get("numFmtId", "0"))
                if number in _BUILTIN_DATES or (number in custom and _is_date_format(custom[number])):
                    dates.add(index)
        return dates

    # -- shared strings -------------------------------------------------------------------------------
    def strings(self) -> list[str]:
        """Every shared string, refused past MAX_SHARED_STRINGS or MAX_SHARED_CHARS."""
        if self._strings is None:
            self._strings = self._read_strings()
        return self._strings

    def _read_strings(self) -> list[str]:
        if "xl/sharedStrings.xml" not in self.archive.namelist():
            return []
        found: list[str] = []
        parts: list[str] = []
        state = {"text": False, "phonetic": 0, "chars": 0}

        def start(name: str, _attrs: dict) -> None:
            tag = _local(name)
            if tag == "si":
                parts.clear()
            elif tag == "t":
                state["text"] = not state["phonetic"]
            elif tag == "rPh":
                state["phonetic"] += 1

        def end(name: str) -> None:
            tag = _local(name)
            if tag == "si":
                text = _unescape("".join(parts))
                state["chars"] += len(text)
                if len(found) >= MAX_SHARED_STRINGS or state["chars"] > MAX_SHARED_CHARS:
                    raise _TooMany()
                found.append(text)
            elif tag == "t":
                state["text"] = False
            elif tag == "rPh":
                state["phonetic"] -= 1

        def data(text: str) -> None:
            if state["text"]:
                parts.append(text)

        parser = _parser()
        parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, data
        try:
            with self.archive.open("xl/sharedStrings.xml") as stream:
                while chunk := stream.read(CHUNK):
                    parser.Parse(chunk, False)
                parser.Parse(b"", True)
        except _TooMany:
            raise refuse(f"The workbook holds more than {MAX_SHARED_STRINGS:,} different texts (or more than "
                         f"{MAX_SHARED_CHARS:,} characters of them); a return holds far fewer",
                         "Save the return sheet alone as 'CSV UTF-8' and upload that") from None
        return found

    # -- rows ---------------------------------------------------------------------------------------------
    def rows(self, path: str, max_columns: int, max_rows: int | None = None) -> Iterator[tuple[int, list[object]]]:
        """(row number, values) for each row of the sheet holding a value; blank and styled-empty rows are
        skipped. Columns past `max_columns` are dropped; reading stops after row `max_rows`."""
        self.strings()  # read (and bounded) before the first cell needs them
        reader = _SheetReader(self, max_columns)
        parser = _parser()
        parser.StartElementHandler = reader.start
        parser.EndElementHandler = reader.end
        parser.CharacterDataHandler = reader.data
        with self.archive.open(path) as stream:
            for chunk in _without_empty_cells(stream):
                parser.Parse(chunk, False)
                done = reader.take()
                for number, values in done:
                    if max_rows is not None and number > max_rows:
                        return
                    yield number, values
            parser.Parse(b"", True)
        yield from reader.take()

    def value_of_date(self, serial: float) -> dt.datetime:
        base = dt.datetime(1904, 1, 1) if self.date1904 else dt.datetime(1899, 12, 30)
        return base + dt.timedelta(days=serial)


_EMPTY = re.compile(rb'<c r="[A-Z]{1,3}\d+"[^>/]*/>|<row r="\d+"[^>/]*/>|<row r="\d+"[^>/]*></row>')
"""A cell that only carries a style, and a row left with no cell: dropped before parsing (a sheet formatted down
to row 1,000,000 costs one regular-expression pass, not millions of parser calls). Both carry their position, so
nothing after them moves."""


def _without_empty_cells(stream: IO[bytes]) -> Iterator[bytes]:
    """The sheet XML in chunks, with styled-empty cells and rows removed (a chunk ends after a '>', so no element
    is cut in two)."""
    tail = b""
    while chunk := stream.read(CHUNK):
        chunk = tail + chunk
        cut = chunk.rfind(b">") + 1
        chunk, tail = chunk[:cut], chunk[cut:]
        yield _EMPTY.sub(b"", _EMPTY.sub(b"", chunk))
    if tail:
        yield tail


class _TooMany(Exception):
    pass


class _SheetReader:
    """The expat callbacks of one sheet: collects finished rows until `take` is called."""

    def __init__(self, book: Workbook, max_columns: int) -> None:
        self.book, self.max_columns = book, max_columns
        self.done: list[tuple[int, list[object]]] = []
        self.row_number = 0
        self.cells: dict[int, object] = {}
        self.column = -1
        self.kind = self.style = ""
        self.text: list[str] = []
        self.collect = False
        self.formula: list[str] | None = None
        self.has_value = False
        self.phonetic = 0

    def take(self) -> list[tuple[int, list[object]]]:
        done, self.done = self.done, []
        return done

    def start(self, name: str, attrs: dict) -> None:
        tag = _local(name)
        if tag == "c":
            ref = attrs.get("r")
            self.column = column_index(ref) if ref else self.column + 1
            self.kind, self.style = attrs.get("t", "n"), attrs.get("s", "")
            self.text, self.formula, self.has_value = [], None, False
        elif tag == "v" or (tag == "t" and not self.phonetic):
            self.collect, self.has_value = True, True
        elif tag == "f":
            self.formula, self.collect = [], False
        elif tag == "row":
            number = attrs.get("r")
            self.row_number = int(number) if number else self.row_number + 1
            self.cells, self.column = {}, -1
        elif tag == "rPh":
            self.phonetic += 1

    def data(self, text: str) -> None:
        if self.collect:
            self.text.append(text)
        elif self.formula is not None:
            self.formula.append(text)

    def end(self, name: str) -> None:
        tag = _local(name)
        if tag in ("v", "t"):
            self.collect = False
        elif tag == "f":
            self.formula = self.formula if self.formula else [""]
        elif tag == "c":
            if self.column < self.max_columns:
                value = self._value()
                if value is not None and value != "":
                    self.cells[self.column] = value
        elif tag == "row":
            if self.cells:
                values: list[object] = [None] * (max(self.cells) + 1)
                for index, value in self.cells.items():
                    values[index] = value
                self.done.append((self.row_number, values))
        elif tag == "rPh":
            self.phonetic -= 1

    def _value(self) -> object:
        text = "".join(self.text)
        if not self.has_value or (not text and self.kind not in ("inlineStr", "str")):
            return UnsavedFormula("=" + "".join(self.formula)) if self.formula is not None else None
        kind = self.kind
        if kind == "s":
            strings = self.book.strings()
            index = int(text)
            return strings[index] if 0 <= index < len(strings) else ""
        if kind in ("inlineStr", "str"):
            return _unescape(text)
        if kind == "b":
            return text.strip() in ("1", "true")
        if kind == "e":
            return text
        try:
            number = float(text)
        except ValueError:
            return text
        if self.style and int(self.style) in self.book.date_styles:
            try:
                return self.book.value_of_date(number)
            except OverflowError:
                return number
        return number


def _is_date_format(code: str) -> bool:
    """True for a custom number format that shows a date or a time ('dd/mm/yyyy', 'h:mm')."""
    bare = _QUOTED.sub("", code.split(";")[0]).lower()
    return any(ch in bare for ch in "dmyhs") and bare != "general"
