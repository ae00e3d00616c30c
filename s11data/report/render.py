"""One entry point for the report's documents: `render(report, "docx" | "pdf" | "html")` → bytes, with the media
type and file extension of each format."""
from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from s11data.report import charts_image
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


COLLECT_EVERY = 50_000
"""Allocations between the cyclic collector's youngest passes while a document is made (Python's default: 700).
WeasyPrint and python-docx make millions of short-lived objects; at the default, the collector took 12 % of a
15-partnership roll-up's PDF (43.8 → 38.5 s of CPU with it off; with this setting the same, and peak memory as
with the default)."""
_renders = 0
_renders_lock = threading.Lock()
_usual_threshold = gc.get_threshold()


@contextmanager
def fewer_collections() -> Iterator[None]:
    """The collector's youngest threshold at COLLECT_EVERY while any document is being made in this process
    (app sessions render in threads; the last one to finish puts the usual threshold back)."""
    global _renders, _usual_threshold
    with _renders_lock:
        if _renders == 0:
            _usual_threshold = gc.get_threshold()
            gc.set_threshold(COLLECT_EVERY, *_usual_threshold[1:])
        _renders += 1
    try:
        yield
    finally:
        with _renders_lock:
            _renders -= 1
            if _renders == 0:
                gc.set_threshold(*_usual_threshold)


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
