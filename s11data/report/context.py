"""What every chapter builder of the draft is given: the session, the caller's scope, the cycle, today, the
narratives written so far and how to cite a source."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy.orm import Session

from ..views import common, words
from ..store.scope import Scope
from .citations import cite
from .document import Narrative
from .facts import CycleFacts


@dataclass(frozen=True)
class Drafting:
    session: Session
    scope: Scope
    cycle: common.CycleInfo
    facts: CycleFacts
    today: dt.date
    narratives: Mapping[str, Narrative]
    report_names: Mapping[str, str]

    @property
    def published(self) -> bool:
        """The cycle is known only through the figures its report published (no per-organisation grades)."""
        return self.cycle.source == common.PUBLISHED

    @property
    def ungraded(self) -> bool:
        """An ungraded peer review: responses only, no grades to count."""
        return self.cycle.source == common.RESPONSES

    @cached_property
    def previous(self) -> common.CycleInfo | None:
        """The partnership's previous cycle with grades (the one themes are compared with), read once."""
        return common.previous_cycle(self.session, self.scope, self.cycle.id)

    @property
    def name(self) -> str:
        """The partnership's short name (or its name) for sentences."""
        return self.cycle.partnership_short or self.cycle.partnership

    def slot(self, key: str, title: str) -> Narrative:
        """The narrative written for `key`, or an empty slot (rendered as a placeholder) titled `title`."""
        written = self.narratives.get(key)
        if written is None:
            return Narrative(key=key, title=title)
        return Narrative(key=key, title=written.title or title, text=written.text, author=written.author,
                         written_at=written.written_at)

    def cite(self, source: str) -> str:
        return cite(source, self.report_names)


def when(day: dt.date | str | None) -> str:
    """A date as the pages show it ('3 Oct 2025', `words.day`), blank when none is recorded."""
    return words.day(day) if day else ""


def count(n: int, word: str, plural: str | None = None) -> str:
    """'1 organisation', '3 organisations'."""
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def listed(names: list[str] | tuple[str, ...]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
