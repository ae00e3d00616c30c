"""Actions: recommendations as the reports count them, overdue / due-soon flags, progress history that is never
overwritten, the theme link and its next-cycle change, and who may write. SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select

from s11data.views import actions
from s11data.store import db
from s11data.returns import exports
from s11data.store.errors import UserError
from s11data.store.models import (
    ActionStatus,
    AuditEvent,
    Cycle,
    Partnership,
    ProgressUpdate,
    Question,
    QuestionTheme,
    Recommendation,
    Role,
    Theme,
)
from s11data.store.scope import Scope, ScopeError

GSCP = "Gloucestershire Safeguarding Children Partnership"
SGCP = "South Gloucestershire Children's Partnership"
NSCP = "North Somerset Children's Partnership"
DEMO = "Illustrative Demo Partnership"
EVERYONE = Scope.system("test")
TODAY = dt.date(2026, 1, 13)


def pid(engine: Engine, name: str) -> int:
    with db.read_session(engine) as s:
        return s.scalar(select(Partnership.id).where(Partnership.name == name))


def cid(engine: Engine, partnership: str, label: str) -> int:
    with db.read_session(engine) as s:
        return s.scalar(select(Cycle.id).join(Partnership).where(Partnership.name == partnership,
                                                                 Cycle.label == label))


def rec_id(engine: Engine, partnership: str, label: str, number: str, made_by: str = "Panel") -> int:
    with db.read_session(engine) as s:
        return s.scalar(select(Recommendation.id).join(Cycle).join(Partnership).where(
            Partnership.name == partnership, Cycle.label == label, Recommendation.number == number,
            Recommendation.made_by == made_by))


def frame(engine: Engine, scope: Scope = EVERYONE, today: dt.date = TODAY, **filters):  # type: ignore[no-untyped-def]
    with db.read_session(engine) as s:
        return actions.actions(s, scope, today, **filters)


def test_recommendations_as_the_reports_count_them(seeded_engine: Engine) -> None:
    every = frame(seeded_engine, only_open=False)
    count = every.groupby(["partnership", "cycle", "kind", "made_by"]).size()
    assert count[(GSCP, "2021", "recommendation", "Panel")] == 15
    assert count[(GSCP, "2021", "recommendation", "Stroud District Youth Council")] == 5
    assert count[(GSCP, "2020", "recommendation", "Panel")] == 8
    assert len(every[every["partnership"] == GSCP]) == 28
    for label, (organisations, partnership) in {"2021-22": (9, 3), "2022-23": (8, 2)}.items():
        sg = every[(every["partnership"] == SGCP) & (every["cycle"] == label)]
        assert ((sg["target"] != "Partnership").sum(), (sg["target"] == "Partnership").sum()) == (
            organisations, partnership)
    ns = every[every["partnership"] == NSCP].groupby(["cycle", "kind"]).size()
    assert ns[("2021-22", "recommendation")] == 6
    assert ns[("2023-24", "recommendation")] == 12 and ns[("2023-24", "commitment")] == 10


def test_open_actions_leave_out_complete_ones(seeded_engine: Engine) -> None:
    gscp_2020 = frame(seeded_engine, partnership_id=pid(seeded_engine, GSCP),
                      cycle_id=cid(seeded_engine, GSCP, "2020"))
    assert len(gscp_2020) == 4 and set(gscp_2020["status"]) == {"in progress"}  # 4 complete, 4 in progress
    assert set(gscp_2020["last_update"]) == {"In Progress"}


def test_overdue_and_due_soon_flags(seeded_engine: Engine) -> None:
    got = frame(seeded_engine, today=dt.date(2022, 6, 15), partnership_id=pid(seeded_engine, GSCP),
                cycle_id=cid(seeded_engine, GSCP, "2021"))
    panel = got[got["made_by"] == "Panel"].set_index("number")
    assert panel.loc["5", "flag"] == "overdue" and panel.loc["5", "days_to_due"] == -15  # due 31 May 2022
    assert panel.loc["1", "flag"] == "overdue"  # review June 2022 (month only: the 1st)
    assert panel.loc["7", "flag"] == "due soon" and panel.loc["7", "days_to_due"] == 16  # July 2022
    assert panel.loc["13", "flag"] == ""  # August 2022: 47 days away
    assert panel.loc["11", "flag"] == "" and panel.loc["11", "due"] == ""  # no review date given
    assert list(got["flag"][:3]) == ["overdue", "overdue", "due soon"]  # overdue first, then due soon


def test_flag_edges() -> None:
    today = dt.date(2026, 1, 13)
    flag = actions._flag
    assert flag(ActionStatus.OPEN, today, today) == "due soon"
    assert flag(ActionStatus.OPEN, today - dt.timedelta(days=1), today) == "overdue"
    assert flag(ActionStatus.IN_PROGRESS, today + dt.timedelta(days=30), today) == "due soon"
    assert flag(ActionStatus.NOT_STARTED, today + dt.timedelta(days=31), today) == ""
    assert flag(ActionStatus.COMPLETE, today - dt.timedelta(days=99), today) == ""
    assert flag(ActionStatus.OPEN, None, today) == ""


def test_theme_link_says_when_there_is_nothing_to_compare(seeded_engine: Engine) -> None:
    every = frame(seeded_engine, only_open=False)
    gscp = every[every["partnership"] == GSCP]
    assert set(gscp.loc[gscp["cycle"] == "2020", "theme_change"]) == {"no grades for this theme in 2020"}
    assert set(gscp.loc[gscp["cycle"] == "2020", "next_cycle"]) == {"2021"}
    assert set(gscp.loc[gscp["cycle"] == "2021", "theme_change"]) == {"no later cycle yet"}
    sg = every[(every["partnership"] == SGCP) & (every["cycle"] == "2021-22")]
    assert set(sg["theme_change"]) == {"no grades for this theme in 2021-22"}  # an ungraded peer review
    ns = every[(every["partnership"] == NSCP) & (every["cycle"] == "2023-24")].set_index("number")
    assert ns.loc["12", "theme"] == "neglect" and ns.loc["12", "theme_green"] == 67.0  # E2: 67% green


def test_theme_change_matches_the_ratings(seeded_engine: Engine) -> None:
    """The demo's % green per theme, recomputed here from the ratings export, and the change to the next cycle."""
    demo = frame(seeded_engine, only_open=False, partnership_id=pid(seeded_engine, DEMO))
    with db.read_session(seeded_engine) as s:
        ratings = exports.ratings(s, EVERYONE, DEMO)
        tagged = {(label, code, theme) for label, code, theme in s.execute(
            select(Cycle.label, Question.code, Theme.name).join(Question.cycle).join(QuestionTheme)
            .join(Theme, Theme.id == QuestionTheme.theme_id).where(Cycle.partnership_id == pid(seeded_engine, DEMO)))}

    def green(label: str, theme: str) -> float:
        codes = {code for lab, code, t in tagged if lab == label and t == theme}
        rows = ratings[(ratings["cycle"] == label) & ratings["question"].isin(codes)]
        stands = rows["moderated_rating"].where(rows["moderated_rating"] != "", rows["rating"])
        return round(100 * (stands == "Green").sum() / len(rows), 1)

    compared = demo[demo["next_cycle"] != ""]
    assert len(compared) == 30
    for row in compared.itertuples():
        assert row.theme_green == pytest.approx(green(row.cycle, row.theme), abs=0.05)
        assert row.next_theme_green == pytest.approx(green(row.next_cycle, row.theme), abs=0.05)
        change = round(row.next_theme_green - row.theme_green, 1)
        word = "improved" if change > 0 else "fell" if change < 0 else "no change"
        assert row.theme_change.startswith(word)


