"""Who is asking: the partnerships a caller may read and write, and what their role allows.

Every query and write in `s11data` takes a `Scope`. The UI may hide things too, but this is where it is enforced.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from s11data.store.models import Role
from s11data.store.names import normalise


class ScopeError(PermissionError):
    """The caller asked for something outside their partnerships or beyond their role."""


WRITE_ROLES: dict[str, frozenset[Role]] = {
    "import": frozenset({Role.BUSINESS_MANAGER, Role.ADMIN}),
    "cycles": frozenset({Role.BUSINESS_MANAGER, Role.ADMIN}),
    "invitations": frozenset({Role.BUSINESS_MANAGER, Role.ADMIN}),
    "recommendations": frozenset({Role.BUSINESS_MANAGER, Role.ADMIN}),
    "progress": frozenset({Role.CHAIR, Role.BUSINESS_MANAGER, Role.ADMIN}),
    "report": frozenset({Role.BUSINESS_MANAGER, Role.ADMIN}),
    "users": frozenset({Role.ADMIN}),
}


@dataclass(frozen=True)
class Scope:
    """The caller's partnerships (by id) and role. `everything=True` is the operator at the command line.

    `themes`: a subgroup chair's themes (ids), which their pages open filtered to (`app.filters`: "My themes").
    They are a default view, not a security boundary: the caller may still choose any theme, and reads are
    limited by `partnership_ids` alone."""

    username: str
    role: Role
    partnership_ids: frozenset[int] = field(default_factory=frozenset)
    subgroup: str = ""
    everything: bool = False
    themes: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def system(cls, username: str = "cli") -> Scope:
        """The operator with direct database access (command line, seeding, benchmarks)."""
        return cls(username=username, role=Role.ADMIN, everything=True)

    @classmethod
    def of(cls, username: str, role: Role | str, partnership_ids: Iterable[int], subgroup: str = "",
           themes: Iterable[int] = ()) -> Scope:
        return cls(username, Role(role), frozenset(partnership_ids), subgroup, themes=frozenset(themes))

    @property
    def cache_key(self) -> str:
        """A stable key for caches shared between users (`st.cache_data`)."""
        ids = "*" if self.everything else ",".join(map(str, sorted(self.partnership_ids)))
        themes = ",".join(map(str, sorted(self.themes)))
        return f"{self.role.value}|{ids}|{self.subgroup}|{themes}"

    def can_read(self, partnership_id: int | None) -> bool:
        return self.everything or partnership_id in self.partnership_ids

    def check_read(self, partnership_id: int | None) -> None:
        if not self.can_read(partnership_id):
            raise ScopeError("That partnership is not one of yours.")

    def can(self, action: str) -> bool:
        return self.everything or self.role in WRITE_ROLES[action]

    def check_write(self, action: str, partnership_id: int | None) -> None:
        """Raise ScopeError unless the role may do `action` in that partnership."""
        self.check_read(partnership_id)
        if not self.can(action):
            raise ScopeError(f"Your role ({self.role.value}) cannot change {action}.")

    def owns(self, owner: str) -> bool:
        """Whether the caller may update an action with this owner: a chair only those their subgroup owns
        (matched ignoring case, '&'/'and' and punctuation, e.g. owner 'GSCP Neglect Subgroup' for subgroup
        'Neglect subgroup'); business managers and admins any."""
        if self.everything or self.role is not Role.CHAIR:
            return True
        mine = normalise(self.subgroup)
        return bool(mine) and f" {mine} " in f" {normalise(owner or '')} "

    def check_update_action(self, partnership_id: int | None, owner: str) -> None:
        """Raise ScopeError unless the caller may record progress on an action of that partnership and owner."""
        self.check_write("progress", partnership_id)
        if not self.owns(owner):
            raise ScopeError(f"Only the owner of this action ({owner or 'no owner recorded'}) or a business "
                             f"manager can update it; you chair {self.subgroup or 'no subgroup'}.")


def in_scope(column, scope: Scope):  # type: ignore[no-untyped-def]
    """A WHERE clause keeping rows whose partnership column is in the caller's scope."""
    from sqlalchemy import true

    return true() if scope.everything else column.in_(sorted(scope.partnership_ids))
