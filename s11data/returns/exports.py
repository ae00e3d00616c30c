"""The three exports of DESIGN §3: ratings (the long return form), actions and invitations.

Every export has `partnership` and `cycle` columns and is scoped to the caller's partnerships. The ratings export
is the long return form, so it imports back unchanged.
"""
from __future__ import annotations

import datetime as dt
import enum

import pandas as pd
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from s11data.store.lookup import find_cycle, find_partnership
from s11data.store.models import (
    AuditReturn,
    Contact,
    Cycle,
    Invitation,
    Organisation,
    Partnership,
    ProgressUpdate,
    Question,
    Rating,
    Recommendation,
    Theme,
)
from s11data.store.scope import Scope, in_scope
from s11data.returns.ratings import NOT_PUBLISHED

KINDS = ("ratings", "actions", "invitations")


def plain(value: object) -> object:
    """Enums as their published words, dates as ISO text, None as blank: what a spreadsheet should show."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else value


def frame_of(rows: list, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([[plain(v) for v in row] for row in rows], columns=columns)
RATING_COLUMNS = ["partnership", "cycle", "organisation", "question", "rating", "evidence", "moderated_rating",
                  "completed_by", "submitted_on"]


def _where(stmt: Select, session: Session, scope: Scope, partnership: str | None, cycle: str | None) -> Select:
    stmt = stmt.where(in_scope(Partnership.id, scope))
    if partnership:
        p = find_partnership(session, partnership, scope)
        stmt = stmt.where(Partnership.id == p.id)
        if cycle:
            stmt = stmt.where(Cycle.id == find_cycle(session, p, cycle).id)
    elif cycle:
        stmt = stmt.where(Cycle.label == cycle)
    return stmt


def ratings(session: Session, scope: Scope, partnership: str | None = None, cycle: str | None = None) -> pd.DataFrame:
    """Current returns in the long form: one row per organisation × question."""
    stmt = (select(Partnership.name, Cycle.label, Organisation.name, Question.code, Rating.rag, Rating.evidence,
                   Rating.moderated_rag, AuditReturn.completed_by, AuditReturn.submitted_on)
            .select_from(Rating).join(AuditReturn).join(Question).join(Cycle, Cycle.id == AuditReturn.cycle_id)
            .join(Partnership).join(Organisation, Organisation.id == AuditReturn.organisation_id)
            .where(AuditReturn.is_current.is_(True))
            .order_by(Partnership.name, Cycle.label, Organisation.name, Question.position, Question.code))
    rows = session.execute(_where(stmt, session, scope, partnership, cycle)).all()
    rows = [(*row[:4], row[4] or NOT_PUBLISHED, *row[5:]) for row in rows]
    return frame_of(rows, RATING_COLUMNS)


def actions(session: Session, scope: Scope, partnership: str | None = None, cycle: str | None = None,
            today: dt.date | None = None) -> pd.DataFrame:
    """Recommendations and commitments with owner, due date, status and their latest progress update."""
    today = today or dt.date.today()
    latest = (select(ProgressUpdate.recommendation_id, func.max(ProgressUpdate.id).label("uid"))
              .group_by(ProgressUpdate.recommendation_id).subquery())
    update = aliased(ProgressUpdate)
    stmt = (select(Partnership.name, Cycle.label, Recommendation.number, Recommendation.kind,
                   Recommendation.made_by, Recommendation.text, Organisation.name, Theme.name,
                   Recommendation.owner, Recommendation.response, Recommendation.due_on, Recommendation.status,
                   update.recorded_on, update.text, Recommendation.source)
            .select_from(Recommendation).join(Cycle).join(Partnership)
            .outerjoin(Organisation, Organisation.id == Recommendation.organisation_id)
            .outerjoin(Theme, Theme.id == Recommendation.theme_id)
            .outerjoin(latest, latest.c.recommendation_id == Recommendation.id)
            .outerjoin(update, update.id == latest.c.uid)
            .order_by(Partnership.name, Cycle.label, Recommendation.kind, Recommendation.made_by,
                      Recommendation.id))
    rows = session.execute(_where(stmt, session, scope, partnership, cycle)).all()
    records = []
    for (p, c, number, kind, made_by, text, target, theme, owner, response, due, status, updated_on,
         update_text, source) in rows:
        is_open = status.value in ("open", "in progress", "not started")
        records.append({
            "partnership": p, "cycle": c, "number": number, "kind": plain(kind), "made_by": made_by,
            "text": text, "target": target or "Partnership", "theme": theme or "", "owner": owner,
            "response": response, "due": plain(due), "status": plain(status),
            "overdue": "yes" if is_open and due is not None and due < today else "no",
            "last_update_on": plain(updated_on), "last_update": update_text or "",
            "source": source,
        })
    columns = ["partnership", "cycle", "number", "kind", "made_by", "text", "target", "theme", "owner", "response",
               "due", "status", "overdue", "last_update_on", "last_update", "source"]
    return pd.DataFrame(records, columns=columns)


def invitations(session: Session, scope: Scope, partnership: str | None = None,
                cycle: str | None = None) -> pd.DataFrame:
    """Every invited organisation with its engagement status and last dated contact."""
    last = (select(Contact.invitation_id, func.max(Contact.occurred_on).label("last_on"),
                   func.count(Contact.id).label("contacts"))
            .group_by(Contact.invitation_id).subquery())
    stmt = (select(Partnership.name, Cycle.label, Organisation.name, Organisation.sector, Invitation.status,
                   last.c.last_on, last.c.contacts, Invitation.note, Invitation.source)
            .select_from(Invitation).join(Cycle).join(Partnership).join(Organisation)
            .outerjoin(last, last.c.invitation_id == Invitation.id)
            .order_by(Partnership.name, Cycle.label, Organisation.name))
    rows = session.execute(_where(stmt, session, scope, partnership, cycle)).all()
    rows = [(*row[:6], row[6] or 0, *row[7:]) for row in rows]
    return frame_of(rows, ["partnership", "cycle", "organisation", "sector", "status", "last_contact_on",
                           "contacts", "note", "source"])


def export(session: Session, scope: Scope, kind: str, partnership: str | None = None,
           cycle: str | None = None) -> pd.DataFrame:
    return {"ratings": ratings, "actions": actions, "invitations": invitations}[kind](
        session, scope, partnership, cycle)

