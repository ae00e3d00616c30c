"""Scoped read queries for the dashboard pages: small frames aggregated in the database.

Every function takes `session, scope` first and keeps only the caller's partnerships (`in_scope`). Filters are
keyword arguments by id (`partnership_id`, `cycle_id`, `theme_id`, `organisation_id`) or by value (`section`,
`sector`), as `app.filters.Filters.query_args()` gives them. `theme_id` is one theme's id or several (a subgroup
chair's themes: `on_themes` builds the one WHERE clause; a question on two of them counts once). Nothing here
imports Streamlit.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

import numpy as np
import pandas as pd
from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session

from s11data.views.engagement import ENGAGED, OWN_STATES, TO_CHASE
from s11data.store.errors import UserError
from s11data.store.lookup import normalise
from s11data.store.models import (
    ActionStatus,
    AuditReturn,
    Contact,
    Cycle,
    Engagement,
    Invitation,
    Organisation,
    OrganisationAlias,
    Partnership,
    PartnershipAlias,
    PartnershipMember,
    ProgressUpdate,
    PublishedAggregate,
    Question,
    QuestionTheme,
    Rag,
    Rating,
    Recommendation,
    Scale,
    Sector,
    SubjectKind,
    Theme,
)
from s11data.store.scope import Scope, ScopeError, in_scope


# --- what the filters can offer ------------------------------------------------------------------

@dataclass(frozen=True)
class PartnershipChoice:
    id: int
    name: str
    short_name: str
    illustrative: bool
    aliases: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """How the partnership is written in links: its short name, else its name."""
        return self.short_name or self.name


class CycleChoice(NamedTuple):  # named tuples: a national reader's choices hold 1,500 cycles, 6,000 organisations
    id: int
    partnership_id: int
    label: str
    method: str
    scale: str


class OrganisationChoice(NamedTuple):
    id: int
    name: str
    sector: str
    partnership_ids: frozenset[int]


@dataclass(frozen=True)
class Choices:
    """Everything the shared filters can offer a caller, within their scope (small lists, cached per scope)."""

    partnerships: tuple[PartnershipChoice, ...] = ()
    cycles: tuple[CycleChoice, ...] = ()
    themes: tuple[tuple[int, str], ...] = ()
    organisations: tuple[OrganisationChoice, ...] = ()
    organisation_aliases: tuple[tuple[str, int], ...] = field(default=())

    @cached_property
    def _normalised_names(self) -> tuple[tuple[str, OrganisationChoice], ...]:
        """(normalised name, organisation), built once per Choices (a national reader has 6,000)."""
        return tuple((normalise(o.name), o) for o in self.organisations)

    @cached_property
    def _organisation_names(self) -> dict[str, OrganisationChoice]:
        """Normalised name and alias → organisation, built once per Choices."""
        by_id = {o.id: o for o in self.organisations}
        names = {normalise(alias): by_id[oid] for alias, oid in self.organisation_aliases if oid in by_id}
        names.update(self._normalised_names)  # a name wins over another's alias
        return names

    def organisation_named(self, text: str | None) -> OrganisationChoice | None:
        """By exact name or alias (case, spacing, '&'/'and' folded), else the one organisation whose name
        contains the text ('Sirona')."""
        wanted = normalise(text or "")
        if not wanted:
            return None
        names = self._organisation_names
        if wanted in names:
            return names[wanted]
        partial = [o for name, o in self._normalised_names if wanted in name]
        return partial[0] if len(partial) == 1 else None


def filter_choices(session: Session, scope: Scope) -> Choices:
    """The partnerships, cycles, themes and organisations the caller may filter by (sections: `cycle_sections`)."""
    aliases: dict[int, list[str]] = {}
    for pid, alias in session.execute(select(PartnershipAlias.partnership_id, PartnershipAlias.alias)
                                      .where(in_scope(PartnershipAlias.partnership_id, scope))):
        aliases.setdefault(pid, []).append(alias)
    partnerships = tuple(
        PartnershipChoice(pid, name, short or "", bool(illustrative), tuple(sorted(aliases.get(pid, []))))
        for pid, name, short, illustrative in session.execute(
            select(Partnership.id, Partnership.name, Partnership.short_name, Partnership.illustrative)
            .where(in_scope(Partnership.id, scope)).order_by(Partnership.illustrative, Partnership.name)))
    cycles = tuple(
        CycleChoice(cid, pid, label, _value(method), _value(scale))
        for cid, pid, label, method, scale in session.execute(
            select(Cycle.id, Cycle.partnership_id, Cycle.label, Cycle.method, Cycle.scale)
            .where(in_scope(Cycle.partnership_id, scope)).order_by(Cycle.partnership_id, Cycle.label.desc())))
    themes = tuple((tid, name) for tid, name in session.execute(
        select(Theme.id, Theme.name).order_by(Theme.position, Theme.name)))
    return Choices(partnerships, cycles, themes, *_organisations(session, scope))


def _organisations(session: Session, scope: Scope) -> tuple[tuple[OrganisationChoice, ...],
                                                             tuple[tuple[str, int], ...]]:
    """Organisations invited to, or returning in, a cycle of one of the caller's partnerships (`partnership_member`,
    which the database keeps in step with every invitation and return)."""
    member = PartnershipMember
    by_org: dict[int, set[int]] = {}
    names: dict[int, tuple[str, str]] = {}
    rows = session.connection().execute(  # Core, not the ORM's row loading: a national reader has 8,000 rows
        select(Organisation.id, Organisation.name, Organisation.sector, member.partnership_id)
        .join(member, member.organisation_id == Organisation.id)
        .where(in_scope(member.partnership_id, scope)).order_by(Organisation.name))
    for oid, name, sector, pid in rows:
        by_org.setdefault(oid, set()).add(pid)
        names[oid] = (name, _value(sector))
    organisations = tuple(OrganisationChoice(oid, names[oid][0], names[oid][1], frozenset(pids))
                          for oid, pids in by_org.items())
    aliases = tuple((alias, oid) for alias, oid in session.execute(
        select(OrganisationAlias.alias, OrganisationAlias.organisation_id)) if oid in by_org)
    return organisations, aliases


def cycle_sections(session: Session, scope: Scope, cycle_id: int) -> tuple[tuple[str, str], ...]:
    """The sections of a cycle's framework, (code, title) in framework order."""
    partnership_id = session.scalar(select(Cycle.partnership_id).where(Cycle.id == cycle_id))
    scope.check_read(partnership_id)
    rows = session.execute(select(Question.section_code, Question.section_title, func.min(Question.position))
                           .where(Question.cycle_id == cycle_id, Question.section_code != "")
                           .group_by(Question.section_code, Question.section_title)
                           .order_by(func.min(Question.position))).all()
    return tuple(dict.fromkeys((code, title) for code, title, _pos in rows))


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
    """The cycle, if it is in the caller's scope (else ScopeError)."""
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
    """Grades of a cycle: grade, count, percent (of all answers, not rated and N/A included), source.

    From the ratings where the cycle has them; from the published per-question percentages (their mean over
    questions) where the report published only those.
    """
    info = cycle_info(session, scope, cycle_id)
    if info.source == PUBLISHED and not sector and organisation_id is None:
        frame = _published_distribution(session, info.id, theme_id=theme_id, section=section)
        return frame.assign(source=PUBLISHED)
    if info.source != RATINGS:
        return pd.DataFrame(columns=["grade", "count", "percent", "source"])
    grade = _grade_column(grade_of)
    stmt = _rating_filters(select(grade.label("grade"), func.count(Rating.id)), scope, cycle_id=info.id,
                           theme_id=theme_id, section=section, sector=sector, organisation_id=organisation_id)
    stmt = _graded_only(stmt, grade)
    rows = [(_grade_text(g), n) for g, n in session.execute(stmt.group_by(grade))]
    frame = pd.DataFrame(rows, columns=["grade", "count"])
    return _ordered(_percentages(frame, []), []).assign(source=RATINGS)


