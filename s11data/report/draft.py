"""`draft`: one cycle's Section 11 report, in the structure of the published reports, from the database.

Chapters (level-1 headings; renderers build the contents from them): Foreword (narrative), Introduction (what
Section 11 asks; how this audit ran), Engagement, Findings (per section), Grades per organisation,
Recommendations (this cycle's, "you said, we will", the previous cycle's progress), Conclusion, Sources. Every
figure comes from the s11data reads the pages use; every read takes the caller's scope (ScopeError outside it).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from sqlalchemy.orm import Session

from ..views import common, overview
from ..store.errors import UserError
from ..store.scope import Scope
from .citations import cited_sources, report_names
from .context import Drafting, count, when
from .document import Block, BulletList, Heading, Narrative, Paragraph, Report
from .facts import cycle_facts
from .findings import findings
from .introduction import introduction
from .participation import participation, response_rate
from .per_organisation import per_organisation
from .recommendations import recommendations

ILLUSTRATIVE_FOOTER = "Illustrative data — not a real partnership"


def draft(session: Session, scope: Scope, *, cycle_id: int, partnership_id: int | None = None,
          narratives: Mapping[str, Narrative] | None = None, today: dt.date | None = None,
          author: str | None = None) -> Report:
    """The report of one cycle. `author`: the signed-in user's name as passed (default: the partnership's business
    unit). `narratives`: what has been written per slot key ("foreword", "engagement", "section:<code>",
    "conclusion"); a slot with nothing written is an empty `Narrative` (a placeholder)."""
    d = drafting(session, scope, cycle_id=cycle_id, partnership_id=partnership_id, narratives=narratives,
                 today=today)
    blocks: list[Block] = []
    for chapter in CHAPTERS:
        blocks += chapter(d)
    return Report(title=title(d), subtitle=d.cycle.partnership, facts=facts(d, author), header=d.cycle.partnership,
                  footer=ILLUSTRATIVE_FOOTER if d.cycle.illustrative else "", illustrative=d.cycle.illustrative,
                  blocks=tuple(blocks))


def drafting(session: Session, scope: Scope, *, cycle_id: int, partnership_id: int | None = None,
             narratives: Mapping[str, Narrative] | None = None, today: dt.date | None = None) -> Drafting:
    """The context every chapter builder takes (for drafting one chapter alone, e.g. a regional roll-up)."""
    info = common.cycle_info(session, scope, cycle_id)
    if partnership_id is not None and partnership_id != info.partnership_id:
        raise UserError(f"Cycle {info.label} is not a cycle of that partnership; it belongs to {info.partnership}.")
    return Drafting(session, scope, info, cycle_facts(session, scope, cycle_id), today or dt.date.today(),
                    dict(narratives or {}), report_names(session, scope))


def title(d: Drafting) -> str:
    return d.cycle.title or f"Section 11 audit {d.cycle.label}"


def facts(d: Drafting, author: str | None) -> tuple[tuple[str, str], ...]:
    return (("Partnership", d.cycle.partnership), ("Cycle", d.cycle.label), ("Method", d.cycle.method),
            ("Date", when(d.today)), ("Author", author or f"{d.name} Business Unit"))


def foreword(d: Drafting) -> list[Block]:
    return [Heading("Foreword", 1), d.slot("foreword", "Foreword")]


def conclusion(d: Drafting) -> list[Block]:
    """A few sentences of figures already given above, then the business manager's conclusion."""
    figures = overview.returns_figures(d.session, d.scope, d.cycle.id)
    rate = response_rate(d)
    said = [f"{figures.received} of the {count(figures.expected, 'organisation')} expected returned"
            + (f" ({rate:g}%)" if rate is not None else "") + "."]
    if not d.ungraded:
        frame = overview.rag_distribution(d.session, d.scope, d.cycle.id)
        if not frame.empty:
            shares = ", ".join(f"{p:g}% {g}" for g, p in zip(frame["grade"], frame["percent"]))
            said.append(("Published figures: across" if d.published else "Across") + f" all questions, {shares}.")
    return [Heading("Conclusion", 1), Paragraph(" ".join(said)), d.slot("conclusion", "Conclusion")]


def sources(d: Drafting) -> list[Block]:
    cited = cited_sources(d.session, d.scope, [d.cycle.id], d.report_names)
    if not cited:
        return [Heading("Sources", 1), Paragraph("Every figure comes from the returns, invitations and actions "
                                                 "recorded in the database for this cycle.")]
    return [Heading("Sources", 1),
            Paragraph("The figures of this report come from the database; where they were transcribed from a "
                      "published report, that report is cited here."), BulletList(tuple(cited))]


CHAPTERS: tuple[Callable[[Drafting], list[Block]], ...] = (
    foreword, introduction, participation, findings, per_organisation, recommendations, conclusion, sources)
"""The chapters in report order (`draft` walks them)."""


def narrative_slots(report: Report) -> tuple[Narrative, ...]:
    """The narrative slots of a drafted report, in order (what the Report page offers to write)."""
    return tuple(block for block in report.blocks if isinstance(block, Narrative))
