"""The report as a Word document (python-docx): Title and Heading 1–3 styles, a contents field whose shown text
is the plain list of chapters (it reads before anyone updates fields), real tables with a repeated header row,
RAG cells shaded and lettered, charts as PNG with alt text stating the figures, the partnership's name in every
header, the footer text and page numbers in every footer.
"""
from __future__ import annotations

import io
from collections.abc import Iterable

import docx
from docx.document import Document
from docx.enum.text import WD_BREAK, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Inches, Pt, RGBColor
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from s11data.report import charts_image, columns, grades, wording
from s11data.report.document import (
    Block, BulletList, Chart, Heading, Narrative, Paragraph, Report, Table,
)

LANGUAGE = "en-GB"
TEXT_WIDTH = Cm(17)
MAX_IMAGE_HEIGHT = Cm(22)


def to_docx(report: Report) -> bytes:
    """The report as .docx bytes."""
    document = docx.Document()
    _set_up(document, report)
    _remember_style_ids(document)
    _title_page(document, report)
    _contents(document, report)
    for block in report.blocks:
        _block(document, block)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _remember_style_ids(document: Document) -> None:
    """python-docx finds a style by name with two scans of styles.xml on every styled paragraph and table, a
    quarter of a long report's time; the document's styles do not change while it is written, so each name's id
    is looked up once."""
    part = document.part
    look_up = part.get_style_id
    ids: dict[tuple[str, object], str | None] = {}

    def style_id(style: object, style_type: object) -> str | None:
        if not isinstance(style, str):
            return look_up(style, style_type)
        if (style, style_type) not in ids:
            ids[style, style_type] = look_up(style, style_type)
        return ids[style, style_type]

    part.get_style_id = style_id  # type: ignore[method-assign]


# --- page, language, header and footer -------------------------------------------------------------------

def _set_up(document: Document, report: Report) -> None:
    props = document.core_properties
    props.title, props.subject, props.language = report.title, report.subtitle, LANGUAGE
    props.author = wording.fact(report, "Author") or report.header
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = "Arial", Pt(11)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), LANGUAGE)
    normal.element.get_or_add_rPr().append(lang)
    for section in document.sections:
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2)
        section.top_margin = section.bottom_margin = Cm(2.2)
        section.header.paragraphs[0].text = report.header
        footer = section.footer.paragraphs[0]
        footer.text = wording.footer(report)
        numbers = section.footer.add_paragraph("Page ")
        _field(numbers, "PAGE", "1")
        numbers.add_run(" of ")
        _field(numbers, "NUMPAGES", "1")


def _field(paragraph: DocxParagraph, instruction: str, shown: str) -> None:
    """A Word field (PAGE, NUMPAGES, …) in `paragraph`, showing `shown` until Word updates it."""
    _field_begin(paragraph, instruction)
    paragraph.add_run(shown)
    _field_end(paragraph)


def _field_char(paragraph: DocxParagraph, kind: str) -> None:
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    paragraph.add_run()._r.append(char)


