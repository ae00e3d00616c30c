"""The report's documents read back: DOCX structure and text (python-docx), PDF text and structure tree (pypdf),
HTML structure and escaping. Reports are built by hand, so these tests need no database and no draft."""
from __future__ import annotations

import io
from html.parser import HTMLParser

import docx
import pytest
from docx.oxml.ns import qn
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from s11data.report import charts_image
from s11data.report.document import (
    BulletList, Chart, Heading, Narrative, Paragraph, Report, Table,
)
from s11data.report.render import EXTENSIONS, FORMATS, MEDIA_TYPES, render

HOSTILE = "<img src=x onerror=alert(1)> [link](data:text/html,hi) **bold**"
BARS_ALT = "Leadership: 60% green, 30% amber, 10% red. Training: 80% green, 20% amber."
HEAT_ALT = "Two organisations by three questions: each G, A, R in order."


def bars_spec() -> dict:
    """A container-wide stacked bar chart, as the app's Altair specs are."""
    rows = [{"section": s, "grade": g, "percent": p} for s, g, p in
            [("Leadership", "Green", 60), ("Leadership", "Amber", 30), ("Leadership", "Red", 10),
             ("Training", "Green", 80), ("Training", "Amber", 20)]]
    return {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "width": "container", "height": 80,
            "data": {"values": rows}, "mark": "bar",
            "encoding": {"y": {"field": "section", "type": "nominal"},
                         "x": {"field": "percent", "type": "quantitative", "stack": "normalize"},
                         "color": {"field": "grade", "type": "nominal"}}}


def heat_spec() -> dict:
    """A fixed-width heat map whose legend is wider than its plot."""
    rows = [{"org": o, "q": q, "grade": g} for o in ("Org one", "Org two") for q, g in
            [("1", "Green — outstanding"), ("2", "Amber — good"), ("3", "Red — requires improvement")]]
    return {"width": 120, "height": 64, "data": {"values": rows}, "mark": "rect",
            "autosize": {"type": "fit-x", "contains": "padding"},
            "encoding": {"x": {"field": "q", "type": "nominal"}, "y": {"field": "org", "type": "nominal"},
                         "color": {"field": "grade", "type": "nominal", "legend": {"orient": "top"}}}}


def sample(illustrative: bool = True) -> Report:
    rows = tuple((f"Agency {i}", "G", "A", "R", "–") for i in range(45))
    grades = tuple(("", "green", "amber", "red", "not_rated") for _ in range(45))
    return Report(
        title="Section 11 audit 2021", subtitle="Testshire Safeguarding Children Partnership",
        facts=(("Partnership", "Testshire Safeguarding Children Partnership"), ("Cycle", "2021"),
               ("Method", "Self-assessment with panel moderation"), ("Author", "Jo Bloggs")),
        header="Testshire Safeguarding Children Partnership",
        footer="Illustrative data — not a real partnership" if illustrative else "Section 11 audit 2021",
        illustrative=illustrative,
        blocks=(
            Heading("Introduction"),
            Paragraph("Section 11 of the Children Act 2004 places duties on organisations."),
            Narrative("foreword", "Foreword"),
            Heading("Findings"),
            Heading("Leadership", 2),
            Chart(bars_spec(), alt=BARS_ALT, caption="Figure 1: RAG ratings by section"),
            Table("Table 1: each agency's rating per standard", ("Agency", "1", "2", "3", "4"), rows, grades,
                  note="G = outstanding, A = good, R = requires improvement, – = not rated."),
            Heading("Evidence", 3),
            Paragraph("Staff know the escalation procedure.", style="quote", source="Testshire Police"),
            Paragraph(HOSTILE),
            Narrative("section:A", "Analysis of leadership", f"First paragraph.\n\nSecond {HOSTILE}", "bm",
                      "2026-12-01 23:05 UTC"),
            Chart(heat_spec(), alt=HEAT_ALT, caption="Figure 2: ratings per organisation"),
            Heading("Recommendations"),
            BulletList(("Agree a escalation audit", "Report back by March")),
            Paragraph("The method changed in 2021.", style="note"),
            Paragraph("[To be written: conclusion]", style="placeholder"),
        ),
    )


