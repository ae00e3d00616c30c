"""The report's narrative: what a business manager writes per section of a cycle's report (issue 11, item 2).

A section is named by a key the draft gives its slot ("foreword", "section:A", "conclusion"). Every save adds a
version with its author and time; the highest version is current and earlier texts stay listable. Business managers
and admins of the cycle's partnership write (`Scope.can("report")`); anyone who can read the partnership reads.
Text is plain text, kept exactly as written (stripped of surrounding blanks): never Markdown or HTML.

    with db.write_session(engine) as s:
        narrative.save(s, scope, cycle_id, "section:A", "Most agencies ...")
    with db.read_session(engine) as s:
        written = narrative.latest(s, scope, cycle_id)      # {"section:A": document.Narrative(...), ...}
        report = draft.draft(s, scope, cycle_id=cycle_id, narratives=written)
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..store import audit
from ..store.errors import UserError, checked_text
from ..store.models import Cycle, Partnership, ReportNarrative
from ..store.scope import Scope
from .document import Narrative

NARRATIVE_MAX = 20_000
"""The longest text one section's narrative may have (about eight pages)."""
KEY_MAX = 80
HISTORY_COLUMNS = ["version", "written_at", "author", "text"]


def _cycle(session: Session, scope: Scope, cycle_id: int) -> Cycle:
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise UserError("That cycle no longer exists; reload the page and pick it again.")
    scope.check_read(cycle.partnership_id)
    return cycle


def _key(key: str) -> str:
    key = (key or "").strip()
    if not key or len(key) > KEY_MAX:
        raise UserError(f"A report section needs a name of 1 to {KEY_MAX} characters (e.g. 'foreword').")
    return key


def _when(at: dt.datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M} UTC"


def _current(session: Session, cycle_id: int, key: str) -> ReportNarrative | None:
    return session.scalar(select(ReportNarrative)
                          .where(ReportNarrative.cycle_id == cycle_id, ReportNarrative.section_key == key)
                          .order_by(ReportNarrative.version.desc()).limit(1))


def save(session: Session, scope: Scope, cycle_id: int, key: str, text: str, *,
         title: str = "") -> ReportNarrative:
    """Save a new version of one section's narrative (business managers and admins of the partnership).

    Refuses blank text and text over NARRATIVE_MAX characters. Text identical to the current version adds nothing
    and returns the current version. `title` (the section's heading) only words the audit line."""
    cycle = _cycle(session, scope, cycle_id)
    scope.check_write("report", cycle.partnership_id)
    key = _key(key)
    what = f"text of {title or key}"
    text = checked_text(text, what, required=True, limit=NARRATIVE_MAX)
    current = _current(session, cycle.id, key)
    if current is not None and current.text == text:
        return current
    row = ReportNarrative(partnership_id=cycle.partnership_id, cycle_id=cycle.id, section_key=key,
                          version=(current.version + 1) if current else 1, text=text, author=scope.username)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise UserError(f"Someone else saved the {what} a moment ago; reload the page, read their version "
                        "and save yours again.") from None
    partnership = session.get(Partnership, cycle.partnership_id)
    audit.record(session, scope, "report.narrative",
                 f"{title or key} of {partnership.short_name or partnership.name} {cycle.label}: version "
                 f"{row.version}, {len(text)} characters", partnership_id=cycle.partnership_id)
    return row


def latest(session: Session, scope: Scope, cycle_id: int) -> Mapping[str, Narrative]:
    """The current narrative of every section written for a cycle, by key (what `draft` merges in). A section
    nobody has written is absent: the draft shows its placeholder. `title` is left for the draft to give."""
    _cycle(session, scope, cycle_id)
    newest = (select(ReportNarrative.section_key, func.max(ReportNarrative.version).label("version"))
              .where(ReportNarrative.cycle_id == cycle_id).group_by(ReportNarrative.section_key).subquery())
    rows = session.execute(
        select(ReportNarrative.section_key, ReportNarrative.text, ReportNarrative.author,
               ReportNarrative.written_at)
        .join(newest, (newest.c.section_key == ReportNarrative.section_key)
              & (newest.c.version == ReportNarrative.version))
        .where(ReportNarrative.cycle_id == cycle_id).order_by(ReportNarrative.section_key)).all()
    return {key: Narrative(key=key, title="", text=text, author=author, written_at=_when(at))
            for key, text, author, at in rows}


def history(session: Session, scope: Scope, cycle_id: int, key: str) -> pd.DataFrame:
    """Every version of one section's narrative, newest first: version, written_at, author, text."""
    _cycle(session, scope, cycle_id)
    rows = session.execute(
        select(ReportNarrative.version, ReportNarrative.written_at, ReportNarrative.author, ReportNarrative.text)
        .where(ReportNarrative.cycle_id == cycle_id, ReportNarrative.section_key == _key(key))
        .order_by(ReportNarrative.version.desc())).all()
    return pd.DataFrame([(v, _when(at), a, t) for v, at, a, t in rows], columns=HISTORY_COLUMNS)
