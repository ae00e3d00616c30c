"""The Engagement and Actions pages through the whole app (sign-in, navigation, filters) with streamlit AppTest on
the seeded database: published figures on screen, write forms only for the roles allowed, writes that land."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

import apptest
from s11data.views import actions, engagement
from s11data.store import db
from s11data.admin import users
from s11data.store.models import Cycle, Partnership, Recommendation, Role
from s11data.store.scope import Scope, ScopeError

MAIN = apptest.MAIN
PASSWORD = "Page-test-pass-1"
GSCP = "Gloucestershire Safeguarding Children Partnership"
SGCP = "South Gloucestershire Children's Partnership"
NSCP = "North Somerset Children's Partnership"
DEMO = "Illustrative Demo Partnership"
WRITE_BUTTONS = {"Log contact", "Change status", "Add update", "Save changes", "Add"}


@pytest.fixture
def app_db(sqlite_seeded: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Engine:
    """The seeded SQLite copy the app under test reads, with one account per role."""
    apptest.serve(sqlite_seeded, monkeypatch, tmp_path)
    every = [GSCP, NSCP, SGCP, DEMO]
    with db.write_session(sqlite_seeded) as s:
        system = Scope.system("test")
        users.add_user(s, system, "manager", "business manager", every, PASSWORD)
        users.add_user(s, system, "exec", "executive", every, PASSWORD)
        users.add_user(s, system, "qiip", "chair", [GSCP], PASSWORD, subgroup="QiiP Subgroup")
    return sqlite_seeded


def open_page(username: str, page: str, **params: str) -> AppTest:
    """Sign in through the form, then go to the page (with URL parameters as a deep link would give them); other
    test files import it from here."""
    return apptest.open_page(username, page, PASSWORD, **params)


MARKS = {"funnel": "responded", "board": "sector", "chase": "days_since_contact", "contacts": "kind",
         "actions": "theme_change", "history": "entered_at"}
"""A column that tells each table of the two pages apart."""


def table(at: AppTest, name: str):  # type: ignore[no-untyped-def]
    """The table of that name on the page (None when the page does not show it)."""
    found = [d.value for d in at.dataframe if MARKS[name] in d.value.columns]
    if name == "board":
        found = [f for f in found if "status" not in f.columns]
    return found[0] if found else None


def pick(at: AppTest, key: str, label_start: str) -> str:
    """Choose the option whose label starts with `label_start`; returns the label."""
    box = at.selectbox(key=key)
    label = next(o for o in box.options if o.startswith(label_start))
    box.select(label)
    return label


def buttons(at: AppTest) -> set[str]:
    return {b.label for b in at.button}


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label))


def test_engagement_shows_the_published_gscp_figures(app_db: Engine) -> None:
    at = open_page("manager", "engagement", partnership="GSCP", cycle="2021")
    assert at.title[0].value == "Engagement · GSCP"
    funnel, board, contacts = table(at, "funnel"), table(at, "board"), table(at, "contacts")
    row = funnel.set_index("cycle").loc["2021"]
    assert (row["invited"], row["responded"], row["submitted"], row["reviewed"]) == (16, 14, 13, 11)
    assert (row["national return"], row["two-year cycle"], row["response_rate"]) == (1, 2, 100.0)
    assert len(board) == 16 and set(board["2021"]) == {"submitted", "late", "national return", "two-year cycle"}
    assert len(contacts) == 13  # 11 panel attendances + CAFCASS's and Gloucester City's submissions
    assert table(at, "chase") is None and any("Nobody to chase" in m.value for m in at.markdown)
    assert {"Log contact", "Change status"} <= buttons(at)


def test_engagement_peer_review_and_chase_list(app_db: Engine) -> None:
    at = open_page("manager", "engagement", partnership=SGCP, cycle="2021-22")
    funnel, chase, contacts = table(at, "funnel"), table(at, "chase"), table(at, "contacts")
    assert list(funnel["response_rate"]) == [pytest.approx(66.7), pytest.approx(66.7)]
    cvs = chase.iloc[0]
    assert cvs["organisation"].endswith("#CVS South Gloucestershire")  # linked to the agency page
    assert (cvs["status"], cvs["last_contact_on"]) == ("did not engage", "2022-02-15")
    assert cvs["days_since_contact"] == (dt.date.today() - dt.date(2022, 2, 15)).days
    assert list(contacts["date"][:2]) == ["2022-03-01", "2022-02-15"]


def test_business_manager_logs_a_contact_and_changes_a_status(app_db: Engine) -> None:
    at = open_page("manager", "engagement", partnership=SGCP, cycle="2022-23")
    assert len(at.get("form")) == 2
    pick(at, "contact_org", "Eastwood Park")
    at.selectbox(key="contact_kind").select("reminded")
    at.text_area(key="contact_detail").input("Phoned the unit manager")
    next(b for b in at.button if b.label == "Log contact").click()
    at.run()
    assert not at.exception and not at.error
    assert any("Contact logged: reminded" in s.value for s in at.success)
    contacts = table(at, "contacts")
    assert (contacts.iloc[0]["kind"], contacts.iloc[0]["detail"], contacts.iloc[0]["recorded_by"]) == (
        "reminded", "Phoned the unit manager", "manager")

    pick(at, "status_org", "Eastwood Park")
    at.selectbox(key="status_value").select("submitted")
    next(b for b in at.button if b.label == "Change status").click()
    at.run()
    assert any("is now submitted" in s.value for s in at.success)
    funnel = table(at, "funnel").set_index("cycle")
    assert funnel.loc["2022-23", "response_rate"] == 100.0


def test_executive_sees_no_write_forms_and_cannot_write(app_db: Engine) -> None:
    for page in ("engagement", "actions"):
        at = open_page("exec", page, partnership="SGCP")
        assert not at.get("form"), f"{page} shows a form to an executive"
        assert not buttons(at) & WRITE_BUTTONS
    with db.read_session(app_db) as s:
        sg = s.scalar(select(Partnership.id).where(Partnership.name == SGCP))
        inv = int(engagement.invitation_options(s, Scope.system(), partnership_id=sg)["invitation_id"].iloc[0])
        rec = s.scalar(select(Recommendation.id).join(Cycle).where(Cycle.partnership_id == sg))
    executive = Scope.of("exec", Role.EXECUTIVE, [sg])
    for write in (lambda s: engagement.log_contact(s, executive, inv, "reminded", dt.date.today()),
                  lambda s: engagement.set_status(s, executive, inv, "submitted"),
                  lambda s: actions.add_progress(s, executive, rec, "complete", "Done"),
                  lambda s: actions.update_recommendation(s, executive, rec, owner="Me")):
        with pytest.raises(ScopeError), db.write_session(app_db) as s:
            write(s)


def test_actions_shows_the_published_recommendations(app_db: Engine) -> None:
    at = open_page("manager", "actions", partnership="GSCP")
    shown = table(at, "actions")
    assert len(shown) == 24  # 15 panel + 5 youth council (2021), and the 4 of 2020 still in progress
    assert metric(at, "Open") == "24"
    at.toggle(key="actions_closed_too").set_value(True).run()
    shown = table(at, "actions")
    assert len(shown) == 28 and (shown["cycle"] == "2020").sum() == 8
    for partnership, expected in ((NSCP, 6 + 12 + 10), (SGCP, 12 + 10)):
        at = open_page("manager", "actions", partnership=partnership)
        assert len(table(at, "actions")) == expected


def test_business_manager_adds_progress_and_history_is_kept(app_db: Engine) -> None:
    at = open_page("manager", "actions", partnership="GSCP")
    pick(at, "actions_chosen", "2020 · recommendation 2 ")
    at.run()
    with db.read_session(app_db) as s:
        chosen = s.scalar(select(Recommendation.id).join(Cycle).where(Cycle.label == "2020",
                                                                      Recommendation.number == "2"))
    assert list(table(at, "history")["text"]) == ["In Progress"]
    at.selectbox(key=f"progress_status_{chosen}").select("complete")
    at.text_area(key="progress_text").input("Engagement plan signed off")
    next(b for b in at.button if b.label == "Add update").click()
    at.run()
    assert not at.exception and not at.error
    assert any("Progress added to recommendation 2 (2020): complete" in s.value for s in at.success)
    assert len(table(at, "actions")) == 23  # complete now, so no longer open
    at.toggle(key="actions_closed_too").set_value(True).run()
    pick(at, "actions_chosen", "2020 · recommendation 2 ")
    at.run()
    assert list(table(at, "history")["text"]) == ["Engagement plan signed off", "In Progress"]
    assert list(table(at, "history")["recorded_by"]) == ["manager", "published report"]


def test_chair_sees_their_subgroup_and_updates_only_its_actions(app_db: Engine) -> None:
    at = open_page("qiip", "actions", partnership="GSCP")
    assert sorted(table(at, "actions")["number"], key=int) == ["8", "10", "11", "12"]
    assert "Add update" in buttons(at) and not buttons(at) & {"Save changes", "Add"}
    at.toggle(key="actions_mine").set_value(False).run()
    assert len(table(at, "actions")) == 24
    pick(at, "actions_chosen", "2021 · recommendation 1 (Panel)")
    at.run()
    assert "Add update" not in buttons(at)
    assert any("this one is owned by Executive" in c.value for c in at.caption)


def test_bad_input_is_shown_as_an_error_not_a_trace(app_db: Engine) -> None:
    at = open_page("manager", "actions", partnership="GSCP")
    at.text_area(key="progress_text").input("   ")
    next(b for b in at.button if b.label == "Add update").click()
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == ["Write the progress update."]


def test_deep_link_to_one_organisation(app_db: Engine) -> None:
    at = open_page("exec", "engagement", partnership="SGCP", org="CVS South Gloucestershire")
    assert any(h.value == "Contact history · CVS South Gloucestershire, all cycles" for h in at.subheader)
    contacts = table(at, "contacts")
    assert set(contacts["cycle"]) == {"2021-22", "2022-23"} and len(contacts) == 4
    board = table(at, "board")
    assert len(board) == 1 and (board.iloc[0]["2021-22"], board.iloc[0]["2022-23"]) == ("did not engage", "reviewed")


def test_downloads_are_the_table_as_shown_and_formula_safe(app_db: Engine) -> None:
    from app import tables
    from s11data.returns import spreadsheet

    with db.write_session(app_db) as s:
        sg = s.scalar(select(Partnership.id).where(Partnership.name == SGCP))
        inv = int(engagement.invitation_options(s, Scope.system(), partnership_id=sg)["invitation_id"].iloc[0])
        engagement.log_contact(s, Scope.system("manager"), inv, "other", dt.date.today(), "=HYPERLINK(\"x\")")
    at = open_page("manager", "actions", partnership="SGCP")
    shown = table(at, "actions")
    assert "recommendation_id" not in shown.columns  # internal ids are neither shown nor downloaded
    at = open_page("manager", "engagement", partnership="SGCP")
    contacts = table(at, "contacts")
    csv = spreadsheet.to_csv_bytes(tables.downloadable(contacts)).decode("utf-8-sig")
    assert csv.splitlines()[0] == ",".join(contacts.columns)
    assert "'=HYPERLINK" in csv and "\n=HYPERLINK" not in csv and ",=HYPERLINK" not in csv


def test_business_manager_adds_a_recommendation_from_a_question(app_db: Engine) -> None:
    at = open_page("manager", "actions", partnership="SGCP", cycle="2022-23")
    at.text_input(key="new_number").input("D")
    at.text_area(key="new_text").input("Share the LADO briefing with every voluntary group")
    at.selectbox(key="new_target").select("CVS South Gloucestershire")
    at.selectbox(key="new_theme").select("policies, escalation & whistleblowing")
    pick(at, "new_question", "SS1 ")
    at.text_input(key="new_owner").input("Business manager")
    next(b for b in at.button if b.label == "Add").click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("Added recommendation D to 2022-23" in s.value for s in at.success)
    added = table(at, "actions").set_index("number").loc["D"]
    assert (added["target"], added["owner"], added["cycle"]) == ("CVS South Gloucestershire", "Business manager",
                                                                  "2022-23")
    assert added["question"] == "SS1"
