"""Actions: recommendations and commitments, their owners, due dates, status and dated progress.

- Open means status `not started`, `open` or `in progress`. An open action is *overdue* when its due date is before
  `today` and *due soon* when it falls within the next `DUE_SOON_DAYS` days (today included).
- Progress updates are appended, never edited. The recommendation's status follows its latest update: the one with
  the latest date (undated updates, as reports give them, count as older than any dated one), ties by entry order.
- Each action links to the theme (and question, where one is recorded) it came from, and says whether that theme's
  % green rose in the partnership's next cycle, counted as the Trends page counts it (`trends.rag_by_cycle`).

Who may write (enforced here, not only by the pages): business managers and admins add and edit recommendations
and add progress; a subgroup chair adds progress only to the actions their subgroup owns (`Scope.owns`: the
chair's subgroup name, folded for case, '&'/'and' and punctuation, appears as whole words in the owner field, so
subgroup "QiiP Subgroup" owns "QiiP Subgroup;Districts Subgroup" and "Neglect subgroup" owns "GSCP Neglect
Subgroup").
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from s11data.store import audit
from s11data.views import common, trends
from s11data.store.errors import TEXT_MAX, UserError, checked_text, one_of  # noqa: F401 - TEXT_MAX: the form limit pages read
from s11data.returns.exports import plain
from s11data.store.lookup import normalise, organisation_index, suggest
from s11data.store.models import (
    ActionKind,
    ActionStatus,
    Cycle,
    Organisation,
    Partnership,
    ProgressUpdate,
    Question,
    Recommendation,
    Theme,
)
from s11data.store.scope import Scope, in_scope

OPEN = (ActionStatus.NOT_STARTED, ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
DUE_SOON_DAYS = 30
OVERDUE, DUE_SOON = "overdue", "due soon"

ROW_COLUMNS = ["recommendation_id", "partnership", "cycle", "kind", "made_by", "number", "text", "target", "theme",
               "question", "owner", "response", "due", "status", "flag", "days_to_due", "last_update_on",
               "last_update", "updates", "theme_green", "next_cycle", "next_theme_green", "theme_change"]
ACTION_COLUMNS = ["recommendation_id", "flag", "due", "days_to_due", "status", "cycle", "kind", "made_by", "number",
                  "text", "target", "owner", "theme", "question", "theme_green", "next_cycle", "next_theme_green",
                  "theme_change", "last_update_on", "last_update", "updates", "response", "partnership"]
"""The columns of `actions()`, in the order a reader scans them: the flag and due date first."""
HISTORY_COLUMNS = ["date", "status", "text", "recorded_by", "entered_at", "source"]


# --- reads ---------------------------------------------------------------------------------------

def _filtered(stmt: Select, scope: Scope, partnership_id: int | None, cycle_id: int | None) -> Select:
    stmt = stmt.where(in_scope(Cycle.partnership_id, scope))
    if partnership_id is not None:
        stmt = stmt.where(Cycle.partnership_id == partnership_id)
    if cycle_id is not None:
        stmt = stmt.where(Cycle.id == cycle_id)
    return stmt


def _latest_update() -> tuple:
    """Each recommendation's latest update id and its number of updates, as scalar subqueries correlated to
    Recommendation (two index look-ups a row on `ix_progress_update_latest`), and an alias of ProgressUpdate to
    join the latest to. A window over the updates joined back instead made SQLite scan the whole window once per
    recommendation (400 of one partnership: 0.047 → 0.013 s)."""
    mine = ProgressUpdate.recommendation_id == Recommendation.id
    latest = (select(ProgressUpdate.id).where(mine)
              .order_by(ProgressUpdate.recorded_on.is_(None), ProgressUpdate.recorded_on.desc(),
                        ProgressUpdate.id.desc())
              .limit(1).correlate(Recommendation).scalar_subquery())
    count = select(func.count(ProgressUpdate.id)).where(mine).correlate(Recommendation).scalar_subquery()
    return latest, count, aliased(ProgressUpdate)


def actions(session: Session, scope: Scope, today: dt.date, *, partnership_id: int | None = None,
            cycle_id: int | None = None, theme_id: common.ThemeFilter = None, organisation_id: int | None = None,
            owner: str | None = None, mine_only: bool = False, only_open: bool = True,
            kinds: Collection[str] | None = None, or_themes: Collection[int] = ()) -> pd.DataFrame:
    """Recommendations (and commitments) with their flags, latest update and theme link; overdue first.
    `recommendation_id` identifies each row for the forms (app.tables neither shows nor downloads `_id` columns).

    `owner` keeps actions whose owner field contains that text; `mine_only` keeps those a chair's subgroup owns
    (`Scope.owns`; every action for other roles), and with `or_themes` also those on any of these themes (a
    chair's default view: their subgroup's actions or their themes'); `theme_id` keeps those on that theme (or
    any of several); `organisation_id` keeps those asked of that organisation; `only_open` keeps not started /
    open / in progress; None means all.
    """
    latest, updates, update = _latest_update()
    stmt = _filtered(
        select(Recommendation.id, Cycle.id, Cycle.partnership_id, Partnership.name, Cycle.label, Recommendation.kind,
               Recommendation.made_by, Recommendation.number, Recommendation.text, Organisation.name,
               Recommendation.theme_id, Theme.name, Question.code, Recommendation.owner, Recommendation.response,
               Recommendation.due_on, Recommendation.status, update.recorded_on, update.text,
               updates)
        .select_from(Recommendation).join(Cycle).join(Partnership)
        .outerjoin(Organisation, Organisation.id == Recommendation.organisation_id)
        .outerjoin(Theme, Theme.id == Recommendation.theme_id)
        .outerjoin(Question, Question.id == Recommendation.question_id)
        .outerjoin(update, update.id == latest)
        .order_by(Partnership.name, Cycle.label, Recommendation.kind, Recommendation.made_by, Recommendation.id),
        scope, partnership_id, cycle_id)
    if only_open:
        stmt = stmt.where(Recommendation.status.in_(OPEN))
    if theme_id is not None:
        stmt = stmt.where(common.on_themes(Recommendation.theme_id, theme_id))
    if organisation_id is not None:
        stmt = stmt.where(Recommendation.organisation_id == organisation_id)
    if kinds:
        stmt = stmt.where(Recommendation.kind.in_([ActionKind(k) for k in kinds]))
    if owner:
        stmt = stmt.where(Recommendation.owner.ilike(f"%{owner.strip()}%"))
    rows = session.execute(stmt).all()
    if mine_only:
        rows = [r for r in rows if scope.owns(r[13]) or r[10] in or_themes]
    trend = ThemeTrend.of(session, scope, {r[1] for r in rows if r[10] is not None})
    records = [_action_row(r, today, trend) for r in rows]
    frame = pd.DataFrame(records, columns=["_rank", "_due", *ROW_COLUMNS])
    frame = frame.sort_values(["_rank", "_due"], kind="stable", na_position="last")
    frame = frame[ACTION_COLUMNS].reset_index(drop=True)
    for column in ("days_to_due", "updates"):
        frame[column] = frame[column].astype("Int64")
    return frame


def _action_row(row, today: dt.date, trend: ThemeTrend) -> list[object]:  # type: ignore[no-untyped-def]
    (rec_id, cycle_id, _pid, partnership, label, kind, made_by, number, text, target, theme_id, theme, question,
     owner, response, due, status, updated_on, update_text, updates) = row
    flag = _flag(status, due, today)
    link = trend.link(cycle_id, theme)
    rank = {OVERDUE: 0, DUE_SOON: 1}.get(flag, 2)
    return [rank, due, rec_id, partnership, label, plain(kind), made_by, number, text, target or "Partnership",
            theme or "", question or "", owner, response, plain(due), plain(status), flag,
            (due - today).days if due else None, plain(updated_on), update_text or "", updates, *link]


def _flag(status: ActionStatus, due: dt.date | None, today: dt.date) -> str:
    if status not in OPEN or due is None:
        return ""
    if due < today:
        return OVERDUE
    return DUE_SOON if (due - today).days <= DUE_SOON_DAYS else ""


@dataclass
class ThemeTrend:
    """% green per (cycle, theme) for the actions shown and for the next cycle of each one's partnership."""

    green: dict[tuple[int, str], float]
    next_cycle: dict[int, tuple[int, str] | None]
    labels: dict[int, str]

    @classmethod
    def of(cls, session: Session, scope: Scope, cycle_ids: set[int]) -> ThemeTrend:
        if not cycle_ids:
            return cls({}, {}, {})
        following = _next_cycles(session, cycle_ids)
        labels = dict(session.execute(select(Cycle.id, Cycle.label).where(Cycle.id.in_(sorted(cycle_ids)))).all())
        partnerships = set(session.scalars(select(Cycle.partnership_id).where(Cycle.id.in_(sorted(cycle_ids)))))
        wanted = cycle_ids | {after[0] for after in following.values() if after is not None}
        return cls(theme_green(session, scope, partnerships, wanted), following, labels)

    def link(self, cycle_id: int, theme: str | None) -> list[object]:
        """[this cycle's % green, next cycle label, its % green, a sentence saying whether it improved]."""
        if not theme:
            return [None, "", None, "no theme recorded"]
        here = self.green.get((cycle_id, theme))
        following = self.next_cycle.get(cycle_id)
        if following is None:
            return [here, "", None, "no later cycle yet"]
        next_id, next_label = following
        there = self.green.get((next_id, theme))
        if here is None:
            return [here, next_label, there, f"no grades for this theme in {self.labels.get(cycle_id, '')}"]
        if there is None:
            return [here, next_label, there, f"no grades for this theme in {next_label}"]
        change = round(there - here, 1)
        word = "improved" if change > 0 else "fell" if change < 0 else "no change"
        return [here, next_label, there, f"{word} ({change:+.1f} points)" if change else word]


