"""Resolving the shared filters: the raw values of a link's query parameters (`partnership`, `cycle`, `theme`,
`section`, `sector`, `org`, `screen`) against what the caller may choose (`filter_choices.Choices`), in one place and
one pass, into `Filters` — ids for the reads, canonical names for display and links. No Streamlit: `app.filters`
reads and writes the URL and draws the widgets."""
from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass

from s11data.store.models import Sector
from s11data.store.names import normalise
from s11data.views.filter_choices import Choices, CycleChoice, PartnershipChoice

MY_THEMES, ALL_THEMES = "mine", "all"
"""URL values of `theme`: the caller's own themes (a subgroup chair's default) and every theme."""


@dataclass(frozen=True)
class Filters:
    """The resolved filters of this run: canonical names for display and links, ids for queries."""

    partnership: str | None = None
    partnership_id: int | None = None
    partnership_name: str | None = None
    illustrative: bool = False
    cycle: str | None = None
    cycle_id: int | None = None
    cycle_method: str | None = None
    cycle_scale: str | None = None
    theme: str | None = None
    """A theme's name; "my themes (…)" for a chair's themes; None for all."""
    theme_id: int | tuple[int, ...] | None = None
    """One theme's id, the chair's theme ids (a tuple), or None for all: as queries take `theme_id`."""
    theme_param: str | None = None
    """The URL's `theme` when it is not a theme's name: 'mine', or 'all' for a chair who chose every theme."""
    my_theme_ids: tuple[int, ...] = ()
    """The caller's own themes (a subgroup chair's), offered first as "My themes"."""
    section: str | None = None
    sector: str | None = None
    org: str | None = None
    organisation_id: int | None = None
    screen: bool = False

    def params(self) -> dict[str, str]:
        """The URL form (only the filters that are set)."""
        values = {"partnership": self.partnership, "cycle": self.cycle, "theme": self.theme_param or self.theme,
                  "section": self.section, "sector": self.sector, "org": self.org,
                  "screen": "1" if self.screen else None}
        return {k: v for k, v in values.items() if v}

    def query_args(self) -> dict[str, int | str | None]:
        """Keyword arguments for `s11data.views` functions (None = all)."""
        return {"partnership_id": self.partnership_id, "cycle_id": self.cycle_id, "theme_id": self.theme_id,
                "section": self.section, "sector": self.sector, "organisation_id": self.organisation_id}

    def describe(self) -> str:
        """One line saying what is shown, e.g. 'NSSCP · 2023-24 · theme: neglect'."""
        parts = [self.partnership_name or "", self.cycle or ""]
        parts += [f"{k}: {v}" for k, v in (("theme", self.theme), ("section", self.section),
                                            ("sector", self.sector), ("organisation", self.org)) if v]
        return " · ".join(p for p in parts if p)


def resolve(c: Choices, raw: Mapping[str, str], across: bool,
            sections_of: Callable[[int], Iterable[tuple[str, str]]] = lambda _cid: (),
            mine: Collection[int] = ()) -> Filters:
    """The filters a link (or the session) asks for, in one pass: raw URL values in, ids and canonical names out.

    Unknown or out-of-scope values fall back to the defaults: the first partnership in scope and its latest cycle,
    the caller's own themes when they have some, else all. An organisation outside the chosen partnership is dropped
    unless `across`; `_org_only` (a link naming only an organisation) picks a partnership it is in."""
    org = c.organisation_named(raw.get("org"))
    partnership = _find_partnership(c, raw.get("partnership"))
    if org and raw.get("_org_only") and (partnership is None or partnership.id not in org.partnership_ids):
        partnership = next((p for p in c.partnerships if p.id in org.partnership_ids), partnership)
    if partnership is None and c.partnerships:
        partnership = c.partnerships[0]
    if org and partnership and partnership.id not in org.partnership_ids and not across:
        org = None
    cycles = [y for y in c.cycles if partnership and y.partnership_id == partnership.id]
    cycle = _find_cycle(cycles, raw.get("cycle")) or (cycles[0] if cycles else None)
    theme, theme_id, theme_param, my_ids = _find_theme(c, raw.get("theme", ""), mine)
    codes = [code for code, _title in sections_of(cycle.id)] if cycle and raw.get("section") else []
    section = next((s for s in codes if s.lower() == raw.get("section", "").strip().lower()), None)
    sector = next((s.value for s in Sector if normalise(s.value) == normalise(raw.get("sector", ""))), None)
    return Filters(
        partnership=partnership.key if partnership else None,
        partnership_id=partnership.id if partnership else None,
        partnership_name=partnership.name if partnership else None,
        illustrative=bool(partnership and partnership.illustrative),
        cycle=cycle.label if cycle else None, cycle_id=cycle.id if cycle else None,
        cycle_method=cycle.method if cycle else None, cycle_scale=cycle.scale if cycle else None,
        theme=theme, theme_id=theme_id, theme_param=theme_param, my_theme_ids=my_ids,
        section=section, sector=sector,
        org=org.name if org else None, organisation_id=org.id if org else None,
        screen=raw.get("screen") == "1")


def _find_partnership(c: Choices, text: str | None) -> PartnershipChoice | None:
    if not text:
        return None
    wanted = normalise(text)
    return next((p for p in c.partnerships
                 if wanted in {normalise(p.name), normalise(p.short_name), *map(normalise, p.aliases)}), None)


def _find_theme(c: Choices, text: str, mine: Collection[int]
                ) -> tuple[str | None, int | tuple[int, ...] | None, str | None, tuple[int, ...]]:
    """(theme, theme_id, theme_param, my_theme_ids) of a URL value: a theme's name, 'mine' or 'all'. A caller with
    themes of their own gets them when the URL names none (or an unknown one); 'all' is every theme."""
    mine_named = [(tid, name) for tid, name in c.themes if tid in mine]
    my_ids = tuple(tid for tid, _name in mine_named)
    wanted = normalise(text)
    if wanted == ALL_THEMES:
        return None, None, ALL_THEMES if my_ids else None, my_ids
    one = next(((tid, name) for tid, name in c.themes if normalise(name) == wanted), None)
    if one:
        return one[1], one[0], None, my_ids
    if my_ids:
        return my_themes_label([name for _tid, name in mine_named]), my_ids, MY_THEMES, my_ids
    return None, None, None, my_ids


def my_themes_label(names: Iterable[str]) -> str:
    """How "my themes" reads on screen, e.g. 'my themes (neglect; fathers)'."""
    return f"my themes ({'; '.join(names)})"


def _find_cycle(cycles: list[CycleChoice], text: str | None) -> CycleChoice | None:
    if not text:
        return None
    wanted = normalise(text.replace("/", "-"))
    return next((y for y in cycles if normalise(y.label) == wanted), None)
