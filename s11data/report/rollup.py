"""A regional roll-up: one report across several partnerships' cycles of one year (DESIGN §1: the five Avon &
Somerset partnerships combine their local reports into a regional one; issue 11, item 4).

The roll-up opens with what only a regional view says — engagement side by side, and % green per theme side by
side (frameworks differ between partnerships, themes do not) — then holds each partnership's own report as one
chapter, drafted by the same builders as a local report (`draft`), with that cycle's stored narrative. Every figure
comes from the functions the pages use (`overview.returns_figures` as on Overview, `trends.percent_green` as on
Trends). The caller must be able to read every partnership asked for (ScopeError otherwise).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence

from sqlalchemy.orm import Session

from ..views import common, filter_choices, overview, trends
from ..store.errors import UserError
from ..store.models import STABLE_THEMES
from ..store.scope import Scope
from . import charts_image
from . import draft as local
from .citations import cited_sources
from .context import Drafting, when
from .document import Block, BulletList, Chart, Heading, Narrative, Paragraph, Report, Table
from .findings import findings
from .introduction import how_this_cycle_ran, what_section_11_asks
from .participation import participation
from .per_organisation import per_organisation
from .recommendations import recommendations

_YEAR = re.compile(r"(19|20)\d\d")
ENGAGEMENT_HEADER = ("Partnership", "Cycle", "Method", "Invited", "Expected", "Returns received", "On time", "Late",
                     "National returns", "Not expected this cycle", "Still to chase")


def year_of(label: str) -> str | None:
    """The year a cycle's label starts in: '2021-22' → '2021', '2021' → '2021'; None when it names none."""
    found = _YEAR.search(label or "")
    return found.group(0) if found else None


def year_options(cycles: Iterable[filter_choices.CycleChoice]) -> dict[str, list[filter_choices.CycleChoice]]:
    """Years in which at least two partnerships have a cycle, newest first → those cycles (one partnership's
    several cycles starting in one year are all listed; a roll-up takes one of each)."""
    by_year: dict[str, list[filter_choices.CycleChoice]] = {}
    for cycle in cycles:
        year = year_of(cycle.label)
        if year:
            by_year.setdefault(year, []).append(cycle)
    return {year: sorted(found, key=lambda y: (y.partnership_id, y.label))
            for year, found in sorted(by_year.items(), reverse=True)
            if len({y.partnership_id for y in found}) >= 2}


def cycles_of_year(cycles: Iterable[filter_choices.CycleChoice], year: str, partnerships: Mapping[int, str]) -> list[int]:
    """Each partnership's cycle starting in `year` (its latest label if several), in the order `partnerships`
    (id → name) gives them; a UserError names a partnership with no cycle that year."""
    wanted = year_of(year) or year
    cycles = list(cycles)
    chosen = []
    for pid, name in partnerships.items():
        found = sorted((y for y in cycles if y.partnership_id == pid and year_of(y.label) == wanted),
                       key=lambda y: y.label)
        if not found:
            raise UserError(f"{name} has no cycle starting in {wanted}; leave it out or choose another year.")
        chosen.append(found[-1].id)
    return chosen


def _infos(session: Session, scope: Scope, cycle_ids: Sequence[int]) -> list[common.CycleInfo]:
    infos = [common.cycle_info(session, scope, cid) for cid in dict.fromkeys(cycle_ids)]  # ScopeError if not theirs
    if len(infos) < 2:
        raise UserError("A regional roll-up combines at least two partnerships' cycles; choose two or more.")
    seen: dict[int, str] = {}
    for info in infos:
        if info.partnership_id in seen:
            raise UserError(f"{info.partnership} appears twice ({seen[info.partnership_id]} and {info.label}); "
                            "a roll-up takes one cycle of each partnership.")
        seen[info.partnership_id] = info.label
    return infos


