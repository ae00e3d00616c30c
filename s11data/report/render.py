"""One entry point for the report's documents: `render(report, "docx" | "pdf" | "html")` → bytes, with the media
type and file extension of each format."""
from __future__ import annotations

from typing import Literal

from s11data.report.docx import to_docx
from s11data.report.document import Report
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
    """The report as a document of format `fmt`."""
    if fmt == "docx":
        return to_docx(report)
    if fmt == "pdf":
        return to_pdf(report)
    if fmt == "html":
        return to_html(report).encode("utf-8")
    raise ValueError(f"Unknown report format {fmt!r}: choose one of {', '.join(FORMATS)}.")
