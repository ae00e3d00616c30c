"""One figure, one definition: every count a page shows in more than one place, and its words.

- **returns received of expected** — `overview.returns_figures` (invitations by engagement state: submitted, late
  or reviewed of those expected; national returns, two-year cycles and withdrawn services are not expected);
  the response rate is `received ÷ expected` (`response_rate`), the same on the Overview and the Engagement page;
- **% outstanding / % requires improvement** — `trends.grade_shares` (% green / % red of all answers): the
  Overview's and heat map's `overview.rag_distribution` is one cycle of it, the Trends page's bars all cycles;
- **open and overdue actions** — `action_figures`, counted from the very rows the Actions page lists, with the
  same view (`action_view`: a chair's subgroup's or themes' actions);
- **weakest themes** — `weakest_themes`, ranked by the rule `WEAKEST_RULE` the page states.

`headline` gathers them for the sentence a meeting reads first:
"19 of 22 returns · 46% outstanding (+1 since 2024-25) · 13% requires improvement (−6) · 9 actions overdue".
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from s11data.store.models import ActionStatus, Rag, Role
from s11data.store.scope import Scope
from s11data.views import actions, common, overview
from s11data.views.engagement import response_rate  # noqa: F401 - the one definition, said here too

WEAKEST_RULE = "lowest % green first (then most red)"
"""How 'Weakest themes' are ranked, as the page says it."""
MINUS = "−"


@dataclass(frozen=True)
class ActionFigures:
    """Recommendations and commitments in one view: how many, how many open, overdue, due soon, without a date."""

    total: int
    open: int
    overdue: int
    due_soon: int
    undated: int
    """Open actions with no due date (they can never be overdue)."""
    complete: int = 0

    @property
    def overdue_words(self) -> str:
        """'5 overdue'; 'no due date' when none of the open ones has one; 'none overdue'; 'none open'."""
        if self.overdue:
            return f"{self.overdue} overdue"
        if not self.open:
            return "none open"
        return "no due date" if self.undated == self.open else "none overdue"


def action_view(scope: Scope, theme_id: common.ThemeFilter = None, my_themes: bool = False, *,
                mine: bool = True) -> dict[str, Any]:
    """The actions a caller sees by default, as `actions.actions` arguments: a subgroup chair sees the actions
    their subgroup owns (`mine`), and with "My themes" chosen (`my_themes`) also those on their themes; anyone
    else the actions on the chosen theme(s)."""
    mine = mine and scope.role == Role.CHAIR and not scope.everything
    either = mine and my_themes and theme_id is not None
    ors = tuple(theme_id) if isinstance(theme_id, Collection) else (theme_id,)
    return {"theme_id": None if either else theme_id, "mine_only": mine, "or_themes": ors if either else ()}


def action_figures(session: Session, scope: Scope, partnership_id: int | None, *, today: dt.date | None = None,
                   cycle_id: int | None = None, organisation_id: int | None = None,
                   theme_id: common.ThemeFilter = None, mine_only: bool = False,
                   or_themes: Collection[int] = ()) -> ActionFigures:
    """The action counts of exactly the rows `actions.actions` lists with these arguments (every status): the
    Overview, the Actions page and the headline count the same actions."""
    if partnership_id is not None:
        scope.check_read(partnership_id)
    rows = actions.actions(session, scope, today or dt.date.today(), partnership_id=partnership_id,
                           cycle_id=cycle_id, theme_id=theme_id, organisation_id=organisation_id,
                           mine_only=mine_only, or_themes=or_themes, only_open=False)
    return figures_of(rows)


def figures_of(rows: pd.DataFrame) -> ActionFigures:
    """Counts of an `actions.actions` frame."""
    is_open = rows["status"].isin([s.value for s in actions.OPEN])
    return ActionFigures(total=len(rows), open=int(is_open.sum()),
                         overdue=int((rows["flag"] == actions.OVERDUE).sum()),
                         due_soon=int((rows["flag"] == actions.DUE_SOON).sum()),
                         undated=int((is_open & (rows["due"] == "")).sum()),
                         complete=int((rows["status"] == ActionStatus.COMPLETE.value).sum()))


def returns_words(received: int, expected: int) -> str:
    """'19 of 22 returns'."""
    return f"{received} of {expected} {'return' if expected == 1 else 'returns'}"


def percent_of(distribution: pd.DataFrame, grade: Rag | str) -> float | None:
    """The % of one grade in a `overview.rag_distribution` frame (None when the cycle has no grades)."""
    if distribution.empty:
        return None
    wanted = grade.value if isinstance(grade, Rag) else grade
    row = distribution[distribution["grade"] == wanted]
    return float(row["percent"].iloc[0]) if not row.empty else 0.0


def point_change(now: float | None, then: float | None) -> int | None:
    """A change in percentage points between two shares as they are shown (whole %s: 36% after 55% is −19,
    whatever the decimals); None without both figures. Every headline and metric card says this one."""
    return None if now is None or then is None else round(now) - round(then)


def points(now: float | None, then: float | None) -> str | None:
    """A change in percentage points as people write it: '+1', '−6', '0' (`point_change`); None without both."""
    change = point_change(now, then)
    if change is None:
        return None
    return f"+{change}" if change > 0 else (f"{MINUS}{-change}" if change < 0 else "0")


@dataclass(frozen=True)
class Headline:
    """The headline figures of a cycle (with the same filters as the page shows)."""

    cycle: str
    received: int
    expected: int
    outstanding: float | None
    requires_improvement: float | None
    previous: str | None
    outstanding_before: float | None
    requires_improvement_before: float | None
    actions: ActionFigures
    to_chase: int = 0

    @property
    def outstanding_change(self) -> str | None:
        return points(self.outstanding, self.outstanding_before)

    @property
    def requires_improvement_change(self) -> str | None:
        return points(self.requires_improvement, self.requires_improvement_before)

    def words(self) -> list[str]:
        """The headline's parts in words (the sentence joins them with ' · ')."""
        said = [returns_words(self.received, self.expected)]
        for value, change, what in ((self.outstanding, self.outstanding_change, "outstanding"),
                                    (self.requires_improvement, self.requires_improvement_change,
                                     "requires improvement")):
            if value is None:
                continue
            since = (f" ({change} since {self.previous})" if what == "outstanding" else f" ({change})") \
                if change is not None else ""
            said.append(f"{value:.0f}% {what}{since}")
        a = self.actions
        said.append(f"{a.overdue} {'action' if a.overdue == 1 else 'actions'} overdue" if a.overdue
                    else f"{a.open} open {'action' if a.open == 1 else 'actions'} · {a.overdue_words}")
        return said

    def sentence(self) -> str:
        return " · ".join(self.words())