def engagement_table(session: Session, scope: Scope, infos: Sequence[common.CycleInfo]) -> Table:
    """Invitations and returns of each partnership's cycle, counted as the Overview page counts them."""
    rows = []
    for info in infos:
        r = overview.returns_figures(session, scope, info.id)
        rows.append((info.partnership, info.label, info.method, *map(str, (
            r.invited, r.expected, r.received, r.on_time, r.late, r.national, r.not_expected, r.to_chase))))
    return Table(caption="Engagement of each partnership's cycle", header=ENGAGEMENT_HEADER, rows=tuple(rows),
                 note="Expected: invited, less national returns, two-year cycles and withdrawn services. Still to "
                      "chase: no response recorded yet, or did not engage.")


def theme_table(session: Session, scope: Scope, infos: Sequence[common.CycleInfo]) -> Table:
    """% green per theme (rows, the stable list's order) and partnership (columns), as the Trends page counts it;
    '–' where a partnership's cycle has no graded answer on the theme."""
    green = trends.percent_green(session, scope, [i.id for i in infos])
    themes = [t for t in STABLE_THEMES if any((i.id, t) in green for i in infos)]
    rows = tuple((theme[:1].upper() + theme[1:], *(f"{green[(i.id, theme)]:.1f}%" if (i.id, theme) in green
                                                  else "–" for i in infos)) for theme in themes)
    published = [i.partnership_short for i in infos if i.source == common.PUBLISHED]
    note = ("% green of all answers on the theme's questions (not rated and not applicable included), the grade "
            "that stands (the panel's where it moderated).")
    if published:
        note += f" Published aggregates (the report's own percentages): {', '.join(published)}."
    return Table(caption="% green per theme, partnership by partnership",
                 header=("Theme", *(f"{i.partnership_short} {i.label}" for i in infos)), rows=rows, note=note)


def regional_blocks(session: Session, scope: Scope, infos: Sequence[common.CycleInfo]) -> list[Block]:
    """The roll-up's opening chapter: what the partnerships' cycles were, and their figures side by side."""
    methods = sorted({i.method for i in infos})
    ungraded = [i.partnership_short for i in infos if i.source in (common.RESPONSES, common.NOTHING)]
    blocks: list[Block] = [
        Heading("Across the partnerships", 1),
        Paragraph(f"This report combines the Section 11 audits of {len(infos)} partnerships: "
                  + "; ".join(f"{i.partnership} ({i.label}, {i.method})" for i in infos) + ". Each partnership "
                  "ran its own cycle with its own questions, so their findings are set side by side by theme, the "
                  "stable list every question is tagged with, not question by question."),
        Heading("Engagement", 2), engagement_table(session, scope, infos),
        Heading("Findings by theme", 2), theme_table(session, scope, infos)]
    if len(methods) > 1:
        blocks.append(Paragraph(f"The cycles used different methods ({', '.join(methods)}): a self-assessment and "
                                "a peer review or panel do not grade alike, so read the differences with care.",
                                style="note"))
    if ungraded:
        blocks.append(Paragraph(f"No grades to compare for {', '.join(ungraded)}: an ungraded peer review or a "
                                "cycle with no returns yet.", style="note"))
    return blocks


# --- the roll-up ------------------------------------------------------------------------------------------------

ROLLUP_TITLE = "Regional Section 11 report"
LOCAL_CHAPTERS: tuple[Callable[[Drafting], list[Block]], ...] = (
    how_this_cycle_ran, participation, findings, per_organisation, recommendations, local.conclusion)
"""What each partnership's chapter holds: the local report's own builders (the duty's standard text is said once,
in the roll-up's introduction; the sources are cited once, at the end)."""


def _demoted(blocks: Iterable[Block]) -> list[Block]:
    """A local report's blocks one level down, to sit inside its partnership's chapter (level 3 stays 3)."""
    return [dataclasses.replace(b, level=min(b.level + 1, 3)) if isinstance(b, Heading) else b for b in blocks]


