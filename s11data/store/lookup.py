"""Finding partnerships, cycles and organisations by the names people write, within the caller's scope."""
from __future__ import annotations

import difflib

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from s11data.store.errors import UserError
from s11data.store.names import normalise
from s11data.store.models import STABLE_THEMES, Cycle, Organisation, OrganisationAlias, Partnership, PartnershipAlias
from s11data.store.scope import Scope, in_scope


def stable_theme(text: str) -> str | None:
    """The stable theme a name means (case, '&'/'and' and punctuation ignored), or None."""
    wanted = normalise(text)
    return next((name for name in STABLE_THEMES if normalise(name) == wanted), None)


def closest_theme(name: str) -> str | None:
    """The stable theme a near miss most likely means: one whose name holds it ('Covid'), else the closest."""
    wanted = normalise(name)
    holding = [t for t in STABLE_THEMES if len(wanted) >= 4 and wanted in normalise(t)]
    if len(holding) == 1:
        return holding[0]
    close = suggest(name, list(STABLE_THEMES), n=1)
    return close[0] if close else None


def partnerships_in_scope(session: Session, scope: Scope) -> list[Partnership]:
    return list(session.scalars(select(Partnership).where(in_scope(Partnership.id, scope))
                                .order_by(Partnership.illustrative, Partnership.name)))


def find_partnership(session: Session, name: str, scope: Scope) -> Partnership:
    """The partnership called `name` (its name, short name or an alias) if it is in the caller's scope."""
    wanted = normalise(name)
    rows = session.execute(select(Partnership, PartnershipAlias.alias).outerjoin(PartnershipAlias)).all()
    for partnership, alias in rows:
        if wanted in {normalise(partnership.name), normalise(partnership.short_name), normalise(alias or "")}:
            if not scope.can_read(partnership.id):
                break
            return partnership
    known = [p.name for p in partnerships_in_scope(session, scope)]
    raise UserError(f"unknown partnership '{name}'{_known_hint(name, known)}")


NAMES_LISTED = 8
"""At most this many of the caller's partnerships are named when a name is not found (a national reader has 150)."""


def _known_hint(name: str, known: list[str]) -> str:
    """'; did you mean …' for a near miss, else the caller's partnerships (the first NAMES_LISTED, and how many
    more)."""
    close = suggest(name, known)
    if close:
        return "; did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
    if len(known) > NAMES_LISTED:
        return f"; yours include {', '.join(known[:NAMES_LISTED])} and {len(known) - NAMES_LISTED} more"
    return f"; yours: {', '.join(known)}" if known else ""


def find_cycle(session: Session, partnership: Partnership, label: str) -> Cycle:
    """The cycle `label` of a partnership; accepts '2023-24', '2023/24' or 'North Somerset 2023-24'."""
    cycles = list(session.scalars(select(Cycle).where(Cycle.partnership_id == partnership.id)))
    wanted = _label_key(label)
    for cycle in cycles:
        if _label_key(cycle.label) == wanted or wanted.endswith(" " + _label_key(cycle.label)):
            return cycle
    labels = ", ".join(sorted(c.label for c in cycles)) or "none yet"
    raise UserError(f"unknown cycle '{label}' for {partnership.name}; its cycles are: {labels}")


def _label_key(label: str) -> str:
    return normalise(label.replace("/", "-")).replace(" - ", "-")


def organisation_index(session: Session) -> dict[str, Organisation]:
    """Every organisation by its normalised name and aliases."""
    index: dict[str, Organisation] = {}
    for org in session.scalars(select(Organisation)):
        index[normalise(org.name)] = org
    for alias, org in session.execute(select(OrganisationAlias.alias, Organisation).join(Organisation)):
        index.setdefault(normalise(alias), org)
    return index


def suggest(name: str, candidates: list[str], n: int = 3) -> list[str]:
    """The closest known names to a near miss, best first."""
    folded = {normalise(c): c for c in candidates}
    return [folded[m] for m in difflib.get_close_matches(normalise(name), list(folded), n=n, cutoff=0.6)]


def search_organisations(session: Session, text: str, limit: int = 20) -> list[Organisation]:
    pattern = f"%{text}%"
    stmt = (select(Organisation).outerjoin(OrganisationAlias)
            .where(or_(Organisation.name.ilike(pattern), OrganisationAlias.alias.ilike(pattern)))
            .distinct().order_by(Organisation.name).limit(limit))
    return list(session.scalars(stmt))
