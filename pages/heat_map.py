"""Heat map: organisations × questions or themes, each cell with its letter; click a cell for the evidence."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from app import charts, filters, labels, meeting, reads, screen, tables
from app.session import current_scope
from app.text import plain
from s11data.views import common, ratings_map

SORTS, VIEWS, ROW = ratings_map.SORTS, ratings_map.VIEWS, ratings_map.ROW

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
        wide = ratings_map.summary_table(per_question, "question")
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
    tables.show_or_list(shown.rename(columns={"column": "question", "column_label": "text"}),
                        name=f"responses {info.partnership_short} {info.label}", key="responses",
                        links={"organisation": "agency"}, line=["organisation", "question", "text"],
                        whole="evidence")


def draw_ratings() -> None:
    """The map, prepared once per scope, filters and view (`reads.ratings_map`): this run only draws it."""
    prepared = reads.ratings_map(scope, cycle_id=info.id, by=by, view=view, sort=sort, theme_id=f.theme_id,
                                 section=f.section, sector=f.sector, organisation_id=f.organisation_id, large=large)
    if prepared.nothing:
        st.info(prepared.nothing)
        return
    if large:  # meeting mode: the sentence, the key, then the map in a frame whose headings stay when it scrolls
        with lead:
            meeting.headline(list(prepared.headline))
            with st.container(key="heat_map_key"):
                st.text(" · ".join([LETTERS, *prepared.column_key]), width="stretch")
            with meeting.picture(), st.container(key="heat_map_frame", gap=None):
                with st.container(key="heat_map_head"):
                    charts.draw("heat_map", prepared.drawn, part="head", reused=True,
                                alt_text="Column headings of the heat map", **prepared.shape)
                with st.container(key="heat_map_body"):
                    event = charts.draw("heat_map", prepared.drawn, part="body", legend=False, key="heat_map_chart",
                                        on_select="rerun", selection_mode="cell", reused=True,
                                        alt_text=prepared.alt_text, **prepared.shape)
    else:
        event = charts.draw("heat_map", prepared.drawn, key="heat_map_chart", on_select="rerun",
                            selection_mode="cell", reused=True, alt_text=prepared.alt_text, **prepared.shape)
    st.caption("Click a cell to read its evidence and open the organisation. Letters: R requires improvement, "
               "A good, G outstanding, – not rated, N/A not applicable, ? grade not published, × not answered (left out "
               "of the return).")
    if not prepared.higher.empty:
        st.warning("**Rated themselves higher than the panel:** " + "; ".join(
            f"{plain(org)} ({n} {'cell' if n == 1 else 'cells'})"
            for org, n in prepared.higher.itertuples(index=False, name=None)), icon=":material/flag:")
    show_selection(event, prepared.cells)
    if by == "question":
        with st.expander("What each question asks", expanded=False):
            tables.show(prepared.questions, name=f"questions {info.partnership_short} {info.label}", reused=True)
    draw_summaries(prepared)


LETTERS = "R requires improvement · A good · G outstanding · – not rated · N/A not applicable · × not answered"
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


def draw_summaries(prepared: ratings_map.RatingsMap) -> None:
    st.subheader("Per question: % of returns at each grade")
    if not prepared.per_question.empty:
        if by != "question":
            st.caption("Shown by question; switch Columns to Question for the per-question layout.")
        tables.show(prepared.per_question, name=f"per-question {info.partnership_short} {info.label}", reused=True)
    st.subheader("Per organisation: how many questions at each grade")
    tables.show(prepared.per_organisation, name=f"per-organisation {info.partnership_short} {info.label}",
                links={"organisation": "agency"}, reused=True)
    if not prepared.published.empty:
        st.subheader("The report's own judgements (published aggregate)")
        st.caption("Figures as the report prints them, beside the ratings above.")
        tables.show(prepared.published, name=f"published {info.partnership_short} {info.label}", reused=True)


if info.source == common.PUBLISHED:
    draw_published()
elif info.source == common.RESPONSES:
    draw_responses("Responses by organisation")
elif info.source == common.NOTHING:
    st.info("Nothing recorded for this cycle yet: no returns, no published figures.")
else:
    draw_ratings()
