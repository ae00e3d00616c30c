"""Engagement: who was invited to each cycle, who responded, who was chased, and who is still missing.

Engagement states are the vocabulary of `models.Engagement`. They fall in four groups, so that a national return,
a two-year cycle or a withdrawn service is never counted as a failure, and nobody is confused with missing:

- engaged: submitted, late, reviewed
- own state (not expected locally this cycle): national return, two-year cycle, withdrawn
- did not engage: did not engage, declined
- missing: invited (no response recorded yet: to chase)

The funnel per cycle is invited → responded → submitted → reviewed:
- invited: every invitation of the cycle;
- responded: the organisation answered: submitted, late, reviewed, a national return, or a refusal (declined);
- submitted: a local return or a review (submitted, late, reviewed);
- reviewed: a peer review or panel session held (status reviewed, or a "review held" / "panel attended" contact).
The response rate is submitted ÷ expected, where expected = invited − national return − two-year cycle − withdrawn.
The chase list holds the invitations awaiting a response and those that did not engage, with the days since the
last dated contact.

Every function takes the caller's `Scope`; reads keep to its partnerships, writes check its role.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import pandas as pd
from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from s11data.store import audit
from s11data.store.errors import UserError, one_of
from s11data.returns.exports import plain
from s11data.store.models import (ENGAGED, Contact, ContactKind, Cycle, Engagement, Invitation, Organisation,
                                  Partnership)
from s11data.store.scope import Scope, in_scope

E = Engagement
OWN_STATES = (E.NATIONAL_RETURN, E.TWO_YEAR_CYCLE, E.WITHDRAWN)
NOT_ENGAGED = (E.DID_NOT_ENGAGE, E.DECLINED)
MISSING = (E.INVITED,)
TO_CHASE = (E.INVITED, E.DID_NOT_ENGAGE)
RESPONDED = (*ENGAGED, E.NATIONAL_RETURN, E.DECLINED)
REVIEW_CONTACTS = (ContactKind.REVIEW_HELD, ContactKind.PANEL_ATTENDED)

AWAITING = "awaiting response"
STATE_LABEL: dict[Engagement, str] = {**{s: s.value for s in Engagement}, E.INVITED: AWAITING}
"""How each state is headed in the funnel table and written on the status board ("invited" alone would read as
the first funnel stage)."""

GROUP: dict[str, str] = {
    **{s.value: "engaged" for s in ENGAGED},
    **{s.value: "own state" for s in OWN_STATES},
    **{s.value: "did not engage" for s in NOT_ENGAGED},
    AWAITING: "missing", E.INVITED.value: "missing",
}
"""The group of each status word (for colour and legend on the status board)."""

FUNNEL_STAGES = ("invited", "responded", "submitted", "reviewed")
STATE_COLUMNS = tuple(STATE_LABEL[s] for s in (*OWN_STATES, *NOT_ENGAGED, *MISSING))
FUNNEL_COLUMNS = ["cycle", *FUNNEL_STAGES, "expected", *STATE_COLUMNS, "response_rate", "partnership"]
CONTACT_COLUMNS = ["date", "organisation", "kind", "detail", "recorded_by", "cycle", "source", "partnership"]
CHASE_COLUMNS = ["organisation", "days_since_contact", "last_contact_on", "last_contact", "contacts", "status",
                 "sector", "cycle", "partnership"]
"""Column orders: what a reader scans first comes first; the partnership (one, on a page) comes last."""
DETAIL_MAX = 2000


# --- reads ---------------------------------------------------------------------------------------

def _filtered(stmt: Select, scope: Scope, partnership_id: int | None, cycle_id: int | None,
              organisation_id: int | None = None) -> Select:
    """Keep to the caller's partnerships and to the chosen partnership, cycle and organisation (None = all)."""
    stmt = stmt.where(in_scope(Cycle.partnership_id, scope))
    if partnership_id is not None:
        stmt = stmt.where(Cycle.partnership_id == partnership_id)
    if cycle_id is not None:
        stmt = stmt.where(Cycle.id == cycle_id)
    if organisation_id is not None:
        stmt = stmt.where(Invitation.organisation_id == organisation_id)
    return stmt