def _published_distribution(session: Session, cycle_id: int, *, theme_id: ThemeFilter = None,
                            section: str | None = None) -> pd.DataFrame:
    """Mean of the published per-question percentages, per grade (questions equally weighted: same base)."""
    stmt = (select(PublishedAggregate.grade, func.sum(PublishedAggregate.percent)).select_from(PublishedAggregate)
            .outerjoin(Question, Question.id == PublishedAggregate.question_id)
            .where(PublishedAggregate.cycle_id == cycle_id,
                   PublishedAggregate.subject_kind == SubjectKind.QUESTION.value,
                   PublishedAggregate.percent.is_not(None)))
    if theme_id is not None:
        stmt = stmt.where(questions_on_themes(PublishedAggregate.question_id, theme_id))
    if section:
        stmt = stmt.where(Question.section_code == section)
    questions = session.scalar(stmt.with_only_columns(func.count(func.distinct(PublishedAggregate.question_id))))
    rows = session.execute(stmt.group_by(PublishedAggregate.grade)).all()
    frame = pd.DataFrame([(_value(g), None, round(float(p) / questions, 1)) for g, p in rows],
                         columns=["grade", "count", "percent"])
    return _ordered(frame, [])


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


def weakest_themes(summary: pd.DataFrame, n: int = 3) -> pd.DataFrame:
    """Themes ranked worst first: most red, then most amber, then least green. Columns theme, theme_id, red,
    amber, green (percent)."""
    if summary.empty:
        return pd.DataFrame(columns=["theme", "theme_id", "red", "amber", "green"])
    wide = (summary.pivot_table(index=["theme", "theme_id"], columns="grade", values="percent", aggfunc="sum")
            .reindex(columns=[Rag.RED.value, Rag.AMBER.value, Rag.GREEN.value]).fillna(0.0).reset_index())
    wide.columns = ["theme", "theme_id", "red", "amber", "green"]
    return (wide.sort_values(["red", "amber", "green", "theme"], ascending=[False, False, True, True])
            .head(n).reset_index(drop=True))


