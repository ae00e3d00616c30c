"""One entry point for the report's documents: `render(report, "docx" | "pdf" | "html")` → bytes, with the media
type and file extension of each format."""
from __future__ import annotations

from typing import Literal

from s11data.report import charts_image
from s11data.store.collector import fewer_collections
from s11data.report.docx import to_docx
from s11data.report.document import Chart, Report, Table
from s11data.report.html import to_html
from s11data.report.pdf import to_pdf

Format = Literal["docx", "pdf", "html"]
FORMATS: tuple[Format, ...] = ("docx", "pdf", "html")
MEDIA_TYPES: dict[str, str] = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
}
EXTENSIONS: dict[str, str] = {"docx": ".docx", "pdf": ".pdf", "html": ".html"}


def render(report: Report, fmt: Format) -> bytes:
    """The report as a document of format `fmt`. A table whose rows do not match its header is refused."""
    check_tables(report)
    if fmt not in FORMATS:
        raise ValueError(f"Unknown report format {fmt!r}: choose one of {', '.join(FORMATS)}.")
    with fewer_collections():
        charts_image.draw_all(block.spec for block in report.blocks if isinstance(block, Chart))
        if fmt == "docx":
            return to_docx(report)
        if fmt == "pdf":
            return to_pdf(report)
        return to_html(report).encode("utf-8")


def check_tables(report: Report) -> None:
    """ValueError naming the table and row when a row's (or its grades') cells do not match the header."""
    for block in report.blocks:
        if not isinstance(block, Table):
            continue
        if not block.header:
            raise ValueError(f"Table {block.caption!r} has no header row.")
        for number, row in enumerate(block.rows, start=1):
            grades = block.grades[number - 1] if block.grades and number <= len(block.grades) else None
            if len(row) != len(block.header) or (grades is not None and len(grades) != len(row)):
                raise ValueError(f"Table {block.caption!r}, row {number}: {len(row)} cells for "
                                 f"{len(block.header)} columns; give every row (and its grades) one cell per column.")
        if block.grades is not None and len(block.grades) != len(block.rows):
            raise ValueError(f"Table {block.caption!r}: {len(block.grades)} rows of grades for {len(block.rows)} rows.")
