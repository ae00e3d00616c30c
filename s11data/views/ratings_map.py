"""The heat map of a ratings cycle, prepared whole: the cells in the chosen view and order, what the chart draws
and its options, the headline and the tables beneath it. The page only draws it, and the app keeps one per scope,
filters and data version (`app.reads.ratings_map`; its chart spec once per map, `app.charts.draw(reused=True)`), so
a warm page load does no pandas and no Altair work at all.

    ratings_map(session, scope, cycle_id, by="question", view="stands", sort="worst", large=True)
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy.orm import Session

from s11data.returns.ratings import NOT_PUBLISHED, cell_letter
from s11data.store.scope import Scope
from s11data.views import common, figures, filter_choices, heat_map, overview
from s11data.views.common import ThemeFilter

ROW = "Organisation"
"""The heat map's row field: screen readers announce it with each cell."""
GREEN_ROW = "% green · all shown"
"""The heat map's last row: each column's % green."""
VIEWS = {"stands": "Rating that stands", "self": "Self-rating", "moderated": "Moderated (panel)",
         "difference": "Self vs panel"}
SORTS = {"worst": "Worst first", "sector": "By sector", "az": "A–Z"}
WORST_RANK = {"Red": 0, "Amber": 1, "Green": 2}
KEY_TITLE_MAX = 40
"""A question text up to this long is a title (GSCP's standards) and goes in the column key; longer ones are read
in the evidence dialog and the 'What each question asks' table."""