def headline(session: Session, scope: Scope, cycle_id: int, today: dt.date, *, theme_id: common.ThemeFilter = None,
             sector: str | None = None, my_themes: bool = False) -> Headline:
    """The headline figures of a cycle: returns received of expected, % outstanding and % requires improvement
    with their change since the previous graded cycle, and the actions (every cycle of the partnership) in the
    caller's default view (`action_view`)."""
    info = common.cycle_info(session, scope, cycle_id)
    returns = overview.returns_figures(session, scope, cycle_id, sector=sector)
    mix = overview.rag_distribution(session, scope, cycle_id, theme_id=theme_id, sector=sector)
    before = common.previous_cycle(session, scope, cycle_id)
    earlier = (overview.rag_distribution(session, scope, before.id, theme_id=theme_id, sector=sector)
               if before else pd.DataFrame())
    acts = action_figures(session, scope, info.partnership_id, today=today,
                          **action_view(scope, theme_id, my_themes))
    return Headline(info.label, returns.received, returns.expected, percent_of(mix, Rag.GREEN),
                    percent_of(mix, Rag.RED), before.label if before else None, percent_of(earlier, Rag.GREEN),
                    percent_of(earlier, Rag.RED), acts, returns.to_chase)


def weakest_themes(summary: pd.DataFrame, n: int = 3) -> pd.DataFrame:
    """Themes ranked by `WEAKEST_RULE`: lowest % green first, then most red, then most amber. Columns theme,
    theme_id, red, amber, green (percent)."""
    if summary.empty:
        return pd.DataFrame(columns=["theme", "theme_id", "red", "amber", "green"])
    wide = (summary.pivot_table(index=["theme", "theme_id"], columns="grade", values="percent", aggfunc="sum")
            .reindex(columns=[Rag.RED.value, Rag.AMBER.value, Rag.GREEN.value]).fillna(0.0).reset_index())
    wide.columns = ["theme", "theme_id", "red", "amber", "green"]
    return (wide.sort_values(["green", "red", "amber", "theme"], ascending=[True, False, False, True])
            .head(n).reset_index(drop=True))