def _next_cycles(session: Session, cycle_ids: set[int]) -> dict[int, tuple[int, str] | None]:
    """Each cycle's next cycle (by label) in the same partnership, or None."""
    partnerships = select(Cycle.partnership_id).where(Cycle.id.in_(sorted(cycle_ids)))
    rows = session.execute(select(Cycle.id, Cycle.partnership_id, Cycle.label)
                           .where(Cycle.partnership_id.in_(partnerships))
                           .order_by(Cycle.partnership_id, Cycle.label)).all()
    following: dict[int, tuple[int, str] | None] = {}
    for (cid, pid, _label), after in zip(rows, [*rows[1:], None]):
        if cid in cycle_ids:
            following[cid] = (after[0], after[2]) if after is not None and after[1] == pid else None
    return following


def theme_green(session: Session, scope: Scope, partnership_ids: set[int],
                cycle_ids: Collection[int] | None = None) -> dict[tuple[int, str], float]:
    """% green per (cycle id, theme name) in those partnerships, exactly as the Trends page shows it
    (`trends.rag_by_cycle`: the grade that stands; published percentages where the report gave only those; no
    figure for an ungraded peer review). A theme answered but never green is 0 % green. `cycle_ids`: only those
    cycles (the actions' cycles and their next ones), not every cycle of the partnerships."""
    if cycle_ids is None:
        cycle_ids = session.scalars(select(Cycle.id).where(Cycle.partnership_id.in_(sorted(partnership_ids)))).all()
    only = next(iter(partnership_ids)) if len(partnership_ids) == 1 else None
    return trends.percent_green(session, scope, cycle_ids, partnership_id=only)


