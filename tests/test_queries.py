"""The dashboard's read queries on the seeded database (SQLite and PostgreSQL), checked against the published
reports: GSCP 2021 Table 1 cell by cell, NSSCP 2023-24 per-question % and Appendix One, returns against
invitations, open and overdue actions, trends across cycles, the agency drill-down, and the caller's scope."""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from s11data.store import db
from s11data.views import agency, common, figures, filter_choices, heat_map, overview, trends
from s11data.store.models import Cycle, Organisation, Partnership, Role, Theme
from s11data.returns.ratings import LETTER, parse_grade
from s11data.store.scope import Scope, ScopeError

SEED = Path(__file__).resolve().parent.parent / "seed" / "published"
EVERYONE = Scope.system("test")
GSCP = "Gloucestershire Safeguarding Children Partnership"
NSSCP = "North Somerset Children's Partnership"
SGCP = "South Gloucestershire Children's Partnership"
DEMO = "Illustrative Demo Partnership"


def rows(folder: str, name: str) -> list[dict[str, str]]:
    with (SEED / folder / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def cycle_id(engine: Engine, partnership: str, label: str) -> int:
    with db.read_session(engine) as s:
        return s.scalar(select(Cycle.id).join(Partnership).where(Partnership.name == partnership,
                                                                 Cycle.label == label))


def partnership_id(engine: Engine, name: str) -> int:
    with db.read_session(engine) as s:
        return s.scalar(select(Partnership.id).where(Partnership.name == name))


VIEWS = (common, filter_choices, overview, figures, heat_map, trends, agency)
"""The modules of the pages' reads (a test names a read by its function name)."""


def run(engine: Engine, name: str, scope: Scope = EVERYONE, **kwargs):  # type: ignore[no-untyped-def]
    with db.read_session(engine) as session:
        return getattr(next(m for m in VIEWS if hasattr(m, name)), name)(session, scope, **kwargs)


# --- what each cycle holds --------------------------------------------------------------------------------

def test_each_cycle_is_read_from_what_its_report_published(seeded_engine: Engine) -> None:
    sources = run(seeded_engine, "cycle_sources")
    assert sources[cycle_id(seeded_engine, GSCP, "2021")] == common.RATINGS          # Table 1 per agency
    assert sources[cycle_id(seeded_engine, NSSCP, "2023-24")] == common.PUBLISHED    # only % and Appendix One
    for partnership, label in ((NSSCP, "2021-22"), (SGCP, "2021-22"), (SGCP, "2022-23")):
        assert sources[cycle_id(seeded_engine, partnership, label)] == common.RESPONSES  # ungraded peer reviews
    assert sources[cycle_id(seeded_engine, DEMO, "2024-25")] == common.RATINGS


# --- GSCP 2021: Table 1 -------------------------------------------------------------------------------------

def test_gscp_2021_heat_map_reproduces_table_1_cell_by_cell(seeded_engine: Engine) -> None:
    cells = run(seeded_engine, "heat_map_cells", cycle_id=cycle_id(seeded_engine, GSCP, "2021"))
    got = {(r.organisation, r.column): (r.self, r.moderated, r.stands) for r in cells.itertuples()}
    published = rows("gscp_2021", "ratings.csv")
    assert len(published) == 48 and len(got) == 48  # 12 agencies × 4 standards
    for row in published:
        self_grade = parse_grade(row["rating"]).rag.value
        moderated = parse_grade(row["moderated_rating"]).rag.value
        assert got[(row["organisation"], row["question"])] == (self_grade, moderated, moderated)
    assert cells.loc[cells["organisation"] == "Gloucester City Council"].sort_values("column")["stands"].map(
        lambda g: LETTER[parse_grade(g).rag]).str.cat() == "RGAG"   # the report's one red


def test_gscp_2021_distribution_and_per_standard_summary(seeded_engine: Engine) -> None:
    cid = cycle_id(seeded_engine, GSCP, "2021")
    mix = run(seeded_engine, "rag_distribution", cycle_id=cid).set_index("grade")
    assert mix["count"].to_dict() == {"Red": 1, "Amber": 8, "Green": 39}
    assert mix.loc["Green", "percent"] == pytest.approx(81.2)
    summary = run(seeded_engine, "question_summary", cycle_id=cid)
    standard_3 = summary[summary["question"] == "3"].set_index("grade")
    assert standard_3["count"].to_dict() == {"Amber": 4, "Green": 8}
    assert set(summary["base"]) == {12}
    counts = run(seeded_engine, "organisation_counts", cycle_id=cid).set_index("organisation")
    assert counts.loc["Gloucester City Council", ["Green", "Amber", "Red"]].tolist() == [2, 1, 1]
    assert (counts["total"] == 4).all()


def test_gscp_2021_returns_against_invitations(seeded_engine: Engine) -> None:
    figures = run(seeded_engine, "returns_figures", cycle_id=cycle_id(seeded_engine, GSCP, "2021"))
    # §3.5–3.6: 12 submissions + Gloucester City late + CAFCASS national; NPS and BTP on a two-year cycle
    assert (figures.invited, figures.expected, figures.received, figures.on_time, figures.late, figures.national,
            figures.not_expected, figures.to_chase) == (16, 13, 13, 12, 1, 1, 2, 0)


def test_panel_agreed_so_nobody_rated_higher_than_the_panel(seeded_engine: Engine) -> None:
    cells = run(seeded_engine, "heat_map_cells", cycle_id=cycle_id(seeded_engine, GSCP, "2021"))
    assert heat_map.rated_higher_than_panel(cells).empty


# --- NSSCP 2023-24: published aggregates ----------------------------------------------------------------------

def test_nsscp_per_question_percent_equals_the_report(seeded_engine: Engine) -> None:
    summary = run(seeded_engine, "question_summary", cycle_id=cycle_id(seeded_engine, NSSCP, "2023-24"))
    got = {(r.question, r.grade): r.percent for r in summary.itertuples()}
    published = [r for r in rows("nsscp_2023_24", "aggregates.csv") if r["subject_kind"] == "question"]
    assert published and len(got) == len(published)
    for row in published:
        assert got[(row["subject"], row["grade"])] == pytest.approx(float(row["percent"]))
    assert set(summary["source"]) == {common.PUBLISHED}
    assert set(summary["base"]) == {15}


def test_nsscp_appendix_one_counts_as_published(seeded_engine: Engine) -> None:
    counts = run(seeded_engine, "organisation_counts", cycle_id=cycle_id(seeded_engine, NSSCP, "2023-24"))
    got = counts.set_index("organisation")
    published = [r for r in rows("nsscp_2023_24", "aggregates.csv") if r["subject_kind"] == "organisation"]
    for row in published:
        assert got.loc[row["subject"], row["grade"]] == int(row["count"])
    assert set(counts["source"]) == {common.PUBLISHED}
    printed = {(r["subject"], r["grade"]) for r in published}
    for row in counts.itertuples():
        for grade in ("Green", "Amber", "Red"):
            if (row.organisation, grade) not in printed:  # e.g. Capstone prints only "16": no zero is invented
                assert pd.isna(got.loc[row.organisation, grade])
    # police and BTP are printed "n/a": no figure, so no row is invented
    assert "Avon and Somerset Constabulary" not in got.index


def test_nsscp_overview_distribution_is_the_mean_of_published_percentages(seeded_engine: Engine) -> None:
    cid = cycle_id(seeded_engine, NSSCP, "2023-24")
    published = pd.DataFrame([r for r in rows("nsscp_2023_24", "aggregates.csv") if r["subject_kind"] == "question"])
    published["percent"] = published["percent"].astype(float)
    questions = published["subject"].nunique()
    expected = (published.groupby("grade")["percent"].sum() / questions).round(1)
    mix = run(seeded_engine, "rag_distribution", cycle_id=cid).set_index("grade")
    for grade, value in expected.items():
        assert mix.loc[grade, "percent"] == pytest.approx(value)
    assert set(mix["source"]) == {common.PUBLISHED}
    # themes: 'fathers' is E1 alone, so its figures are E1's as printed
    themes = run(seeded_engine, "theme_summary", cycle_id=cid)
    fathers = themes[themes["theme"] == "fathers"].set_index("grade")["percent"].to_dict()
    e1 = published[published["subject"] == "E1"].set_index("grade")["percent"].to_dict()
    assert fathers == pytest.approx(e1)


# --- ungraded peer reviews ---------------------------------------------------------------------------------------

def test_peer_reviews_show_responses_not_grades(seeded_engine: Engine) -> None:
    cid = cycle_id(seeded_engine, NSSCP, "2021-22")
    assert run(seeded_engine, "rag_distribution", cycle_id=cid).empty
    cells = run(seeded_engine, "heat_map_cells", cycle_id=cid)
    assert set(cells["organisation"]) == {"YMCA Dulverton Group", "Sirona Care & Health"}
    assert (cells["evidence"] != "").any()
    figures = run(seeded_engine, "returns_figures", cycle_id=cid)
    assert (figures.invited, figures.received, figures.not_expected) == (3, 2, 1)  # SafeLives withdrawn


# --- actions ---------------------------------------------------------------------------------------------------

def test_open_and_overdue_actions(seeded_engine: Engine) -> None:
    today = dt.date(2022, 7, 1)
    figures = run(seeded_engine, "action_figures", partnership_id=partnership_id(seeded_engine, GSCP), today=today)
    published = rows("gscp_2021", "recommendations.csv")
    open_states = {"open", "in progress", "not started"}
    expected_open = sum(r["status"] in open_states for r in published)
    def due(text: str) -> dt.date | None:  # the seed stores a month-only date as the 1st of that month
        return dt.date.fromisoformat(text if len(text) == 10 else text + "-01") if text else None

    expected_overdue = sum(bool(r["status"] in open_states and due(r["due"]) and due(r["due"]) < today)
                           for r in published)
    assert figures.total == len(published)
    assert (figures.open, figures.overdue) == (expected_open, expected_overdue)
    assert figures.undated == sum(r["status"] in open_states and not r["due"] for r in published)
    assert 0 < figures.overdue < figures.open


# --- trends ---------------------------------------------------------------------------------------------------

def test_trends_cover_every_graded_cycle_and_mark_how_it_was_graded(seeded_engine: Engine) -> None:
    frame = run(seeded_engine, "rag_by_cycle")
    cycles = frame.drop_duplicates(["partnership", "cycle"])
    assert set(zip(cycles["partnership"], cycles["cycle"])) == {
        (GSCP, "2021"), (NSSCP, "2023-24"), (DEMO, "2022-23"), (DEMO, "2023-24"), (DEMO, "2024-25"),
        (DEMO, "2025-26")}
    demo = cycles[cycles["partnership"] == DEMO].set_index("cycle")
    assert demo.loc["2023-24", "method"] == "self-assessment" and demo.loc["2024-25", "method"] == "panel"
    assert cycles.set_index("partnership").loc[NSSCP, "source"] == common.PUBLISHED
    totals = frame[frame["source"] == common.RATINGS].groupby(["partnership", "cycle"])["percent"].sum()
    assert totals.round(0).eq(100).all()
    ungraded = run(seeded_engine, "ungraded_cycles")
    assert {"2021-22", "2022-23"} <= set(ungraded["cycle"])


def test_theme_trend_counts_each_question_under_each_of_its_themes(seeded_engine: Engine) -> None:
    with db.read_session(seeded_engine) as s:
        neglect = s.scalar(select(Theme.id).where(Theme.name == "neglect"))
    frame = run(seeded_engine, "rag_by_cycle", partnership_id=partnership_id(seeded_engine, DEMO), theme_id=neglect,
                by_theme=True)
    assert set(frame["theme"]) == {"neglect"}
    assert set(frame["cycle"]) == {"2024-25", "2025-26"}  # the demo framework's neglect question (F4) came in 2024-25


def test_moderated_view_differs_from_self_where_the_panel_moderated(seeded_engine: Engine) -> None:
    cid = cycle_id(seeded_engine, DEMO, "2024-25")
    cells = run(seeded_engine, "heat_map_cells", cycle_id=cid)
    rank = {"Red": 0, "Amber": 1, "Green": 2}
    higher = cells[cells["self"].map(rank) > cells["moderated"].map(rank)]
    flagged = heat_map.rated_higher_than_panel(cells)
    assert set(flagged["organisation"]) == set(higher["organisation"]) and not flagged.empty
    self_mix = run(seeded_engine, "rag_distribution", cycle_id=cid, grade_of="self").set_index("grade")["count"]
    stands = run(seeded_engine, "rag_distribution", cycle_id=cid).set_index("grade")["count"]
    assert self_mix.sum() == stands.sum() and self_mix["Green"] > stands["Green"]


def test_theme_cells_hold_the_lowest_grade_of_their_questions(seeded_engine: Engine) -> None:
    cid = cycle_id(seeded_engine, DEMO, "2024-25")
    by_question = run(seeded_engine, "heat_map_cells", cycle_id=cid)
    by_theme = run(seeded_engine, "heat_map_cells", cycle_id=cid, by="theme")
    with db.read_session(seeded_engine) as s:
        from s11data.store.models import Question, QuestionTheme

        tags = pd.DataFrame(s.execute(select(Question.code, Theme.name).select_from(Question)
                                      .join(QuestionTheme, QuestionTheme.question_id == Question.id)
                                      .join(Theme, Theme.id == QuestionTheme.theme_id)
                                      .where(Question.cycle_id == cid)).all(), columns=["column", "theme"])
    rank = {"Red": 0, "Amber": 1, "Green": 2}
    merged = by_question.merge(tags, on="column")
    merged["r"] = merged["stands"].map(rank)
    worst = merged.groupby(["organisation", "theme"])["r"].min()
    for row in by_theme.itertuples():
        expected = worst.get((row.organisation, row.column))
        assert (rank.get(row.stands) if row.stands in rank else None) == (None if pd.isna(expected) else expected)


# --- one agency ---------------------------------------------------------------------------------------------------

def test_agency_profile_of_sirona_across_cycles(seeded_engine: Engine) -> None:
    with db.read_session(seeded_engine) as s:
        oid = s.scalar(select(Organisation.id).where(Organisation.name == "Sirona Care & Health"))
    profile = run(seeded_engine, "agency_profile", organisation_id=oid)
    assert set(zip(profile.engagement["cycle"], profile.engagement["status"])) == {("2023-24", "submitted"),
                                                                                 ("2021-22", "reviewed")}
    appendix = {r["grade"]: int(r["count"]) for r in rows("nsscp_2023_24", "aggregates.csv")
                if r["subject"] == "Sirona Care & Health"}
    grades = profile.grades.set_index("cycle")
    assert {g: grades.loc["2023-24", g] for g in appendix} == appendix
    assert grades.loc["2023-24", "source"] == common.PUBLISHED
    assert "Sirona" in profile.aliases
    assert not profile.evidence.empty and not profile.contacts.empty
    assert (profile.recommendations["partnership"] == NSSCP).all()


# --- scope --------------------------------------------------------------------------------------------------------

def test_a_caller_sees_only_their_partnerships(seeded_engine: Engine) -> None:
    nsscp = Scope.of("exec", Role.EXECUTIVE, [partnership_id(seeded_engine, NSSCP)])
    with pytest.raises(ScopeError):
        run(seeded_engine, "heat_map_cells", nsscp, cycle_id=cycle_id(seeded_engine, GSCP, "2021"))
    with pytest.raises(ScopeError):
        run(seeded_engine, "action_figures", nsscp, partnership_id=partnership_id(seeded_engine, GSCP))
    choices = run(seeded_engine, "filter_choices", nsscp)
    assert [p.name for p in choices.partnerships] == [NSSCP]
    assert "Gloucestershire Constabulary" not in {o.name for o in choices.organisations}
    assert set(run(seeded_engine, "rag_by_cycle", nsscp)["partnership"]) == {NSSCP}
    with db.read_session(seeded_engine) as s:
        btp = s.scalar(select(Organisation.id).where(Organisation.name == "British Transport Police"))
    profile = run(seeded_engine, "agency_profile", nsscp, organisation_id=btp)  # BTP is in GSCP and NSSCP
    assert set(profile.engagement["partnership"]) == {NSSCP}
    with db.read_session(seeded_engine) as s:
        police = s.scalar(select(Organisation.id).where(Organisation.name == "Gloucestershire Constabulary"))
    with pytest.raises(ScopeError):
        run(seeded_engine, "agency_profile", nsscp, organisation_id=police)


def test_latest_cycles_and_side_by_side_on_the_latest_only(seeded_engine: Engine) -> None:
    latest = run(seeded_engine, "latest_cycles")
    assert set(latest) == {cycle_id(seeded_engine, GSCP, "2021"), cycle_id(seeded_engine, NSSCP, "2023-24"),
                           cycle_id(seeded_engine, SGCP, "2022-23"), cycle_id(seeded_engine, DEMO, "2025-26")}
    frame = run(seeded_engine, "rag_by_cycle", latest_only=True)
    assert set(zip(frame["partnership"], frame["cycle"])) == {(GSCP, "2021"), (NSSCP, "2023-24"),
                                                              (DEMO, "2025-26")}  # SGCP's is ungraded


def test_partnerships_side_by_side_shows_every_cycle_of_a_few_partnerships_and_the_latest_of_many(
        seeded_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    few = run(seeded_engine, "partnerships_side_by_side")
    assert len(set(few.loc[few["partnership"] == DEMO, "cycle"])) > 1  # the demo's graded cycles, every one
    monkeypatch.setattr(trends, "SIDE_BY_SIDE_ALL_CYCLES", 2)  # the seed's 5 partnerships are now "many"
    many = run(seeded_engine, "partnerships_side_by_side")
    assert set(zip(many["partnership"], many["cycle"])) == {(GSCP, "2021"), (NSSCP, "2023-24"), (DEMO, "2025-26")}
    demo_only = Scope.of("exec", Role.EXECUTIVE, [partnership_id(seeded_engine, DEMO)])
    assert set(run(seeded_engine, "partnerships_side_by_side", demo_only)["cycle"]) == set(
        few.loc[few["partnership"] == DEMO, "cycle"])


@pytest.mark.parametrize("named_by_id", [500, 0], ids=["named by id", "every name read"])
def test_filter_choices_list_the_callers_organisations_a_to_z(seeded_engine: Engine, monkeypatch: pytest.MonkeyPatch,
                                                              named_by_id: int) -> None:
    """Both ways of naming the organisations (by id for a narrow reader, all names for a wide one) give the same
    A–Z list, each organisation with the partnerships it is in."""
    monkeypatch.setattr(filter_choices, "NAMED_BY_ID", named_by_id)
    everyone = run(seeded_engine, "filter_choices")
    names = [o.name for o in everyone.organisations]
    assert names == sorted(names) and len(names) == len(set(names)) > 20
    btp = next(o for o in everyone.organisations if o.name == "British Transport Police")
    assert {partnership_id(seeded_engine, GSCP), partnership_id(seeded_engine, NSSCP)} <= set(btp.partnership_ids)
    nsscp = Scope.of("nsscp-reader", Role.EXECUTIVE, [partnership_id(seeded_engine, NSSCP)])
    narrow = run(seeded_engine, "filter_choices", nsscp)
    assert {o.name for o in narrow.organisations} < set(names)
    assert all(set(o.partnership_ids) == {partnership_id(seeded_engine, NSSCP)} for o in narrow.organisations)
