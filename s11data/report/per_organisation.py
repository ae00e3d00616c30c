"""The per-organisation table, as the cycle's data allows: GSCP's Table 1 shape (organisation × standard letters,
from `heat_map.heat_map_cells`, the Heat map page's read) where every organisation's grades are held and the
framework is short enough to print across a page; else NSSCP's Appendix One shape (counts per grade, from
`heat_map.organisation_counts`), published figures where the report gave only those."""
from __future__ import annotations

import re

import pandas as pd
from sqlalchemy import select

from ..admin import cycles
from ..views import common, filter_choices, heat_map
from ..views.engagement import ENGAGED
from ..store.models import AuditReturn, Rag, Rating, SubjectKind
from ..returns.ratings import LETTER, MEANING
from . import citations
from .context import Drafting, listed
from .document import Block, Heading, Table
from .figures import letter_grade

LETTER_COLUMNS_MAX = 10
"""Up to this many questions the table prints each one's letter (Table 1 shape); beyond, counts per grade."""
COUNT_GRADES = (Rag.GREEN.value, Rag.AMBER.value, Rag.RED.value, Rag.NOT_RATED.value, Rag.NOT_APPLICABLE.value)


def per_organisation(d: Drafting) -> list[Block]:
    if d.ungraded:
        title = "Responses per organisation"
    else:
        title = "Grades per organisation"
    blocks: list[Block] = [Heading(title, 1)]
    cells = heat_map.heat_map_cells(d.session, d.scope, d.cycle.id) if d.cycle.source == common.RATINGS else None
    if cells is not None and not cells.empty and cells["column"].nunique() <= LETTER_COLUMNS_MAX:
        blocks.append(letters_table(d, cells))
    else:
        blocks.append(counts_table(d))
    return blocks


def _word(d: Drafting, cells: pd.DataFrame) -> str:
    """'standard' where each section is one question (GSCP's four standards), else 'question'."""
    codes = {code for code, _title in filter_choices.cycle_sections(d.session, d.scope, d.cycle.id)}
    return "standard" if codes and codes == set(cells["column"]) else "question"


def letters_table(d: Drafting, cells: pd.DataFrame) -> Table:
    """Organisation × question, each cell the letter of the grade that stands (and its grade for shading)."""
    order = (cells[["column", "position"]].drop_duplicates().sort_values(["position", "column"])["column"].tolist())
    by_org = {org: dict(zip(group["column"], group["stands"])) for org, group in cells.groupby("organisation")}
    names = sorted(by_org, key=str.lower)
    rows = tuple((name, *(_letter(by_org[name].get(c)) for c in order)) for name in names)
    grades = tuple(("", *(letter_grade(by_org[name].get(c)) for c in order)) for name in names)
    word = _word(d, cells)
    key = ", ".join(f"{LETTER[g]} = {g.value} ({MEANING[g]})" for g in (Rag.GREEN, Rag.AMBER, Rag.RED)) + (
        f", {LETTER[Rag.NOT_RATED]} = not rated, {LETTER[Rag.NOT_APPLICABLE]} = not applicable; blank = not answered")
    moderated = cells["moderated"].notna().any()
    which = ("the grade that stands: the panel's moderated grade where it moderated, else the organisation's own"
             if moderated else "each organisation's own grade")
    sources = rating_citations(d)
    return Table(caption=f"How organisations rated themselves: grade per organisation and {word}",
                 header=("Organisation", *order),
                 rows=rows, grades=grades,
                 note=f"{key}. Each cell is {which}." + (f" Source: {'; '.join(sources)}." if sources else ""))


def _letter(grade: str | None) -> str:
    return LETTER[Rag(grade)] if grade else ""


def counts_table(d: Drafting) -> Table:
    """Appendix One shape: per organisation, how many questions at each grade (blank = not published)."""
    frame = heat_map.organisation_counts(d.session, d.scope, d.cycle.id)
    published = d.published
    grades = [g for g in COUNT_GRADES if g in frame.columns and frame[g].notna().any() and (frame[g] != 0).any()]
    if d.ungraded:
        grades = [Rag.NOT_RATED.value]
    rows = [(row["organisation"], *(_count(row[g]) for g in grades), _count(row["total"]))
            for _, row in frame.iterrows()]
    header = ("Organisation", *("Responses" if d.ungraded else g for g in grades), "Total")
    note = ""
    if published:
        missing = _returned_without_figures(d, set(frame["organisation"]))
        rows = sorted([*rows, *((name, *("" for _ in grades), "") for name in missing)], key=lambda r: r[0].lower())
        note = ("Published figures: the counts as the report printed them; a blank is a figure it did not print, "
                "never a zero." + (f" No figures were published for {listed(missing)}." if missing else "")
                + " " + " ".join(_published_notes(d)))
    return Table(caption=("Published figures: " if published else "") + (
        "responses recorded per organisation" if d.ungraded else "number of questions at each grade per organisation"),
        header=header, rows=tuple(rows), note=note.strip())


def _returned_without_figures(d: Drafting, shown: set[str]) -> list[str]:
    """Organisations that returned in the cycle but have no published per-organisation figures (printed 'n/a')."""
    invited = cycles.invitations(d.session, d.scope, d.cycle.id)
    engaged = {s.value for s in ENGAGED}
    return sorted((n for n, s in zip(invited["organisation"], invited["status"]) if s in engaged and n not in shown),
                  key=str.lower)


def _count(value: object) -> str:
    return "" if value is None or pd.isna(value) else str(int(value))  # type: ignore[arg-type, call-overload]


def _published_notes(d: Drafting) -> list[str]:
    """The sentences every published per-organisation figure's note shares (e.g. how the colours were read), and
    where the figures come from."""
    frame = heat_map.published_aggregates(d.session, d.scope, d.cycle.id, SubjectKind.ORGANISATION)
    if frame.empty:
        return []
    sentences = [set(_sentences(note)) for note in frame["note"]]
    shared = [s for s in _sentences(frame["note"].iloc[0]) if all(s in group for group in sentences)]
    cited = sorted({re.sub(r":.*$", "", d.cite(ref)) for ref in frame["reference"] if ref})
    return [*shared, *(f"Source: {c}." for c in cited)]


def _sentences(note: str) -> list[str]:
    note = re.sub(r"\s*\(per DESIGN\.md\)", "", note or "")
    return [s.strip() for s in re.split(r"(?<=[.])\s+", note) if s.strip()]


def rating_citations(d: Drafting) -> list[str]:
    """Where the cycle's current ratings come from, cited (empty for returns uploaded to the app)."""
    current = select(AuditReturn.id).where(AuditReturn.cycle_id == d.cycle.id, AuditReturn.is_current.is_(True))
    sources = d.session.scalars(select(Rating.source).where(Rating.return_id.in_(current)).distinct())
    return citations.grouped(sources, d.report_names)