def progress_history(session: Session, scope: Scope, recommendation_id: int) -> pd.DataFrame:
    """Every progress update of one action, newest first (undated ones, as reports give them, last)."""
    partnership_id = session.scalar(select(Cycle.partnership_id).join(Recommendation)
                                    .where(Recommendation.id == recommendation_id))
    if partnership_id is None:
        raise UserError("That recommendation no longer exists; reload the page and pick it again.")
    scope.check_read(partnership_id)
    stmt = (select(ProgressUpdate.recorded_on, ProgressUpdate.status, ProgressUpdate.text, ProgressUpdate.recorded_by,
                   ProgressUpdate.created_at, ProgressUpdate.source)
            .where(ProgressUpdate.recommendation_id == recommendation_id)
            .order_by(ProgressUpdate.recorded_on.is_(None), ProgressUpdate.recorded_on.desc(),
                      ProgressUpdate.id.desc()))
    rows = [[plain(d), plain(s), t, by, at.strftime("%Y-%m-%d %H:%M") if at else "", src]
            for d, s, t, by, at, src in session.execute(stmt)]
    return pd.DataFrame(rows, columns=HISTORY_COLUMNS)


def question_options(session: Session, scope: Scope, *, cycle_id: int) -> pd.DataFrame:
    """The questions of a cycle's framework a new recommendation can come from: question_id, code, text."""
    partnership_id = session.scalar(select(Cycle.partnership_id).where(Cycle.id == cycle_id))
    scope.check_read(partnership_id)
    rows = session.execute(select(Question.id, Question.code, Question.text).where(Question.cycle_id == cycle_id)
                           .order_by(Question.position, Question.code)).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=["question_id", "code", "text"])