def partnership_chapter(d: Drafting) -> list[Block]:
    """One partnership's cycle as a chapter of the roll-up, with that cycle's narrative."""
    blocks: list[Block] = [Heading(f"{d.cycle.partnership} · {d.cycle.label}", 1)]
    if d.narratives.get("foreword"):
        blocks += [Heading("Foreword", 2), d.slot("foreword", "Foreword")]
    for chapter in LOCAL_CHAPTERS:
        blocks += _demoted(chapter(d))
    return blocks


def named_captions(chapters: Sequence[tuple[str, list[Block]]]) -> list[Block]:
    """The chapters' blocks in order, a table's or chart's caption that recurs in another partnership's chapter
    followed by its partnership's name ("Grades across all questions — Bristol …"), so a reader (and a screen
    reader's list of tables) can tell them apart."""
    def captioned(blocks: Iterable[Block]) -> set[str]:
        return {b.caption for b in blocks if isinstance(b, (Table, Chart)) and b.caption}
    seen = Counter(caption for _, blocks in chapters for caption in captioned(blocks))
    repeated = {caption for caption, n in seen.items() if n > 1}
    return [dataclasses.replace(b, caption=f"{b.caption} — {name}")
            if isinstance(b, (Table, Chart)) and b.caption in repeated else b
            for name, blocks in chapters for b in blocks]


def draft_rollup(session: Session, scope: Scope, *, cycle_ids: Sequence[int],
                 narratives: Mapping[int, Mapping[str, Narrative]] | None = None, today: dt.date | None = None,
                 author: str | None = None) -> Report:
    """One report across several partnerships' cycles (one each), in the order given. `narratives`: per cycle id,
    what its business manager wrote (`narrative.latest`); a partnership's foreword is carried in where written, its
    sections' analyses and conclusion always (a placeholder where nothing is written)."""
    infos = _infos(session, scope, cycle_ids)
    today = today or dt.date.today()
    drafts = [local.drafting(session, scope, cycle_id=i.id, narratives=(narratives or {}).get(i.id), today=today)
              for i in infos]
    years = sorted({year_of(i.label) or i.label for i in infos})
    year = years[0] if len(years) == 1 else f"{years[0]}–{years[-1]}"
    regions = {d.facts.region for d in drafts}
    region = regions.pop() if len(regions) == 1 and "" not in regions else ""
    illustrative = any(i.illustrative for i in infos)
    blocks: list[Block] = [Heading("Introduction", 1), *what_section_11_asks(),
                           *regional_blocks(session, scope, infos)]
    with charts_image.drawing_ahead() as draw:  # the charts drawn on the other core while the chapters are drafted
        chapters = []
        for d in drafts:
            chapters.append((d.cycle.partnership, partnership_chapter(d)))
            draw(b.spec for b in chapters[-1][1] if isinstance(b, Chart))
    blocks += named_captions(chapters)
    cited = cited_sources(session, scope, [i.id for i in infos], drafts[0].report_names)
    blocks += [Heading("Sources", 1), Paragraph("The figures of this report come from the database; where they were "
                                                "transcribed from a published report, that report is cited here.")]
    blocks += [BulletList(tuple(cited))] if cited else []
    title = f"{ROLLUP_TITLE} {year}"
    return Report(
        title=title, subtitle=f"{region} partnerships" if region else "; ".join(i.partnership for i in infos),
        facts=(("Partnerships", "; ".join(i.partnership for i in infos)),
               ("Cycles", "; ".join(f"{i.partnership_short} {i.label}" for i in infos)),
               ("Methods", ", ".join(sorted({i.method for i in infos}))), ("Date", when(today)),
               ("Author", author or "The partnerships' business units")),
        header=f"{region} · {title}" if region else title,
        footer=local.ILLUSTRATIVE_FOOTER if illustrative else "", illustrative=illustrative, blocks=tuple(blocks))