@dataclass(frozen=True)
class ActionFigures:
    total: int
    open: int
    overdue: int
    complete: int
    undated: int = 0
    """Open actions with no due date (they can never show as overdue)."""


def action_figures(session: Session, scope: Scope, partnership_id: int, *, today: dt.date | None = None,
                   theme_id: ThemeFilter = None, organisation_id: int | None = None) -> ActionFigures:
    """Recommendations and commitments of a partnership (all its cycles): open (open, in progress, not started)
    and overdue (open with a due date before today)."""
    scope.check_read(partnership_id)
    today = today or dt.date.today()
    is_open = Recommendation.status.in_([s.value for s in OPEN_STATES])
    stmt = (select(func.count(Recommendation.id),
                   func.sum(case((is_open, 1), else_=0)),
                   func.sum(case((and_(is_open, Recommendation.due_on < today), 1), else_=0)),
                   func.sum(case((Recommendation.status == ActionStatus.COMPLETE.value, 1), else_=0)),
                   func.sum(case((and_(is_open, Recommendation.due_on.is_(None)), 1), else_=0)))
            .join(Cycle).where(Cycle.partnership_id == partnership_id))
    if theme_id is not None:
        stmt = stmt.where(on_themes(Recommendation.theme_id, theme_id))
    if organisation_id is not None:
        stmt = stmt.where(Recommendation.organisation_id == organisation_id)
    total, opened, overdue, complete, undated = session.execute(stmt).one()
    return ActionFigures(total or 0, opened or 0, overdue or 0, complete or 0, undated or 0)


# --- heat map -------------------------------------------------------------------------------------

HEAT_COLUMNS = ["organisation", "organisation_id", "sector", "column", "column_label", "section", "position",
                "self", "moderated", "stands", "evidence", "answers"]


