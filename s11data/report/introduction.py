"""The introduction: what Section 11 asks and of whom (one standard text), then how this cycle ran."""
from __future__ import annotations

from collections import Counter

from ..admin import cycles
from ..store.models import Method, Rag, Scale
from ..returns.ratings import MEANING
from . import section11
from .context import Drafting, count, listed, when
from .document import Block, BulletList, Heading, Paragraph
from .facts import shared_organisations

METHOD_TEXT: dict[str, str] = {
    Method.SELF_ASSESSMENT.value: "Each organisation assessed itself against the framework and sent the partnership "
                                  "a return: a grade for each question, with its evidence.",
    Method.PANEL.value: "Each organisation assessed itself in writing against the framework; a panel then met the "
                        "organisations to discuss their returns and moderate their grades.",
    Method.PEER_REVIEW.value: "Organisations' safeguarding arrangements were discussed in peer review workshops, "
                              "and the reviewers recorded each organisation's response to the framework's questions.",
}


def scale_text(scale: str) -> str:
    """How the cycle's answers were graded, in the reports' words (DESIGN §1)."""
    if scale == Scale.NONE.value:
        return "The responses were not graded."
    rag = ", ".join(f"{g.value} = {MEANING[g]}" for g in (Rag.RED, Rag.AMBER, Rag.GREEN))
    if scale == Scale.ZERO_TO_THREE.value:
        return (f"Each question was scored 0 to 3 (0 = low level or non-compliance, 3 = high compliance) and is "
                f"shown as RAG: 3 Green, 2 Amber, 0–1 Red ({rag}).")
    return f"Each question was graded Red, Amber or Green ({rag})."


def introduction(d: Drafting) -> list[Block]:
    return [Heading("Introduction", 1), *what_section_11_asks(), *how_this_cycle_ran(d)]


def what_section_11_asks() -> list[Block]:
    return [Heading("What Section 11 asks, and of whom", 2),
            Paragraph(section11.DUTY), Paragraph(section11.WHO_LEAD), BulletList(section11.WHO),
            Paragraph(section11.ARRANGEMENTS_LEAD), BulletList(section11.ARRANGEMENTS),
            Paragraph("In addition:"), BulletList(section11.IN_ADDITION), Paragraph(section11.AUDIT),
            Paragraph(f"Source: {section11.GUIDANCE}, as the published Section 11 reports quote it.", "note")]


def how_this_cycle_ran(d: Drafting) -> list[Block]:
    info = d.cycle
    frame = cycles.framework(d.session, d.scope, info.id)
    sections = list(dict.fromkeys(zip(frame["section"], frame["section_title"])))
    per_section = Counter(frame["section"])
    blocks: list[Block] = [Heading("How this audit ran", 2),
                           Paragraph(f"This is the {info.label} Section 11 audit of {info.partnership}, run as a "
                                     f"{info.method}. " + METHOD_TEXT.get(info.method, "")),
                           Paragraph(_framework_text(frame, sections, per_section) + " " + scale_text(info.scale))]
    if sections:
        blocks.append(BulletList(tuple(f"{code} {title} ({count(per_section[code], 'question')})".strip()
                                       for code, title in sections)))
    if d.published:
        blocks.append(Paragraph("The per-organisation answers of this cycle are not held: its figures are the ones "
                                "its report published, and they are labelled published figures.", "note"))
    dates = _dates(d)
    if dates:
        blocks.append(Paragraph(dates))
    blocks += _who_was_invited(d)
    return blocks


def _framework_text(frame, sections: list, per_section: Counter) -> str:  # type: ignore[no-untyped-def]
    if sections and all(n == 1 for n in per_section.values()):
        return f"The framework has {count(len(frame), 'standard')}, each assessed as one question."
    return f"The framework has {count(len(frame), 'question')}" + (
        f" in {count(len(sections), 'section')} (listed below)." if sections else ".")


def _dates(d: Drafting) -> str:
    f = d.facts
    parts = [(f"The audit period began on {when(f.period_start)}" if f.period_start else ""),
             (f"ended on {when(f.period_end)}" if f.period_end else ""),
             (f"returns were due by {when(f.returns_due)}" if f.returns_due else ""),
             (f"the report was published on {when(f.published_on)}" if f.published_on else "")]
    parts = [p for p in parts if p]
    return (listed(parts) + ".").capitalize() if parts else ""


def _who_was_invited(d: Drafting) -> list[Block]:
    invited = cycles.invitations(d.session, d.scope, d.cycle.id)
    if invited.empty:
        return [Paragraph("No organisation has been invited to this cycle yet.")]
    sectors = Counter(invited["sector"])
    by_sector = ", ".join(f"{n} {sector}" for sector, n in sorted(sectors.items(), key=lambda kv: (-kv[1], kv[0])))
    blocks: list[Block] = [Paragraph(f"{count(len(invited), 'organisation')} were invited ({by_sector}).")]
    shared = shared_organisations(d.session, d.scope, d.cycle.id)
    if d.facts.region:
        blocks.append(Paragraph(f"{d.cycle.partnership} is a partnership of the {d.facts.region} region."))
    if shared:
        blocks.append(Paragraph(f"{len(shared)} of these organisations also "
                                f"{'takes' if len(shared) == 1 else 'take'} part in other partnerships' audits:"))
        blocks.append(BulletList(tuple(f"{org}: {'; '.join(names)}" for org, names in shared.items())))
    return blocks

