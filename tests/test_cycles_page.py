"""The Cycles & invitations page through the whole app (sign-in, navigation, shared filters) with streamlit AppTest
on the seeded database: a business manager sets up a cycle and its invitation list; an executive never gets the page."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest
from test_pages_engagement_actions import PASSWORD, app_db, open_page  # noqa: F401 - the fixture and sign-in helper

from s11data.store import db
from s11data.admin import users
from s11data.store.models import AuditEvent, Cycle, Invitation, Organisation, Partnership, Question
from s11data.store.scope import Scope

PAGES = Path(__file__).resolve().parent.parent / "pages"
NSCP = "North Somerset Children's Partnership"


def nscp_cycle(engine: Engine, label: str) -> Cycle | None:
    with db.read_session(engine) as s:
        return s.scalar(select(Cycle).join(Partnership).where(Partnership.name == NSCP, Cycle.label == label))


def organisation_id(engine: Engine, name: str) -> int:
    with db.read_session(engine) as s:
        return s.scalar(select(Organisation.id).where(Organisation.name == name))  # type: ignore[return-value]


def navigation(at: AppTest) -> set[str]:
    """The url paths of this session's navigation (AppTest keeps them in `_registered_pages`)."""
    return {str(p.get("url_pathname")) for p in at._registered_pages.values()}


def button(at: AppTest, label: str):  # type: ignore[no-untyped-def]
    return next(b for b in at.button if b.label == label)


def cycles_table(at: AppTest):  # type: ignore[no-untyped-def]
    return next(d.value for d in at.dataframe if "questions" in d.value.columns)


def test_business_manager_sets_up_a_cycle_and_invites(app_db: Engine) -> None:  # noqa: F811
    at = open_page("manager", "cycles", partnership="NSSCP")
    assert at.title[0].value == "Cycles & invitations"
    assert list(cycles_table(at)["cycle"]) == ["2023-24", "2021-22"]
    pid = nscp_cycle(app_db, "2023-24").partnership_id  # type: ignore[union-attr]
    label = at.text_input(key=f"cycle_label_{pid}_2")  # NSSCP has two cycles
    assert label.value == "2024-25"  # the next label after the latest, ready to change
    label.input("2025-26")
    at.selectbox(key="cycle_method").select("self-assessment")
    at.text_input(key=f"cycle_title_{pid}_2").input("Section 11 audit 2025-26")
    assert at.selectbox(key="cycle_source").value == nscp_cycle(app_db, "2023-24").id  # type: ignore[union-attr]
    button(at, "Set up cycle").click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("Cycle 2025-26 set up for North Somerset Children's Partnership, with 19 questions from NSSCP "
               "2023-24" in s.value for s in at.success)
    assert at.selectbox(key="filter_cycle").value == "2025-26"  # the shared cycle filter now shows the new cycle
    assert at.query_params["cycle"] in ("2025-26", ["2025-26"])
    assert cycles_table(at)["cycle"].iloc[0] == "2025-26"
    assert at.text_input(key=f"cycle_label_{pid}_3").value == "2026-27"  # the form is ready for the next one
    assert any(h.value == "Invitation list · 2025-26" for h in at.subheader)

    new = nscp_cycle(app_db, "2025-26")
    assert new is not None and (new.method.value, new.title) == ("self-assessment", "Section 11 audit 2025-26")
    known = at.multiselect(key=f"invite_known_{new.id}")
    assert "Sirona Care & Health (last: 2023-24)" in known.options
    known.select(organisation_id(app_db, "Sirona Care & Health"))
    at.text_input(key="invite_search").input("Barnardo")
    at.run()
    found = at.multiselect(key=f"invite_found_{new.id}")
    assert found.options == ["Barnardo's (voluntary)"]
    found.select(organisation_id(app_db, "Barnardo's"))
    button(at, "Invite").click()
    at.run()
    assert not at.error, [e.value for e in at.error]
    assert any(s.value == "Invited 2 organisations to NSSCP 2025-26." for s in at.success)

    button(at, "Invite the same as 2023-24").click()
    at.run()
    assert any(s.value.startswith("Invited 13 organisations to NSSCP 2025-26. Already invited: ")
               for s in at.success)
    with db.read_session(app_db) as s:
        assert s.query(Invitation).filter_by(cycle_id=new.id).count() == 15
        assert s.query(Question).filter_by(cycle_id=new.id).count() == 19
        assert {a for (a,) in s.execute(select(AuditEvent.action).where(AuditEvent.username == "manager"))} >= {
            "cycle", "invitation"}

    with db.read_session(app_db) as s:
        sirona = s.scalar(select(Invitation.id).join(Organisation).where(Invitation.cycle_id == new.id,
                                                                         Organisation.name == "Sirona Care & Health"))
    at.selectbox(key="remove_pick").select(sirona)
    button(at, "Remove invitation").click()
    at.run()
    assert any(s.value == "Sirona Care & Health is no longer invited to 2025-26." for s in at.success)


