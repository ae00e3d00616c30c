"""The Overview page's reads: returns and engagement figures, RAG distribution, themes (the action figures and
the weakest themes: `s11data.views.figures`)."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from s11data.store.models import (
    Contact,
    Engagement,
    Invitation,
    Organisation,
    PublishedAggregate,
    Question,
    QuestionTheme,
    Rating,
    Sector,
    SubjectKind,
    Theme,
)
from s11data.store.scope import Scope
from s11data.views.common import (
    NOT_EXPECTED_STATES,
    ON_TIME_STATES,
    PUBLISHED,
    RATINGS,
    SUBMITTED_STATES,
    TO_CHASE_STATES,
    ThemeFilter,
    _grade_column,
    _grade_text,
    _graded_only,
    _ordered,
    _percentages,
    _rating_filters,
    _value,
    cycle_info,
    on_themes,
)
from s11data.views import trends
from s11data.views.engagement import OWN_STATES


# --- overview ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReturnsFigures:
    invited: int
    expected: int
    """Invited less the organisations with a state of their own (national return, two-year cycle, withdrawn)."""
    received: int
    on_time: int
    late: int
    national: int
    not_expected: int
    to_chase: int
    by_status: dict[str, int]


def returns_figures(session: Session, scope: Scope, cycle_id: int, *, sector: str | None = None,
                    organisation_id: int | None = None) -> ReturnsFigures:
    """Invitations of a cycle counted by engagement status (one GROUP BY)."""
    info = cycle_info(session, scope, cycle_id)
    stmt = (select(Invitation.status, func.count(Invitation.id)).join(Organisation)
            .where(Invitation.cycle_id == info.id).group_by(Invitation.status))
    if sector:
        stmt = stmt.where(Organisation.sector == Sector(sector).value)
    if organisation_id is not None:
        stmt = stmt.where(Invitation.organisation_id == organisation_id)
    counts = {_value(status): n for status, n in session.execute(stmt)}

    def total(states: tuple[Engagement, ...]) -> int:
        return sum(counts.get(s.value, 0) for s in states)

    return ReturnsFigures(invited=sum(counts.values()),
                          expected=sum(counts.values()) - total(OWN_STATES), received=total(SUBMITTED_STATES),
                          on_time=total(ON_TIME_STATES), late=counts.get(Engagement.LATE.value, 0),
                          national=counts.get(Engagement.NATIONAL_RETURN.value, 0),
                          not_expected=total(NOT_EXPECTED_STATES), to_chase=total(TO_CHASE_STATES),
                          by_status=counts)


def to_chase(session: Session, scope: Scope, cycle_id: int, *, sector: str | None = None) -> pd.DataFrame:
    """Organisations of a cycle with no response recorded or that did not engage, with their last contact."""
    info = cycle_info(session, scope, cycle_id)
    last = (select(Contact.invitation_id, func.max(Contact.occurred_on).label("last_contact"),
                   func.count(Contact.id).label("contacts"))
            .join(Invitation, Invitation.id == Contact.invitation_id).where(Invitation.cycle_id == info.id)
            .group_by(Contact.invitation_id).subquery())
    stmt = (select(Organisation.name, Organisation.sector, Invitation.status, last.c.last_contact, last.c.contacts)
            .join(Organisation).outerjoin(last, last.c.invitation_id == Invitation.id)
            .where(Invitation.cycle_id == info.id, Invitation.status.in_([s.value for s in TO_CHASE_STATES]))
            .order_by(Organisation.name))
    if sector:
        stmt = stmt.where(Organisation.sector == Sector(sector).value)
    rows = [(n, _value(s), _value(st), lc, c or 0) for n, s, st, lc, c in session.execute(stmt)]
    return pd.DataFrame(rows, columns=["organisation", "sector", "status", "last contact", "contacts"])


def rag_distribution(session: Session, scope: Scope, cycle_id: int, *, grade_of: str = "stands",
                     theme_id: ThemeFilter = None, section: str | None = None, sector: str | None = None,
                     organisation_id: int | None = None) -> pd.DataFrame:
    """Grades of a cycle: grade, count, percent (of all answers, not rated and N/A included), source — the
    cycle's row of `trends.grade_shares`, the one definition the Trends page's bars share.

    From the ratings where the cycle has them; from the published per-question percentages (their mean over
    questions) where the report published only those (not for one sector or organisation).
    """
    info = cycle_info(session, scope, cycle_id)
    published_only = info.source == PUBLISHED and (sector or organisation_id is not None)
    if info.source not in (RATINGS, PUBLISHED) or published_only:
        return pd.DataFrame(columns=["grade", "count", "percent", "source"])
    frame, _sources = trends.grade_shares(session, scope, cycles=[info.id], grade_of=grade_of, theme_id=theme_id,
                                          section=section, sector=sector, organisation_id=organisation_id)
    return _ordered(frame[["grade", "count", "percent"]], []).assign(source=info.source)


def theme_summary(session: Session, scope: Scope, cycle_id: int, *, grade_of: str = "stands",
                  sector: str | None = None, organisation_id: int | None = None, theme_id: ThemeFilter = None
                  ) -> pd.DataFrame:
    """Per theme of a cycle: theme, theme_id, grade, count, percent — the base of 'weakest themes'. `theme_id`:
    only that theme's rows (or those of several), each as it is alone."""
    info = cycle_info(session, scope, cycle_id)
    if info.source == PUBLISHED and not sector and organisation_id is None:
        base = (select(Theme.name, Theme.id).select_from(PublishedAggregate)
                .join(QuestionTheme, QuestionTheme.question_id == PublishedAggregate.question_id)
                .join(Theme, Theme.id == QuestionTheme.theme_id)
                .where(PublishedAggregate.cycle_id == info.id, PublishedAggregate.percent.is_not(None),
                       PublishedAggregate.subject_kind == SubjectKind.QUESTION.value))
        if theme_id is not None:
            base = base.where(on_themes(QuestionTheme.theme_id, theme_id))
        questions = dict(session.execute(base.with_only_columns(
            Theme.id, func.count(func.distinct(PublishedAggregate.question_id))).group_by(Theme.id)).all())
        stmt = base.add_columns(PublishedAggregate.grade, func.sum(PublishedAggregate.percent)).group_by(
            Theme.name, Theme.id, PublishedAggregate.grade)
        rows = [(t, tid, _value(g), None, round(float(p) / questions[tid], 1))
                for t, tid, g, p in session.execute(stmt)]
        frame = pd.DataFrame(rows, columns=["theme", "theme_id", "grade", "count", "percent"])
        return _ordered(frame, ["theme"]).assign(source=PUBLISHED)
    if info.source != RATINGS:
        return pd.DataFrame(columns=["theme", "theme_id", "grade", "count", "percent", "source"])
    grade = _grade_column(grade_of)
    stmt = _rating_filters(select(Theme.name, Theme.id, grade.label("grade"), func.count(Rating.id)), scope,
                           cycle_id=info.id, sector=sector, organisation_id=organisation_id)
    stmt = _graded_only(stmt, grade)
    stmt = (stmt.join(QuestionTheme, QuestionTheme.question_id == Question.id)
            .join(Theme, Theme.id == QuestionTheme.theme_id).group_by(Theme.name, Theme.id, grade))
    if theme_id is not None:
        stmt = stmt.where(on_themes(QuestionTheme.theme_id, theme_id))
    rows = [(t, tid, _grade_text(g), n) for t, tid, g, n in session.execute(stmt)]
    frame = pd.DataFrame(rows, columns=["theme", "theme_id", "grade", "count"])
    return _ordered(_percentages(frame, ["theme"]), ["theme"]).assign(source=RATINGS)