def heat_map_cells(session: Session, scope: Scope, cycle_id: int, *, by: str = "question",
                   theme_id: ThemeFilter = None, section: str | None = None, sector: str | None = None,
                   organisation_id: int | None = None) -> pd.DataFrame:
    """One row per organisation × question (by='question') or × theme (by='theme') of a cycle's current returns.

    Columns: organisation, organisation_id, sector, column (question code or theme), column_label (question text or
    theme), section, position (column order), self / moderated / stands (grade words; moderated None where the
    panel did not moderate; stands = moderated where given, else self), evidence (question cells), answers (how
    many questions a theme cell summarises). A theme cell holds the lowest grade among its questions (the rule the
    reports use for combined grades); not rated only when none of them is graded.
    """
    info = cycle_info(session, scope, cycle_id)
    filters = {"cycle_id": info.id, "theme_id": theme_id, "section": section, "sector": sector,
               "organisation_id": organisation_id}
    if by == "question":
        stmt = _rating_filters(select(Organisation.name, Organisation.id, Organisation.sector, Question.code,
                                      Question.text, Question.section_code, Question.position, Rating.rag,
                                      Rating.moderated_rag, Rating.evidence), scope, **filters)
        rows = [(o, oid, _value(sec), code, text, scode, pos, _grade_text(r), _grade_text(m),
                 _grade_text(m) or _grade_text(r), ev or "", 1)
                for o, oid, sec, code, text, scode, pos, r, m, ev in session.execute(stmt)]
        return pd.DataFrame(rows, columns=HEAT_COLUMNS)
    if by != "theme":
        raise ValueError("by must be 'question' or 'theme'")
    self_rank = func.min(_rank(Rating.rag))
    mod_rank = func.min(_rank(Rating.moderated_rag))
    stands_rank = func.min(_rank(func.coalesce(Rating.moderated_rag, Rating.rag)))
    moderated = func.count(Rating.moderated_rag)
    stmt = _rating_filters(select(Organisation.name, Organisation.id, Organisation.sector, Theme.name,
                                  Theme.position, self_rank, mod_rank, stands_rank, moderated,
                                  func.count(Rating.id)), scope, **filters)
    stmt = (stmt.join(QuestionTheme, QuestionTheme.question_id == Question.id)
            .join(Theme, Theme.id == QuestionTheme.theme_id)
            .group_by(Organisation.name, Organisation.id, Organisation.sector, Theme.name, Theme.position))
    if theme_id is not None:
        stmt = stmt.where(on_themes(QuestionTheme.theme_id, theme_id))
    rows = [(o, oid, _value(sec), theme, theme, "", pos, _rank_grade(sr), _rank_grade(mr) if nm else None,
             _rank_grade(st), "", n)
            for o, oid, sec, theme, pos, sr, mr, st, nm, n in session.execute(stmt)]
    return pd.DataFrame(rows, columns=HEAT_COLUMNS)


def rated_higher_than_panel(cells: pd.DataFrame) -> pd.DataFrame:
    """Organisations whose self-rating is above the panel's moderated rating in at least one cell."""
    rank = {g.value: i for i, g in enumerate(RANKED)}
    s = cells["self"].map(rank)
    m = cells["moderated"].map(rank)
    higher = cells[(s.notna()) & (m.notna()) & (s > m)]
    return (higher.groupby("organisation").size().rename("cells rated higher").reset_index()
            .sort_values("organisation").reset_index(drop=True))


def question_summary(session: Session, scope: Scope, cycle_id: int, *, grade_of: str = "stands",
                     theme_id: ThemeFilter = None, section: str | None = None, sector: str | None = None
                     ) -> pd.DataFrame:
    """Per question of a cycle: % of returns at each grade, as the NSSCP report prints it (not rated included).

    Columns: question, text, position, grade, count, percent, base (returns answering the question), source.
    A cycle known only through its published figures gives those (count blank, base as published).
    """
    info = cycle_info(session, scope, cycle_id)
    if info.source == PUBLISHED and not sector:
        frame = published_aggregates(session, scope, info.id, SubjectKind.QUESTION)
        if theme_id is not None or section:
            keep = _question_codes(session, info.id, theme_id, section)
            frame = frame[frame["subject"].isin(keep)]
        return frame.rename(columns={"subject": "question"})[
            ["question", "text", "position", "grade", "count", "percent", "base", "source"]].reset_index(drop=True)
    grade = _grade_column(grade_of)
    stmt = _rating_filters(select(Question.code, Question.text, Question.position, grade.label("grade"),
                                  func.count(Rating.id)), scope, cycle_id=info.id, theme_id=theme_id,
                           section=section, sector=sector)
    stmt = _graded_only(stmt, grade).group_by(Question.code, Question.text, Question.position, grade)
    rows = [(c, t, p, _grade_text(g), n) for c, t, p, g, n in session.execute(stmt)]
    frame = pd.DataFrame(rows, columns=["question", "text", "position", "grade", "count"])
    frame = _percentages(frame, ["question"])
    frame["base"] = frame.groupby("question")["count"].transform("sum") if not frame.empty else []
    return _ordered(frame, ["position", "question"]).assign(source=RATINGS)