# --- writes --------------------------------------------------------------------------------------

def _recommendation(session: Session, recommendation_id: int) -> tuple[Recommendation, int]:
    found = session.execute(select(Recommendation, Cycle.partnership_id).join(Cycle)
                            .where(Recommendation.id == recommendation_id)).first()
    if found is None:
        raise UserError("That recommendation no longer exists; reload the page and pick it again.")
    return found[0], found[1]


def _label(rec: Recommendation) -> str:
    by = f" ({rec.made_by})" if rec.made_by else ""
    return f"{rec.kind.value} {rec.number}{by}, {rec.cycle.label}"


def _text(value: str | None, what: str, required: bool = True) -> str:
    return checked_text(value, what, required=required)


def add_progress(session: Session, scope: Scope, recommendation_id: int, status: ActionStatus | str, text: str,
                 recorded_on: dt.date | None = None, today: dt.date | None = None) -> ProgressUpdate:
    """Append a dated progress update; earlier updates are never changed. The action's status follows the latest."""
    rec, partnership_id = _recommendation(session, recommendation_id)
    scope.check_update_action(partnership_id, rec.owner)
    today = today or dt.date.today()
    recorded_on = recorded_on or today
    if recorded_on > today:
        raise UserError(f"The update date {recorded_on.isoformat()} is in the future; record progress once made.")
    update = ProgressUpdate(recommendation_id=rec.id, recorded_on=recorded_on,
                            status=one_of(ActionStatus, status, "a status"),
                            text=_text(text, "progress update"), recorded_by=scope.username,
                            source=f"added by {scope.username}")
    session.add(update)
    session.flush()
    before = rec.status
    rec.status = session.scalar(select(ProgressUpdate.status).where(ProgressUpdate.recommendation_id == rec.id)
                                .order_by(ProgressUpdate.recorded_on.is_(None), ProgressUpdate.recorded_on.desc(),
                                          ProgressUpdate.id.desc()).limit(1))
    session.flush()
    change = f"; status {before.value} → {rec.status.value}" if rec.status != before else ""
    audit.record(session, scope, "progress",
                 f"update of {recorded_on.isoformat()} on {_label(rec)}: {update.status.value}{change}",
                 partnership_id=partnership_id)
    return update


