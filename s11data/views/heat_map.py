"""The Heat map page's reads: cells by question or theme, question summary and % green, organisation counts."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from s11data.store.models import (
    Organisation,
    PublishedAggregate,
    Question,
    QuestionTheme,
    Rag,
    Rating,
    SubjectKind,
    Theme,
)
from s11data.store.scope import Scope
from s11data.views.common import (
    PUBLISHED,
    RANKED,
    RATINGS,
    ThemeFilter,
    _grade_column,
    _grade_text,
    _graded_only,
    _ordered,
    _percentages,
    _rank,
    _rank_grade,
    _rating_filters,
    _value,
    cycle_info,
    on_themes,
    questions_on_themes,
)


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
    wide = (long.groupby(["organisation", "organisation_id", "sector", "grade"], observed=True)["count"].sum()
            .unstack("grade").reindex(columns=columns).reset_index())  # pivot_table's figures at a third of its cost
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