@dataclass(frozen=True)
class RatingsMap:
    """Everything the heat map page shows for one choice of filters and view. Shared between sessions: read only."""

    cells: pd.DataFrame
    """One row per cell shown: heat_map_cells' columns plus row (the row label), shown (what fills it), letter."""
    columns: tuple[str, ...] = ()
    rows: tuple[str, ...] = ()
    drawn: pd.DataFrame = field(default_factory=pd.DataFrame)
    """What the chart draws: column, Organisation (the row), shown, letter."""
    shape: dict = field(default_factory=dict)
    """The heat map chart's options (`s11data.charts.heat_map`) besides its part."""
    alt_text: str = ""
    headline: tuple[str, ...] = ()
    column_key: tuple[str, ...] = ()
    higher: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Organisations that rated themselves higher than the panel, with how many cells."""
    questions: pd.DataFrame = field(default_factory=pd.DataFrame)
    per_question: pd.DataFrame = field(default_factory=pd.DataFrame)
    per_organisation: pd.DataFrame = field(default_factory=pd.DataFrame)
    published: pd.DataFrame = field(default_factory=pd.DataFrame)
    nothing: str = ""
    """Why there is no map (no ratings for these filters, nothing moderated), else ''."""


def ratings_map(session: Session, scope: Scope, cycle_id: int, *, by: str = "question", view: str = "stands",
                sort: str = "worst", theme_id: ThemeFilter = None, section: str | None = None,
                sector: str | None = None, organisation_id: int | None = None, large: bool = False) -> RatingsMap:
    """The heat map of a ratings cycle for these filters, `by` question or theme, showing `view` (a VIEWS key),
    rows in `sort` order (a SORTS key); `large` for meeting mode."""
    grade_of = "stands" if view == "difference" else view
    narrowed = dict(theme_id=theme_id, section=section, sector=sector)
    cells = heat_map.heat_map_cells(session, scope, cycle_id, by=by, organisation_id=organisation_id, **narrowed)
    if cells.empty:
        return RatingsMap(cells, nothing="No ratings for these filters.")
    higher = heat_map.rated_higher_than_panel(cells)
    cells = shown_cells(cells, view)
    if cells.empty:
        return RatingsMap(cells, nothing="The panel moderated none of these ratings." if view == "moderated"
                          else "No ratings.")
    columns = tuple(dict.fromkeys(cells.sort_values(["position", "column"])["column"]))
    cells["row"] = (cells["sector"].str.capitalize() + " · " + cells["organisation"] if sort == "sector"
                    else cells["organisation"])
    rows = tuple(row_order(cells, sort))
    per_question = heat_map.question_summary(session, scope, cycle_id, grade_of=grade_of, **narrowed)
    greens = _green_row(session, scope, cycle_id, by, view, grade_of, organisation_id, theme_id, section, sector,
                        per_question)
    alt_text = f"Heat map of {len(rows)} organisations by {by}; each cell shows its letter."
    counts = heat_map.organisation_counts(session, scope, cycle_id, grade_of=grade_of, **narrowed)
    if organisation_id is not None:
        counts = counts[counts["organisation_id"] == organisation_id]
    labels = dict(zip(cells["column"], cells["column_label"]))
    published = heat_map.published_aggregates(session, scope, cycle_id, subject_kind="question")
    if not published.empty:
        published = published[["subject", "text", "grade", "count", "percent", "base", "note", "reference"]] \
            .rename(columns={"subject": "question"})
    mix = overview.rag_distribution(session, scope, cycle_id, grade_of=grade_of, organisation_id=organisation_id,
                                    **narrowed)
    return RatingsMap(
        cells=cells, columns=columns, rows=rows, alt_text=alt_text,
        drawn=cells[["column", "row", "shown", "letter"]].rename(columns={"row": ROW}),
        shape=_shape(columns, rows, greens, by=by, view=view, large=large),
        headline=tuple(map_sentence(mix, len(rows), columns, greens, by)),
        column_key=tuple(_column_key(session, scope, cycle_id, cells, columns, labels, by)),
        higher=higher,
        questions=pd.DataFrame({"question": list(columns), "text": [labels[c] for c in columns]}),
        per_question=with_not_answered(summary_table(per_question, "question"), common.not_answered(
            session, scope, cycles=[cycle_id], sector=sector, theme_id=theme_id, by_question=True))
        if not per_question.empty else per_question,
        per_organisation=counts.drop(columns=["source"]), published=published)


def shown_cells(cells: pd.DataFrame, view: str) -> pd.DataFrame:
    """The cells with what fills each (`shown`) and what is written in it (`letter`) in `view`; the moderated view
    leaves out the cells the panel did not moderate."""
    cells = cells.copy()
    if view == "difference":
        cells["shown"] = [difference(s, m) for s, m in zip(cells["self"], cells["moderated"])]
        cells["letter"] = [f"{cell_letter(s)}›{cell_letter(m)}" if m else cell_letter(s)
                           for s, m in zip(cells["self"], cells["moderated"])]
        return cells
    cells["shown"] = cells[view].fillna(NOT_PUBLISHED if view != "moderated" else "")
    cells = cells[cells["shown"] != ""].copy()
    cells["letter"] = cells["shown"].map(cell_letter)
    return cells


def difference(self_grade: str | None, moderated: str | None) -> str:
    """Self-rating beside the panel's: higher, lower, the same, or not moderated."""
    if not moderated:
        return "not moderated"
    rank = {g: i for i, g in enumerate(common.GRADES[:3])}
    s, m = rank.get(self_grade or ""), rank.get(moderated)
    if s is None or m is None or s == m:
        return "same as panel"
    return "higher than panel" if s > m else "lower than panel"


def row_order(cells: pd.DataFrame, sort: str) -> list[str]:
    """The map's rows in the chosen order: worst first (most severe grade, then most red, most amber), by sector,
    or A–Z. Counted in one pass over the cells (pandas' groupby cost ~15 % of a warm run)."""
    rows: dict[str, list] = {}  # row -> [worst rank, reds, ambers, organisation, sector]
    for row, organisation, sector, grade in zip(cells["row"], cells["organisation"], cells["sector"],
                                                cells["stands"]):
        tally = rows.setdefault(row, [len(WORST_RANK), 0, 0, organisation, sector])
        tally[0] = min(tally[0], WORST_RANK.get(grade, len(WORST_RANK)))
        tally[1] += grade == "Red"
        tally[2] += grade == "Amber"
    if sort == "worst":
        key = (lambda r: (rows[r][0], -rows[r][1], -rows[r][2], rows[r][3]))
    elif sort == "sector":
        key = (lambda r: (rows[r][4], rows[r][3]))
    else:
        key = (lambda r: rows[r][3].lower())
    return sorted(rows, key=key)


