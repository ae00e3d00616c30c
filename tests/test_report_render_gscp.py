"""End to end: the seeded GSCP 2021 report drafted from the database and written as DOCX and PDF, read back.
The draft's own figures are checked against the published report in test_report_draft.py; here every one of its
tables, charts and chapters must reach both documents intact."""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import docx
import pytest
from docx.oxml.ns import qn
from pypdf import PdfReader
from sqlalchemy import Engine, select

from s11data.store import db
from s11data.store.lookup import find_cycle, find_partnership
from s11data.store.models import Partnership
from s11data.report.document import Chart, Heading, Report, Table
from s11data.report.draft import draft
from s11data.report.render import render
from s11data.store.scope import Scope

from test_report_documents import _structure

GSCP = "Gloucestershire Safeguarding Children Partnership"
TABLE_1 = "How organisations rated themselves"
ILLUSTRATIVE = "Illustrative data — not a real partnership"


@pytest.fixture(scope="module")
def seeded(templates) -> Iterator[Engine]:
    engine = db.get_engine(templates.clone("sqlite", seeded=True))
    yield engine
    engine.dispose()


def _draft(engine: Engine, partnership: str | None, label: str | None = None) -> Report:
    """A cycle's draft; partnership None = the illustrative partnership's latest cycle."""
    with db.read_session(engine) as session:
        if partnership is None:
            found = session.scalar(select(Partnership).where(Partnership.illustrative.is_(True)))
            label = max(c.label for c in found.cycles)
        else:
            found = find_partnership(session, partnership, Scope.system())
        cycle = find_cycle(session, found, label)
        return draft(session, Scope.system(), cycle_id=cycle.id, today=dt.date(2022, 3, 1))


@pytest.fixture(scope="module")
def gscp_2021(seeded: Engine) -> Report:
    return _draft(seeded, GSCP, "2021")


@pytest.fixture(scope="module")
def word(gscp_2021: Report) -> docx.document.Document:
    return docx.Document(io.BytesIO(render(gscp_2021, "docx")))


@pytest.fixture(scope="module")
def pdf(gscp_2021: Report) -> PdfReader:
    return PdfReader(io.BytesIO(render(gscp_2021, "pdf")))


def _tables(report: Report) -> list[Table]:
    return [b for b in report.blocks if isinstance(b, Table)]


def _word_table(document, caption: str):
    for table in document.tables:
        element = table._tbl.tblPr.find(qn("w:tblCaption"))
        if element is not None and element.get(qn("w:val")).startswith(caption):
            return table
    raise AssertionError(f"no table captioned {caption!r}")


def test_docx_has_every_table_cell_by_cell_with_table_1_shaded(gscp_2021, word):
    drafted = _tables(gscp_2021)
    assert len(word.tables) == len(drafted)
    for table, block in zip(word.tables, drafted):
        assert tuple(c.text for c in table.rows[0].cells) == block.header
        assert tuple(tuple(c.text for c in row.cells) for row in table.rows[1:]) == block.rows
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    table_1 = _word_table(word, TABLE_1)
    cheltenham = [c.text for c in table_1.rows[1].cells]
    assert cheltenham == ["Cheltenham Borough Council", "G", "A", "G", "G"]
    fills = [c._tc.tcPr.find(qn("w:shd")).get(qn("w:fill")) for c in table_1.rows[1].cells[1:]]
    assert fills == ["009E73", "E69F00", "009E73", "009E73"]


def _drafted(report: Report, *words: str) -> Table:
    """The drafted table whose caption holds every one of `words` (B1 words the captions)."""
    found = [t for t in _tables(report) if all(w.lower() in t.caption.lower() for w in words)]
    assert len(found) == 1, [t.caption for t in _tables(report)]
    return found[0]


def test_docx_has_the_recommendations_and_the_2020_progress(gscp_2021, word):
    panel = _word_table(word, _drafted(gscp_2021, "recommendations", "panel").caption)
    youth = _word_table(word, _drafted(gscp_2021, "recommendations", "youth council").caption)
    drafted_progress = _drafted(gscp_2021, "progress", "2020")
    progress = _word_table(word, drafted_progress.caption)
    assert [r.cells[0].text for r in panel.rows[1:]] == [str(n) for n in range(1, 16)]
    assert len(youth.rows) - 1 == 5
    status = [c.text for c in progress.columns[drafted_progress.header.index("Status")].cells[1:]]
    assert status.count("complete") == 4


def test_docx_chapters_are_heading_1_and_every_chart_has_its_alt_text(gscp_2021, word):
    chapters = [b.text for b in gscp_2021.blocks if isinstance(b, Heading) and b.level == 1]
    assert [p.text for p in word.paragraphs if p.style.name == "Heading 1"] == chapters
    assert "Recommendations" in chapters and "Grades per organisation" in chapters
    alts = [b.alt for b in gscp_2021.blocks if isinstance(b, Chart)]
    assert alts and [d.get("descr") for d in word.element.body.iter(qn("wp:docPr"))] == alts
    assert all(section.header.paragraphs[0].text == GSCP for section in word.sections)


def test_pdf_is_tagged_and_holds_table_1_and_the_recommendations(gscp_2021, pdf):
    elements = _structure(pdf)
    alts = [b.alt for b in gscp_2021.blocks if isinstance(b, Chart)]
    assert [str(e.get("/Alt")) for e in elements if e["/S"] == "/Figure"] == alts
    assert sum(1 for e in elements if e["/S"] == "/Table") >= len(_tables(gscp_2021))  # one per page it spans
    assert pdf.trailer["/Root"]["/MarkInfo"]["/Marked"] == True  # noqa: E712
    words = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert "Cheltenham Borough Council G A G G" in words
    for words_in_caption in (("recommendations", "panel"), ("recommendations", "youth council"), ("progress", "2020")):
        table = _drafted(gscp_2021, *words_in_caption)
        assert " ".join(table.caption.split()) in words
        assert " ".join(table.rows[-1][1].split()) in words
    pages = len(pdf.pages)
    assert all(f"Page {n} of {pages}" in p.extract_text() for n, p in enumerate(pdf.pages, start=1))
    assert "llustrative" not in words


def test_the_illustrative_partnership_is_labelled_on_every_page_of_both_documents(seeded):
    report = _draft(seeded, None)
    reader = PdfReader(io.BytesIO(render(report, "pdf")))
    assert len(reader.pages) > 3
    assert all(ILLUSTRATIVE in page.extract_text() for page in reader.pages)
    word = docx.Document(io.BytesIO(render(report, "docx")))
    assert all(ILLUSTRATIVE in "\n".join(p.text for p in section.footer.paragraphs) for section in word.sections)
