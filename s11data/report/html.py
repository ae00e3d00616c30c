"""The report as one self-contained, accessible HTML document, also the source of the PDF.

lang="en", the title in <h1> and chapters in <h2> (sections <h3>, sub-sections <h4>), tables with <caption>,
<th scope>, RAG cells shaded and lettered, charts as <img alt> with PNG data: URIs. Every string from the report
is escaped: nothing from data is ever read as HTML or Markdown. Print CSS puts the partnership's name at the top
of every page and the footer text and "Page n of m" at the bottom.
"""
from __future__ import annotations

import base64
from html import escape

from s11data.report import charts_image, columns, grades, wording
from s11data.report.document import (
    Block, BulletList, Chart, Heading, Narrative, Paragraph, Report, Table,
)

LANGUAGE = "en"

_CSS = """
@page {
  size: A4; margin: 22mm 18mm 24mm 18mm;
  @top-left { content: %(header)s; font: 9pt %(font)s; color: #333; }
  @bottom-left { content: %(footer)s; font: 9pt %(font)s; color: #333; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 9pt %(font)s; color: #333; }
}
html { font: 11pt/1.45 %(font)s; color: #111; }
body { margin: 0 auto; max-width: 48rem; padding: 0 1rem; }
h1, h2, h3, h4 { line-height: 1.2; break-after: avoid; }
h1 { font-size: 24pt; } h2 { font-size: 17pt; margin-top: 1.6em; } h3 { font-size: 13.5pt; } h4 { font-size: 12pt; }
.title-page { break-after: page; }
.subtitle { font-size: 14pt; color: #333; }
.facts dt { font-weight: bold; } .facts dd { margin: 0 0 0.5em 0; }
.illustrative { font-weight: bold; border: 2px solid #111; padding: 0.4em 0.6em; }
nav.contents { break-after: page; }
table { border-collapse: separate; border-spacing: 0; border-left: 1px solid #595959; margin: 0.6em 0 1.2em;
        font-size: 9pt; width: 100%%; table-layout: fixed; }
caption { caption-side: top; text-align: left; font-weight: bold; padding-bottom: 0.3em; font-size: 10pt; }
th, td { border-right: 1px solid #595959; border-bottom: 1px solid #595959; padding: 0.25em 0.4em; text-align: left;
         vertical-align: top; overflow-wrap: break-word; }
thead th { background: #EDEDED; border-top: 1px solid #595959; }
tbody th { font-weight: normal; }
td[class^="rag-"] { text-align: center; }
tr { break-inside: avoid; }
%(rag)s
figure { margin: 0.8em 0 1.2em; break-inside: avoid; }
figure img { max-width: 100%%; height: auto; }
figcaption, .table-note, .note { font-size: 9pt; font-style: italic; }
blockquote { margin: 0.6em 0 0.8em 1.2em; padding-left: 0.8em; border-left: 3px solid #888; font-style: italic; }
blockquote .source { font-style: normal; font-size: 9.5pt; }
.placeholder { font-style: italic; font-weight: bold; background: #FFF3A0; padding: 0.2em 0.4em; }
.running { font-size: 9pt; color: #333; }
@media print { .running { display: none; } body { max-width: none; padding: 0; } }
"""
_FONT = '"DejaVu Sans", sans-serif'
"""One family the machine has (fonts-dejavu): a list of fallbacks costs WeasyPrint a font look-up per run of
text, and DejaVu covers every character the report writes."""


def to_html(report: Report) -> str:
    """The report as an HTML document (a str)."""
    head = (f'<head><meta charset="utf-8"><title>{escape(report.title)}</title>'
            f'{_meta("author", wording.fact(report, "Author"))}{_meta("description", report.subtitle)}'
            f'<style>{_css(report)}</style></head>')
    body = [f'<header class="running">{escape(report.header)}</header>', "<main>",
            _title_page(report), _contents(report), *_blocks(report.blocks), "</main>",
            f'<footer class="running">{escape(wording.footer(report))}</footer>']
    return f'<!DOCTYPE html>\n<html lang="{LANGUAGE}">{head}<body>{"".join(body)}</body></html>\n'


def _meta(name: str, content: str) -> str:
    return f'<meta name="{name}" content="{escape(content)}">' if content else ""


def _css(report: Report) -> str:
    rag = "\n".join(f".{grades.css_class(g)} {{ background: {fill}; color: {ink}; font-weight: bold; }}"
                    for g in grades.GRADES for fill, ink in [grades.shade(g)])
    return _CSS % {"header": css_string(report.header), "footer": css_string(wording.footer(report)),
                   "font": _FONT, "rag": rag}