def summary_table(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Per question % at each grade, one row per question (the NSSCP report's layout)."""
    wide = frame.groupby([key, "position", "grade"], observed=True)["percent"].sum().unstack("grade")
    present = [g for g in common.GRADES if g in wide.columns]
    wide = wide.reindex(columns=present)
    if (frame["source"] == common.RATINGS).all():
        wide = wide.fillna(0.0)  # counted from ratings: a grade nobody gave is 0%, not unknown
    wide = wide.reset_index().sort_values(["position", key]).drop(columns="position")
    wide.columns.name = None
    texts = frame.drop_duplicates(key).set_index(key)["text"]
    wide.insert(1, "text", wide[key].map(texts))
    return wide.rename(columns={g: f"% {g.lower()}" for g in present})


NOT_ANSWERED_COLUMN = "not answered (returns)"
"""The per-question table's count of returns that left the question out ('×': not in its %s, unlike N/A)."""


def with_not_answered(table: pd.DataFrame, left_out: pd.DataFrame) -> pd.DataFrame:
    """The per-question table (`summary_table`) with how many returns left each question out
    (`common.not_answered` by question), when any did."""
    if left_out.empty:
        return table
    counts = dict(zip(left_out["question"], left_out["count"]))
    return table.assign(**{NOT_ANSWERED_COLUMN: [int(counts.get(q, 0)) for q in table["question"]]})


def _green_row(session: Session, scope: Scope, cycle_id: int, by: str, view: str, grade_of: str,
               organisation_id: int | None, theme_id: ThemeFilter, section: str | None,
               sector: str | None, per_question: pd.DataFrame) -> tuple[tuple[str, str], ...]:
    """(column, '67%') for the heat map's last row: each column's % green over every organisation shown, the same
    figures as the tables beneath. None for one organisation, the self-vs-panel view or themes within a section."""
    if view == "difference" or organisation_id is not None or (by == "theme" and section):
        return ()
    if by == "question":
        summary = per_question  # the table beneath: the same figures
    else:
        summary = overview.theme_summary(session, scope, cycle_id, grade_of=grade_of, theme_id=theme_id,
                                         sector=sector)
    return tuple((column, f"{green:.0f}%") for column, green in heat_map.percent_green_of(summary, by).items())


def _shape(columns: tuple[str, ...], rows: tuple[str, ...], greens: tuple[tuple[str, str], ...], *, by: str,
           view: str, large: bool) -> dict:
    footer = tuple(pair for pair in greens if pair[0] in set(columns))
    return dict(x="column", y=ROW, grade="shown", footer=footer, footer_label=GREEN_ROW if footer else "",
                x_order=list(columns), y_order=list(rows), difference=view == "difference", large=large,
                unanswered=view != "moderated",  # unmoderated is not unanswered
                x_title="Question" if by == "question" else "Theme", numbered=large and by == "theme")


def map_sentence(mix: pd.DataFrame, rows: int, columns: tuple[str, ...], greens: tuple[tuple[str, str], ...],
                 by: str) -> list[str]:
    """The heat map's headline: its size, % outstanding and requires improvement of what it shows (the
    overview's figures: `figures.percent_of` over `rag_distribution`), and the question with the least green."""
    green, red = figures.percent_of(mix, "Green"), figures.percent_of(mix, "Red")
    least = min(greens, key=lambda pair: float(pair[1].rstrip("%")), default=None)
    return [f"{rows} {'organisation' if rows == 1 else 'organisations'} × {len(columns)} "
            f"{by}{'' if len(columns) == 1 else 's'}",
            f"{green:.0f}% outstanding" if green is not None else "",
            f"{red:.0f}% requires improvement" if red is not None else "",
            f"least green: {least[0]} ({least[1]})" if least and by == "question" else ""]


def _column_key(session: Session, scope: Scope, cycle_id: int, cells: pd.DataFrame, columns: tuple[str, ...],
                titles: dict[str, str], by: str) -> list[str]:
    """What each column heading stands for, in words: '3 neglect' (themes are numbered in meeting mode), the
    question's title where it is short ('1 Leadership and accountability'), else its section's title."""
    if by == "theme":
        return [f"{i} {name}" for i, name in enumerate(columns, start=1)]
    if all(len(titles[c]) <= KEY_TITLE_MAX for c in columns):
        return [f"{c} {titles[c]}" for c in columns]
    sections = dict(filter_choices.cycle_sections(session, scope, cycle_id))
    used = list(dict.fromkeys(cells.sort_values("position")["section"]))
    return [f"{code} {sections[code]}" for code in used if sections.get(code)]
