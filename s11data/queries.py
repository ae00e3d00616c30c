"""Scoped read queries for the dashboard pages: small frames aggregated in the database.

Every function takes `session, scope` first and keeps only the caller's partnerships (`in_scope`). Filters are
keyword arguments by id (`partnership_id`, `cycle_id`, `theme_id`, `organisation_id`) or by value (`section`,
`sector`), as `app.filters.Filters.query_args()` gives them. Nothing here imports Streamlit.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from .models import (
    AuditReturn,
    Cycle,
    Invitation,
    Organisation,
    OrganisationAlias,
    Partnership,
    Question,
    Theme,
)
from .scope import Scope, in_scope


# --- what the filters can offer ------------------------------------------------------------------

@dataclass(frozen=True)
class PartnershipChoice:
    id: int
    name: str
    short_name: str
    illustrative: bool

    @property
    def key(self) -> str:
        """How the partnership is written in links: its short name, else its name."""
        return self.short_name or self.name


@dataclass(frozen=True)
class CycleChoice:
    id: int
    partnership_id: int
    label: str
    method: str
    scale: str


@dataclass(frozen=True)
class OrganisationChoice:
    id: int
    name: str
    sector: str
    partnership_ids: frozenset[int]


@dataclass(frozen=True)
class Choices:
    """Everything the shared filters can offer a caller, within their scope (small lists, cached per scope)."""

    partnerships: tuple[PartnershipChoice, ...] = ()
    cycles: tuple[CycleChoice, ...] = ()
    sections: tuple[tuple[int, str, str], ...] = ()
    """(cycle id, section code, section title) in framework order."""
    themes: tuple[tuple[int, str], ...] = ()
    organisations: tuple[OrganisationChoice, ...] = ()
    organisation_aliases: tuple[tuple[str, int], ...] = field(default=())


def filter_choices(session: Session, scope: Scope) -> Choices:
    """The partnerships, cycles, sections, themes and organisations the caller may filter by."""
    partnerships = tuple(
        PartnershipChoice(pid, name, short or "", bool(illustrative))
        for pid, name, short, illustrative in session.execute(
            select(Partnership.id, Partnership.name, Partnership.short_name, Partnership.illustrative)
            .where(in_scope(Partnership.id, scope)).order_by(Partnership.illustrative, Partnership.name)))
    cycles = tuple(
        CycleChoice(cid, pid, label, _value(method), _value(scale))
        for cid, pid, label, method, scale in session.execute(
            select(Cycle.id, Cycle.partnership_id, Cycle.label, Cycle.method, Cycle.scale)
            .where(in_scope(Cycle.partnership_id, scope)).order_by(Cycle.partnership_id, Cycle.label.desc())))
    sections = tuple(
        (cid, code, title) for cid, code, title, _pos in session.execute(
            select(Question.cycle_id, Question.section_code, Question.section_title,
                   Question.position.label("pos"))
            .join(Cycle).where(in_scope(Cycle.partnership_id, scope), Question.section_code != "")
            .distinct().order_by(Question.cycle_id, "pos")))
    sections = tuple(dict.fromkeys(sections))  # first appearance of each section, in framework order
    themes = tuple((tid, name) for tid, name in session.execute(
        select(Theme.id, Theme.name).order_by(Theme.position, Theme.name)))
    return Choices(partnerships, cycles, sections, themes, *_organisations(session, scope))


def _organisations(session: Session, scope: Scope) -> tuple[tuple[OrganisationChoice, ...],
                                                             tuple[tuple[str, int], ...]]:
    """Organisations invited to, or returning in, a cycle of one of the caller's partnerships."""
    links = union(
        select(Invitation.organisation_id.label("oid"), Cycle.partnership_id.label("pid"))
        .join(Cycle, Cycle.id == Invitation.cycle_id).where(in_scope(Cycle.partnership_id, scope)),
        select(AuditReturn.organisation_id.label("oid"), Cycle.partnership_id.label("pid"))
        .join(Cycle, Cycle.id == AuditReturn.cycle_id).where(in_scope(Cycle.partnership_id, scope)),
    ).subquery()
    by_org: dict[int, set[int]] = {}
    names: dict[int, tuple[str, str]] = {}
    for oid, name, sector, pid in session.execute(
            select(Organisation.id, Organisation.name, Organisation.sector, links.c.pid)
            .join(links, links.c.oid == Organisation.id).order_by(Organisation.name)):
        by_org.setdefault(oid, set()).add(pid)
        names[oid] = (name, _value(sector))
    organisations = tuple(OrganisationChoice(oid, names[oid][0], names[oid][1], frozenset(pids))
                          for oid, pids in by_org.items())
    aliases = tuple((alias, oid) for alias, oid in session.execute(
        select(OrganisationAlias.alias, OrganisationAlias.organisation_id)
        .where(OrganisationAlias.organisation_id.in_(select(links.c.oid)))))
    return organisations, aliases


def _value(member: object) -> str:
    return str(getattr(member, "value", member))
