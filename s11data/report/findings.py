"""The findings chapter: per section (standard), the RAG distribution as a chart and a table of the same figures,
the change since the previous cycle on the same themes (a change of method named), self versus panel where the
panel moderated, strengths and risks quoted from the returns' evidence, and the section's narrative slot.

Figures: `overview.rag_distribution`, `question_summary`, `heat_map_cells`, `rated_higher_than_panel`,
`previous_cycle` and `percent_green` — the Overview, Heat map and Trends pages' reads."""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import pandas as pd

from ..admin import cycles
from ..views import common, heat_map, overview, trends
from ..store.models import Rag
from .context import Drafting, count, listed
from .document import Block, Heading, Paragraph, Table
from .facts import earlier_cycle
from .figures import OVERALL, distribution_chart, distribution_table, percent_text

QUOTES_MAX = 3
QUOTE_RULE = ("How quotations are chosen: for each section, strengths are quoted from the evidence of answers graded "
              "Green, and risks from answers graded Red, then Amber; up to three of each, in question order and then "
              "by organisation name. Evidence whose grade was not published or not given is quoted as a response (up "
              "to three; for an ungraded peer review, every response). Quotations are the returns' own words as "
              "recorded, with the organisation named; words recorded for several organisations are quoted once, "
              "naming them all.")
PUBLISHED_LABEL = "Published figures"


class Said(NamedTuple):
    """One answer's evidence, as the quotations read it."""

    organisation: str
    code: str
    position: int
    grade: str | None
    evidence: str


@dataclass(frozen=True)
class Figures:
    """What every section reads, read once per cycle: its framework, per-question distribution, the answers'
    evidence, the panel's moderation per question and the themes' % green (this and the previous cycle)."""

    framework: pd.DataFrame
    summary: pd.DataFrame
    cells: pd.DataFrame
    said: tuple[Said, ...]
    panel: dict[str, tuple[str, str]] | None
    green: dict[tuple[int, str], float]

    @classmethod
    def of(cls, d: Drafting) -> Figures:
        cells = heat_map.heat_map_cells(d.session, d.scope, d.cycle.id)
        said = tuple(sorted((Said(o, c, int(p), g if isinstance(g, str) else None, str(e).strip())
                             for o, c, p, g, e in zip(cells["organisation"], cells["column"], cells["position"],
                                                      cells["stands"], cells["evidence"]) if str(e).strip()),
                            key=lambda r: (r.position, r.code, r.organisation.lower())))
        green = (trends.percent_green(d.session, d.scope, [d.previous.id, d.cycle.id],
                                       partnership_id=d.cycle.partnership_id) if d.previous else {})
        summary = heat_map.question_summary(d.session, d.scope, d.cycle.id) if not d.ungraded else pd.DataFrame()
        return cls(cycles.framework(d.session, d.scope, d.cycle.id), summary, cells, said, _panel(d, cells), green)


def findings(d: Drafting) -> list[Block]:
    figures = Figures.of(d)
    framework = figures.framework
    blocks: list[Block] = [Heading("Findings", 1)]
    blocks += overall(d)
    blocks += comparison(d)
    blocks.append(Paragraph(QUOTE_RULE, "note"))
    sections = list(dict.fromkeys(zip(framework["section"], framework["section_title"]))) or [("", OVERALL)]
    for code, title in sections:
        codes = framework.loc[framework["section"] == code, "code"].tolist() if code else framework["code"].tolist()
        blocks += section(d, figures, code, title, codes)
    return blocks


def overall(d: Drafting) -> list[Block]:
    if d.ungraded:
        return [Paragraph("This cycle's responses were not graded: its findings are the responses the reviews "
                          "recorded, question by question.")]
    frame = overview.rag_distribution(d.session, d.scope, d.cycle.id)
    if frame.empty:
        return [Paragraph("No grades have been recorded for this cycle yet.")]
    frame = frame.assign(key=OVERALL, base=None)
    caption = _labelled(d, "grades across all questions")
    what = ("the mean of the per-question percentages the report published" if d.published
            else "every answer of every current return")
    return [Heading("All questions", 2),
            distribution_chart(frame, key="key", what=f"Grades across all questions ({what})",
                               caption=caption),
            distribution_table(frame, key="key", labels={}, key_header="Questions",
                               caption=caption, note=f"Figures: {what}.")]


