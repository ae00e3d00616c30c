"""Sources as citations: every row of the published record names where it comes from ("002_….txt §4.1 Table 1");
the report cites it as a reader would ("GSCP Section 11 report 2021, §4.1 Table 1"), never by file id."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from sqlalchemy import Select, select, union
from sqlalchemy.orm import Session

from ..store.models import (
    AuditReturn,
    Contact,
    Cycle,
    Invitation,
    Partnership,
    ProgressUpdate,
    PublishedAggregate,
    Question,
    Rating,
    Recommendation,
)
from ..store.scope import Scope, in_scope

_FILE = re.compile(r"\b[\w.-]+\.(?:txt|pdf|docx?|html?)\b", re.IGNORECASE)
_ROW = re.compile(r",?\s*\b(?:row|item)s?\s+\d+\s*$", re.IGNORECASE)
UNNAMED_REPORT = "a published report"


def report_names(session: Session, scope: Scope) -> dict[str, str]:
    """Each published report file of the caller's cycles → how it is cited: '<short name> Section 11 report <cycle>'."""
    rows = session.execute(select(Cycle.report_file, Partnership.short_name, Partnership.name, Cycle.label)
                           .join(Partnership).where(Cycle.report_file != "", in_scope(Cycle.partnership_id, scope))
                           .order_by(Cycle.label)).all()
    return {file: f"{short or name} Section 11 report {label}" for file, short, name, label in rows}


def cite(source: str, names: Mapping[str, str]) -> str:
    """A row's `source` as a citation: file ids replaced by the report's name ("…, §4.1 Table 1")."""
    text = " ".join(source.split())

    def named(match: re.Match[str]) -> str:
        rest = text[match.end():].strip()
        return names.get(match.group(0), UNNAMED_REPORT) + ("," if rest and rest[0] not in ",;" else "")

    return _FILE.sub(named, text)


def _sources(cycle_id: int) -> Select:
    """Every source text of the rows a cycle's report reads (one UNION, distinct)."""
    current = select(AuditReturn.id).where(AuditReturn.cycle_id == cycle_id, AuditReturn.is_current.is_(True))
    recommendations = select(Recommendation.id).where(Recommendation.cycle_id == cycle_id)
    invitations = select(Invitation.id).where(Invitation.cycle_id == cycle_id)
    return union(
        select(Cycle.source).where(Cycle.id == cycle_id),
        select(Question.source).where(Question.cycle_id == cycle_id),
        select(Invitation.source).where(Invitation.cycle_id == cycle_id),
        select(Contact.source).where(Contact.invitation_id.in_(invitations)),
        select(Rating.source).where(Rating.return_id.in_(current)),
        select(PublishedAggregate.source).where(PublishedAggregate.cycle_id == cycle_id),
        select(Recommendation.source).where(Recommendation.cycle_id == cycle_id),
        select(ProgressUpdate.source).where(ProgressUpdate.recommendation_id.in_(recommendations)),
    )


def cited_sources(session: Session, scope: Scope, cycle_ids: list[int], names: Mapping[str, str]) -> list[str]:
    """One citation per published report the cycles' rows come from, naming the places cited in it ("GSCP Section
    11 report 2021: §3.5; §4.1 Table 1; …"), a table's rows cited once by the table. Only the caller's cycles."""
    allowed = set(session.scalars(select(Cycle.id).where(Cycle.id.in_(cycle_ids),
                                                         in_scope(Cycle.partnership_id, scope))))
    return grouped((source for cycle_id in sorted(allowed) for (source,) in session.execute(_sources(cycle_id))),
                   names)


def grouped(sources: Iterable[str | None], names: Mapping[str, str]) -> list[str]:
    """Source texts as one citation per report, naming each place cited in it once ("GSCP Section 11 report 2021:
    §4.1 Table 1; moderation §4.2"), a table's rows cited once by the table."""
    places: dict[str, set[str]] = {}
    for source in sources:
        for part in _parts(source or ""):
            report, _comma, place = cite(_ROW.sub("", part), names).partition(", ")
            places.setdefault(report, set())
            place = re.sub(r"\s*\([^)]*\)", "", place).split(":")[0].strip()
            if place and not place.startswith("also "):  # "also inline as …": the same text, a second place
                places[report].add(place)
    return [f"{report}: {'; '.join(sorted(found))}" if found else report
            for report, found in sorted(places.items()) if report]


def _parts(source: str) -> list[str]:
    """A source naming several places of one report ('002_….txt §3.5; §3.7') split into one citation per place."""
    pieces = [p.strip() for p in _top_level(source) if p.strip()]
    out: list[str] = []
    file = ""
    for piece in pieces:
        found = _FILE.search(piece)
        if found:
            file = found.group(0)
            out.append(piece)
        else:
            out.append(f"{file} {piece}" if file else piece)
    return out


def _top_level(source: str) -> list[str]:
    """`source` split at the semicolons outside brackets and quotes."""
    pieces, depth, quoted, start = [], 0, False, 0
    for i, char in enumerate(source):
        if char == '"':
            quoted = not quoted
        elif char in "([" and not quoted:
            depth += 1
        elif char in ")]" and not quoted:
            depth = max(depth - 1, 0)
        elif char == ";" and depth == 0 and not quoted:
            pieces.append(source[start:i])
            start = i + 1
    return [*pieces, source[start:]]