def _field_begin(paragraph: DocxParagraph, instruction: str) -> None:
    _field_char(paragraph, "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    paragraph.add_run()._r.append(instr)
    _field_char(paragraph, "separate")


def _field_end(paragraph: DocxParagraph) -> None:
    _field_char(paragraph, "end")


# --- title page and contents ---------------------------------------------------------------------------

def _title_page(document: Document, report: Report) -> None:
    document.add_heading(report.title, level=0)
    if report.subtitle:
        document.add_paragraph(report.subtitle, style="Subtitle")
    for label, value in report.facts:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(value)
    if report.illustrative:
        document.add_paragraph(wording.footer(report)).runs[0].bold = True
    document.add_page_break()


def _contents(document: Document, report: Report) -> None:
    """'Contents' and a TOC field whose shown result is the chapters' list: Word's 'Update field' replaces it
    with the full contents and page numbers."""
    document.add_paragraph("Contents", style="TOC Heading")
    chapters = wording.chapters(report) or ("Update this field to list the contents.",)
    for i, chapter in enumerate(chapters):
        paragraph = document.add_paragraph()
        if i == 0:
            _field_begin(paragraph, 'TOC \\o "1-3" \\h \\z \\u')
        paragraph.add_run(chapter)
        if i == len(chapters) - 1:
            _field_end(paragraph)
    document.add_page_break()


# --- blocks -------------------------------------------------------------------------------------------

def _block(document: Document, block: Block) -> None:
    if isinstance(block, Heading):
        document.add_heading(block.text, level=min(max(block.level, 1), 3))
    elif isinstance(block, Paragraph):
        _paragraph(document, block)
    elif isinstance(block, BulletList):
        for item in block.items:
            document.add_paragraph(item, style="List Bullet")
    elif isinstance(block, Table):
        _table(document, block)
    elif isinstance(block, Chart):
        _chart(document, block)
    elif isinstance(block, Narrative):
        _narrative(document, block)


def _paragraph(document: Document, block: Paragraph) -> None:
    if block.style == "quote":
        paragraph = document.add_paragraph(block.text, style="Quote")
        if block.source:
            paragraph.add_run().add_break(WD_BREAK.LINE)
            paragraph.add_run(f"— {block.source}").italic = False
    elif block.style == "placeholder":
        _placeholder(document, block.text)
    elif block.style == "note":
        run = document.add_paragraph().add_run(block.text)
        run.italic, run.font.size = True, Pt(9)
    else:
        document.add_paragraph(block.text)


def _placeholder(document: Document, words: str) -> None:
    run = document.add_paragraph().add_run(words)
    run.italic, run.bold = True, True
    run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _narrative(document: Document, block: Narrative) -> None:
    if not block.text.strip():
        _placeholder(document, wording.placeholder(block))
        return
    for words in wording.paragraphs(block.text):
        document.add_paragraph(words)


def _table(document: Document, block: Table) -> None:
    if block.caption:
        document.add_paragraph(block.caption, style="Caption")
    table = document.add_table(rows=1, cols=len(block.header), style="Table Grid")
    widths = column_widths(block)
    for column, width in zip(table.columns, widths):
        column.width = width
    _describe(table, block.caption)
    _header_row(table, block.header, widths)
    for r, row in enumerate(block.rows):
        cells = table.add_row().cells
        grade_row = block.grades[r] if block.grades else ()
        for c, value in enumerate(row):
            cells[c].width = widths[c]
            _cell(cells[c], value, grade_row[c] if c < len(grade_row) else "")
    if block.note:
        run = document.add_paragraph().add_run(block.note)
        run.italic, run.font.size = True, Pt(9)


def column_widths(block: Table) -> list[int]:
    """Column widths in EMU: the text width shared out as `columns.shares` gives it (the PDF's proportions)."""
    return [int(TEXT_WIDTH * share) for share in columns.shares(block)]


def _describe(table: DocxTable, caption: str) -> None:
    """The table's caption as its Word alt text title (tblCaption), read by screen readers."""
    if caption:
        element = OxmlElement("w:tblCaption")
        element.set(qn("w:val"), caption)
        table._tbl.tblPr.append(element)


def _header_row(table: DocxTable, header: Iterable[str], widths: list[int]) -> None:
    row = table.rows[0]
    tr_pr = row._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader"):
        element = OxmlElement(tag)
        element.set(qn("w:val"), "true")
        tr_pr.append(element)
    for cell, value, width in zip(row.cells, header, widths):
        cell.width = width
        run = cell.paragraphs[0].add_run(value)
        run.bold, run.font.size = True, Pt(9)
        _shade(cell, "#EDEDED")


def _cell(cell, value: str, grade: str) -> None:
    run = cell.paragraphs[0].add_run(value)
    run.font.size = Pt(9)
    colours = grades.shade(grade)
    if colours:
        fill, ink = colours
        _shade(cell, fill)
        run.bold = True
        run.font.color.rgb = RGBColor.from_string(ink.lstrip("#"))


def _shade(cell, fill: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill.lstrip("#"))
    cell._tc.get_or_add_tcPr().append(shd)


def _chart(document: Document, block: Chart) -> None:
    image = charts_image.png(block.spec)
    width_px, height_px = charts_image.css_size(image)
    width = min(Inches(width_px / 96), TEXT_WIDTH)
    if width * height_px / width_px > MAX_IMAGE_HEIGHT:
        width = int(MAX_IMAGE_HEIGHT * width_px / height_px)
    shape = document.add_picture(io.BytesIO(image), width=width)
    shape._inline.docPr.set("descr", block.alt)
    shape._inline.docPr.set("title", block.caption)
    if block.caption:
        document.add_paragraph(block.caption, style="Caption")
