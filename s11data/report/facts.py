"""The few facts about a cycle the report needs beyond what the pages read: its dates, its partnership's region,
the cycle before it, and which other partnerships its organisations take part in. Scoped like every read."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store.models import Cycle, Invitation, Organisation, Partnership, PartnershipMember
from ..store.scope import Scope, in_scope


@dataclass(frozen=True)
class CycleFacts:
    """Dates of a cycle as recorded (a month-only date is kept as the 1st; the seed's notes say so) and where it ran."""

    period_start: dt.date | None
    period_end: dt.date | None
    returns_due: dt.date | None
    published_on: dt.date | None
    region: str


def cycle_facts(session: Session, scope: Scope, cycle_id: int) -> CycleFacts:
    """The cycle's dates and its partnership's region (ScopeError when the cycle is not the caller's)."""
    row = session.execute(select(Cycle.partnership_id, Cycle.period_start, Cycle.period_end, Cycle.returns_due,
                                 Cycle.published_on, Partnership.region).join(Partnership)
                          .where(Cycle.id == cycle_id)).one()
    scope.check_read(row.partnership_id)
    return CycleFacts(row.period_start, row.period_end, row.returns_due, row.published_on, row.region or "")


def earlier_cycle(session: Session, scope: Scope, cycle_id: int) -> tuple[int, str] | None:
    """The partnership's cycle just before this one by label (graded or not), as (id, label), or None."""
    partnership_id, label = session.execute(select(Cycle.partnership_id, Cycle.label)
                                            .where(Cycle.id == cycle_id)).one()
    scope.check_read(partnership_id)
    row = session.execute(select(Cycle.id, Cycle.label).where(Cycle.partnership_id == partnership_id,
                                                              Cycle.label < label)
                          .order_by(Cycle.label.desc()).limit(1)).one_or_none()
    return (row.id, row.label) if row else None


def shared_organisations(session: Session, scope: Scope, cycle_id: int) -> dict[str, tuple[str, ...]]:
    """Organisations invited to this cycle that also take part in other partnerships in the caller's scope:
    organisation name → those partnerships' names (sorted)."""
    partnership_id = session.scalar(select(Cycle.partnership_id).where(Cycle.id == cycle_id))
    scope.check_read(partnership_id)
    invited = select(Invitation.organisation_id).where(Invitation.cycle_id == cycle_id)
    rows = session.execute(
        select(Organisation.name, Partnership.name)
        .select_from(PartnershipMember)
        .join(Organisation, Organisation.id == PartnershipMember.organisation_id)
        .join(Partnership, Partnership.id == PartnershipMember.partnership_id)
        .where(PartnershipMember.organisation_id.in_(invited), PartnershipMember.partnership_id != partnership_id,
               in_scope(PartnershipMember.partnership_id, scope))
        .order_by(Organisation.name, Partnership.name)).all()
    shared: dict[str, list[str]] = {}
    for organisation, partnership in rows:
        shared.setdefault(organisation, []).append(partnership)
    return {name: tuple(names) for name, names in shared.items()}
