"""The report as a tagged PDF: the HTML document printed by WeasyPrint as PDF/UA-1 (a structure tree, /Lang,
the title shown as the window title, alt text on figures). Nothing is fetched: the document is self-contained,
and any other address in it is refused.
"""
from __future__ import annotations

import weasyprint

from s11data.report.document import Report
from s11data.report.html import to_html

PDF_VARIANT = "pdf/ua-1"


def to_pdf(report: Report) -> bytes:
    """The report as PDF bytes."""
    fetcher = weasyprint.URLFetcher(allowed_protocols=("data",))
    document = weasyprint.HTML(string=to_html(report), url_fetcher=fetcher)
    return document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)