def comparison(d: Drafting) -> list[Block]:
    """Which earlier cycle the themes are compared with, and whether its method differed."""
    previous = d.previous
    if previous is None:
        earlier = earlier_cycle(d.session, d.scope, d.cycle.id)
        if earlier is None:
            return [Paragraph("This is the partnership's first cycle recorded here: there is no earlier cycle to "
                              "compare with.", "note")]
        info = common.cycle_info(d.session, d.scope, earlier[0])
        why = "its responses were not graded" if info.source == common.RESPONSES else "no grades of it are recorded"
        return [Paragraph(f"There is no change to measure since the {info.label} cycle ({info.method}): {why}.",
                          "note")]
    text = f"Change since the previous graded cycle, {previous.label}, is shown per section on the same themes."
    changed = [f"{what} {a} then, {b} now" for what, a, b in (
        ("method", previous.method, d.cycle.method), ("scale", previous.scale, d.cycle.scale),
        ("figures from", _source(previous.source), _source(d.cycle.source))) if a != b]
    if changed:
        text += f" The method changed ({'; '.join(changed)}): compare with care."
    return [Paragraph(text, "note")]


def _labelled(d: Drafting, caption: str) -> str:
    """A caption, prefixed "Published figures: " for a cycle known only through its report's figures."""
    return f"{PUBLISHED_LABEL}: {caption}" if d.published else caption[0].upper() + caption[1:]


def _source(source: str) -> str:
    return "published figures" if source == common.PUBLISHED else "the returns' grades"


def _panel(d: Drafting, cells: pd.DataFrame) -> dict[str, tuple[str, str]] | None:
    """Per question, the self-assessed and the panel's grades in words ('Red 1, Green 11'), where the panel
    moderated (else None)."""
    if d.published or cells.empty or not cells["moderated"].notna().any():
        return None
    own, moderated = (_counted(heat_map.question_summary(d.session, d.scope, d.cycle.id, grade_of=grade_of))
                      for grade_of in ("self", "moderated"))
    return {code: (own.get(code, ""), moderated.get(code, "")) for code in {*own, *moderated}}


def _counted(summary: pd.DataFrame) -> dict[str, str]:
    said: dict[str, list[str]] = {}
    for code, grade, n in zip(summary["question"], summary["grade"], summary["count"]):
        said.setdefault(str(code), []).append(f"{grade} {int(n)}")
    return {code: ", ".join(parts) for code, parts in said.items()}


def section(d: Drafting, figures: Figures, code: str, title: str, codes: list[str]) -> list[Block]:
    heading = f"{code} {title}".strip() if code != title else title
    summary, framework = figures.summary, figures.framework
    blocks: list[Block] = [Heading(heading, 2)]
    blocks += distribution(d, heading, summary[summary["question"].isin(codes)] if not summary.empty else summary,
                           framework)
    blocks += theme_change(d, framework[framework["code"].isin(codes)], figures.green)
    if figures.panel is not None:
        blocks += self_versus_panel(figures.panel, codes, figures.cells[figures.cells["column"].isin(codes)],
                                    heading)
    wanted = set(codes)
    blocks += quotations(d, [said for said in figures.said if said.code in wanted])
    blocks.append(d.slot(f"section:{code}" if code else "section:all", f"Analysis: {heading}"))
    return blocks


