"""The audit log: sign-ins, failed sign-ins and every write, for admins to read.

Every write in `s11data` calls `record` inside the same session (so the same transaction) as the change it
describes: a rolled-back write leaves no audit line, and a committed one always has its line.

    from s11data.store import audit
    with db.write_session(engine) as session:
        ...  # the change
        audit.record(session, scope, "import", "return.csv: 15 returns, 285 ratings", partnership_id=p.id)

`action` is a short verb phrase from `ACTIONS` where one fits (free text is accepted: keep it short and stable,
e.g. "cycle.create"). `detail` says what changed in users' words. Never put a password, hash or cookie in it.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session

from s11data.store.models import AuditEvent, Partnership, User, UserPartnership
from s11data.store.scope import Scope, ScopeError, in_scope

ACTIONS = (
    "sign-in", "sign-in failed", "sign-in refused", "sign-out", "account locked", "account unlocked",
    "sessions ended", "user.add", "user.disable", "user.enable", "user.reset-password", "user.unlock",
    "user.partnerships", "user.themes", "user.demo-accounts",
    "import", "cycle", "invitation", "recommendation", "progress", "export",
    "report.narrative",
)
"""Actions in use. Others may be added; keep them short and stable so the log can be filtered."""

DETAIL_MAX = 2000


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def record(session: Session, scope_or_username: Scope | str, action: str, detail: str = "",
           partnership_id: int | None = None) -> AuditEvent:
    """Add one audit line to `session` (flushed with the caller's transaction, not committed here).

    `scope_or_username` is the caller's Scope, or a username where there is no scope yet (a sign-in attempt).
    """
    username = scope_or_username.username if isinstance(scope_or_username, Scope) else str(scope_or_username)
    event = AuditEvent(at=_now(), username=username[:100], action=action[:60], detail=(detail or "")[:DETAIL_MAX],
                       partnership_id=partnership_id)
    session.add(event)
    return event


AUDIT_COLUMNS = ["at", "username", "action", "detail", "partnership"]


def events(session: Session, scope: Scope, limit: int = 500, username: str | None = None,
           action: str | None = None) -> pd.DataFrame:
    """The newest audit lines, newest first; admins only.

    The operator sees every line. An admin sees the lines tied to one of their partnerships, and the untied lines
    (sign-ins, user changes) of the users they manage: users whose partnerships are all theirs. Nothing about
    another partnership's users or data reaches them."""
    if not scope.can("users"):
        raise ScopeError(f"Your role ({scope.role.value}) cannot read the audit log.")
    stmt = (select(AuditEvent.at, AuditEvent.username, AuditEvent.action, AuditEvent.detail, Partnership.name)
            .outerjoin(Partnership, Partnership.id == AuditEvent.partnership_id)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit))
    if not scope.everything:
        outside = exists().where(UserPartnership.user_id == User.id,
                                 UserPartnership.partnership_id.not_in(sorted(scope.partnership_ids)))
        managed = select(User.username).where(~outside)
        stmt = stmt.where(or_(in_scope(AuditEvent.partnership_id, scope),
                              and_(AuditEvent.partnership_id.is_(None), AuditEvent.username.in_(managed))))
    if username:
        stmt = stmt.where(AuditEvent.username == username)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    rows = session.execute(stmt).all()
    return pd.DataFrame([[at, u, a, d, p or ""] for at, u, a, d, p in rows], columns=AUDIT_COLUMNS)
