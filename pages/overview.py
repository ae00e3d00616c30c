"""Overview: the chosen partnership and cycle at a glance; every figure links to the page that explains it."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from app import charts, filters, labels, meeting, reads, screen, tables
from app.session import current_scope
from s11data import charts as s11charts
from s11data.views import common, figures

scope = current_scope()
f = filters.sidebar(scope, show=("partnership", "cycle", "theme", "sector"))
large = screen.is_on()
meeting.title(f"Overview · {f.partnership or 'no partnership'} {f.cycle or ''}")
filters.require_cycle(f)

with reads.refused_stops():
    info = reads.cycle_info(scope, cycle_id=f.cycle_id)
    returns = reads.returns_figures(scope, cycle_id=f.cycle_id, sector=f.sector)
    mix = reads.rag_distribution(scope, cycle_id=f.cycle_id, theme_id=f.theme_id, sector=f.sector)
    before = reads.previous_cycle(scope, cycle_id=f.cycle_id)
    earlier = (reads.rag_distribution(scope, cycle_id=before.id, theme_id=f.theme_id, sector=f.sector)
               if before else pd.DataFrame())
    themes = reads.theme_summary(scope, cycle_id=f.cycle_id, sector=f.sector, theme_id=f.theme_id)
    actions = reads.action_figures(scope, f.partnership_id, today=dt.date.today(),
                                   **figures.action_view(scope, f.theme_id, f.theme_param == filters.MY_THEMES))
    chase = reads.to_chase(scope, cycle_id=f.cycle_id, sector=f.sector)
    shown = (f.cycle_id, *((before.id,) if before else ()))
    left_out = reads.not_answered(scope, cycles=shown, theme_id=f.theme_id, sector=f.sector)
    themes_left_out = reads.not_answered(scope, cycles=(f.cycle_id,), theme_id=f.theme_id, sector=f.sector,
                                         by_theme=True)

lead = st.container()  # meeting mode: the headline sentence and the main picture come first
chosen = [f"{k}: {v}" for k, v in (("theme", f.theme), ("sector", f.sector)) if v]
st.caption(" · ".join([info.partnership, info.title or info.label, *chosen]))
labels.data_note(info)


def percent(frame: pd.DataFrame, grade: str) -> float | None:
    row = frame[frame["grade"] == grade] if not frame.empty else frame
    return None if row.empty else float(row["percent"].iloc[0])


def points(now: float | None, then: float | None) -> str | None:
    """A metric card's change: the headline's number (`figures.point_change`), signed as st.metric reads it."""
    change = figures.point_change(now, then)
    return None if change is None else f"{change:+d} points since {before.label}"


# --- headline figures, each with the link that explains it --------------------------------------------
cols = st.columns(5)
with cols[0]:
    st.metric("Returns received", f"{returns.received} of {returns.expected} expected", border=True)
    parts = [f"{returns.on_time} on time"]
    parts += [f"{returns.late} late"] if returns.late else []
    parts += [f"{returns.national} national return"] if returns.national else []
    parts += [f"{returns.not_expected} not expected this cycle"] if returns.not_expected else []
    st.caption(" · ".join(parts))
    filters.page_link("engagement", "Who returned, and when →")
green, red = percent(mix, "Green"), percent(mix, "Red")
source_words = " · published aggregate" if info.source == common.PUBLISHED else ""
method_changed = before is not None and (before.method, before.scale) != (info.method, info.scale)
earlier_green, earlier_red = percent(earlier, "Green"), percent(earlier, "Red")
with cols[1]:
    st.metric("Green", "–" if green is None else f"{green:.0f}%", border=True,
              delta=points(green, earlier_green), delta_color="normal")
    st.caption("outstanding, of all answers" + source_words)
    filters.page_link("heat-map", "See every rating →")
with cols[2]:
    st.metric("Red", "–" if red is None else f"{red:.0f}%", border=True,
              delta=points(red, earlier_red), delta_color="inverse")
    st.caption("requires improvement, of all answers" + source_words)
    filters.page_link("trends", "Change across cycles →")
with cols[3]:
    st.metric("Open actions", f"{actions.open}", border=True,
              delta=actions.overdue_words,
              delta_color="inverse" if actions.overdue else "off", delta_arrow="off")
    st.caption(f"of {actions.total} recommendations and commitments, all cycles"
               + (f" · {actions.undated} open with no due date" if actions.undated else ""))
    filters.page_link("actions", "Open actions →")
with cols[4]:
    st.metric("Still to chase", f"{returns.to_chase}", border=True)
    st.caption("no response recorded, or did not engage")
    filters.page_link("engagement", "Chase list →")

if method_changed:
    st.markdown(f"**The method changed:** {before.label} was {labels.method_words(before)}; {info.label} is "
                f"{labels.method_words(info)}. Read the change as a direction, not a precise gap.")

# --- the grades, then the weakest themes ---------------------------------------------------------------------
if large:
    with lead:
        meeting.headline(reads.headline(scope, f.cycle_id, dt.date.today(), theme_id=f.theme_id, sector=f.sector,
                                        my_themes=f.theme_param == filters.MY_THEMES).words())
picture = meeting.picture(lead)
BAR = 46
"""Meeting mode: pixels per bar (a 24 px label inside a ~40 px bar), so both charts fit a projector's first screen."""
if large and not mix.empty:  # one key in words for both charts (each segment carries its letter), no legends
    missing = [s11charts.NOT_ANSWERED] if len(left_out) or len(themes_left_out) else []
    picture.text(s11charts.letter_key([*mix["grade"], *themes["grade"], *missing]) + " · % of answers given",
                 width="stretch")
