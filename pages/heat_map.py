"""Heat map: organisations × questions or themes, each cell with its letter; click a cell for the evidence."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from app import charts, filters, labels, meeting, reads, screen, tables
from app.session import current_scope
from app.text import plain
from s11data.charts import NOT_PUBLISHED, cell_letter
from s11data.views import common, figures, heat_map

SORTS = {"worst": "Worst first", "sector": "By sector", "az": "A–Z"}
ROW = "Organisation"  # the heat map's row field: screen readers announce it with each cell
GREEN_ROW = "% green · all shown"  # the heat map's last row: each column's % green
VIEWS = {"stands": "Rating that stands", "self": "Self-rating", "moderated": "Moderated (panel)",
         "difference": "Self vs panel"}

scope = current_scope()
f = filters.sidebar(scope, show=("partnership", "cycle", "theme", "section", "sector", "organisation"))
large = screen.is_on()
meeting.title(f"Heat map · {f.partnership or ''} {f.cycle or ''}")
filters.require_cycle(f)
with reads.refused_stops():
    info = reads.cycle_info(scope, cycle_id=f.cycle_id)

by, view, sort = "question", "stands", "worst"  # a published aggregate or a peer review: nothing to change
with meeting.controls():  # meeting mode: in the filter chip
    controls = (st.columns([2, 3, 2]) if not large else [st.container()] * 3) if info.source == common.RATINGS \
        else None
if controls:
    by = controls[0].segmented_control("Columns", ["question", "theme"], default="question", key="hm_by",
                                       format_func=str.capitalize) or "question"
    view = controls[1].segmented_control("Show", list(VIEWS), default="stands", key="hm_view",
                                         format_func=VIEWS.get) or "stands"
    sort = controls[2].segmented_control("Sort", list(SORTS), default="worst", key="hm_sort",
                                         format_func=SORTS.get) or "worst"
grade_of = "stands" if view == "difference" else view
lead = st.container()  # meeting mode: the headline and the map come before the notes on the data
labels.data_note(info, grade_of)
st.caption(f.describe())


def draw_published() -> None:
    """A cycle known only through its report's figures: show those, labelled as such."""
    per_question = reads.question_summary(scope, cycle_id=info.id, theme_id=f.theme_id, section=f.section)
    st.subheader("Per question, as published")
    st.caption("Percent of the returns at each grade, exactly as the report prints them (published aggregate). "
               "No per-organisation grades were published for this cycle. —: the report prints no figure there.")
    if not per_question.empty:
        per_question = per_question.assign(label=per_question["question"])
        order = list(dict.fromkeys(per_question.sort_values(["position", "question"])["question"]))
        charts.draw("rag_bars", per_question, label="label", label_order=order, large=large, height_per_bar=30,
                    alt_text="Published per-question percentages")
        wide = summary_table(per_question, "question")
        tables.show(wide, name=f"per-question published {info.partnership_short} {info.label}")
    counts = reads.organisation_counts(scope, cycle_id=info.id, sector=f.sector)
    st.subheader("Per organisation, as published")
    st.caption("How many questions each organisation rated at each grade (the report's Appendix One). "
               "The colours of these columns were lost in the report's text; they are read as green, amber, red "
               "in that order. —: the report prints no figure there (no zero is invented).")
    counts = counts.drop(columns=["source"]).dropna(axis="columns", how="all")
    tables.show(counts, name=f"per-organisation published {info.partnership_short} {info.label}",
                links={"organisation": "agency"})
    draw_responses("Quoted responses")


