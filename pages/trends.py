"""Trends: % green / amber / red per theme across cycles, one organisation's trajectory, partnerships side by side."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from app import charts, filters, labels, meeting, reads, screen, tables
from app.session import current_scope
from app.text import plain
from s11data import charts as s11charts
from s11data.views import figures

MEASURES = {"Green": "% green", "Amber": "% amber", "Red": "% red"}

scope = current_scope()
f = filters.sidebar(scope, show=("partnership", "theme", "sector", "organisation"))
large = screen.is_on()
meeting.title(f"Trends · {f.partnership or ''}")
lead = st.container()  # meeting mode: the headline and the theme grid first
filters.illustrative_banner(f)
st.caption("Themes carry a trend across framework changes: every question is tagged with themes from one stable "
           "list. Each column names how its cycle was graded; 'published' = only the report's published figures "
           "(published aggregate).")


def method_changes(frame: pd.DataFrame) -> list[tuple[str, str]]:
    """(cycle, note) where a cycle was assessed differently from the one before it."""
    cycles = frame.drop_duplicates("cycle").sort_values("cycle")
    changes, last = [], None
    for row in cycles.itertuples():
        how = (row.method, row.scale)
        if last is not None and how != last:
            changes.append((row.cycle, f"{labels.method_words_of(*how)} (before: {labels.method_words_of(*last)})"))
        last = how
    return changes


def cycle_labels(frame: pd.DataFrame) -> dict[str, str]:
    """Cycle → column label naming how it was graded, e.g. '2024-25 · panel' or '2023-24 · published'."""
    out = {}
    for row in frame.drop_duplicates("cycle").itertuples():
        how = "published" if row.source == "published aggregate" else row.method
        out[row.cycle] = f"{row.cycle} · {how}"
    return out


def short_names() -> dict[str, str]:
    return {p.name: p.key for p in filters.choices(scope).partnerships}


def wide_table(frame: pd.DataFrame, index: list[str]) -> pd.DataFrame:
    wide = frame.pivot_table(index=index, columns="grade", values="percent", aggfunc="sum")
    present = [g for g in ("Red", "Amber", "Green", "Not rated", "Not applicable") if g in wide.columns]
    wide = wide.reindex(columns=present).reset_index()
    wide.columns.name = None
    counted = wide["source"] == "ratings"  # counted from ratings, a grade nobody gave is 0%; published: not printed
    wide.loc[counted, present] = wide.loc[counted, present].fillna(0.0)
    return wide.rename(columns={g: f"% {g.lower()}" for g in present})


def with_left_out(frame: pd.DataFrame, label: str, **which: object) -> pd.DataFrame:
    """Bars' `frame` with each bar's count of questions not answered (said beside the bar; not in its %s)."""
    if frame.empty:
        return frame
    counted = reads.not_answered(scope, cycles=tuple(sorted(set(frame["cycle_id"]))), **which)
    bar_of = dict(zip(frame["cycle_id"], frame[label]))
    return s11charts.with_not_answered(frame, label=label, counts={
        bar_of[row.cycle_id]: row.count for row in counted.itertuples() if row.cycle_id in bar_of})


def trend_sentence(overall: pd.DataFrame, grid: pd.DataFrame, rows: list[str], measure: str) -> list[str]:
    """'2025-26: 46% outstanding (+1 since 2024-25) · 13% requires improvement (−6) · least green: neglect (21%)'."""
    cycles = sorted(overall["cycle"].unique())
    last, before = cycles[-1], (cycles[-2] if len(cycles) > 1 else None)

    def share(cycle: str | None, grade: str) -> float | None:
        row = overall[(overall["cycle"] == cycle) & (overall["grade"] == grade)]
        return None if row.empty else float(row["percent"].iloc[0])

    said = []
    for grade, what in (("Green", "outstanding"), ("Red", "requires improvement")):
        now, change = share(last, grade), figures.points(share(last, grade), share(before, grade))
        if now is not None:
            since = f" ({change} since {before})" if change and not said else (f" ({change})" if change else "")
            said.append(f"{now:.0f}% {what}{since}")
    latest = grid[grid["cycle"] == last].set_index("theme")["percent"]
    worst = next((theme for theme in rows if theme in latest.index), None)
    if worst:
        said.append(f"{'least' if measure == 'Green' else 'most'} {measure.lower()}: {worst} ({latest[worst]:.0f}%)")
    return [f"{last}: {said[0]}" if said else last, *said[1:]]


# --- 1. themes across cycles ----------------------------------------------------------------------------------
st.header("Themes across cycles")
themes = reads.rag_by_cycle(scope, partnership_id=f.partnership_id, theme_id=f.theme_id, sector=f.sector,
                   by_theme=True)
overall = reads.rag_by_cycle(scope, partnership_id=f.partnership_id, theme_id=f.theme_id, sector=f.sector)
ungraded = reads.ungraded_cycles(scope, partnership_id=f.partnership_id)
if themes.empty:
    st.info("No graded cycles for this partnership yet.")
else:
    columns = cycle_labels(themes)
    order = [columns[c] for c in sorted(columns)]
    for cycle, note in method_changes(themes):
        st.markdown(f"**Method changed in {cycle}:** {note}. Compare the shape of the trend, not small steps.")
    with meeting.controls():
        measure = st.segmented_control("Measure", list(MEASURES), default="Green", key="trend_measure",
                                       format_func=MEASURES.get) or "Green"
    grid = themes[themes["grade"] == measure].assign(column=themes["cycle"].map(columns))
    rows = (grid.sort_values("cycle").groupby("theme")["percent"].last().sort_values(
        ascending=measure == "Green").index.tolist())  # worst first: least green, most amber or red
    if large:
        with lead:
            meeting.headline(trend_sentence(overall, grid, rows, measure))
    with meeting.picture(lead):
        charts.draw("percent_grid", grid, x="column", y="theme", value="percent", x_order=order, y_order=rows,
                    large=large, alt_text=f"{MEASURES[measure]} per theme (rows) and cycle (columns)")
    st.caption(f"Each cell: {MEASURES[measure]} of the answers on that theme in that cycle (darker = higher). "
               "Rows: worst first in the latest cycle. A blank cell: the framework had no question on that theme.")
    st.subheader(f"{f.theme.capitalize() if f.theme else 'All themes'}: grades by cycle")
    bars = with_left_out(overall.assign(column=overall["cycle"].map(columns)), "column", theme_id=f.theme_id,
                         sector=f.sector)
    charts.rag_bars(bars, label="column", label_order=order, large=large, alt_text="Grades per cycle")
    tables.show(wide_table(themes, ["cycle", "method", "source", "theme"]),
                name=f"themes by cycle {f.partnership}", key="trend_themes")
if not ungraded.empty:
    st.caption("Cycles without grades (not shown): " + "; ".join(
        f"{r.cycle} ({r.method}, {r.source})" for r in ungraded.itertuples()))

# --- 2. one organisation ---------------------------------------------------------------------------------------
st.header("One organisation's trajectory")
if f.organisation_id is None:
    st.info("Choose an organisation in the filters to see its grades across every cycle and partnership.")
else:
    org = reads.rag_by_cycle(scope, organisation_id=f.organisation_id, theme_id=f.theme_id)
    filters.page_link("agency", f"{f.org}: full profile →", org=f.org, icon=":material/apartment:")
    if org.empty:
        st.info(plain(f"No grades recorded for {f.org}."))
    else:
        org = org.assign(label=org["partnership"].map(short_names()) + " " + org["cycle"] + " · " + org["source"])
        order = list(dict.fromkeys(org.sort_values(["cycle", "partnership"])["label"]))
        charts.rag_bars(with_left_out(org, "label", organisation_id=f.organisation_id, theme_id=f.theme_id),
                        label="label", label_order=order, large=large, alt_text=f"Grades of {f.org} per cycle")
        if (org["source"] == "published aggregate").any():
            st.caption("Published aggregate rows are the report's per-organisation counts (Appendix One); their "
                       "colours were lost in the report's text and are read as green, amber, red.")
        tables.show(wide_table(org, ["partnership", "cycle", "method", "source"]), name=f"trajectory {f.org}",
                    key="trend_org")

# --- 3. partnerships side by side ------------------------------------------------------------------------------
st.header("Partnerships side by side")
everyone = reads.partnerships_side_by_side(scope, theme_id=f.theme_id, sector=f.sector)
many = everyone.groupby("partnership")["cycle"].nunique().max() == 1 if not everyone.empty else False
if everyone.empty:
    st.info("No graded cycles in your partnerships.")
else:
    names = short_names()
    everyone = everyone.assign(label=everyone["partnership"].map(names) + " " + everyone["cycle"] + [
        " (illustrative)" if i else "" for i in everyone["illustrative"]] + " · " + everyone["source"])
    order = list(dict.fromkeys(everyone.sort_values(["illustrative", "partnership", "cycle"])["label"]))
    charts.rag_bars(with_left_out(everyone, "label", theme_id=f.theme_id, sector=f.sector), label="label",
                    label_order=order, large=large, alt_text="Grades of each partnership's cycles side by side")
    st.caption(("Each bar is the latest cycle of one partnership" if many else "Each bar is one cycle of one "
                "partnership") + (f", theme: {f.theme}" if f.theme else "")
               + ". Frameworks and methods differ between partnerships: compare the shape, not the decimals.")
    tables.show(wide_table(everyone, ["partnership", "cycle", "method", "source"]), name="partnerships side by side",
                key="trend_partnerships")
