"""The report as a tagged PDF: the HTML document printed by WeasyPrint as PDF/UA-1 (a structure tree, /Lang,
the title shown as the window title, alt text on figures). Nothing is fetched: the document is self-contained,
and any other address in it is refused.
"""
from __future__ import annotations

import pydyf
import weasyprint

from s11data.report.document import Report
from s11data.report.html import to_html

PDF_VARIANT = "pdf/ua-1"


def _page_references(pdf: pydyf.PDF) -> tuple[bytes, ...]:
    """pydyf's `PDF.page_references`, built once per page count instead of on every call: WeasyPrint's structure
    tree reads it once per tagged element, which made a tagged PDF's cost grow with pages × elements (a third of a
    400-page roll-up's time). Pages are only ever appended, so the page count keys the cached tuple."""
    kids = pdf.pages["Kids"]
    cached = pdf.__dict__.get("_s11_page_references")
    if cached is None or cached[0] != len(kids):
        cached = (len(kids), tuple(f"{number} 0 R".encode("ascii") for number in kids[::3]))
        pdf.__dict__["_s11_page_references"] = cached
    return cached[1]


pydyf.PDF.page_references = property(_page_references)  # type: ignore[assignment,method-assign]


def to_pdf(report: Report) -> bytes:
    """The report as PDF bytes."""
    fetcher = weasyprint.URLFetcher(allowed_protocols=("data",))
    document = weasyprint.HTML(string=to_html(report), url_fetcher=fetcher)
    return document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)