def css_string(value: str) -> str:
    """`value` as a quoted CSS string: every character but ASCII letters, digits and spaces as a hex escape
    (its closing space is part of the escape), so nothing in it can end the string, the rule or the <style>."""
    out = "".join(ch if ch.isalnum() and ch.isascii() or ch == " " else f"\\{ord(ch):x} " for ch in value)
    return f'"{out}"'


def _title_page(report: Report) -> str:
    facts = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in report.facts)
    label = f'<p class="illustrative">{escape(wording.footer(report))}</p>' if report.illustrative else ""
    subtitle = f'<p class="subtitle">{escape(report.subtitle)}</p>' if report.subtitle else ""
    return (f'<section class="title-page"><h1>{escape(report.title)}</h1>{subtitle}'
            f'<dl class="facts">{facts}</dl>{label}</section>')


def _contents(report: Report) -> str:
    items = "".join(f'<li><a href="#{anchor}">{escape(words)}</a></li>' for anchor, words in _chapter_anchors(report))
    return f'<nav class="contents" aria-labelledby="contents"><h2 id="contents">Contents</h2><ol>{items}</ol></nav>'


def _chapter_anchors(report: Report) -> list[tuple[str, str]]:
    return [(f"h{i}", b.text) for i, b in enumerate(report.blocks) if isinstance(b, Heading) and b.level <= 1]


def _blocks(blocks: tuple[Block, ...]) -> list[str]:
    return [_block(i, block) for i, block in enumerate(blocks)]


def _block(index: int, block: Block) -> str:
    if isinstance(block, Heading):
        level = min(max(block.level, 1), 3) + 1
        return f'<h{level} id="h{index}">{escape(block.text)}</h{level}>'
    if isinstance(block, Paragraph):
        return _paragraph(block)
    if isinstance(block, BulletList):
        return "<ul>" + "".join(f"<li>{_text(item)}</li>" for item in block.items) + "</ul>"
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Chart):
        return _chart(block)
    if isinstance(block, Narrative):
        return _narrative(block)
    return ""


def _text(value: str) -> str:
    """Escaped text, line breaks kept."""
    return escape(value).replace("\n", "<br>")


def _paragraph(block: Paragraph) -> str:
    if block.style == "quote":
        source = f'<p class="source">— {_text(block.source)}</p>' if block.source else ""
        return f"<blockquote><p>{_text(block.text)}</p>{source}</blockquote>"
    css = {"placeholder": ' class="placeholder"', "note": ' class="note"'}.get(block.style, "")
    return f"<p{css}>{_text(block.text)}</p>"


def _narrative(block: Narrative) -> str:
    if not block.text.strip():
        return f'<p class="placeholder">{escape(wording.placeholder(block))}</p>'
    return "".join(f"<p>{_text(words)}</p>" for words in wording.paragraphs(block.text))


def _table(block: Table) -> str:
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in block.header)
    rows = "".join(_row(row, block.grades[r] if block.grades else ()) for r, row in enumerate(block.rows))
    note = f'<p class="table-note">{_text(block.note)}</p>' if block.note else ""
    caption = f"<caption>{escape(block.caption)}</caption>" if block.caption else ""
    cols = "".join(f'<col style="width: {share:.1f}%">' for share in column_widths(block))
    return f"<table>{caption}<colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>{note}"


def column_widths(block: Table) -> list[float]:
    """Each column's share of the table's width, in % (`columns.shares`)."""
    return [100 * share for share in columns.shares(block)]


def _row(row: tuple[str, ...], grade_row: tuple[str, ...]) -> str:
    """A body row: its first cell heads the row (th scope="row"), a graded cell carries its RAG class."""
    cells = []
    for c, value in enumerate(row):
        css = grades.css_class(grade_row[c]) if c < len(grade_row) else ""
        attr = f' class="{css}"' if css else ""
        tag = "th" if c == 0 else "td"
        scope = ' scope="row"' if c == 0 else ""
        cells.append(f"<{tag}{scope}{attr}>{_text(value)}</{tag}>")
    return f"<tr>{''.join(cells)}</tr>"


def _chart(block: Chart) -> str:
    image = charts_image.png(block.spec)
    width, height = charts_image.css_size(image)
    uri = "data:image/png;base64," + base64.b64encode(image).decode("ascii")
    caption = f"<figcaption>{escape(block.caption)}</figcaption>" if block.caption else ""
    return (f'<figure><img src="{uri}" alt="{escape(block.alt)}" width="{width:.0f}" height="{height:.0f}">'
            f"{caption}</figure>")
