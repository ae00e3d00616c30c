"""The Trends page's reads: RAG by cycle, partnerships side by side, % green across cycles."""
from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from s11data.store.models import (
    AuditReturn,
    Cycle,
    Partnership,
    PublishedAggregate,
    Question,
    QuestionTheme,
    Rag,
    Rating,
    SubjectKind,
    Theme,
)
from s11data.store.scope import Scope, in_scope
from s11data.views.common import (
    GRADES,
    NOTHING,
    PUBLISHED,
    RATINGS,
    RESPONSES,
    ThemeFilter,
    _grade_column,
    _graded_only,
    _ordered,
    _rating_filters,
    _value,
    cycle_sources,
    on_themes,
    questions_on_themes,
)


# --- trends -------------------------------------------------------------------------------------------

TREND_COLUMNS = ["partnership", "partnership_id", "illustrative", "cycle", "cycle_id", "method", "scale", "source",
                 "theme", "grade", "count", "percent"]


def rag_by_cycle(session: Session, scope: Scope, *, partnership_id: int | None = None,
                 organisation_id: int | None = None, theme_id: ThemeFilter = None, sector: str | None = None,
                 by_theme: bool = False, grade_of: str = "stands", latest_only: bool = False,
                 cycle_ids: Collection[int] | None = None) -> pd.DataFrame:
    """% of answers at each grade per partnership × cycle (× theme when by_theme), for every cycle with grades.

    Cycles with per-organisation ratings are counted from them; cycles known only through published figures use
    those (mean per-question % for themes; for one organisation, its published counts such as Appendix One),
    marked `source = published aggregate`. Ungraded peer reviews have no grades and are left out (see
    `ungraded_cycles`). Themes carry a trend across framework changes; `method` and `scale` say how each cycle
    was graded, so a chart can mark where the method changed. `latest_only`: each partnership's latest cycle
    with returns or published figures (to set many partnerships side by side). `cycle_ids`: only those cycles
    (each cycle's figures are the same whichever others are asked for).
    """
    cycles = latest_cycles(session, scope, partnership_id) if latest_only else None
    if cycle_ids is not None:
        cycles = sorted(set(cycle_ids) if cycles is None else set(cycle_ids) & set(cycles))
    frame, sources = grade_shares(session, scope, partnership_id=partnership_id, organisation_id=organisation_id,
                                  theme_id=theme_id, sector=sector, by_theme=by_theme, grade_of=grade_of,
                                  cycles=cycles)
    return _with_cycles(session, frame, sources)


def grade_shares(session: Session, scope: Scope, *, cycles: list[int] | None, partnership_id: int | None = None,
                 organisation_id: int | None = None, theme_id: ThemeFilter = None, section: str | None = None,
                 sector: str | None = None, by_theme: bool = False, grade_of: str = "stands"
                 ) -> tuple[pd.DataFrame, dict[int, str]]:
    """The one definition of % green / amber / red (issue 10: one figure): per cycle_id (× theme), each grade's
    count and percent of all answers (not rated and N/A included) — counted from the ratings, or the mean of the
    published per-question percentages where the report gave only those — and each cycle's source. The Trends
    page's bars (`rag_by_cycle`) and the Overview's and heat map's figures (`overview.rag_distribution`) are
    this frame."""
    rows, sources = _grade_rows(session, scope, partnership_id=partnership_id, organisation_id=organisation_id,
                                theme_id=theme_id, section=section, sector=sector, by_theme=by_theme,
                                grade_of=grade_of, cycles=cycles)
    frame = pd.DataFrame(rows, columns=["cycle_id", "theme", "grade", "count", "percent"])
    counts = frame["percent"].isna()
    if counts.any():
        totals = frame[counts].groupby(["cycle_id", "theme"])["count"].transform("sum")
        frame.loc[counts, "percent"] = (100 * frame.loc[counts, "count"] / totals).round(1)
    return frame, sources


SIDE_BY_SIDE_ALL_CYCLES = 6
"""Up to this many partnerships in scope, "partnerships side by side" shows all their cycles; beyond, the latest."""


def partnerships_side_by_side(session: Session, scope: Scope, *, theme_id: ThemeFilter = None,
                              sector: str | None = None) -> pd.DataFrame:
    """rag_by_cycle for every partnership in scope, to set side by side: every cycle of up to
    SIDE_BY_SIDE_ALL_CYCLES partnerships, else each partnership's latest cycle (a national reader's 150
    partnerships × 10 cycles would be 1,500 bars and a count of every rating in the database)."""
    return rag_by_cycle(session, scope, theme_id=theme_id, sector=sector,
                        latest_only=side_by_side_latest_only(session, scope))


def side_by_side_latest_only(session: Session, scope: Scope) -> bool:
    """Whether partnerships_side_by_side shows only each partnership's latest cycle."""
    if scope.everything:
        count = session.scalar(select(func.count(Partnership.id)))
    else:  # the scope's own partnerships: no look-up
        count = len(scope.partnership_ids)
    return (count or 0) > SIDE_BY_SIDE_ALL_CYCLES