def funnel(session: Session, scope: Scope, *, partnership_id: int | None = None,
           cycle_id: int | None = None) -> pd.DataFrame:
    """One row per cycle: the funnel counts, each engagement state apart, and the response rate (%)."""
    by_status = _filtered(
        select(Cycle.id, Invitation.status, func.count(Invitation.id))
        .select_from(Invitation).join(Cycle).group_by(Cycle.id, Invitation.status), scope, partnership_id, cycle_id)
    counts: dict[int, dict[Engagement, int]] = {}
    for cid, status, n in session.execute(by_status):
        counts.setdefault(cid, {})[status] = n
    reviewed_contact = (select(Contact.invitation_id).where(Contact.kind.in_(REVIEW_CONTACTS))
                        .where(Contact.invitation_id == Invitation.id).exists())
    reviewed_q = _filtered(
        select(Cycle.id, func.count(Invitation.id)).select_from(Invitation).join(Cycle)
        .where((Invitation.status == E.REVIEWED) | reviewed_contact).group_by(Cycle.id),
        scope, partnership_id, cycle_id)
    reviewed = {cid: n for cid, n in session.execute(reviewed_q)}
    cycles = session.execute(
        _filtered(select(Cycle.id, Partnership.name, Cycle.label).join(Partnership), scope, partnership_id,
                  cycle_id).where(Cycle.id.in_(list(counts))).order_by(Partnership.name, Cycle.label)).all()
    rows = [_funnel_row(name, label, counts[cid], reviewed.get(cid, 0)) for cid, name, label in cycles]
    return pd.DataFrame(rows, columns=FUNNEL_COLUMNS)


def _funnel_row(partnership: str, label: str, counts: dict[Engagement, int], reviewed: int) -> list[object]:
    def total(states: Collection[Engagement]) -> int:
        return sum(counts.get(s, 0) for s in states)

    invited = sum(counts.values())
    expected = invited - total(OWN_STATES)
    submitted = total(ENGAGED)
    rate = response_rate(submitted, expected)
    states = [counts.get(s, 0) for s in (*OWN_STATES, *NOT_ENGAGED, *MISSING)]
    return [label, invited, total(RESPONDED), submitted, reviewed, expected, *states, rate, partnership]


def response_rate(received: int, expected: int) -> float | None:
    """Returns received as a % of those expected (one decimal); None when none is expected. The Overview's
    "Returns received" and the Engagement page's rate are this one figure."""
    return round(100 * received / expected, 1) if expected else None


def recent_cycles(frame: pd.DataFrame, cycle: str | None, n: int = 2) -> pd.DataFrame:
    """The funnel rows of `cycle` and the n − 1 cycles before it (all rows up to the latest without a cycle): the
    funnel a meeting reads on one screen, beside the response rate of every cycle."""
    upto = frame if cycle is None else frame[frame["cycle"] <= cycle]
    return upto[upto["cycle"].isin(sorted(upto["cycle"].unique())[-n:])]


def funnel_long(frame: pd.DataFrame) -> pd.DataFrame:
    """The funnel stages as long rows (partnership, cycle, stage, organisations), in stage order, for charts."""
    long = frame.melt(id_vars=["partnership", "cycle"], value_vars=list(FUNNEL_STAGES), var_name="stage",
                      value_name="organisations")
    long["stage"] = pd.Categorical(long["stage"], categories=list(FUNNEL_STAGES), ordered=True)
    return long.sort_values(["partnership", "cycle", "stage"]).reset_index(drop=True)


def response_rates(session: Session, scope: Scope, *, partnership_id: int | None = None) -> pd.DataFrame:
    """Response rate per cycle across every cycle of the chosen partnerships (submitted ÷ expected, %)."""
    frame = funnel(session, scope, partnership_id=partnership_id)
    return frame[["partnership", "cycle", "expected", "submitted", "response_rate"]].reset_index(drop=True)


