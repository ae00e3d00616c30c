"""What every page's reads share: grades in SQL, cycles (info, sources, previous), filters as WHERE clauses."""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from s11data.store import db
from s11data.store.errors import UserError
from s11data.store.models import (
    ActionStatus,
    AuditReturn,
    Cycle,
    Engagement,
    Organisation,
    Partnership,
    PublishedAggregate,
    Question,
    QuestionTheme,
    Rag,
    Rating,
    Scale,
    Sector,
    SubjectKind,
    Theme,
)
from s11data.store.scope import Scope, in_scope
from s11data.views.engagement import ENGAGED, OWN_STATES, TO_CHASE


def _value(member: object) -> str:
    """An enum member's value (or the text itself). `_value_` rather than the `value` property: the property costs
    ~4 µs a call in Python 3.11, which adds up over the ~10,000 organisation rows a national reader's filters load."""
    return str(getattr(member, "_value_", member))


# --- grades in SQL --------------------------------------------------------------------------------

GRADES: tuple[str, ...] = (Rag.RED.value, Rag.AMBER.value, Rag.GREEN.value, Rag.NOT_RATED.value,
                           Rag.NOT_APPLICABLE.value)
"""Worst first, then the answers that are not grades; the order of every distribution frame."""
RANKED = (Rag.RED, Rag.AMBER, Rag.GREEN)
GRADE_OF = ("self", "moderated", "stands")
"""Which grade a view shows: the self-rating, the panel's moderated rating, or the one that stands (moderated
where the panel moderated, else the self-rating)."""
PUBLISHED = "published aggregate"
RATINGS = "ratings"
RESPONSES = "responses"
NOTHING = "nothing yet"
SUBMITTED_STATES = ENGAGED
ON_TIME_STATES = (Engagement.SUBMITTED, Engagement.REVIEWED)
NOT_EXPECTED_STATES = tuple(s for s in OWN_STATES if s != Engagement.NATIONAL_RETURN)
TO_CHASE_STATES = TO_CHASE
"""The engagement groups are defined once, in `s11data.views.engagement`, so the overview and the Engagement page agree."""
OPEN_STATES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.NOT_STARTED)


def _grade_column(grade_of: str):  # type: ignore[no-untyped-def]
    """The grade column a view counts; NULL means not moderated (moderated) or grade not published (seed)."""
    if grade_of not in GRADE_OF:
        raise ValueError(f"grade_of must be one of {GRADE_OF}, not {grade_of!r}")
    if grade_of == "self":
        return Rating.rag
    if grade_of == "moderated":
        return Rating.moderated_rag
    return func.coalesce(Rating.moderated_rag, Rating.rag)


def _rank(column):  # type: ignore[no-untyped-def]
    """0 red, 1 amber, 2 green, NULL for not rated / not applicable / not moderated (so MIN is the worst)."""
    return case((column == Rag.RED.value, 0), (column == Rag.AMBER.value, 1), (column == Rag.GREEN.value, 2),
                else_=None)


def _rank_grade(rank: object) -> str:
    if rank is None or pd.isna(rank):  # type: ignore[arg-type]
        return Rag.NOT_RATED.value
    return RANKED[int(rank)].value  # type: ignore[call-overload]


def _grade_text(value: object) -> str | None:
    if value is None:
        return None
    return _value(value)