def percent_green(session: Session, scope: Scope, cycle_ids: Collection[int], partnership_id: int | None = None
                  ) -> dict[tuple[int, str], float]:
    """% green per (cycle id, theme name) for those cycles, exactly the `percent` rag_by_cycle(by_theme=True)
    gives (the grade that stands; published percentages where the report gave only those), without building its
    frame. A theme answered but never green is 0 % green."""
    rows, _sources = _grade_rows(session, scope, partnership_id=partnership_id, organisation_id=None, theme_id=None,
                                 sector=None, by_theme=True, grade_of="stands", cycles=sorted(cycle_ids))
    totals: dict[tuple[int, str], int] = {}
    for cid, theme, _grade, count, percent in rows:
        if percent is None:
            totals[(cid, theme)] = totals.get((cid, theme), 0) + count
    green: dict[tuple[int, str], float] = {}
    for cid, theme, grade, count, percent in rows:
        if percent is None:  # as rag_by_cycle computes it (numpy's rounding, not Python's)
            percent = float(np.round(100 * count / totals[(cid, theme)], 1))
        green[(cid, theme)] = green.get((cid, theme), 0.0) + (float(percent) if grade == Rag.GREEN.value else 0.0)
    return {key: round(value, 1) for key, value in green.items()}


def _grade_rows(session: Session, scope: Scope, *, partnership_id: int | None, organisation_id: int | None,
                theme_id: ThemeFilter, sector: str | None, by_theme: bool, grade_of: str, cycles: list[int] | None,
                section: str | None = None) -> tuple[list[tuple], dict[int, str]]:
    """rag_by_cycle's rows (cycle_id, theme, grade, count, percent: count from ratings, percent from published
    figures) and each cycle's source."""
    counted = _grade_counts(session, scope, partnership_id=partnership_id, organisation_id=organisation_id,
                            theme_id=theme_id, sector=sector, by_theme=by_theme, grade_of=grade_of, cycles=cycles,
                            section=section)
    if cycles is not None and organisation_id is None:  # the cycles asked for: their sources in one look-up
        have = {row[0] for row in counted}
        sources = {cid: src for cid, src in cycle_sources(session, scope, partnership_id, cycles).items()
                   if cid in have or src == PUBLISHED}
    else:
        with_aggregates = _cycles_with_aggregates(session, scope, partnership_id, organisation_id, cycles)
        sources = cycle_sources(session, scope, partnership_id, {row[0] for row in counted} | with_aggregates)
    rows = [row for row in counted if sources.get(row[0]) == RATINGS]
    published = [cid for cid, src in sources.items() if src == PUBLISHED]
    if published and not sector:
        rows += _published_by_cycle(session, published, organisation_id, theme_id, by_theme, section)
    return rows, sources


def latest_cycles(session: Session, scope: Scope, partnership_id: int | None = None) -> list[int]:
    """Each partnership's latest cycle (by label) that has current returns or published figures."""
    has_figures = (select(AuditReturn.cycle_id).where(AuditReturn.cycle_id == Cycle.id).exists()
                   | select(PublishedAggregate.cycle_id).where(PublishedAggregate.cycle_id == Cycle.id).exists())
    latest = (select(Cycle.partnership_id, func.max(Cycle.label).label("label"))
              .where(in_scope(Cycle.partnership_id, scope), has_figures).group_by(Cycle.partnership_id))
    if partnership_id is not None:
        latest = latest.where(Cycle.partnership_id == partnership_id)
    latest = latest.subquery()
    return list(session.scalars(select(Cycle.id).join(latest, and_(latest.c.partnership_id == Cycle.partnership_id,
                                                                   latest.c.label == Cycle.label))))


def _grade_counts(session: Session, scope: Scope, *, partnership_id: int | None, organisation_id: int | None,
                  theme_id: ThemeFilter, sector: str | None, by_theme: bool, grade_of: str, cycles: list[int] | None,
                  section: str | None) -> list[tuple]:
    """(cycle_id, theme, grade, count, None) per grade answered, counted from the current returns' ratings.

    One row per cycle (× theme) with a sum per grade, not a GROUP BY on the grade: grouped on the cycle alone,
    SQLite reads the ratings in the order of its cycle index and needs no sort (a national reader's 120,000
    ratings: 0.050 → 0.033 s of CPU)."""
    grade = _grade_column(grade_of)
    theme_col = [Theme.name] if by_theme else []
    sums = [func.sum(case((grade == value, 1), else_=0)) for value in GRADES]
    stmt = _rating_filters(select(AuditReturn.cycle_id, *theme_col, *sums), scope, partnership_id=partnership_id,
                           theme_id=theme_id, section=section, sector=sector, organisation_id=organisation_id,
                           lean=True, cycles=cycles)
    stmt = _graded_only(stmt, grade)
    if by_theme:
        stmt = (stmt.join(QuestionTheme, QuestionTheme.question_id == Rating.question_id)
                .join(Theme, Theme.id == QuestionTheme.theme_id))
        if theme_id is not None:  # only the chosen themes' rows, not the other themes their questions carry
            stmt = stmt.where(on_themes(QuestionTheme.theme_id, theme_id))
    rows = []
    for cid, *rest in session.execute(stmt.group_by(AuditReturn.cycle_id, *theme_col)).all():
        theme = rest[0] if by_theme else ""
        rows += [(cid, theme, value, int(n), None) for value, n in zip(GRADES, rest[len(theme_col):]) if n]
    return rows