@pytest.fixture(scope="module")
def word() -> docx.document.Document:
    return docx.Document(io.BytesIO(render(sample(), "docx")))


@pytest.fixture(scope="module")
def pdf() -> PdfReader:
    return PdfReader(io.BytesIO(render(sample(), "pdf")))


@pytest.fixture(scope="module")
def page() -> str:
    return render(sample(), "html").decode("utf-8")


# --- DOCX -------------------------------------------------------------------------------------------

def _styled(document, style: str) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == style]


def test_docx_headings_are_word_heading_styles(word):
    assert _styled(word, "Title") == ["Section 11 audit 2021"]
    assert _styled(word, "Heading 1") == ["Introduction", "Findings", "Recommendations"]
    assert _styled(word, "Heading 2") == ["Leadership"]
    assert _styled(word, "Heading 3") == ["Evidence"]
    assert word.core_properties.title == "Section 11 audit 2021"


def test_docx_contents_is_a_toc_field_showing_the_chapters(word):
    instructions = [t.text for t in word.element.body.iter(qn("w:instrText"))]
    assert any(i.strip().startswith("TOC") for i in instructions)
    texts = [p.text for p in word.paragraphs]
    start = texts.index("Contents")
    assert texts[start + 1:start + 4] == ["Introduction", "Findings", "Recommendations"]


def test_docx_table_repeats_its_header_row_and_letters_shaded_cells(word):
    table = word.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Agency", "1", "2", "3", "4"]
    header_pr = table.rows[0]._tr.trPr
    assert header_pr is not None and header_pr.find(qn("w:tblHeader")) is not None
    assert all(r._tr.trPr is None or r._tr.trPr.find(qn("w:tblHeader")) is None for r in table.rows[1:])
    assert len(table.rows) == 46
    assert table.columns[0].width > 2 * table.columns[1].width  # "Agency 44" gets more room than "G"
    cell = table.rows[1].cells[1]
    assert cell.text == "G"
    assert cell._tc.tcPr.find(qn("w:shd")).get(qn("w:fill")) == "009E73"
    assert table.rows[1].cells[0]._tc.tcPr is None or table.rows[1].cells[0]._tc.tcPr.find(qn("w:shd")) is None
    caption = table._tbl.tblPr.find(qn("w:tblCaption"))
    assert caption.get(qn("w:val")) == "Table 1: each agency's rating per standard"
    assert "Table 1: each agency's rating per standard" in _styled(word, "Caption")


def test_docx_charts_are_images_with_the_figures_as_alt_text(word):
    described = [d.get("descr") for d in word.element.body.iter(qn("wp:docPr"))]
    assert described == [BARS_ALT, HEAT_ALT]
    assert len(word.inline_shapes) == 2
    for shape in word.inline_shapes:
        assert shape.width <= docx.shared.Cm(17) and shape.width >= docx.shared.Cm(8)


def test_docx_every_page_has_the_partnership_header_footer_and_page_number(word):
    for section in word.sections:
        assert section.header.paragraphs[0].text == "Testshire Safeguarding Children Partnership"
        footer_text = "\n".join(p.text for p in section.footer.paragraphs)
        assert "Illustrative data — not a real partnership" in footer_text
        fields = [t.text.strip() for t in section.footer._element.iter(qn("w:instrText"))]
        assert fields == ["PAGE", "NUMPAGES"]
        assert section.different_first_page_header_footer is False


def test_docx_quotes_placeholders_and_text_read_as_written(word):
    quotes = _styled(word, "Quote")
    assert quotes == ["Staff know the escalation procedure.\n— Testshire Police"]
    texts = [p.text for p in word.paragraphs]
    assert "[To be written: Foreword]" in texts
    assert "[To be written: conclusion]" in texts
    assert HOSTILE in texts and f"Second {HOSTILE}" in texts
    assert _styled(word, "List Bullet") == ["Agree a escalation audit", "Report back by March"]


