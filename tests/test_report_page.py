"""The Report page through the whole app (sign-in, navigation, shared filters) with streamlit AppTest on the seeded
database: the outline with its placeholders, narrative written and versioned by a business manager, read-only for
an executive, a document built on demand, and the regional roll-up for a user of several partnerships."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

import apptest
from s11data.store import db
from s11data.admin import users
from s11data.store.models import Cycle, Partnership
from s11data.report import narrative
from s11data.store.scope import Scope

PASSWORD = "Report-page-pass-1"
GSCP = "Gloucestershire Safeguarding Children Partnership"
SGCP = "South Gloucestershire Children's Partnership"
NSCP = "North Somerset Children's Partnership"


@pytest.fixture
def app_db(sqlite_seeded: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Engine:
    apptest.serve(sqlite_seeded, monkeypatch, tmp_path)
    with db.write_session(sqlite_seeded) as s:
        system = Scope.system("test")
        users.add_user(s, system, "manager", "business manager", [GSCP], PASSWORD)
        users.add_user(s, system, "exec", "executive", [GSCP], PASSWORD)
        users.add_user(s, system, "region", "executive", [GSCP, SGCP, NSCP], PASSWORD)
    return sqlite_seeded


def gscp_2021(engine: Engine) -> int:
    with db.read_session(engine) as s:
        return s.scalar(select(Cycle.id).join(Partnership).where(Partnership.name == GSCP, Cycle.label == "2021"))


def open_report(username: str) -> AppTest:
    return apptest.open_page(username, "report", PASSWORD, partnership="GSCP", cycle="2021")


def outline(at: AppTest):  # type: ignore[no-untyped-def]
    return next(d.value for d in at.dataframe if list(d.value.columns) == ["section", "content"])


def slot_content(at: AppTest, title: str) -> str:
    """What the outline says of the narrative slot titled `title` (the row under its heading)."""
    frame = outline(at)
    return frame[(frame["section"].str.strip() == title) & (frame["content"] != "")]["content"].iloc[0]


def test_the_outline_marks_every_unwritten_section_as_a_placeholder(app_db: Engine) -> None:
    at = open_report("exec")
    assert at.title[0].value == "Report · GSCP"
    frame = outline(at)
    headings = [s.strip() for s in frame["section"]]
    for chapter in ("Foreword", "Introduction", "Conclusion", "Sources"):
        assert chapter in headings
    assert slot_content(at, "Foreword") == "PLACEHOLDER · not written yet"
    assert any("still a placeholder" in c.value and ": 0 written," in c.value for c in at.caption)
    assert any(c.startswith("table · ") for c in frame["content"])


def test_a_business_manager_writes_and_every_save_is_a_version(app_db: Engine) -> None:
    cycle = gscp_2021(app_db)
    at = open_report("manager")
    box = at.text_area(key=f"text_{cycle}_foreword")
    assert not box.disabled and box.value == ""
    box.input("Our **first** foreword <script>.")
    next(b for b in at.button if b.label == "Save Foreword").click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any(s.value == "Saved Foreword (version 1)." for s in at.success)
    assert slot_content(at, "Foreword").startswith("narrative · written by manager, ")
    at.text_area(key=f"text_{cycle}_foreword").input("The second foreword.")
    next(b for b in at.button if b.label == "Save Foreword").click()
    at.run()
    assert any(s.value == "Saved Foreword (version 2)." for s in at.success)
    versions = next(d.value for d in at.dataframe if "version" in d.value.columns)
    assert list(versions["version"]) == [2, 1]
    assert list(versions["text"]) == ["The second foreword.", "Our **first** foreword <script>."]
    with db.read_session(app_db) as s:
        assert narrative.latest(s, Scope.system(), cycle)["foreword"].text == "The second foreword."


def test_blank_narrative_is_refused_with_the_reason(app_db: Engine) -> None:
    cycle = gscp_2021(app_db)
    at = open_report("manager")
    at.text_area(key=f"text_{cycle}_conclusion").input("   ")
    next(b for b in at.button if b.label == "Save Conclusion").click()
    at.run()
    assert [e.value for e in at.error] == ["Write the text of Conclusion."]


def test_an_executive_reads_the_narrative_and_cannot_write(app_db: Engine) -> None:
    cycle = gscp_2021(app_db)
    with db.write_session(app_db) as s:
        narrative.save(s, Scope.system("sam"), cycle, "foreword", "Written by the business manager.")
    at = open_report("exec")
    assert not [b for b in at.button if b.label.startswith("Save ")]
    shown = [t for t in at.text_area if t.value == "Written by the business manager."]
    assert shown and all(t.disabled for t in at.text_area)
    assert slot_content(at, "Foreword").startswith("narrative · written by sam, ")


def test_a_document_is_built_on_demand_then_offered(app_db: Engine) -> None:
    at = open_report("exec")
    assert not at.download_button
    next(b for b in at.button if b.label == "Build the DOCX").click()
    at.run()
    assert not at.exception and not at.error
    assert [d.label for d in at.download_button] == ["Download the DOCX"]


def test_regional_roll_up_combines_the_partnerships_of_one_year(app_db: Engine) -> None:
    at = apptest.open_page("region", "report", PASSWORD, partnership="GSCP", cycle="2021")
    at.segmented_control(key="report_kind").set_value("Regional roll-up")
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.selectbox(key="rollup_year").options == ["2021"]  # the one year in which two or more took part
    chosen = at.multiselect(key="rollup_cycles_2021")
    assert len(chosen.value) == 3  # GSCP 2021, North Somerset 2021-22, South Gloucestershire 2021-22
    headings = [s.strip() for s in outline(at)["section"]]
    assert "Across the partnerships" in headings
    assert [h for h in headings if " · 2021" in h] == [f"{GSCP} · 2021", f"{NSCP} · 2021-22",
                                                        f"{SGCP} · 2021-22"]


def test_a_user_of_one_partnership_has_nothing_to_roll_up(app_db: Engine) -> None:
    at = open_report("exec")
    at.segmented_control(key="report_kind").set_value("Regional roll-up")
    at.run()
    assert any("no cycles in your partnerships to combine" in i.value for i in at.info)
