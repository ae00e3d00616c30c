"""The report as a tagged PDF: the HTML document printed by WeasyPrint as PDF/UA-1 (a structure tree, /Lang,
the title shown as the window title, alt text on figures). Nothing is fetched: the document is self-contained,
and any other address in it is refused.
"""
from __future__ import annotations

import struct

import pydyf
import weasyprint
from weasyprint.images import RasterImage

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

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_reencoded_png_data = RasterImage._get_png_data


def png_idat(data: bytes) -> bytes | None:
    """The image data (IDAT chunks, joined) of an 8-bit, non-interlaced RGB or grey PNG — what a PDF image with
    FlateDecode and a PNG predictor holds as it is; None for any other PNG or data."""
    if data[:8] != _PNG_SIGNATURE or data[12:16] != b"IHDR":
        return None
    depth, colour, _compression, _filter, interlace = data[24:29]
    if depth != 8 or colour not in (0, 2) or interlace:
        return None
    chunks, at = [], 8
    while at + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        if kind == b"IDAT":
            chunks.append(data[at + 8:at + 8 + length])
        at += 12 + length
    return b"".join(chunks) or None


def _png_data(pillow_image: object) -> bytes:
    """WeasyPrint's `RasterImage._get_png_data` (decode the image, encode it again as PNG, keep its IDAT), taking
    the IDAT of the PNG it was opened from instead when that PNG already has the layout a PDF reads: the report's
    ~100 charts of a roll-up were each decoded and deflated again (a twelfth of the PDF's time)."""
    source = getattr(pillow_image, "fp", None)
    if getattr(pillow_image, "format", None) == "PNG" and hasattr(source, "getvalue"):
        idat = png_idat(source.getvalue())  # type: ignore[union-attr]
        if idat is not None:
            return idat
    return _reencoded_png_data(pillow_image)


RasterImage._get_png_data = staticmethod(_png_data)  # type: ignore[method-assign]


def to_pdf(report: Report) -> bytes:
    """The report as PDF bytes."""
    fetcher = weasyprint.URLFetcher(allowed_protocols=("data",))
    document = weasyprint.HTML(string=to_html(report), url_fetcher=fetcher)
    return document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)