def add_recommendation(session: Session, scope: Scope, cycle_id: int, number: str, text: str,
                       kind: ActionKind | str = ActionKind.RECOMMENDATION, made_by: str = "",
                       target: str | None = None, theme: str | None = None, owner: str = "",
                       response: str = "", due_on: dt.date | None = None,
                       status: ActionStatus | str = ActionStatus.OPEN,
                       question_id: int | None = None) -> Recommendation:
    """Record a new recommendation or commitment of a cycle (business managers and admins).

    `target` is the organisation it is asked of (name or alias), or None / "Partnership" for the partnership.
    """
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise UserError("That cycle no longer exists; reload the page and pick it again.")
    scope.check_write("recommendations", cycle.partnership_id)
    number = _text(number, "number (as published, e.g. 1, 4.2 or a)")[:20]
    try:
        kind = ActionKind(kind)
    except ValueError:
        raise UserError(f"'{kind}' is not a kind; use recommendation or commitment.") from None
    made_by = (made_by or "").strip()[:100]
    taken = session.scalar(select(Recommendation.id).where(
        Recommendation.cycle_id == cycle.id, Recommendation.made_by == made_by, Recommendation.kind == kind,
        Recommendation.number == number))
    if taken is not None:
        raise UserError(f"{cycle.label} already has {kind.value} {number}{' by ' + made_by if made_by else ''}; "
                        "give another number or edit that one.")
    rec = Recommendation(cycle_id=cycle.id, made_by=made_by, kind=kind, number=number,
                         text=_text(text, "recommendation text"), owner=_text(owner, "owner", False)[:200],
                         response=_text(response, "planned response", False), due_on=due_on,
                         status=one_of(ActionStatus, status, "a status"), source=f"added by {scope.username}")
    rec.organisation_id = _organisation(session, target)
    rec.theme_id = _theme(session, theme)
    rec.question_id = _question(session, cycle.id, question_id)
    session.add(rec)
    session.flush()
    audit.record(session, scope, "recommendation", f"added {_label(rec)}", partnership_id=cycle.partnership_id)
    return rec


def _organisation(session: Session, target: str | None) -> int | None:
    if not target or normalise(target) == "partnership":
        return None
    found = organisation_index(session).get(normalise(target))
    if found is None:
        close = suggest(target, [o.name for o in organisation_index(session).values()])
        hint = f"; did you mean {' or '.join(close)}?" if close else "; pick one from the list."
        raise UserError(f"'{target}' is not a known organisation{hint}")
    return found.id


def _theme(session: Session, theme: str | None) -> int | None:
    if not theme:
        return None
    found = session.scalar(select(Theme.id).where(Theme.name == theme))
    if found is None:
        raise UserError(f"'{theme}' is not a theme of the stable list.")
    return found


def _question(session: Session, cycle_id: int, question_id: int | None) -> int | None:
    if question_id is None:
        return None
    if session.scalar(select(Question.cycle_id).where(Question.id == question_id)) != cycle_id:
        raise UserError("That question is not in this cycle's framework; pick one of its questions.")
    return question_id


_UNCHANGED = object()


def update_recommendation(session: Session, scope: Scope, recommendation_id: int, owner: str | None = None,
                          due_on: dt.date | None | object = _UNCHANGED,
                          response: str | None = None) -> Recommendation:
    """Change an action's owner, due date (None clears it) or planned response; arguments left out stay as they are."""
    rec, partnership_id = _recommendation(session, recommendation_id)
    scope.check_write("recommendations", partnership_id)
    changes = []
    if owner is not None and owner.strip() != rec.owner:
        changes.append(f"owner '{rec.owner}' → '{owner.strip()}'")
        rec.owner = _text(owner, "owner", False)[:200]
    if due_on is not _UNCHANGED and due_on != rec.due_on:
        changes.append(f"due {plain(rec.due_on) or 'none'} → {plain(due_on) or 'none'}")
        rec.due_on = due_on  # type: ignore[assignment]
    if response is not None and response.strip() != rec.response:
        changes.append("planned response changed")
        rec.response = _text(response, "planned response", False)
    if changes:
        session.flush()
        audit.record(session, scope, "recommendation", f"edited {_label(rec)}: {'; '.join(changes)}",
                     partnership_id=partnership_id)
    return rec