# meeting mode: the charts are the picture, one above the other at full width (so every segment's letter and %
# fit: a projector's half column is too narrow); their notes and links follow it
left, right = ((picture.container(gap="small"), picture.container(gap="small")) if large
               else picture.columns([1, 1], gap="large"))
left_notes, right_notes = st.columns([2, 3], gap="large") if large else (left, right)
ratings_title = "Ratings this cycle" + (f" and {before.label}" if before else "")
themes_title = f"Weakest themes, ranked {figures.WEAKEST_RULE}"
with left:
    if not large:  # meeting mode: the chart carries its title (less height than a heading)
        st.subheader(ratings_title)
    if mix.empty:
        st.info("This cycle has no grades: " + ("an ungraded peer review — read the responses on the heat map "
                                               "page." if info.source == common.RESPONSES else "nothing yet."))
    else:
        bars = pd.concat([mix.assign(cycle=info.label),
                          earlier.assign(cycle=before.label) if before is not None else pd.DataFrame()])
        order = [info.label] + ([before.label] if before else [])
        labels_of = {info.id: info.label, **({before.id: before.label} if before else {})}
        bars = s11charts.with_not_answered(bars, label="cycle", counts={
            labels_of[row.cycle_id]: row.count for row in left_out.itertuples()})
        charts.draw("rag_bars", bars, label="cycle", label_order=order, large=large, legend=not large,
                    title=ratings_title if large else "", height_per_bar=BAR if large else None,
                    alt_text="RAG distribution of this cycle's answers")
with left_notes:
    if not mix.empty and info.source == common.PUBLISHED:
        st.caption("Mean of the report's per-question percentages (each question over the same 15 returns).")
    elif not mix.empty:
        st.caption("Not rated and not applicable are answers and count in the denominator.")
    filters.page_link("heat-map", "Heat map of every organisation →")
with right:
    if not large:
        st.subheader("Weakest themes")
        st.caption(f"Ranked {figures.WEAKEST_RULE}.")
    weakest = figures.weakest_themes(themes, n=4)
    if weakest.empty:
        st.info("No graded themes in this cycle.")
    else:
        long = s11charts.with_not_answered(themes[themes["theme"].isin(weakest["theme"])], label="theme",
                                           counts=dict(zip(themes_left_out["theme"], themes_left_out["count"])))
        charts.draw("rag_bars", long, label="theme", label_order=list(weakest["theme"]), large=large,
                    legend=not large, title=themes_title if large else "", height_per_bar=BAR if large else None,
                    alt_text=f"The weakest themes, {figures.WEAKEST_RULE}")
with right_notes:
    for row in weakest.itertuples():
        filters.page_link("heat-map", f"{row.theme} →", theme=row.theme)

# --- who to chase ----------------------------------------------------------------------------------------------
st.subheader(f"Still to chase ({len(chase)})")
if chase.empty:
    st.write("Nobody: every invited organisation has responded or has a recorded reason.")
else:
    tables.show(chase, name=f"to chase {info.partnership_short} {info.label}", links={"organisation": "agency"})