def _cycles_with_aggregates(session: Session, scope: Scope, partnership_id: int | None,
                            organisation_id: int | None, cycles: list[int] | None) -> set[int]:
    stmt = (select(PublishedAggregate.cycle_id).join(Cycle, Cycle.id == PublishedAggregate.cycle_id)
            .where(in_scope(Cycle.partnership_id, scope)).distinct())
    if partnership_id is not None:
        stmt = stmt.where(Cycle.partnership_id == partnership_id)
    if organisation_id is not None:
        stmt = stmt.where(PublishedAggregate.organisation_id == organisation_id)
    if cycles is not None:
        stmt = stmt.where(PublishedAggregate.cycle_id.in_(cycles))
    return set(session.scalars(stmt))


def _published_by_cycle(session: Session, cycle_ids: list[int], organisation_id: int | None,
                        theme_id: ThemeFilter, by_theme: bool, section: str | None = None) -> list[tuple]:
    if organisation_id is not None:  # an organisation's published counts (e.g. Appendix One)
        if theme_id is not None or section:
            return []
        stmt = (select(PublishedAggregate.cycle_id, PublishedAggregate.grade, func.sum(PublishedAggregate.count))
                .where(PublishedAggregate.cycle_id.in_(cycle_ids),
                       PublishedAggregate.subject_kind == SubjectKind.ORGANISATION.value,
                       PublishedAggregate.organisation_id == organisation_id)
                .group_by(PublishedAggregate.cycle_id, PublishedAggregate.grade))
        return [(cid, "", _value(g), n, None) for cid, g, n in session.execute(stmt)]
    base = (select(PublishedAggregate.cycle_id).select_from(PublishedAggregate)
            .where(PublishedAggregate.cycle_id.in_(cycle_ids), PublishedAggregate.percent.is_not(None),
                   PublishedAggregate.subject_kind == SubjectKind.QUESTION.value))
    if by_theme:
        base = (base.join(QuestionTheme, QuestionTheme.question_id == PublishedAggregate.question_id)
                .join(Theme, Theme.id == QuestionTheme.theme_id))
        if theme_id is not None:
            base = base.where(on_themes(QuestionTheme.theme_id, theme_id))
    elif theme_id is not None:  # each question once, however many of the chosen themes it carries
        base = base.where(questions_on_themes(PublishedAggregate.question_id, theme_id))
    if section:
        base = base.join(Question, Question.id == PublishedAggregate.question_id).where(
            Question.section_code == section)
    keys = [PublishedAggregate.cycle_id, *([Theme.name] if by_theme else [])]
    questions = {tuple(k): q for *k, q in session.execute(base.with_only_columns(
        *keys, func.count(func.distinct(PublishedAggregate.question_id))).group_by(*keys))}
    stmt = base.with_only_columns(*keys, PublishedAggregate.grade, func.sum(PublishedAggregate.percent)).group_by(
        *keys, PublishedAggregate.grade)
    out = []
    for *k, g, total in session.execute(stmt):
        out.append((k[0], k[1] if by_theme else "", _value(g), None, round(float(total) / questions[tuple(k)], 1)))
    return out


def _with_cycles(session: Session, frame: pd.DataFrame, sources: dict[int, str]) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=TREND_COLUMNS)
    info = pd.DataFrame(session.execute(
        select(Cycle.id, Partnership.name, Partnership.id, Partnership.illustrative, Cycle.label, Cycle.method,
               Cycle.scale).join(Partnership).where(Cycle.id.in_(frame["cycle_id"].unique().tolist()))).all(),
        columns=["cycle_id", "partnership", "partnership_id", "illustrative", "cycle", "method", "scale"])
    info["method"] = info["method"].map(_value)
    info["scale"] = info["scale"].map(_value)
    info["illustrative"] = info["illustrative"].astype(bool)
    merged = frame.merge(info, on="cycle_id")
    merged["source"] = merged["cycle_id"].map(sources)
    merged = merged[TREND_COLUMNS]
    return _ordered(merged, ["partnership", "cycle", "theme"])


def ungraded_cycles(session: Session, scope: Scope, partnership_id: int | None = None) -> pd.DataFrame:
    """Cycles with no grades (ungraded peer reviews, or nothing recorded): partnership, cycle, method, source."""
    sources = cycle_sources(session, scope, partnership_id)
    ids = [cid for cid, src in sources.items() if src in (RESPONSES, NOTHING)]
    rows = session.execute(select(Partnership.name, Cycle.label, Cycle.method, Cycle.id).join(Partnership)
                           .where(Cycle.id.in_(ids)).order_by(Partnership.name, Cycle.label)).all()
    return pd.DataFrame([(p, c, _value(m), sources[cid]) for p, c, m, cid in rows],
                        columns=["partnership", "cycle", "method", "source"])