def percent_green_of(summary: pd.DataFrame, key: str) -> dict[str, float]:
    """% green per `key` (question or theme) of a question_summary / theme_summary frame: the sum of its Green
    rows' percent, 0 where answers were counted but none was green."""
    if summary.empty:
        return {}
    green = summary[summary["grade"] == Rag.GREEN.value].groupby(key)["percent"].sum()
    return {str(k): float(green.get(k, 0.0)) for k in summary[key].unique()}


def _question_codes(session: Session, cycle_id: int, theme_id: ThemeFilter, section: str | None) -> set[str]:
    stmt = select(Question.code).where(Question.cycle_id == cycle_id)
    if theme_id is not None:
        stmt = stmt.where(questions_on_themes(Question.id, theme_id))
    if section:
        stmt = stmt.where(Question.section_code == section)
    return set(session.scalars(stmt))


def organisation_counts(session: Session, scope: Scope, cycle_id: int, *, grade_of: str = "stands",
                        theme_id: ThemeFilter = None, section: str | None = None, sector: str | None = None
                        ) -> pd.DataFrame:
    """Per organisation of a cycle: how many questions at each grade, like the NSSCP report's Appendix One.

    Columns: organisation, organisation_id, sector, Green, Amber, Red, Not rated, Not applicable, total, source.
    A cycle known only through its published figures gives Appendix One as published.
    """
    info = cycle_info(session, scope, cycle_id)
    if info.source == PUBLISHED and theme_id is None and not section:
        long = published_aggregates(session, scope, info.id, SubjectKind.ORGANISATION)
        long = long.rename(columns={"subject": "organisation"})
        if sector:
            long = long[long["sector"] == sector]
        source = PUBLISHED
    else:
        grade = _grade_column(grade_of)
        stmt = _rating_filters(select(Organisation.name, Organisation.id, Organisation.sector, grade.label("g"),
                                      func.count(Rating.id)), scope, cycle_id=info.id, theme_id=theme_id,
                               section=section, sector=sector)
        stmt = _graded_only(stmt, grade).group_by(Organisation.name, Organisation.id, Organisation.sector, grade)
        long = pd.DataFrame([(o, oid, _value(s), _grade_text(g), n)
                             for o, oid, s, g, n in session.execute(stmt)],
                            columns=["organisation", "organisation_id", "sector", "grade", "count"])
        source = RATINGS
    columns = [Rag.GREEN.value, Rag.AMBER.value, Rag.RED.value, Rag.NOT_RATED.value, Rag.NOT_APPLICABLE.value]
    if long.empty:
        return pd.DataFrame(columns=["organisation", "organisation_id", "sector", *columns, "total", "source"])
    wide = (long.pivot_table(index=["organisation", "organisation_id", "sector"], columns="grade", values="count",
                             aggfunc="sum").reindex(columns=columns).reset_index())
    wide.columns.name = None
    wide[columns] = _counts(wide[columns], published=source == PUBLISHED)
    wide["total"] = wide[columns].sum(axis=1).astype(int)
    return wide.sort_values("organisation", key=lambda s: s.str.lower()).reset_index(drop=True).assign(source=source)