def history_rows(engine: Engine, rid: int) -> list[tuple]:
    with db.read_session(engine) as s:
        return [tuple(r) for r in s.execute(select(ProgressUpdate.id, ProgressUpdate.recorded_on, ProgressUpdate.status,
                                                   ProgressUpdate.text).where(ProgressUpdate.recommendation_id == rid)
                                            .order_by(ProgressUpdate.id))]


def status_of(engine: Engine, rid: int) -> str:
    with db.read_session(engine) as s:
        return s.get(Recommendation, rid).status.value


def audit_lines(engine: Engine, action: str) -> list[str]:
    with db.read_session(engine) as s:
        return list(s.scalars(select(AuditEvent.detail).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_progress_is_appended_and_the_status_follows_the_latest(seeded_engine: Engine) -> None:
    bm = Scope.of("sam", Role.BUSINESS_MANAGER, [pid(seeded_engine, GSCP)])
    rid = rec_id(seeded_engine, GSCP, "2020", "2")
    before = history_rows(seeded_engine, rid)
    assert [r[2:] for r in before] == [(ActionStatus.IN_PROGRESS, "In Progress")]  # as the 2021 report gives it
    with db.write_session(seeded_engine) as s:
        actions.add_progress(s, bm, rid, "complete", "Partnership engagement plan signed off",
                             recorded_on=dt.date(2026, 1, 10), today=TODAY)
    assert status_of(seeded_engine, rid) == "complete"
    with db.write_session(seeded_engine) as s:  # a late entry dated earlier does not overturn the latest
        actions.add_progress(s, bm, rid, "in progress", "Draft plan circulated", recorded_on=dt.date(2025, 6, 1),
                             today=TODAY)
    assert status_of(seeded_engine, rid) == "complete"
    after = history_rows(seeded_engine, rid)
    assert after[: len(before)] == before and len(after) == 3  # earlier updates untouched
    with db.read_session(seeded_engine) as s:
        history = actions.progress_history(s, bm, rid)
    assert list(history["date"]) == ["2026-01-10", "2025-06-01", ""]  # newest first, the undated report line last
    assert list(history["recorded_by"]) == ["sam", "sam", "published report"]
    lines = audit_lines(seeded_engine, "progress")
    assert len(lines) == 2 and "in progress → complete" in lines[0]
    gscp_2020 = frame(seeded_engine, partnership_id=pid(seeded_engine, GSCP), cycle_id=cid(seeded_engine, GSCP, "2020"))
    assert "2" not in set(gscp_2020["number"])  # complete now: no longer open


def test_bad_progress_is_refused(seeded_engine: Engine) -> None:
    bm = Scope.of("sam", Role.BUSINESS_MANAGER, [pid(seeded_engine, GSCP)])
    rid = rec_id(seeded_engine, GSCP, "2021", "10")
    for status, text, day, message in [("complete", "Done", dt.date(2026, 2, 1), "in the future"),
                                       ("complete", "  ", TODAY, "Write the progress update"),
                                       ("finished", "Done", TODAY, "not a status")]:
        with pytest.raises(UserError, match=message), db.write_session(seeded_engine) as s:
            actions.add_progress(s, bm, rid, status, text, recorded_on=day, today=TODAY)
    assert history_rows(seeded_engine, rid) == [] and status_of(seeded_engine, rid) == "open"


def test_chair_updates_only_the_actions_their_subgroup_owns(seeded_engine: Engine) -> None:
    gscp = pid(seeded_engine, GSCP)
    chair = Scope.of("qiip chair", Role.CHAIR, [gscp], subgroup="QiiP Subgroup")
    mine = frame(seeded_engine, chair, partnership_id=gscp, mine_only=True)
    assert sorted(mine["number"], key=int) == ["8", "10", "11", "12"]  # incl. 'QiiP Subgroup;Districts Subgroup'
    with db.write_session(seeded_engine) as s:
        actions.add_progress(s, chair, rec_id(seeded_engine, GSCP, "2021", "8"), "in progress",
                             "Training needs analysis under way", today=TODAY)
    with pytest.raises(ScopeError, match="Executive"), db.write_session(seeded_engine) as s:
        actions.add_progress(s, chair, rec_id(seeded_engine, GSCP, "2021", "1"), "in progress", "x", today=TODAY)
    with pytest.raises(ScopeError), db.write_session(seeded_engine) as s:
        actions.add_recommendation(s, chair, cid(seeded_engine, GSCP, "2021"), "16", "New one")
    with pytest.raises(ScopeError), db.write_session(seeded_engine) as s:
        actions.update_recommendation(s, chair, rec_id(seeded_engine, GSCP, "2021", "8"), owner="Someone else")
    assert status_of(seeded_engine, rec_id(seeded_engine, GSCP, "2021", "8")) == "in progress"
    assert len(audit_lines(seeded_engine, "progress")) == 1 and audit_lines(seeded_engine, "recommendation") == []


def test_executive_cannot_write_anything(seeded_engine: Engine) -> None:
    gscp = pid(seeded_engine, GSCP)
    executive = Scope.of("exec", Role.EXECUTIVE, [gscp])
    rid = rec_id(seeded_engine, GSCP, "2021", "1")
    attempts = [
        lambda s: actions.add_progress(s, executive, rid, "complete", "Paper presented", today=TODAY),
        lambda s: actions.add_recommendation(s, executive, cid(seeded_engine, GSCP, "2021"), "16", "New one"),
        lambda s: actions.update_recommendation(s, executive, rid, owner="Executive group"),
    ]
    for attempt in attempts:
        with pytest.raises(ScopeError), db.write_session(seeded_engine) as s:
            attempt(s)
    assert history_rows(seeded_engine, rid) == [] and audit_lines(seeded_engine, "recommendation") == []
    assert len(frame(seeded_engine, executive, only_open=False)) == 28  # still reads its partnership


def test_add_and_edit_a_recommendation(seeded_engine: Engine) -> None:
    sg = pid(seeded_engine, SGCP)
    bm = Scope.of("sam", Role.BUSINESS_MANAGER, [sg])
    cycle = cid(seeded_engine, SGCP, "2022-23")
    with db.read_session(seeded_engine) as s:
        questions = actions.question_options(s, bm, cycle_id=cycle)
    assert len(questions) == 19  # the peer review's question set
    q = questions.iloc[0]
    with db.write_session(seeded_engine) as s:
        new = actions.add_recommendation(s, bm, cycle, "C", "Offer neglect briefings to voluntary groups",
                                         made_by="Peer review", target="CVS South Gloucestershire", theme="neglect",
                                         owner="Neglect Subgroup", due_on=dt.date(2026, 2, 1),
                                         question_id=int(q["question_id"]))
        new_id = new.id
    got = frame(seeded_engine, bm, partnership_id=sg, cycle_id=cycle).set_index("number")
    assert got.loc["C", "target"] == "CVS South Gloucestershire" and got.loc["C", "flag"] == "due soon"
    assert got.loc["C", "question"] == q["code"]
    with pytest.raises(UserError, match="already has recommendation C"), db.write_session(seeded_engine) as s:
        actions.add_recommendation(s, bm, cycle, "C", "Again", made_by="Peer review")
    with pytest.raises(UserError, match="not a theme"), db.write_session(seeded_engine) as s:
        actions.add_recommendation(s, bm, cycle, "D", "Other", theme="biscuits")
    with db.read_session(seeded_engine) as s:
        elsewhere = int(actions.question_options(s, bm, cycle_id=cid(seeded_engine, SGCP, "2021-22"))
                        ["question_id"].iloc[0])
    with pytest.raises(UserError, match="not in this cycle's framework"), db.write_session(seeded_engine) as s:
        actions.add_recommendation(s, bm, cycle, "D", "Other", question_id=elsewhere)
    with pytest.raises(UserError, match="did you mean CVS South Gloucestershire"), db.write_session(seeded_engine) as s:
        actions.add_recommendation(s, bm, cycle, "D", "Other", target="CVS South Gloucs")
    with db.write_session(seeded_engine) as s:
        actions.update_recommendation(s, bm, new_id, owner="Quality Assurance Subgroup", due_on=None)
    got = frame(seeded_engine, bm, partnership_id=sg, cycle_id=cycle).set_index("number")
    assert (got.loc["C", "owner"], got.loc["C", "due"], got.loc["C", "flag"]) == ("Quality Assurance Subgroup", "", "")
    assert got.loc["C", "text"] == "Offer neglect briefings to voluntary groups"  # left as it was
    added, edited = audit_lines(seeded_engine, "recommendation")
    assert "added recommendation C" in added
    assert "owner 'Neglect Subgroup' → 'Quality Assurance Subgroup'" in edited and "due 2026-02-01 → none" in edited


def test_reads_keep_to_the_callers_partnerships(seeded_engine: Engine) -> None:
    sg_only = Scope.of("bm", Role.BUSINESS_MANAGER, [pid(seeded_engine, SGCP)])
    assert set(frame(seeded_engine, sg_only, only_open=False)["partnership"]) == {SGCP}
    assert frame(seeded_engine, sg_only, partnership_id=pid(seeded_engine, GSCP)).empty
    with db.read_session(seeded_engine) as s:
        with pytest.raises(ScopeError):
            actions.progress_history(s, sg_only, rec_id(seeded_engine, GSCP, "2020", "1"))
    with pytest.raises(ScopeError), db.write_session(seeded_engine) as s:
        actions.add_progress(s, sg_only, rec_id(seeded_engine, GSCP, "2021", "1"), "open", "x", today=TODAY)
