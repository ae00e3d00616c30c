"""The Agency page's reads: one organisation across every cycle and partnership."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from s11data.returns.ratings import NOT_ANSWERED
from s11data.store.errors import UserError
from s11data.store.models import (
    AuditReturn,
    Contact,
    Cycle,
    Invitation,
    Organisation,
    OrganisationAlias,
    Partnership,
    ProgressUpdate,
    Question,
    Rag,
    Rating,
    Recommendation,
)
from s11data.store.scope import Scope, ScopeError, in_scope
from s11data.views.common import PUBLISHED, _grade_text, _rating_filters, _value, not_answered
from s11data.views.heat_map import _counts
from s11data.views.trends import _grade_rows


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
    """partnership, cycle, source, Green, Amber, Red, Not rated, Not applicable, Not answered — its ratings (or
    published counts) per cycle, and the questions its return left out ('×': no answer, unlike N/A)."""
    evidence: pd.DataFrame
    """partnership, cycle, question, text, self, moderated, evidence — its current answers, and the questions its
    return left out (self 'Not answered', '×': no answer, unlike N/A)."""
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
    left_out = not_answered(session, scope, cycles=sorted(cells), organisation_id=oid) if cells else None
    left = dict(zip(left_out["cycle_id"], left_out["count"])) if left_out is not None else {}
    records = []
    for cid, partnership, label, method in info:
        source, counted = sources[cid], cells[cid]
        missing = None if source == PUBLISHED else 0  # see _counts: a figure a report does not print stays blank
        records.append((partnership, label, _value(method), source, *(counted.get(g, missing) for g in columns),
                        left.get(cid, missing)))
    columns = [*columns, NOT_ANSWERED]
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
    rows = [(names[p], c, q, t, _grade_text(r), _grade_text(m) or "", e or "", p, pos)
            for p, c, q, t, r, m, e, pos in session.execute(stmt)]
    returned = session.scalars(select(AuditReturn.cycle_id).where(AuditReturn.organisation_id == oid,
                                                                  AuditReturn.is_current.is_(True))).all()
    left_out = not_answered(session, scope, cycles=returned, organisation_id=oid, by_question=True) \
        if returned else None
    if left_out is not None and not left_out.empty:  # its return left these out: '×', unlike N/A (an answer)
        cycle = {cid: (label, pid) for cid, label, pid in session.execute(
            select(Cycle.id, Cycle.label, Cycle.partnership_id).where(Cycle.id.in_(left_out["cycle_id"].tolist())))}
        rows += [(names[cycle[cid][1]], cycle[cid][0], q, t, NOT_ANSWERED, "", "", cycle[cid][1], pos)
                 for cid, q, t, pos in left_out[["cycle_id", "question", "text", "position"]]
                 .itertuples(index=False, name=None)]
        rows.sort(key=lambda r: r[8])
        rows.sort(key=lambda r: r[7])
        rows.sort(key=lambda r: r[1], reverse=True)  # as the query orders: latest cycle, partnership, position
    return pd.DataFrame([r[:7] for r in rows],
                        columns=["partnership", "cycle", "question", "text", "self", "moderated", "evidence"])


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