def _counts(frame: pd.DataFrame, *, published: bool) -> pd.DataFrame:
    """Whole counts. Counted from ratings, a grade nobody gave is 0; from a published table, a figure the report
    does not print stays blank (<NA>): its place was lost, and a zero is not invented."""
    counts = frame.astype("Float64").round().astype("Int64")
    return counts if published else counts.fillna(0)


def published_aggregates(session: Session, scope: Scope, cycle_id: int, subject_kind: SubjectKind | str
                         ) -> pd.DataFrame:
    """The figures a report published for a cycle, as published: subject, text (question text or sector),
    position, grade, count, percent, base, note, source ('published aggregate'), reference (where in the report)."""
    info = cycle_info(session, scope, cycle_id)
    kind = SubjectKind(subject_kind)
    stmt = (select(PublishedAggregate.subject, Question.text, Question.position, Organisation.sector,
                   Organisation.id, PublishedAggregate.grade, PublishedAggregate.count, PublishedAggregate.percent,
                   PublishedAggregate.base, PublishedAggregate.note, PublishedAggregate.source)
            .outerjoin(Question, Question.id == PublishedAggregate.question_id)
            .outerjoin(Organisation, Organisation.id == PublishedAggregate.organisation_id)
            .where(PublishedAggregate.cycle_id == info.id, PublishedAggregate.subject_kind == kind.value))
    rows = [(subj, text or "", pos or 0, _value(sector) if sector else "", oid, _value(g), c, p, b, note or "",
             PUBLISHED, src or "")
            for subj, text, pos, sector, oid, g, c, p, b, note, src in session.execute(stmt)]
    frame = pd.DataFrame(rows, columns=["subject", "text", "position", "sector", "organisation_id", "grade", "count",
                                        "percent", "base", "note", "source", "reference"])
    return _ordered(frame, ["position", "subject"])


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
    rows, sources = _grade_rows(session, scope, partnership_id=partnership_id, organisation_id=organisation_id,
                                theme_id=theme_id, sector=sector, by_theme=by_theme, grade_of=grade_of,
                                cycles=cycles)
    frame = pd.DataFrame(rows, columns=["cycle_id", "theme", "grade", "count", "percent"])
    counts = frame["percent"].isna()
    if counts.any():
        totals = frame[counts].groupby(["cycle_id", "theme"])["count"].transform("sum")
        frame.loc[counts, "percent"] = (100 * frame.loc[counts, "count"] / totals).round(1)
    return _with_cycles(session, frame, sources)


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
    count = session.scalar(select(func.count(Partnership.id)).where(in_scope(Partnership.id, scope)))
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
                theme_id: ThemeFilter, sector: str | None, by_theme: bool, grade_of: str, cycles: list[int] | None
                ) -> tuple[list[tuple], dict[int, str]]:
    """rag_by_cycle's rows (cycle_id, theme, grade, count, percent: count from ratings, percent from published
    figures) and each cycle's source."""
    theme_col = [Theme.name] if by_theme else []
    grade = _grade_column(grade_of)
    stmt = _rating_filters(select(Cycle.id, *theme_col, grade.label("grade"), func.count()), scope,
                           partnership_id=partnership_id, theme_id=theme_id, sector=sector,
                           organisation_id=organisation_id, lean=True, cycles=cycles)
    stmt = _graded_only(stmt, grade)
    if by_theme:
        stmt = (stmt.join(QuestionTheme, QuestionTheme.question_id == Rating.question_id)
                .join(Theme, Theme.id == QuestionTheme.theme_id))
        if theme_id is not None:  # only the chosen themes' rows, not the other themes their questions carry
            stmt = stmt.where(on_themes(QuestionTheme.theme_id, theme_id))
    counted = session.execute(stmt.group_by(Cycle.id, *theme_col, grade)).all()
    with_aggregates = _cycles_with_aggregates(session, scope, partnership_id, organisation_id, cycles)
    sources = cycle_sources(session, scope, partnership_id, {row[0] for row in counted} | with_aggregates)
    rows = []
    for cid, *theme, g, n in counted:
        if sources.get(cid) == RATINGS:
            rows.append((cid, theme[0] if theme else "", _grade_text(g), n, None))
    published = [cid for cid, src in sources.items() if src == PUBLISHED]
    if published and not sector:
        rows += _published_by_cycle(session, published, organisation_id, theme_id, by_theme)
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
                        theme_id: ThemeFilter, by_theme: bool) -> list[tuple]:
    if organisation_id is not None:  # an organisation's published counts (e.g. Appendix One)
        if theme_id is not None:
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