def _percentages(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Add `percent` = count over the group's total (rounded to 1 place); empty-safe."""
    if frame.empty:
        return frame.assign(percent=pd.Series(dtype=float))
    totals = frame.groupby(by, dropna=False)["count"].transform("sum") if by else frame["count"].sum()
    return frame.assign(percent=(100 * frame["count"] / totals).round(1))


def _ordered(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    order = {g: i for i, g in enumerate(GRADES)}
    return (frame.assign(_o=frame["grade"].map(order)).sort_values([*by, "_o"]).drop(columns="_o")
            .reset_index(drop=True))


def _graded_only(stmt: Select, grade) -> Select:  # type: ignore[no-untyped-def]
    """Distributions count answers only: a grade the report did not publish, or a rating the panel did not
    moderate (moderated view), is not an answer and is left out of every count and denominator."""
    return stmt.where(grade.is_not(None))


def _current_ratings(stmt: Select) -> Select:
    return stmt.where(AuditReturn.is_current.is_(True))


# --- cycles -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CycleInfo:
    """One cycle as a page needs to describe it, including what kind of figures it has."""

    id: int
    label: str
    partnership_id: int
    partnership: str
    partnership_short: str
    illustrative: bool
    method: str
    scale: str
    title: str
    returns_due: dt.date | None
    report_file: str
    source: str
    """`ratings` (per-organisation grades), `published aggregate` (only the report's figures), `responses`
    (ungraded peer review: evidence only) or `nothing yet`."""


def cycle_sources(session: Session, scope: Scope, partnership_id: int | None = None,
                  cycle_ids: Collection[int] | None = None) -> dict[int, str]:
    """What kind of figures each cycle in scope has (see CycleInfo.source); limited to one partnership's cycles or
    to `cycle_ids` when given.

    A cycle is read from its ratings when at least half of its current ratings are graded; a cycle whose grades
    the report did not publish per organisation (only quotations) but whose aggregates it did is read from those.
    Only cycles with published figures need their grades counted; for the rest one EXISTS on returns decides.
    """
    where = [in_scope(Cycle.partnership_id, scope)]
    if partnership_id is not None:
        where.append(Cycle.partnership_id == partnership_id)
    if cycle_ids is not None:
        where.append(Cycle.id.in_(sorted(cycle_ids)))
    published = set(session.scalars(select(PublishedAggregate.cycle_id).join(Cycle).where(
        *where, PublishedAggregate.subject_kind.in_([SubjectKind.QUESTION, SubjectKind.ORGANISATION])).distinct()))
    has_returns = select(AuditReturn.id).where(AuditReturn.cycle_id == Cycle.id,
                                               AuditReturn.is_current.is_(True)).exists()
    cycles = session.execute(select(Cycle.id, Cycle.scale, has_returns).where(*where)).all()
    # Only a cycle with published figures can be read from them: count its grades (elsewhere one EXISTS will do).
    graded = func.sum(case((Rating.rag.in_([r.value for r in RANKED]), 1), else_=0))
    ratings = {cid: (total, got or 0) for cid, total, got in session.execute(
        _current_ratings(select(AuditReturn.cycle_id, func.count(Rating.id), graded)
                         .join(Rating, Rating.return_id == AuditReturn.id))
        .where(AuditReturn.cycle_id.in_(sorted(published))).group_by(AuditReturn.cycle_id))} if published else {}
    sources: dict[int, str] = {}
    for cid, scale, returned in cycles:
        total, got = ratings.get(cid, (0, 0))
        if _value(scale) == Scale.NONE.value:
            sources[cid] = RESPONSES
        elif cid in published and not (total and got * 2 >= total):
            sources[cid] = PUBLISHED
        else:
            sources[cid] = RATINGS if returned else NOTHING
    return sources


def cycle_info(session: Session, scope: Scope, cycle_id: int) -> CycleInfo:
    """The cycle, if it is in the caller's scope (else ScopeError); looked up once per read session."""
    memo = db.read_memo(session)
    key = ("cycle_info", scope.cache_key, cycle_id)
    if memo is not None and key in memo:
        return memo[key]
    info = _cycle_info(session, scope, cycle_id)
    if memo is not None:
        memo[key] = info
    return info


def _cycle_info(session: Session, scope: Scope, cycle_id: int) -> CycleInfo:
    row = session.execute(
        select(Cycle.id, Cycle.label, Cycle.partnership_id, Partnership.name, Partnership.short_name,
               Partnership.illustrative, Cycle.method, Cycle.scale, Cycle.title, Cycle.returns_due,
               Cycle.report_file).join(Partnership).where(Cycle.id == cycle_id)).one_or_none()
    if row is None:
        raise UserError(f"There is no cycle {cycle_id}; choose one from the list.")
    scope.check_read(row.partnership_id)
    source = cycle_sources(session, scope, row.partnership_id).get(cycle_id, NOTHING)
    return CycleInfo(row.id, row.label, row.partnership_id, row.name, row.short_name or row.name,
                     bool(row.illustrative), _value(row.method), _value(row.scale), row.title or "",
                     row.returns_due, row.report_file or "", source)


def previous_cycle(session: Session, scope: Scope, cycle_id: int) -> CycleInfo | None:
    """The partnership's cycle before this one that has grades (ratings or published), if any."""
    info = cycle_info(session, scope, cycle_id)
    sources = cycle_sources(session, scope, info.partnership_id)
    earlier = session.execute(select(Cycle.id).where(Cycle.partnership_id == info.partnership_id,
                                                     Cycle.label < info.label)
                              .order_by(Cycle.label.desc())).scalars().all()
    for cid in earlier:
        if sources.get(cid) in (RATINGS, PUBLISHED):
            return cycle_info(session, scope, cid)
    return None


# --- filters as WHERE clauses -----------------------------------------------------------------------

ThemeFilter = int | Collection[int] | None
"""A theme filter: one theme's id, several (e.g. a subgroup chair's themes), or None for every theme."""


def on_themes(column, theme_id: int | Collection[int]):  # type: ignore[no-untyped-def]
    """The WHERE clause of a theme filter on a theme id `column` (QuestionTheme.theme_id, Recommendation.theme_id):
    that theme, or any of several."""
    ids = [theme_id] if isinstance(theme_id, int) else sorted(set(theme_id))
    return column == ids[0] if len(ids) == 1 else column.in_(ids)


def questions_on_themes(column, theme_id: int | Collection[int],  # type: ignore[no-untyped-def]
                        cycles: Collection[int] | None = None):
    """The WHERE clause keeping a question id `column` tagged with the theme (or any of several): an IN over the
    tags, so a question tagged with two of the chosen themes is kept once, never counted twice. `cycles`: only
    those cycles' questions (a short list the database can look ratings up by)."""
    tagged = select(QuestionTheme.question_id).where(on_themes(QuestionTheme.theme_id, theme_id))
    if cycles is not None:
        tagged = tagged.join(Question, Question.id == QuestionTheme.question_id).where(
            Question.cycle_id.in_(sorted(cycles)))
    return column.in_(tagged)


def _rating_filters(stmt: Select, scope: Scope, *, partnership_id: int | None = None, cycle_id: int | None = None,
                    theme_id: ThemeFilter = None, section: str | None = None, sector: str | None = None,
                    organisation_id: int | None = None, lean: bool = False,
                    cycles: Collection[int] | None = None) -> Select:
    """Rating joined to its return, question, cycle and organisation, limited to scope and filters.

    `lean`: join the question and the organisation only when a filter needs them (for counts that select
    nothing of theirs: over a national reader's ratings this saves two look-ups per rating). `cycles`: only
    those cycles."""
    stmt = stmt.select_from(Rating).join(AuditReturn, AuditReturn.id == Rating.return_id)
    if not lean or section:
        stmt = stmt.join(Question, Question.id == Rating.question_id)
    stmt = (stmt.join(Cycle, Cycle.id == AuditReturn.cycle_id)
            .where(AuditReturn.is_current.is_(True), in_scope(Cycle.partnership_id, scope)))
    if not lean or sector:
        stmt = stmt.join(Organisation, Organisation.id == AuditReturn.organisation_id)
    if partnership_id is not None:
        stmt = stmt.where(Cycle.partnership_id == partnership_id)
    if cycle_id is not None:
        stmt = stmt.where(AuditReturn.cycle_id == cycle_id)
    if cycles is not None:
        stmt = stmt.where(AuditReturn.cycle_id.in_(sorted(cycles)))
    if theme_id is not None:
        stmt = stmt.where(questions_on_themes(Rating.question_id, theme_id, cycles))
    if section:
        stmt = stmt.where(Question.section_code == section)
    if sector:
        stmt = stmt.where(Organisation.sector == Sector(sector).value)
    if organisation_id is not None:
        stmt = stmt.where(AuditReturn.organisation_id == organisation_id)
    return stmt


# --- questions left out of a return ------------------------------------------------------------------------

def not_answered(session: Session, scope: Scope, *, cycles: Collection[int], organisation_id: int | None = None,
                 sector: str | None = None, theme_id: ThemeFilter = None, by_theme: bool = False,
                 by_question: bool = False) -> pd.DataFrame:
    """How many questions the current returns of `cycles` left out (no answer at all: '×', unlike N/A, which is an
    answer): cycle_id (, theme, theme_id with `by_theme`; question, text, position with `by_question`), count —
    only rows with a count. The one count every view says beside its %s (which are of the answers given, as the
    published reports count them).

    A question of the cycle counts once per current return without a rating of it; `theme_id` keeps the questions
    on that theme (or themes); `by_theme` counts per theme (a question on two themes counts in each),
    `by_question` per question (how many returns left it out; with `organisation_id`, which questions its return
    left out). Only cycles read from their ratings count: a published-aggregate cycle's or a peer review's returns
    hold quotations of some questions, not answers to all."""
    named = [*(["theme", "theme_id"] if by_theme else []), *(["question", "text", "position"] if by_question else [])]
    sources = cycle_sources(session, scope, cycle_ids=cycles) if cycles else {}
    cycles = [cid for cid, source in sources.items() if source == RATINGS]
    if not cycles:
        return pd.DataFrame(columns=["cycle_id", *named, "count"])
    answered = select(Rating.id).where(Rating.return_id == AuditReturn.id, Rating.question_id == Question.id)
    columns = [AuditReturn.cycle_id, *([Theme.name, Theme.id] if by_theme else []),
               *([Question.code, Question.text, Question.position] if by_question else [])]
    stmt = (select(*columns, func.count()).select_from(AuditReturn)
            .join(Cycle, Cycle.id == AuditReturn.cycle_id)
            .join(Question, Question.cycle_id == AuditReturn.cycle_id)
            .where(AuditReturn.is_current.is_(True), AuditReturn.cycle_id.in_(sorted(cycles)),
                   in_scope(Cycle.partnership_id, scope), ~answered.exists()))
    if by_theme:
        stmt = (stmt.join(QuestionTheme, QuestionTheme.question_id == Question.id)
                .join(Theme, Theme.id == QuestionTheme.theme_id))
        if theme_id is not None:
            stmt = stmt.where(on_themes(QuestionTheme.theme_id, theme_id))
    elif theme_id is not None:
        stmt = stmt.where(questions_on_themes(Question.id, theme_id, cycles))
    if organisation_id is not None:
        stmt = stmt.where(AuditReturn.organisation_id == organisation_id)
    if sector:
        stmt = stmt.join(Organisation, Organisation.id == AuditReturn.organisation_id).where(
            Organisation.sector == Sector(sector).value)
    stmt = stmt.group_by(*columns)
    return pd.DataFrame([tuple(row) for row in session.execute(stmt)], columns=["cycle_id", *named, "count"])