def status_board(session: Session, scope: Scope, *, partnership_id: int | None = None,
                 cycle_id: int | None = None,
                 organisation_id: int | None = None) -> pd.DataFrame:
    """One row per partnership × organisation, one column per cycle, each cell the engagement status word
    ("awaiting response" for an invitation with no response yet). A blank cell: not invited to that cycle.
    """
    stmt = _filtered(
        select(Partnership.name, Organisation.name, Organisation.sector, Cycle.label, Invitation.status)
        .select_from(Invitation).join(Cycle).join(Partnership).join(Organisation),
        scope, partnership_id, cycle_id, organisation_id)
    rows = [(p, o, plain(sector), label, STATE_LABEL[status])
            for p, o, sector, label, status in session.execute(stmt)]
    long = pd.DataFrame(rows, columns=["partnership", "organisation", "sector", "cycle", "status"])
    if long.empty:
        return pd.DataFrame(columns=["organisation", "sector", "partnership"])
    board = long.pivot(index=["partnership", "organisation", "sector"], columns="cycle", values="status")
    board = board[sorted(board.columns)].fillna("").reset_index()
    board.columns.name = None
    board = board.sort_values(["partnership", "organisation"], key=lambda s: s.str.lower()).reset_index(drop=True)
    return board[[c for c in board.columns if c != "partnership"] + ["partnership"]]


def contact_history(session: Session, scope: Scope, *, partnership_id: int | None = None,
                    cycle_id: int | None = None,
                    organisation_id: int | None = None) -> pd.DataFrame:
    """Every dated contact event, newest first (undated events last)."""
    stmt = _filtered(
        select(Contact.occurred_on, Organisation.name, Contact.kind, Contact.detail, Contact.recorded_by,
               Cycle.label, Contact.source, Partnership.name)
        .select_from(Contact).join(Invitation).join(Cycle).join(Partnership).join(Organisation)
        .order_by(Contact.occurred_on.is_(None), Contact.occurred_on.desc(), Contact.id.desc()),
        scope, partnership_id, cycle_id, organisation_id)
    rows = [[plain(v) for v in row] for row in session.execute(stmt)]
    return pd.DataFrame(rows, columns=CONTACT_COLUMNS)


def chase_list(session: Session, scope: Scope, today: dt.date, *, partnership_id: int | None = None,
               cycle_id: int | None = None) -> pd.DataFrame:
    """Invitations to chase (awaiting a response, or did not engage), longest without contact first (never
    contacted at the top). `days_since_contact` counts from the latest dated contact to `today`; blank if none.
    """
    wanted = _filtered(select(Invitation.id).select_from(Invitation).join(Cycle)
                       .where(Invitation.status.in_(TO_CHASE)), scope, partnership_id, cycle_id)
    ranked = (select(Contact.invitation_id, Contact.occurred_on, Contact.kind,
                     func.row_number().over(partition_by=Contact.invitation_id,
                                            order_by=(Contact.occurred_on.desc(), Contact.id.desc())).label("n"))
              .where(Contact.occurred_on.is_not(None), Contact.invitation_id.in_(wanted)).subquery())
    counted = (select(Contact.invitation_id, func.count(Contact.id).label("n"))
               .where(Contact.invitation_id.in_(wanted)).group_by(Contact.invitation_id).subquery())
    stmt = (select(Partnership.name, Cycle.label, Organisation.name, Organisation.sector, Invitation.status,
                   ranked.c.occurred_on, ranked.c.kind, func.coalesce(counted.c.n, 0))
            .select_from(Invitation).join(Cycle).join(Partnership).join(Organisation)
            .outerjoin(ranked, (ranked.c.invitation_id == Invitation.id) & (ranked.c.n == 1))
            .outerjoin(counted, counted.c.invitation_id == Invitation.id)
            .where(Invitation.id.in_(wanted))
            .order_by(case((ranked.c.occurred_on.is_(None), 0), else_=1), ranked.c.occurred_on, Partnership.name,
                      Cycle.label, Organisation.name))
    rows = []
    for p, label, org, sector, status, last_on, kind, n in session.execute(stmt):
        days = (today - last_on).days if last_on else None
        rows.append([org, days, plain(last_on), plain(kind), n, STATE_LABEL[status], plain(sector), label, p])
    frame = pd.DataFrame(rows, columns=CHASE_COLUMNS)
    frame["days_since_contact"] = frame["days_since_contact"].astype("Int64")
    return frame