# --- one organisation ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AgencyProfile:
    """Everything the drill-down shows about one organisation, within the caller's partnerships."""

    id: int
    name: str
    sector: str
    aliases: tuple[str, ...]
    engagement: pd.DataFrame
    """partnership, cycle, method, status, note — one row per invitation."""
    grades: pd.DataFrame
    """partnership, cycle, source, Green, Amber, Red, Not rated, Not applicable — its ratings (or published
    counts) per cycle."""
    evidence: pd.DataFrame
    """partnership, cycle, question, text, self, moderated, evidence — its current answers."""
    recommendations: pd.DataFrame
    """partnership, cycle, number, kind, text, owner, due, status, latest update, updated — asked of it."""
    contacts: pd.DataFrame
    """partnership, cycle, date, kind, detail — its contact history."""


def agency_profile(session: Session, scope: Scope, organisation_id: int) -> AgencyProfile:
    """One organisation across every cycle and partnership in scope: engagement, grades, evidence, actions."""
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise UserError("That organisation is not in the database; pick one from the list.")
    if not _deals_with(session, scope, organisation_id):
        raise ScopeError("That organisation takes part in none of your partnerships' cycles.")
    aliases = tuple(session.scalars(select(OrganisationAlias.alias)
                                    .where(OrganisationAlias.organisation_id == org.id)
                                    .order_by(OrganisationAlias.alias)))
    return AgencyProfile(org.id, org.name, _value(org.sector), aliases,
                         _engagement(session, scope, org.id), _agency_grades(session, scope, org.id),
                         _agency_evidence(session, scope, org.id), _agency_actions(session, scope, org.id),
                         _agency_contacts(session, scope, org.id))


def _deals_with(session: Session, scope: Scope, oid: int) -> bool:
    """Whether the organisation was invited to, returned in, or was asked something by one of the caller's
    partnerships."""
    if scope.everything:
        return True
    mine = select(Cycle.id).where(in_scope(Cycle.partnership_id, scope))
    return bool(session.scalar(select(
        select(Invitation.id).where(Invitation.organisation_id == oid, Invitation.cycle_id.in_(mine)).exists()
        | select(AuditReturn.id).where(AuditReturn.organisation_id == oid, AuditReturn.cycle_id.in_(mine)).exists()
        | select(Recommendation.id).where(Recommendation.organisation_id == oid,
                                          Recommendation.cycle_id.in_(mine)).exists())))


def _engagement(session: Session, scope: Scope, oid: int) -> pd.DataFrame:
    stmt = (select(Partnership.name, Cycle.label, Cycle.method, Invitation.status, Invitation.note)
            .join(Cycle, Cycle.id == Invitation.cycle_id).join(Partnership)
            .where(Invitation.organisation_id == oid, in_scope(Partnership.id, scope))
            .order_by(Cycle.label.desc(), Partnership.name))
    return pd.DataFrame([(p, c, _value(m), _value(s), n or "") for p, c, m, s, n in session.execute(stmt)],
                        columns=["partnership", "cycle", "method", "status", "note"])