# --- PDF --------------------------------------------------------------------------------------------

def _walk(node, found: list[DictionaryObject]) -> None:
    node = node.get_object()
    if isinstance(node, ArrayObject):
        for child in node:
            _walk(child, found)
    elif isinstance(node, DictionaryObject):
        if "/S" in node:
            found.append(node)
        if "/K" in node:
            _walk(node["/K"], found)


def _structure(reader: PdfReader) -> list[DictionaryObject]:
    found: list[DictionaryObject] = []
    _walk(reader.trailer["/Root"]["/StructTreeRoot"], found)
    return found


def test_pdf_is_tagged_with_language_title_and_alt_text(pdf):
    root = pdf.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] is True or root["/MarkInfo"]["/Marked"] == True  # noqa: E712
    assert str(root["/Lang"]).startswith("en")
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712
    assert pdf.metadata.title == "Section 11 audit 2021"
    elements = _structure(pdf)
    kinds = {str(e["/S"]) for e in elements}
    assert {"/H1", "/H2", "/H3", "/H4", "/Table", "/TH", "/TD", "/Figure", "/BlockQuote", "/L"} <= kinds
    figures = [str(e.get("/Alt")) for e in elements if e["/S"] == "/Figure"]
    assert figures == [BARS_ALT, HEAT_ALT]


def test_pdf_text_and_every_page_labelled_with_header_footer_and_number(pdf):
    pages = [p.extract_text() for p in pdf.pages]
    assert len(pages) >= 4
    for number, words in enumerate(pages, start=1):
        assert "Testshire Safeguarding Children Partnership" in words
        assert "Illustrative data — not a real partnership" in words
        assert f"Page {number} of {len(pages)}" in words
    everything = "\n".join(pages)
    for expected in ("Table 1: each agency's rating per standard", "Agency 44", "[To be written: Foreword]",
                     "Staff know the escalation procedure.", "Testshire Police", "**bold**"):
        assert expected in everything


def test_pdf_table_header_repeats_on_the_next_page(pdf):
    pages_with_rows = [p.extract_text() for p in pdf.pages if "Agency 4" in p.extract_text()
                       or "Agency 44" in p.extract_text()]
    assert len(pages_with_rows) >= 2
    assert all("Agency 1 2 3 4" in " ".join(text.split()) for text in pages_with_rows)


def test_pdf_of_a_real_partnership_is_not_labelled_illustrative():
    reader = PdfReader(io.BytesIO(render(sample(illustrative=False), "pdf")))
    words = "\n".join(p.extract_text() for p in reader.pages)
    assert "llustrative" not in words
    assert "Section 11 audit 2021" in reader.pages[-1].extract_text()


# --- HTML -------------------------------------------------------------------------------------------

class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(page)
    return parser.tags


def test_html_is_one_accessible_self_contained_document(page):
    tags = _tags(page)
    assert tags[0] == ("html", {"lang": "en"})
    names = [t for t, _ in tags]
    assert names.count("h1") == 1 and names.count("caption") == 1
    assert [a.get("scope") for t, a in tags if t == "th"][:5] == ["col"] * 5
    assert [a.get("scope") for t, a in tags if t == "th"][5] == "row"
    images = [a for t, a in tags if t == "img"]
    assert [a["alt"] for a in images] == [BARS_ALT, HEAT_ALT]
    assert all(a["src"].startswith("data:image/png;base64,") for a in images)
    assert not [a for t, a in tags if t in ("link", "script")]
    assert "<title>Section 11 audit 2021</title>" in page


def test_html_writes_data_as_literal_text_never_markup(page):
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt; [link](data:text/html,hi) **bold**" in page
    assert "<strong>" not in page and "<b>" not in page and 'href="data:' not in page
    assert [a["href"] for t, a in _tags(page) if t == "a"] == ["#h0", "#h3", "#h12"]