def set_up_nsscp_cycle(engine: Engine, label: str) -> AppTest:
    """The NSSCP business manager types a label into the new-cycle form (framework copied) and sets it up."""
    at = open_page("manager", "cycles", partnership="NSSCP")
    pid = nscp_cycle(engine, "2023-24").partnership_id  # type: ignore[union-attr]
    at.text_input(key=f"cycle_label_{pid}_2").input(label)  # NSSCP has two cycles
    button(at, "Set up cycle").click()
    return at.run()


def test_a_taken_label_and_a_bad_framework_file_are_shown_as_errors(app_db: Engine) -> None:  # noqa: F811
    at = set_up_nsscp_cycle(app_db, "2023/24")
    assert not at.exception
    assert [e.value for e in at.error] == [("NSSCP already has a cycle 2023-24; give the new cycle another label "
                                            "(e.g. the next year).")]
    at.radio(key="cycle_how").set_value("Upload a framework file").run()
    assert {b.label for b in at.get("download_button")} >= {"Framework template · CSV", "Framework template · XLSX"}
    button(at, "Set up cycle").click()
    at.run()
    assert [e.value for e in at.error] == ["Choose the framework file to upload."]


def test_a_new_organisation_near_miss_is_refused_then_added(app_db: Engine) -> None:  # noqa: F811
    at = open_page("manager", "cycles", partnership="NSSCP", cycle="2023-24")
    at.text_input(key="org_name_0").input("Avon and Somerset Constabuley")
    button(at, "Add organisation").click()
    at.run()
    assert any("close to 'Avon and Somerset Constabulary'" in e.value for e in at.error)
    assert at.text_input(key="org_name_0").value == "Avon and Somerset Constabuley"  # kept, to correct it
    at.text_input(key="org_name_0").input("Weston Youth Hub")
    at.selectbox(key="org_sector_0").select("voluntary")
    button(at, "Add organisation").click()
    at.run()
    assert not at.error, [e.value for e in at.error]
    assert any(s.value == "Added Weston Youth Hub and invited it to 2023-24." for s in at.success)
    assert at.text_input(key="org_name_1").value == ""  # a fresh form for the next one
    invited = next(d.value for d in at.dataframe if "invited on" in d.value.columns)  # words.heading("invited_on")
    assert any(str(o).endswith("#Weston Youth Hub") for o in invited["organisation"])


def test_executive_and_chair_do_not_get_the_page(app_db: Engine) -> None:  # noqa: F811
    for username in ("exec", "qiip"):
        at = open_page(username, "overview")
        assert "cycles" not in navigation(at)
        scope = at.session_state["s11_scope"]
        direct = AppTest.from_file(str(PAGES / "cycles.py"), default_timeout=60)  # run without the shell's gate
        direct.session_state["s11_scope"] = scope
        direct.run()
        assert not direct.exception
        assert [e.value for e in direct.error] == [("Only business managers and admins can set up cycles and "
                                                    "invitations.")]
        assert not direct.get("form") and not direct.dataframe and not direct.button
    at = open_page("manager", "overview")
    assert "cycles" in navigation(at)


def test_shared_screen_mode_and_a_partnership_without_cycles(app_db: Engine) -> None:  # noqa: F811
    at = open_page("manager", "cycles", partnership="NSSCP", screen="1")
    assert at.title[0].value == "Cycles & invitations" and len(cycles_table(at)) == 2
    with db.write_session(app_db) as s:
        s.add(Partnership(name="Weston Children's Partnership", short_name="WCP"))
    with db.write_session(app_db) as s:
        users.add_user(s, Scope.system("test"), "newbm", "business manager", ["Weston Children's Partnership"],
                       PASSWORD)
    at = open_page("newbm", "cycles")
    assert [i.value for i in at.info] == ["No cycle yet: set up the first one below."]
    assert any("upload a framework file instead" in c.value for c in at.caption)
    assert not any(h.value.startswith("Invitation list") for h in at.subheader)


def test_every_page_runs_on_a_new_cycle_with_no_returns_yet(app_db: Engine) -> None:  # noqa: F811
    at = set_up_nsscp_cycle(app_db, "2025-26")
    assert any(s.value.startswith("Cycle 2025-26 set up") for s in at.success)
    checked = 0
    for page in sorted(navigation(at) - {"cycles", "overview"}):  # "" is the Overview; /overview its hidden twin
        at.switch_page(f"../pages/{page.replace('-', '_') or 'overview'}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])
        shown = [box.value for box in at.selectbox if box.key == "filter_cycle"]
        assert shown in ([], ["2025-26"]), page  # pages with a cycle filter keep the new cycle chosen
        checked += 1
    assert checked == 8  # overview, heat map, trends, agency, engagement, actions, upload, report
