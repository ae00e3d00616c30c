"""One figure, one definition (issue 10, item 2) at the s11data level, on the seeded database (SQLite file and
PostgreSQL): the headline figures, the chair's open actions counted from the rows the Actions page lists,
"no due date" where no open action has one, and the weakest themes by the rule the page states."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from s11data.admin import users
from s11data.store import db
from s11data.store.models import Cycle, Partnership, Role, Theme
from s11data.store.scope import Scope
from s11data.views import actions, figures

TODAY = dt.date(2026, 12, 1)
SYSTEM = Scope.system("test")
CHAIR = next(a for a in users.DEMO_ACCOUNTS if a.role is Role.CHAIR)


def cycle_id(engine: Engine, short: str, label: str) -> int:
    with db.read_session(engine) as s:
        return s.scalar(select(Cycle.id).join(Partnership).where(Partnership.short_name == short,
                                                                Cycle.label == label))


def chair_scope(engine: Engine) -> tuple[Scope, tuple[int, ...]]:
    with db.read_session(engine) as s:
        pid = s.scalar(select(Partnership.id).where(Partnership.short_name == "DEMO"))
        themes = tuple(s.scalars(select(Theme.id).where(Theme.name.in_(CHAIR.themes)).order_by(Theme.position)))
    return Scope.of(CHAIR.username, Role.CHAIR, [pid], CHAIR.subgroup, themes), themes


def test_the_demo_headline_reads_as_the_issue_asks(seeded_engine: Engine) -> None:
    with db.read_session(seeded_engine) as s:
        got = figures.headline(s, SYSTEM, cycle_id(seeded_engine, "DEMO", "2025-26"), TODAY)
    assert got.sentence() == ("19 of 22 returns · 46% outstanding (+1 since 2024-25) · "
                              "13% requires improvement (−6) · 9 actions overdue")
    assert (got.received, got.expected, got.previous) == (19, 22, "2024-25")


def test_gscp_headline_is_the_reports_and_has_no_change_without_an_earlier_graded_cycle(seeded_engine: Engine
                                                                                        ) -> None:
    with db.read_session(seeded_engine) as s:
        got = figures.headline(s, SYSTEM, cycle_id(seeded_engine, "GSCP", "2021"), TODAY)
    assert (got.received, got.expected, round(got.outstanding), round(got.requires_improvement)) == (13, 13, 81, 2)
    assert got.outstanding_change is None and got.words()[1] == "81% outstanding"


def test_no_due_date_is_said_when_no_open_action_has_one(seeded_engine: Engine) -> None:
    with db.read_session(seeded_engine) as s:
        got = figures.headline(s, SYSTEM, cycle_id(seeded_engine, "NSSCP", "2023-24"), TODAY)
    assert got.actions.open == got.actions.undated > 0 and got.actions.overdue == 0
    assert got.actions.overdue_words == "no due date" and "none overdue" not in got.sentence()
    assert got.words()[-1] == f"{got.actions.open} open actions · no due date"


def test_overdue_words() -> None:
    assert figures.ActionFigures(9, 4, 2, 0, 1).overdue_words == "2 overdue"
    assert figures.ActionFigures(9, 4, 0, 0, 1).overdue_words == "none overdue"
    assert figures.ActionFigures(9, 4, 0, 0, 4).overdue_words == "no due date"
    assert figures.ActionFigures(9, 0, 0, 0, 0).overdue_words == "none open"


def test_a_chairs_open_actions_are_the_rows_their_actions_page_lists(seeded_engine: Engine) -> None:
    chair, themes = chair_scope(seeded_engine)
    view = figures.action_view(chair, themes, my_themes=True)
    assert view == {"theme_id": None, "mine_only": True, "or_themes": themes}
    with db.read_session(seeded_engine) as s:
        pid = next(iter(chair.partnership_ids))
        counted = figures.action_figures(s, chair, pid, today=TODAY, **view)
        listed = actions.actions(s, chair, TODAY, partnership_id=pid, **view)
        headline = figures.headline(s, chair, cycle_id(seeded_engine, "DEMO", "2025-26"), TODAY, theme_id=themes,
                                    my_themes=True)
        on_themes_only = figures.action_figures(s, chair, pid, today=TODAY, theme_id=themes)
    assert counted.open == len(listed) == headline.actions.open == 9  # the Actions page's 9, not 7
    assert on_themes_only.open == 7  # the figure the overview showed before (themes only, not the subgroup's)
    assert counted.overdue == int((listed["flag"] == actions.OVERDUE).sum()) == 5


def test_the_chairs_view_without_my_themes_is_their_subgroups_and_others_see_the_theme(seeded_engine: Engine
                                                                                      ) -> None:
    chair, themes = chair_scope(seeded_engine)
    assert figures.action_view(chair, None, my_themes=False) == {"theme_id": None, "mine_only": True,
                                                                 "or_themes": ()}
    assert figures.action_view(chair, themes[0], my_themes=False)["theme_id"] == themes[0]
    executive = Scope.of("e", Role.EXECUTIVE, chair.partnership_ids)
    assert figures.action_view(executive, themes, my_themes=True) == {"theme_id": themes, "mine_only": False,
                                                                      "or_themes": ()}


def test_weakest_themes_rank_lowest_green_first() -> None:
    summary = pd.DataFrame([("a", 1, "Red", 8.0), ("a", 1, "Green", 92.0),
                            ("b", 2, "Red", 0.0), ("b", 2, "Amber", 33.0), ("b", 2, "Green", 67.0),
                            ("c", 3, "Green", 100.0)], columns=["theme", "theme_id", "grade", "percent"])
    ranked = figures.weakest_themes(summary, n=3)
    assert list(ranked["theme"]) == ["b", "a", "c"]  # a 67%-green theme above a 92%-green one with more red
    assert figures.WEAKEST_RULE.startswith("lowest % green")


@pytest.mark.parametrize(("received", "expected", "rate", "words"), [
    (19, 22, 86.4, "19 of 22 returns"), (1, 1, 100.0, "1 of 1 return"), (0, 0, None, "0 of 0 returns")])
def test_response_rate_is_received_of_expected(received: int, expected: int, rate: float | None, words: str) -> None:
    assert figures.response_rate(received, expected) == rate
    assert figures.returns_words(received, expected) == words


def test_points_are_written_with_a_minus_sign() -> None:
    assert [figures.points(*p) for p in ((46.2, 45.4), (13.0, 19.2), (5.0, 5.2), (None, 3.0))] == [
        "+1", "−6", "0", None]