def distribution(d: Drafting, heading: str, summary: pd.DataFrame, framework: pd.DataFrame) -> list[Block]:
    if d.ungraded:
        return []
    if summary.empty:
        return [Paragraph("No figures were published for this section." if d.published
                          else "No grades have been recorded for this section yet.")]
    texts = dict(zip(framework["code"], framework["question"]))
    base = summary["base"].dropna()
    note = (f"{PUBLISHED_LABEL}: percentages as the report printed them (base {int(base.iloc[0])} returns); "
            "counts were not published." if d.published and len(base)
            else "Each cell: answers at that grade (% of the question's answers); not rated and not applicable "
                 "are answers and count in the base.")
    caption = _labelled(d, f"grades per question, {heading}")
    return [distribution_chart(summary, key="question", what=f"Grades per question, {heading}", caption=caption),
            distribution_table(summary, key="question", labels=texts, caption=caption, note=note)]


def theme_change(d: Drafting, questions: pd.DataFrame, green: dict[tuple[int, str], float]) -> list[Block]:
    previous = d.previous
    if previous is None or questions.empty:
        return []
    themes = list(dict.fromkeys(t.strip() for cell in questions["themes"] for t in cell.split(";") if t.strip()))
    lines = []
    for theme in themes:
        before, now = green.get((previous.id, theme)), green.get((d.cycle.id, theme))
        if before is None or now is None:
            lines.append(f"{theme}: no grades in {previous.label if before is None else d.cycle.label}")
        else:
            lines.append(f"{theme}: {percent_text(before)} green in {previous.label}, {percent_text(now)} in "
                         f"{d.cycle.label} ({now - before:+.1f} points)")
    return [Paragraph(f"Change since {previous.label} on this section's themes: " + "; ".join(lines) + ".")]


def self_versus_panel(panel: dict[str, tuple[str, str]], codes: list[str], cells: pd.DataFrame,
                      heading: str) -> list[Block]:
    rows = tuple((code, *panel.get(code, ("", ""))) for code in codes)
    higher = heat_map.rated_higher_than_panel(cells)
    text = ("The panel's grades match every organisation's own grade in this section." if higher.empty else
            "Rated higher by themselves than by the panel: " + listed(
                [f"{org} ({count(int(n), 'cell')})" for org, n in zip(higher["organisation"],
                                                                     higher["cells rated higher"])]) + ".")
    return [Table(caption=f"Self-assessment and the panel's moderated grades, {heading} (answers at each grade)",
                  header=("Question", "Self-assessed", "Panel"), rows=rows), Paragraph(text)]


def quotations(d: Drafting, said: list[Said]) -> list[Block]:
    if not said:
        return []
    ranked = (Rag.GREEN.value, Rag.AMBER.value, Rag.RED.value)
    strengths = [s for s in said if s.grade == Rag.GREEN.value]
    risks = [s for s in said if s.grade == Rag.RED.value] + [s for s in said if s.grade == Rag.AMBER.value]
    responses = [s for s in said if s.grade not in ranked]
    cap = None if d.ungraded else QUOTES_MAX
    blocks: list[Block] = []
    for title, chosen in (("Strengths", strengths), ("Risks", risks), ("Responses", responses)):
        if chosen:
            blocks.append(Heading(title, 3))
            blocks += _quotes(chosen, cap, graded=not d.ungraded)
    return blocks


def _quotes(chosen: list[Said], cap: int | None, *, graded: bool) -> list[Paragraph]:
    """One quotation per distinct evidence text (words the record gives several organisations are quoted once,
    naming them all), in order, at most `cap`."""
    grouped: dict[str, list[Said]] = {}
    for said in chosen:
        if said.evidence in grouped or cap is None or len(grouped) < cap:
            grouped.setdefault(said.evidence, []).append(said)
    quotes = []
    for evidence, rows in grouped.items():
        organisations = list(dict.fromkeys(r.organisation for r in rows))
        codes = list(dict.fromkeys(r.code for r in rows))
        grade = rows[0].grade or "grade not published"
        source = (f"{listed(organisations)}, question{'s' if len(codes) > 1 else ''} {', '.join(codes)}"
                  + (f" ({grade})" if graded else ""))
        quotes.append(Paragraph(evidence, "quote", source=source))
    return quotes