def summary_table(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Per question % at each grade, one row per question (the NSSCP report's layout)."""
    wide = frame.pivot_table(index=[key, "position"], columns="grade", values="percent", aggfunc="sum")
    present = [g for g in common.GRADES if g in wide.columns]
    wide = wide.reindex(columns=present)
    if (frame["source"] == common.RATINGS).all():
        wide = wide.fillna(0.0)  # counted from ratings: a grade nobody gave is 0%, not unknown
    wide = wide.reset_index().sort_values(["position", key]).drop(columns="position")
    wide.columns.name = None
    texts = frame.drop_duplicates(key).set_index(key)["text"]
    wide.insert(1, "text", wide[key].map(texts))
    return wide.rename(columns={g: f"% {g.lower()}" for g in present})


def draw_responses(title: str) -> None:
    """Ungraded peer reviews (and published quotations): what each organisation said, by question."""
    cells = reads.heat_map_cells(scope, cycle_id=info.id, theme_id=f.theme_id, section=f.section,
                      sector=f.sector, organisation_id=f.organisation_id)
    st.subheader(title)
    if cells.empty:
        st.info("No responses recorded for these filters.")
        return
    st.caption("This cycle has no grades to colour: the responses are shown as written.")
    shown = cells[cells["evidence"] != ""][["organisation", "column", "column_label", "evidence"]]
    tables.show(shown.rename(columns={"column": "question", "column_label": "text"}),
                name=f"responses {info.partnership_short} {info.label}", links={"organisation": "agency"})


def draw_ratings() -> None:
    cells = reads.heat_map_cells(scope, cycle_id=info.id, by=by, theme_id=f.theme_id, section=f.section,
                      sector=f.sector, organisation_id=f.organisation_id)
    if cells.empty:
        st.info("No ratings for these filters.")
        return
    higher = heat_map.rated_higher_than_panel(cells)
    cells = cells.copy()
    if view == "difference":
        cells["shown"] = [difference(s, m) for s, m in zip(cells["self"], cells["moderated"])]
        cells["letter"] = [f"{cell_letter(s)}›{cell_letter(m)}" if m else cell_letter(s)
                           for s, m in zip(cells["self"], cells["moderated"])]
    else:
        cells["shown"] = cells[view].fillna(NOT_PUBLISHED if view != "moderated" else "")
        cells = cells[cells["shown"] != ""]
        cells["letter"] = cells["shown"].map(cell_letter)
    if cells.empty:
        st.info("The panel moderated none of these ratings." if view == "moderated" else "No ratings.")
        return
    columns = list(dict.fromkeys(cells.sort_values(["position", "column"])["column"]))
    x_labels = dict(zip(cells["column"], cells["column_label"]))
    cells["row"] = (cells["sector"].str.capitalize() + " · " + cells["organisation"] if sort == "sector"
                    else cells["organisation"])
    rows = row_order(cells)
    drawn = cells[["column", "row", "shown", "letter"]].rename(columns={"row": ROW})
    greens = green_row()
    footer = tuple(pair for pair in greens if pair[0] in set(columns))
    shape = dict(x="column", y=ROW, grade="shown", footer=footer, footer_label=GREEN_ROW if footer else "",
                 x_order=columns, y_order=rows, difference=view == "difference", large=large,
                 unanswered=view != "moderated",  # unmoderated is not unanswered
                 x_title="Question" if by == "question" else "Theme", numbered=large and by == "theme")
    alt_text = f"Heat map of {len(rows)} organisations by {by}; each cell shows its letter."
    if large:  # meeting mode: the sentence, the key, then the map in a frame whose headings stay when it scrolls
        with lead:
            meeting.headline(map_sentence(len(rows), columns, greens))
            with st.container(key="heat_map_key"):
                st.text(" · ".join([LETTERS, *column_key(cells, columns)]), width="stretch")
            with meeting.picture(), st.container(key="heat_map_frame", gap=None):
                with st.container(key="heat_map_head"):
                    charts.draw("heat_map", drawn, part="head", alt_text="Column headings of the heat map", **shape)
                with st.container(key="heat_map_body"):
                    event = charts.draw("heat_map", drawn, part="body", legend=False, key="heat_map_chart",
                                        on_select="rerun", selection_mode="cell", alt_text=alt_text, **shape)
    else:
        event = charts.draw("heat_map", drawn, key="heat_map_chart", on_select="rerun", selection_mode="cell",
                            alt_text=alt_text, **shape)
    st.caption("Click a cell to read its evidence and open the organisation. Letters: R requires improvement, "
               "A good, G outstanding, – not rated, N/A not applicable, ? grade not published, × not answered (left out "
               "of the return).")
    if not higher.empty:
        st.warning("**Rated themselves higher than the panel:** " + "; ".join(
            f"{plain(org)} ({n} {'cell' if n == 1 else 'cells'})"
            for org, n in higher.itertuples(index=False, name=None)), icon=":material/flag:")
    show_selection(event, cells)
    if by == "question":
        with st.expander("What each question asks", expanded=False):
            tables.show(pd.DataFrame({"question": columns, "text": [x_labels[c] for c in columns]}),
                        name=f"questions {info.partnership_short} {info.label}")
    draw_summaries()


def green_row() -> tuple[tuple[str, str], ...]:
    """(column, '67%') for the heat map's last row: each column's % green over every organisation shown, the same
    figures as the tables beneath. None for one organisation, the self-vs-panel view or themes within a section."""
    if view == "difference" or f.organisation_id is not None or (by == "theme" and f.section):
        return ()
    if by == "question":
        summary = reads.question_summary(scope, cycle_id=info.id, grade_of=grade_of, theme_id=f.theme_id,
                            section=f.section, sector=f.sector)
    else:
        summary = reads.theme_summary(scope, cycle_id=info.id, grade_of=grade_of, theme_id=f.theme_id,
                            sector=f.sector)
    return tuple((column, f"{green:.0f}%") for column, green in heat_map.percent_green_of(summary, by).items())


def difference(self_grade: str | None, moderated: str | None) -> str:
    if not moderated:
        return "not moderated"
    rank = {g: i for i, g in enumerate(common.GRADES[:3])}
    s, m = rank.get(self_grade or ""), rank.get(moderated)
    if s is None or m is None or s == m:
        return "same as panel"
    return "higher than panel" if s > m else "lower than panel"


def row_order(cells: pd.DataFrame) -> list[str]:
    """The map's rows in the chosen order: worst first (most severe grade, then most red, most amber), by sector,
    or A–Z. Counted with vectorised comparisons: a Python function per group cost ~18 % of a warm run."""
    stands = cells["stands"].astype(object)
    per_cell = pd.DataFrame({"organisation": cells["organisation"], "sector": cells["sector"], "row": cells["row"],
                             "red": (stands == "Red").astype(int), "amber": (stands == "Amber").astype(int),
                             "worst": stands.map(WORST_RANK).fillna(len(WORST_RANK)).astype(int)})
    per_org = per_cell.groupby(["organisation", "sector", "row"], sort=False, observed=True).agg(
        red=("red", "sum"), amber=("amber", "sum"), worst=("worst", "min")).reset_index()
    if sort == "worst":
        per_org = per_org.sort_values(["worst", "red", "amber", "organisation"], ascending=[True, False, False, True])
    elif sort == "sector":
        per_org = per_org.sort_values(["sector", "organisation"])
    else:
        per_org = per_org.sort_values("organisation", key=lambda s: s.str.lower())
    return list(per_org["row"])


WORST_RANK = {"Red": 0, "Amber": 1, "Green": 2}


LETTERS = "R requires improvement · A good · G outstanding · – not rated · N/A not applicable · × not answered"


def map_sentence(rows: int, columns: list[str], greens: tuple[tuple[str, str], ...]) -> list[str]:
    """The heat map's headline: its size, % outstanding and requires improvement of what it shows (the
    overview's figures: `figures.percent_of` over `rag_distribution`), and the question with the least green."""
    mix = reads.rag_distribution(scope, cycle_id=info.id, grade_of=grade_of, theme_id=f.theme_id,
                                 section=f.section, sector=f.sector, organisation_id=f.organisation_id)
    green, red = figures.percent_of(mix, "Green"), figures.percent_of(mix, "Red")
    least = min(greens, key=lambda pair: float(pair[1].rstrip("%")), default=None)
    return [f"{rows} {'organisation' if rows == 1 else 'organisations'} × {len(columns)} "
            f"{by}{'' if len(columns) == 1 else 's'}",
            f"{green:.0f}% outstanding" if green is not None else "",
            f"{red:.0f}% requires improvement" if red is not None else "",
            f"least green: {least[0]} ({least[1]})" if least and by == "question" else ""]


def column_key(cells: pd.DataFrame, columns: list[str]) -> list[str]:
    """What each column heading stands for, in words: '3 neglect' (themes are numbered in meeting mode), the
    question's title where it is short ('1 Leadership and accountability'), else its section's title."""
    if by == "theme":
        return [f"{i} {name}" for i, name in enumerate(columns, start=1)]
    titles = dict(zip(cells["column"], cells["column_label"]))
    if all(len(titles[c]) <= KEY_TITLE_MAX for c in columns):
        return [f"{c} {titles[c]}" for c in columns]
    sections = dict(filters.sections(scope, info.id))
    used = list(dict.fromkeys(cells.sort_values("position")["section"]))
    return [f"{code} {sections[code]}" for code in used if sections.get(code)]


KEY_TITLE_MAX = 40  # a question text up to this long is a title (GSCP's standards) and goes in the key; longer
# ones are read in the evidence dialog and the 'What each question asks' table
SEEN_KEY = "hm_evidence_shown"


def show_selection(event, cells: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    """The clicked cell (marked on the map): its grades and evidence in a dialog, with the way to the agency.
    Shown once per click, not again when something else on the page reruns it."""
    picked = (event.selection.get("cell") or []) if event else []
    if not picked:
        st.session_state.pop(SEEN_KEY, None)
        return
    point = picked[0]
    chosen = cells[(cells["row"] == point.get(ROW)) & (cells["column"] == point.get("column"))]
    if chosen.empty or st.session_state.get(SEEN_KEY) == (point.get(ROW), point.get("column")):
        return
    st.session_state[SEEN_KEY] = (point.get(ROW), point.get("column"))
    evidence(chosen.iloc[0])


@st.dialog("Evidence", width="large")
def evidence(cell: pd.Series) -> None:
    """One cell: organisation and question, both grades, the evidence as written (plain text, never Markdown)."""
    org, column = cell["organisation"], cell["column"]
    st.subheader(plain(f"{org} · {column}"), anchor=False)
    if cell["column_label"] != column:
        st.text(cell["column_label"])
    grades = [f"Self-rating: {cell['self'] or 'not published'}",
              f"Panel: {cell['moderated']}" if cell["moderated"] else "Panel: not moderated"]
    st.text(" · ".join(grades))
    if by == "question":
        st.text(cell["evidence"] or "No evidence text recorded.")
    else:
        st.text(f"Lowest grade among {cell['answers']} answers on this theme; choose Columns: Question to read "
                "each answer's evidence.")
    filters.page_link("agency", f"Open {org} →", org=org, icon=":material/apartment:")


def draw_summaries() -> None:
    summary = reads.question_summary(scope, cycle_id=info.id, grade_of=grade_of, theme_id=f.theme_id,
                        section=f.section, sector=f.sector)
    counts = reads.organisation_counts(scope, cycle_id=info.id, grade_of=grade_of, theme_id=f.theme_id,
                       section=f.section, sector=f.sector)
    if f.organisation_id is not None:
        counts = counts[counts["organisation_id"] == f.organisation_id]
    st.subheader("Per question: % of returns at each grade")
    if by == "question" and not summary.empty:
        tables.show(summary_table(summary, "question"), name=f"per-question {info.partnership_short} {info.label}")
    elif not summary.empty:
        st.caption("Shown by question; switch Columns to Question for the per-question layout.")
        tables.show(summary_table(summary, "question"), name=f"per-question {info.partnership_short} {info.label}")
    st.subheader("Per organisation: how many questions at each grade")
    tables.show(counts.drop(columns=["source"]), name=f"per-organisation {info.partnership_short} {info.label}",
                links={"organisation": "agency"})
    published = reads.published_aggregates(scope, cycle_id=info.id, subject_kind="question")
    if not published.empty:
        st.subheader("The report's own judgements (published aggregate)")
        st.caption("Figures as the report prints them, beside the ratings above.")
        tables.show(published[["subject", "text", "grade", "count", "percent", "base", "note", "reference"]]
                    .rename(columns={"subject": "question"}),
                    name=f"published {info.partnership_short} {info.label}")


if info.source == common.PUBLISHED:
    draw_published()
elif info.source == common.RESPONSES:
    draw_responses("Responses by organisation")
elif info.source == common.NOTHING:
    st.info("Nothing recorded for this cycle yet: no returns, no published figures.")
else:
    draw_ratings()