def test_html_print_css_cannot_be_broken_by_the_header_text():
    report = sample()
    hostile = Report(**{**report.__dict__, "header": 'X" } body { display: none } </style><script>x</script>'})
    page = render(hostile, "html").decode("utf-8")
    assert page.count("</style>") == 1 and "<script>" not in page
    assert "display: none } </style>" not in page


def test_html_shades_graded_cells_and_keeps_their_letters(page):
    cells = [a.get("class") for t, a in _tags(page) if t == "td"]
    assert cells[:4] == ["rag-green", "rag-amber", "rag-red", "rag-not-rated"]
    assert '<td class="rag-green">G</td>' in page
    assert ".rag-green { background: #009E73;" in page


# --- charts and formats -------------------------------------------------------------------------------

def test_chart_images_fit_the_page_width_and_keep_their_legend():
    wide = charts_image.png(bars_spec())
    assert charts_image.css_size(wide)[0] == charts_image.WIDTH_PX
    narrow_width, _ = charts_image.css_size(charts_image.png(heat_spec()))
    assert narrow_width > 120 + 100  # the plot's 120 px plus its axis labels and a legend wider than the plot


def test_pdf_charts_are_the_chart_images_pixel_for_pixel(pdf):
    from PIL import Image, ImageChops
    drawn = [charts_image.png(spec) for spec in (bars_spec(), heat_spec())]
    assert all(Image.open(io.BytesIO(png)).mode == "RGB" for png in drawn)  # opaque charts lose their alpha
    shown = {image.image.convert("RGB").tobytes(): image.image.size for page in pdf.pages for image in page.images}
    for png in drawn:
        chart = Image.open(io.BytesIO(png)).convert("RGB")
        assert shown.get(chart.tobytes()) == chart.size


def test_html_tables_have_fixed_column_widths_from_their_text(page):
    from s11data.report.html import column_widths
    table = Table(caption="t", header=("Organisation", "Grade", "Contacts"),
                  rows=(("Bristol City Council", "G", "invited 3 Oct 2025; follow-up 17 Oct 2025; chased 2 Nov "
                         "2025; returned 9 Nov 2025; panel attended 20 Nov 2025"),))
    widths = column_widths(table)
    assert round(sum(widths)) == 100 and widths[2] > widths[0] > widths[1] > 0
    assert "<colgroup><col style=\"width: " in page and "table-layout: fixed" in page


def test_formats_media_types_and_unknown_format():
    assert set(FORMATS) == set(MEDIA_TYPES) == set(EXTENSIONS)
    assert render(sample(), "docx")[:2] == b"PK"
    with pytest.raises(ValueError, match="Unknown report format 'odt'"):
        render(sample(), "odt")  # type: ignore[arg-type]


def test_a_table_row_that_does_not_match_its_header_is_refused_by_name():
    ragged = Report("T", "", (), "H", "F", False, (Table("Table 2: engagement", ("Agency", "Returned"),
                                                         (("Police", "Yes"), ("Health",))),))
    with pytest.raises(ValueError, match=r"Table 'Table 2: engagement', row 2: 1 cells for 2 columns"):
        render(ragged, "docx")


def test_a_short_column_keeps_its_headings_words_whole_beside_long_text():
    long = "The partnership should consider giving greater visibility to its overarching strategy " * 3
    made = Table("Recommendations (2021)", ("Number", "Recommendation", "Asked of", "Response", "Owner",
                                            "Review or due date", "Status"),
                 (("1", long, "Gloucestershire Constabulary", long, "Executive", "1 Jun 2022", "open"),))
    progress = Table("Progress on the 2020 recommendations", ("Number", "Recommendation", "Status", "Latest update",
                                                              "Updated on"), (("1", long, "in progress", "", ""),))
    pdf = PdfReader(io.BytesIO(render(Report("T", "", (), "H", "F", False, (made, progress)), "pdf")))
    words = {word for page in pdf.pages for line in page.extract_text().splitlines() for word in line.split()}
    assert {"Number", "Review", "Updated", "Status", "Owner"} <= words  # GSCP's printed "Num" / "ber" before
    assert not {"Num", "Numbe", "Revie", "Upda"} & words