def _agency_grades(session: Session, scope: Scope, oid: int) -> pd.DataFrame:
    """The organisation's answers at each grade per partnership × cycle (rag_by_cycle's counts, one row a cycle):
    grades counted in SQL, the small frame built directly (no pivot)."""
    rows, sources = _grade_rows(session, scope, partnership_id=None, organisation_id=oid, theme_id=None,
                                sector=None, by_theme=False, grade_of="stands", cycles=None)
    columns = [Rag.GREEN.value, Rag.AMBER.value, Rag.RED.value, Rag.NOT_RATED.value, Rag.NOT_APPLICABLE.value]
    cells: dict[int, dict[str, float]] = {}
    for cid, _theme, grade, count, _percent in rows:
        by_grade = cells.setdefault(cid, {})
        by_grade[grade] = by_grade.get(grade, 0) + (count or 0)
    info = session.execute(select(Cycle.id, Partnership.name, Cycle.label, Cycle.method).join(Partnership)
                           .where(Cycle.id.in_(sorted(cells)))).all() if cells else []
    records = []
    for cid, partnership, label, method in info:
        source, counted = sources[cid], cells[cid]
        missing = None if source == PUBLISHED else 0  # see _counts: a figure a report does not print stays blank
        records.append((partnership, label, _value(method), source, *(counted.get(g, missing) for g in columns)))
    if not records:
        return pd.DataFrame(columns=["partnership", "cycle", "method", "source", *columns])
    records.sort(key=lambda r: r[:4])
    records.sort(key=lambda r: r[1], reverse=True)  # latest cycle first, then by partnership (stable sort)
    wide = pd.DataFrame(records, columns=["partnership", "cycle", "method", "source", *columns])
    wide[columns] = _counts(wide[columns], published=True)
    return wide


def _agency_evidence(session: Session, scope: Scope, oid: int) -> pd.DataFrame:
    stmt = _rating_filters(select(Cycle.partnership_id, Cycle.label, Question.code, Question.text, Rating.rag,
                                  Rating.moderated_rag, Rating.evidence, Question.position), scope,
                           organisation_id=oid)
    stmt = stmt.order_by(Cycle.label.desc(), Cycle.partnership_id, Question.position)
    names = dict(session.execute(select(Partnership.id, Partnership.name)).all())
    rows = [(names[p], c, q, t, _grade_text(r), _grade_text(m) or "", e or "")
            for p, c, q, t, r, m, e, _pos in session.execute(stmt)]
    return pd.DataFrame(rows, columns=["partnership", "cycle", "question", "text", "self", "moderated", "evidence"])


def _agency_actions(session: Session, scope: Scope, oid: int) -> pd.DataFrame:
    its_own = select(Recommendation.id).where(Recommendation.organisation_id == oid)
    latest = (select(ProgressUpdate.recommendation_id, func.max(ProgressUpdate.id).label("uid"))
              .where(ProgressUpdate.recommendation_id.in_(its_own))
              .group_by(ProgressUpdate.recommendation_id).subquery())
    stmt = (select(Partnership.name, Cycle.label, Recommendation.number, Recommendation.kind, Recommendation.text,
                   Recommendation.owner, Recommendation.due_on, Recommendation.status, ProgressUpdate.text,
                   ProgressUpdate.recorded_on)
            .join(Cycle, Cycle.id == Recommendation.cycle_id).join(Partnership)
            .outerjoin(latest, latest.c.recommendation_id == Recommendation.id)
            .outerjoin(ProgressUpdate, ProgressUpdate.id == latest.c.uid)
            .where(Recommendation.organisation_id == oid, in_scope(Partnership.id, scope))
            .order_by(Cycle.label.desc(), Partnership.name, Recommendation.id))
    rows = [(p, c, n, _value(k), t, o or "", d, _value(s), u or "", ud)
            for p, c, n, k, t, o, d, s, u, ud in session.execute(stmt)]
    return pd.DataFrame(rows, columns=["partnership", "cycle", "number", "kind", "text", "owner", "due", "status",
                                       "latest update", "updated"])


def _agency_contacts(session: Session, scope: Scope, oid: int) -> pd.DataFrame:
    stmt = (select(Partnership.name, Cycle.label, Contact.occurred_on, Contact.kind, Contact.detail)
            .join(Invitation, Invitation.id == Contact.invitation_id).join(Cycle, Cycle.id == Invitation.cycle_id)
            .join(Partnership).where(Invitation.organisation_id == oid, in_scope(Partnership.id, scope))
            .order_by(Contact.occurred_on.desc(), Contact.id.desc()))
    return pd.DataFrame([(p, c, d, _value(k), t or "") for p, c, d, k, t in session.execute(stmt)],
                        columns=["partnership", "cycle", "date", "kind", "detail"])
