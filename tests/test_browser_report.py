"""The Report page in real headless Chromium: a business manager writes one section's analysis, builds the DOCX,
downloads it, and the document (read with python-docx) holds the text under that section. Screenshots go to
test-artifacts/screenshots/ (look at them)."""
from __future__ import annotations

import docx
import pytest
from browser import add_user, app_database, app_server, chromium, wait_idle  # noqa: F401 (fixtures)
from sqlalchemy import select
from test_browser_engagement_actions import VIEWPORT, assert_clean, shot

from s11data.store import db
from s11data.store.models import Cycle, Partnership
from s11data.report import draft
from s11data.store.scope import Scope

pytestmark = pytest.mark.browser

GSCP = "Gloucestershire Safeguarding Children Partnership"
ANALYSIS = "Every agency named a safeguarding lead; two still lack a deputy (analysis by the business manager)."


def first_section_slot(engine) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """The key and title of the first 'section:' narrative slot of GSCP 2021's draft."""
    with db.read_session(engine) as s:
        cycle = s.scalar(select(Cycle.id).join(Partnership).where(Partnership.name == GSCP, Cycle.label == "2021"))
        report = draft.draft(s, Scope.system(), cycle_id=cycle)
    slot = next(n for n in draft.narrative_slots(report) if n.key.startswith("section:"))
    return slot.key, slot.title


def test_business_manager_writes_an_analysis_and_finds_it_in_the_docx(app_server, app_database, chromium,  # noqa: F811
                                                                      tmp_path) -> None:
    add_user(app_database, "rep-manager", "business manager", [GSCP])
    _key, title = first_section_slot(app_database)
    errors: list[str] = []
    context = chromium.new_context(accept_downloads=True, viewport=VIEWPORT)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    from browser import sign_in

    sign_in(page, app_server, "rep-manager", path="report?partnership=GSCP&cycle=2021")
    page.get_by_role("heading", name="Report · GSCP").wait_for()
    box = page.get_by_role("textbox", name=f"Text of {title}")
    box.wait_for()
    width = box.bounding_box()["width"]
    assert width >= 600, width  # a text area a person can write a paragraph in, not a sliver
    box.fill(ANALYSIS)
    page.get_by_role("button", name=f"Save {title}").click()
    wait_idle(page)
    page.get_by_text(f"Saved {title} (version 1).").wait_for()
    assert_clean(page, errors)
    shot(page, "report-gscp-narrative-saved")

    page.get_by_role("button", name="Build the DOCX").click()
    page.get_by_role("button", name="Download the DOCX").wait_for(timeout=300_000)  # built under st.status
    page.get_by_text("The DOCX is ready").first.wait_for(state="attached")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the DOCX").click()
    assert download.value.suggested_filename == "Section-11-report-GSCP-2021.docx"
    saved = tmp_path / "report.docx"
    download.value.save_as(saved)
    assert_clean(page, errors)
    paragraphs = [p for p in docx.Document(str(saved)).paragraphs]
    texts = [p.text for p in paragraphs]
    assert ANALYSIS in texts
    at = texts.index(ANALYSIS)
    headings = [p.text for p in paragraphs[:at] if p.style.name.startswith("Heading")]
    assert any(h and h in title for h in headings[-3:]), (title, headings[-3:])  # under its own section's heading
    context.close()
