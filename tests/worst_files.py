"""Worst-case return files within the upload limit, written fast (raw XLSX parts, no openpyxl), for the bounded-
time-and-memory checks (issue 13) and for measuring: `python tests/worst_files.py` prints time and peak memory of
reading each one.

    many_shared_strings()   15 MB XLSX, 6,000,000 distinct texts
    million_rows()          1,000,000 answer rows in a ~10 MB XLSX
    styled_empty_rows()     1,000,000 rows that only carry a style
    huge_cell_csv()         one 19 MB evidence cell in a CSV
    longest_csv()           the longest valid CSV: as many answer rows as the limit allows
"""
from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator

from s11data.returns.return_file import MAX_FILE_BYTES

HEADER = ["partnership", "cycle", "organisation", "question", "rating", "evidence"]
_MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def xlsx(sheet_rows: Iterable[bytes], shared: Iterable[bytes] = (), level: int = 6) -> bytes:
    """A workbook of one sheet from raw `<row>` elements and raw `<si>` shared strings."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as book:
        book.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                      'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')
        book.writestr("xl/workbook.xml", f'<workbook {_MAIN} {_REL}><sheets><sheet name="returns" sheetId="1" '
                                         'r:id="rId1"/></sheets></workbook>')
        book.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/'
                      '2006/relationships"><Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="ws"/>'
                      '</Relationships>')
        book.writestr("xl/styles.xml", f'<styleSheet {_MAIN}><cellXfs count="2"><xf numFmtId="0"/>'
                                       '<xf numFmtId="0" fillId="1"/></cellXfs></styleSheet>')
        with book.open("xl/sharedStrings.xml", "w") as part:
            part.write(f"<sst {_MAIN}>".encode())
            for item in shared:
                part.write(item)
            part.write(b"</sst>")
        with book.open("xl/worksheets/sheet1.xml", "w") as part:
            part.write(f"<worksheet {_MAIN}><sheetData>".encode())
            for row in sheet_rows:
                part.write(row)
            part.write(b"</sheetData></worksheet>")
    return out.getvalue()


def _inline_row(number: int, cells: list[str]) -> bytes:
    body = "".join(f'<c t="inlineStr"><is><t>{value}</t></is></c>' for value in cells)
    return f'<row r="{number}">{body}</row>'.encode()


def many_shared_strings(count: int = 6_000_000) -> bytes:
    def strings() -> Iterator[bytes]:
        for index in range(count):
            yield f"<si><t>{index:x}</t></si>".encode()

    def rows() -> Iterator[bytes]:
        yield _inline_row(1, HEADER)
        for index in range(count // 6):
            cells = "".join(f'<c t="s"><v>{index * 6 + j}</v></c>' for j in range(6))
            yield f'<row r="{index + 2}">{cells}</row>'.encode()
    return xlsx(rows(), strings(), level=9)


def million_rows(count: int = 1_000_000) -> bytes:
    def rows() -> Iterator[bytes]:
        yield _inline_row(1, HEADER)
        for index in range(count):
            yield (f'<row r="{index + 2}"><c t="s"><v>0</v></c><c t="s"><v>1</v></c><c t="s"><v>2</v></c>'
                   f'<c t="s"><v>3</v></c><c t="s"><v>4</v></c></row>').encode()
    shared = [f"<si><t>{v}</t></si>".encode() for v in ("DEMO", "2025-26", "Somebody", "A1", "Green")]
    return xlsx(rows(), shared, level=9)


def styled_empty_rows(count: int = 1_000_000, data_rows: int = 14) -> bytes:
    def rows() -> Iterator[bytes]:
        yield _inline_row(1, HEADER)
        for index in range(data_rows):
            yield _inline_row(index + 2, ["DEMO", "2025-26", "Somebody", f"A{index + 1}", "Green", "ok"])
        for index in range(data_rows + 2, data_rows + 2 + count):
            yield f'<row r="{index}"><c r="A{index}" s="1"/><c r="F{index}" s="1"/></row>'.encode()
    return xlsx(rows(), level=9)


def huge_cell_csv(size: int = MAX_FILE_BYTES - 1000) -> bytes:
    return (",".join(HEADER) + "\nDEMO,2025-26,Somebody,A1,Green," + "x" * size + "\n").encode()


def longest_csv(limit: int = MAX_FILE_BYTES - 100) -> bytes:
    line = b"DEMO,2025-26,Somebody,A1,Green,ok\n"
    return (",".join(HEADER) + "\n").encode() + line * ((limit - 60) // len(line))


WORST = {"6,000,000 shared strings (XLSX)": many_shared_strings, "1,000,000 rows (XLSX)": million_rows,
         "1,000,000 styled-empty rows (XLSX)": styled_empty_rows, "one 19 MB cell (CSV)": huge_cell_csv,
         "longest CSV": longest_csv}


def measure() -> None:
    """Time and peak memory (tracemalloc) of reading each worst case."""
    import time
    import tracemalloc

    from s11data.returns.return_file import FileRefused, read_table

    for name, make in WORST.items():
        data = make()
        tracemalloc.start()
        start = time.perf_counter()
        try:
            table = read_table(data, "worst.xlsx" if "XLSX" in name else "worst.csv")
            outcome = f"read: {len(table.rows):,} rows, {len(table.problems)} problems"
        except FileRefused as refused:
            outcome = "refused: " + refused.problems[0].message[:90]
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"{name:38} {len(data) / 2**20:6.1f} MB  {seconds:6.2f} s  peak {peak / 2**20:7.1f} MB  {outcome}")


if __name__ == "__main__":
    measure()