def invitation_options(session: Session, scope: Scope, *, partnership_id: int | None = None,
                       cycle_id: int | None = None) -> pd.DataFrame:
    """Invitations a form may act on: id, partnership, cycle, organisation, status."""
    stmt = _filtered(
        select(Invitation.id, Partnership.name, Cycle.label, Organisation.name, Invitation.status)
        .select_from(Invitation).join(Cycle).join(Partnership).join(Organisation)
        .order_by(Partnership.name, Cycle.label.desc(), Organisation.name), scope, partnership_id, cycle_id)
    rows = [[i, p, c, o, plain(s)] for i, p, c, o, s in session.execute(stmt)]
    return pd.DataFrame(rows, columns=["invitation_id", "partnership", "cycle", "organisation", "status"])


# --- writes --------------------------------------------------------------------------------------

def _invitation(session: Session, scope: Scope, invitation_id: int) -> tuple[Invitation, int]:
    """The invitation and its partnership id, after checking the caller may change invitations there."""
    found = session.execute(select(Invitation, Cycle.partnership_id).join(Cycle)
                            .where(Invitation.id == invitation_id)).first()
    if found is None:
        raise UserError("That invitation no longer exists; reload the page and pick it again.")
    invitation, partnership_id = found
    scope.check_write("invitations", partnership_id)
    return invitation, partnership_id


def _label(invitation: Invitation) -> str:
    partnership = invitation.cycle.partnership
    return f"{invitation.organisation.name} ({partnership.short_name or partnership.name} {invitation.cycle.label})"


def log_contact(session: Session, scope: Scope, invitation_id: int, kind: ContactKind | str,
                occurred_on: dt.date, detail: str = "", today: dt.date | None = None) -> Contact:
    """Add a dated contact event to an invitation (business managers and admins)."""
    invitation, partnership_id = _invitation(session, scope, invitation_id)
    kind = one_of(ContactKind, kind, "a kind of contact")
    today = today or dt.date.today()
    if occurred_on is None:
        raise UserError("Give the date of the contact.")
    if occurred_on > today:
        raise UserError(f"The contact date {occurred_on.isoformat()} is in the future; log contacts once made.")
    detail = (detail or "").strip()
    if len(detail) > DETAIL_MAX:
        raise UserError(f"The detail is {len(detail)} characters; keep it under {DETAIL_MAX}.")
    contact = Contact(invitation_id=invitation.id, kind=kind, occurred_on=occurred_on, detail=detail,
                      recorded_by=scope.username, source=f"logged by {scope.username}")
    session.add(contact)
    session.flush()
    audit.record(session, scope, "invitation",
                 f"contact {kind.value} on {occurred_on.isoformat()} with {_label(invitation)}",
                 partnership_id=partnership_id)
    return contact


def set_status(session: Session, scope: Scope, invitation_id: int, status: Engagement | str) -> Invitation:
    """Change an invitation's engagement status (business managers and admins)."""
    invitation, partnership_id = _invitation(session, scope, invitation_id)
    status = one_of(Engagement, status, "an engagement status")
    before = invitation.status
    if before == status:
        return invitation
    invitation.status = status
    session.flush()
    audit.record(session, scope, "invitation",
                 f"status of {_label(invitation)}: {before.value} → {status.value}", partnership_id=partnership_id)
    return invitation
