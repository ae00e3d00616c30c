"""What the shared filters can offer the caller: partnerships, cycles, organisations, themes, sectors, sections.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from s11data.store import db
from s11data.store.collector import fewer_collections
from s11data.store.lookup import normalise
from s11data.store.models import (
    Cycle,
    Organisation,
    OrganisationAlias,
    Partnership,
    PartnershipAlias,
    PartnershipMember,
    Question,
    Theme,
)
from s11data.store.scope import Scope, in_scope
from s11data.views.common import _value


# --- what the filters can offer ------------------------------------------------------------------

@dataclass(frozen=True)
class PartnershipChoice:
    id: int
    name: str
    short_name: str
    illustrative: bool
    aliases: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """How the partnership is written in links: its short name, else its name."""
        return self.short_name or self.name


class CycleChoice(NamedTuple):  # named tuples: a national reader's choices hold 1,500 cycles, 6,000 organisations
    id: int
    partnership_id: int
    label: str
    method: str
    scale: str


class OrganisationChoice(NamedTuple):
    id: int
    name: str
    sector: str
    partnership_ids: tuple[int, ...]
    """The partnerships it takes part in, ascending: a tuple of ints, which Python's collector stops tracking (a
    national reader's 6,000 frozensets made every other call pay a full collection, 70 ms)."""


@dataclass(frozen=True)
class Choices:
    """Everything the shared filters can offer a caller, within their scope (small lists, cached per scope)."""

    partnerships: tuple[PartnershipChoice, ...] = ()
    cycles: tuple[CycleChoice, ...] = ()
    themes: tuple[tuple[int, str], ...] = ()
    organisations: tuple[OrganisationChoice, ...] = ()
    organisation_aliases: tuple[tuple[str, int], ...] = field(default=())

    @cached_property
    def _normalised_names(self) -> tuple[tuple[str, OrganisationChoice], ...]:
        """(normalised name, organisation), built once per Choices (a national reader has 6,000)."""
        return tuple((normalise(o.name), o) for o in self.organisations)

    @cached_property
    def _organisation_names(self) -> dict[str, OrganisationChoice]:
        """Normalised name and alias → organisation, built once per Choices."""
        by_id = {o.id: o for o in self.organisations}
        names = {normalise(alias): by_id[oid] for alias, oid in self.organisation_aliases if oid in by_id}
        names.update(self._normalised_names)  # a name wins over another's alias
        return names

    def organisation_named(self, text: str | None) -> OrganisationChoice | None:
        """By exact name or alias (case, spacing, '&'/'and' folded), else the one organisation whose name
        contains the text ('Sirona')."""
        wanted = normalise(text or "")
        if not wanted:
            return None
        names = self._organisation_names
        if wanted in names:
            return names[wanted]
        partial = [o for name, o in self._normalised_names if wanted in name]
        return partial[0] if len(partial) == 1 else None


def filter_choices(session: Session, scope: Scope) -> Choices:
    """The partnerships, cycles, themes and organisations the caller may filter by (sections: `cycle_sections`)."""
    aliases: dict[int, list[str]] = {}
    for pid, alias in session.execute(select(PartnershipAlias.partnership_id, PartnershipAlias.alias)
                                      .where(in_scope(PartnershipAlias.partnership_id, scope))):
        aliases.setdefault(pid, []).append(alias)
    partnerships = tuple(
        PartnershipChoice(pid, name, short or "", bool(illustrative), tuple(sorted(aliases.get(pid, []))))
        for pid, name, short, illustrative in session.execute(
            select(Partnership.id, Partnership.name, Partnership.short_name, Partnership.illustrative)
            .where(in_scope(Partnership.id, scope)).order_by(Partnership.illustrative, Partnership.name)))
    cycles = tuple(
        CycleChoice(cid, pid, label, _value(method), _value(scale))
        for cid, pid, label, method, scale in session.execute(
            select(Cycle.id, Cycle.partnership_id, Cycle.label, Cycle.method, Cycle.scale)
            .where(in_scope(Cycle.partnership_id, scope)).order_by(Cycle.partnership_id, Cycle.label.desc())))
    themes = tuple((tid, name) for tid, name in session.execute(
        select(Theme.id, Theme.name).order_by(Theme.position, Theme.name)))
    with fewer_collections():  # a national reader's 6,000 organisations are one burst of objects
        return Choices(partnerships, cycles, themes, *_organisations(session, scope))


def _organisations(session: Session, scope: Scope) -> tuple[tuple[OrganisationChoice, ...],
                                                             tuple[tuple[str, int], ...]]:
    """Organisations invited to, or returning in, a cycle of one of the caller's partnerships (`partnership_member`,
    which the database keeps in step with every invitation and return), A–Z.

    Two plain reads a planner cannot get wrong: the caller's (organisation, partnership) pairs by the partnership
    index, then those organisations' names. One join sorted by name let SQLite walk the organisation-name index and
    probe partnership_member per organisation: 0.37 s of SQL for a reader of 150 partnerships, against 11 ms + 20 ms."""
    member = PartnershipMember
    by_org: dict[int, set[int]] = {}
    # the driver's own rows, not SQLAlchemy's: a national reader has 8,000 pairs and 6,000 names
    for oid, pid in db.plain_rows(session, select(member.organisation_id, member.partnership_id)
                                  .where(in_scope(member.partnership_id, scope))):
        by_org.setdefault(oid, set()).add(pid)
    named = select(Organisation.id, Organisation.name, Organisation.sector)
    if len(by_org) <= NAMED_BY_ID:
        named = named.where(Organisation.id.in_(sorted(by_org)))
    names = {oid: (name, sector) for oid, name, sector in db.plain_rows(session, named) if oid in by_org}
    organisations = tuple(OrganisationChoice(oid, names[oid][0], names[oid][1], tuple(sorted(by_org[oid])))
                          for oid in sorted(names, key=lambda oid: (names[oid][0], oid)))
    aliases = tuple((alias, oid) for alias, oid in session.execute(
        select(OrganisationAlias.alias, OrganisationAlias.organisation_id)) if oid in by_org)
    return organisations, aliases


NAMED_BY_ID = 500
"""Up to this many organisations are named by id; more (a regional or national reader) read every organisation's
name once, which costs less than binding thousands of ids."""


def cycle_sections(session: Session, scope: Scope, cycle_id: int) -> tuple[tuple[str, str], ...]:
    """The sections of a cycle's framework, (code, title) in framework order."""
    partnership_id = session.scalar(select(Cycle.partnership_id).where(Cycle.id == cycle_id))
    scope.check_read(partnership_id)
    rows = session.execute(select(Question.section_code, Question.section_title, func.min(Question.position))
                           .where(Question.cycle_id == cycle_id, Question.section_code != "")
                           .group_by(Question.section_code, Question.section_title)
                           .order_by(func.min(Question.position))).all()
    return tuple(dict.fromkeys((code, title) for code, title, _pos in rows))
