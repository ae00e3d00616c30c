"""The one place that builds each kind of Altair chart: RAG heat map with letters, stacked RAG bars, percentage
grid (a trend across cycles).

Colours are the Okabe–Ito colour-blind-safe set (vermillion, orange, bluish green) and never carry meaning alone:
every heat-map cell shows its letter (R, A, G, – not rated, N/A), every bar segment and grid cell its percentage.
The letter (ink) colour on each fill is chosen for contrast and checked against WCAG AA (4.5:1) in tests.
`large=True` (shared-screen mode) makes every text bigger. Pure Altair and pandas, no Streamlit: the app draws
these specs (`app.charts.draw`, cached once per input) and the Section 11 report embeds the same ones.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import altair as alt
import pandas as pd

from s11data.returns.ratings import LETTER, MEANING, NOT_ANSWERED, NOT_PUBLISHED, cell_letter  # noqa: F401
from s11data.store.models import Rag

alt.utils.schemapi.disable_debug_mode()
"""Altair validates every schema object as it is made ("debug mode"): ~40 % of building a national heat map. The
charts here are fixed code, validated against the Vega-Lite schema by tests/test_chart_specs.py instead."""

FILL: dict[str, str] = {
    Rag.RED.value: "#9E2A00",          # dark vermillion: apart from amber in lightness under every dichromacy
    Rag.AMBER.value: "#E69F00",        # Okabe–Ito orange
    Rag.GREEN.value: "#009E73",        # Okabe–Ito bluish green
    Rag.NOT_RATED.value: "#E4E4E4",
    Rag.NOT_APPLICABLE.value: "#FFFFFF",
    NOT_PUBLISHED: "#FFFFFF",
    NOT_ANSWERED: "#FFFFFF",
}
"""Fill of each grade. Red and green differ in hue along the blue–yellow axis (seen by all common colour
vision deficiencies); amber and red differ in lightness (ΔE ≥ 30 apart under a simulated protanopia,
deuteranopia and tritanopia: tests/test_colour_vision.py). White fills (N/A, ?, not answered) differ by letter."""

CELL_BORDER = "#595959"
AA_NORMAL = 4.5
GRADE_ORDER: tuple[str, ...] = (Rag.RED.value, Rag.AMBER.value, Rag.GREEN.value, Rag.NOT_RATED.value,
                                Rag.NOT_APPLICABLE.value, NOT_PUBLISHED, NOT_ANSWERED)

DIFFERENCE_FILL: dict[str, str] = {
    "higher than panel": "#CC79A7",    # Okabe–Ito reddish purple
    "same as panel": "#E4E4E4",
    "lower than panel": "#56B4E9",     # Okabe–Ito sky blue
    "not moderated": "#FFFFFF",
}
"""Difference view: self-rating compared with the panel's moderated rating."""

TEXT = "#111111"
MUTED = "#444444"


# --- contrast (WCAG 2.x) -------------------------------------------------------------------------

def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """WCAG relative luminance of a '#rrggbb' colour."""
    colour = colour.lstrip("#")
    r, g, b = (int(colour[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio between two colours (1–21)."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def ink(fill: str) -> str:
    """Black or white, whichever reads better on `fill`."""
    return "#000000" if contrast(fill, "#000000") >= contrast(fill, "#FFFFFF") else "#FFFFFF"


INK: dict[str, str] = {grade: ink(fill) for grade, fill in FILL.items()}
DIFFERENCE_INK: dict[str, str] = {k: ink(v) for k, v in DIFFERENCE_FILL.items()}


# --- labels ----------------------------------------------------------------------------------------

def letter_key(grades: Sequence[str]) -> str:
    """The key of the letters `grades` carry, in GRADE_ORDER, as one line of words: 'R = requires improvement ·
    A = good · …' (where the page prints it once rather than a legend per chart)."""
    return " · ".join(legend_label(g) for g in GRADE_ORDER if g in set(grades))


def legend_label(grade: str) -> str:
    """E.g. 'R = requires improvement', '– = not rated'."""
    if grade == NOT_PUBLISHED:
        return "? = grade not published"
    if grade == NOT_ANSWERED:
        return "× = not answered (left out of the return)"
    return f"{LETTER[Rag(grade)]} = {MEANING[Rag(grade)]}"


def _sizes(large: bool) -> dict[str, int]:
    return {"label": 24 if large else 14, "title": 24 if large else 15, "cell_text": 24 if large else 15,
            "row": 46 if large else 32, "col": 64 if large else 44, "map_row": 28 if large else 32,
            "grid_row": 28 if large else 32}


CHAR_WIDTH = 0.47
"""A generous mean glyph width of the chart font (Source Sans), in ems: sizes the heat map's row-label column."""


def label_extent(labels: Sequence[str], large: bool = False) -> int:
    """Pixels for a column of axis labels shown whole (no '…'): the longest label at the axis font, plus padding.
    The heat map's column headings (drawn as their own chart) and its rows share it, so their columns line up."""
    longest = max((len(str(label)) for label in labels), default=4)
    return int(longest * _sizes(large)["label"] * CHAR_WIDTH) + 16


def _configure(chart: alt.TopLevelMixin, large: bool) -> alt.TopLevelMixin:
    """Text sizes and colours; width fits the page, height stays the plot's own (Streamlit's default 'fit' would
    squeeze legend and axes into the given height). Set on the chart the builder has just made, in one step:
    Altair's configure_* methods copy the whole chart each (~110 ms of a national heat map's 160 ms)."""
    s = _sizes(large)
    chart.autosize = alt.AutoSizeParams(type="fit-x", contains="padding")
    chart.config = alt.Config(
        axis=alt.AxisConfig(labelFontSize=s["label"], titleFontSize=s["title"], labelColor=TEXT, titleColor=TEXT,
                            labelLimit=420 if large else 320),
        legend=alt.LegendConfig(labelFontSize=s["label"], titleFontSize=s["title"], labelColor=TEXT,
                                titleColor=TEXT, labelLimit=400, orient="top", direction="horizontal",
                                columns=2 if large else 3),
        header=alt.HeaderConfig(labelFontSize=s["label"], titleFontSize=s["title"], labelColor=TEXT),
        title=alt.TitleConfig(fontSize=s["title"], color=TEXT, anchor="start"),
        view=alt.ViewConfig(stroke=None))
    return chart


# --- heat map ----------------------------------------------------------------------------------------

FOOTER_FILL = "#EDEDED"
"""The summary row under a heat map: a light neutral grey, apart from every grade's fill, its figures in TEXT."""


def heat_map(cells: pd.DataFrame, *, x: str, y: str, grade: str, x_order: Sequence[str], y_order: Sequence[str],
             x_title: str = "", y_title: str = "", difference: bool = False, large: bool = False,
             select: bool = True, x_labels: dict[str, str] | None = None,
             footer: Sequence[tuple[str, str]] = (), footer_label: str = "",
             unanswered: bool = True, part: str = "whole", numbered: bool = False, legend: bool = True,
             extent: int | None = None) -> alt.TopLevelMixin | WithData:
    """Rows `y` × columns `x`, each cell filled by its grade and carrying its letter (text, not colour alone).

    `cells` needs the columns x, y, grade (a grade word, or with `difference=True` one of DIFFERENCE_FILL's keys)
    and `letter` (what to write in the cell). With `select`, clicking a cell selects its (x, y) as the
    selection parameter 'cell' (st.altair_chart(on_select='rerun') returns it). `footer`: (column, text) pairs
    written in a last, grey row named `footer_label` (e.g. each question's % green), not selectable.
    With `unanswered`, a row × column the cells leave out is drawn as NOT_ANSWERED ('×'), never as a blank that
    reads like N/A (off for views where a missing cell means something else, e.g. not moderated).
    The chosen cell gets a heavy black border. Every axis label is shown whole: no overlap removal, no '…'.

    Meeting mode draws the map in two parts that line up (`extent`: the row-label column's width, see
    `label_extent`): `part='head'` only the column headings, `part='body'` the rows without them, so the body
    scrolls under headings that stay. `numbered` writes columns as 1, 2, 3… (the page gives the key);
    `legend=False` leaves the grade key to the page.
    """
    s = _sizes(large)
    extent = extent if extent is not None else label_extent([*y_order, footer_label], large)
    x_axis = alt.X(f"{x}:N", sort=list(x_order), title=(x_title or None) if part != "head" else None,
                   axis=None if part == "body" else alt.Axis(
                       orient="top", labelAngle=0, labelFontWeight="bold", labelOverlap=False, labelLimit=0,
                       labelFlush=False,
                       labelExpr=f"indexof({_js_list(x_order)}, datum.value) + 1" if numbered else alt.Undefined))
    if part == "head":
        head = alt.Chart(pd.DataFrame({x: list(x_order), y: [""] * len(x_order)})).mark_rect(opacity=0).encode(
            x=x_axis, y=alt.Y(f"{y}:N", title=None, axis=alt.Axis(labels=False, ticks=False, domain=False,
                                                                   minExtent=extent, maxExtent=extent)))
        return _configure(head.properties(width=max(len(x_order) * s["col"], 240), height=1), large)
    if unanswered and not difference:
        cells = with_unanswered(cells, x=x, y=y, grade=grade, x_order=x_order, y_order=y_order)
    palette = DIFFERENCE_FILL if difference else FILL
    inks = DIFFERENCE_INK if difference else INK
    present = [g for g in (palette if difference else GRADE_ORDER) if g in set(cells[grade])]
    labels = {g: (g if difference else legend_label(g)) for g in present}
    data = cells.assign(_key=cells[grade].map(labels), _ink=cells[grade].map(inks))
    if x_labels:
        data = data.assign(_x_label=data[x].map(x_labels).fillna(data[x]))
    colour = alt.Color("_key:N", title=None,
                       scale=alt.Scale(domain=[labels[g] for g in present], range=[palette[g] for g in present]),
                       legend=alt.Legend(symbolStrokeColor=CELL_BORDER, symbolType="square", symbolSize=300)
                       if legend else None)
    rows = [*y_order, footer_label] if footer else list(y_order)
    y_axis = alt.Y(f"{y}:N", sort=rows, title=y_title or None,
                   axis=alt.Axis(labelFontWeight="normal", labelOverlap=False, labelLimit=0, labelFlush=False,
                                 minExtent=extent, maxExtent=extent))
    named = _Named()
    base = named.chart(data).encode(x=x_axis, y=y_axis)
    rect = base.mark_rect(stroke=CELL_BORDER).encode(
        color=colour, tooltip=[alt.Tooltip(f"{x}:N", title=x_title or x), alt.Tooltip(f"{y}:N", title=y_title or y),
                               alt.Tooltip("_key:N", title="Grade")])
    if select:
        cell = alt.selection_point(name="cell", fields=[x, y], on="click", clear="dblclick")
        marked = {"param": "cell", "empty": False}  # typed channels below: Altair's from_dict of a plain dict or
        # shorthand string costs ~10 ms a call (it hashes the whole schema), most of a heat map's build
        rect = rect.add_params(cell).encode(
            strokeWidth=alt.StrokeWidthValue(1, condition=[{**marked, "value": MARKED_WIDTH}]),
            stroke=alt.StrokeValue(CELL_BORDER, condition=[{**marked, "value": MARKED}]))
    else:
        rect = rect.encode(strokeWidth=alt.StrokeWidthValue(1))
    text = base.mark_text(fontSize=s["cell_text"], fontWeight="bold").encode(
        text=alt.Text("letter:N"), color=alt.Color("_ink:N", scale=None))
    layers = [rect, text]
    if footer:
        foot = named.chart(pd.DataFrame(list(footer), columns=[x, "_text"]).assign(**{y: footer_label})
                           ).encode(x=x_axis, y=y_axis)
        layers += [foot.mark_rect(fill=FOOTER_FILL, stroke=CELL_BORDER, strokeWidth=1),
                   foot.mark_text(fontSize=s["cell_text"], fontWeight="bold", color=TEXT).encode(
                       text=alt.Text("_text:N"))]
    width = max(len(x_order) * s["col"], 240)
    chart = alt.layer(*layers)
    chart.width, chart.height = width, max(len(rows), 1) * s["map_row"]  # not .properties(): it copies the chart
    return WithData(_configure(chart, large), named.frames)


@dataclass(frozen=True)
class WithData:
    """An Altair chart whose layers name their data (`alt.NamedData`), with that data: `to_dict()` gives the whole
    Vega-Lite spec, the data under `datasets`. Altair's own inlining (sanitise, deep-copy, hash as JSON, then walk
    every row in to_dict) cost about half of building a national heat map."""

    chart: alt.TopLevelMixin
    datasets: dict[str, pd.DataFrame]

    def to_dict(self, **options: object) -> dict:
        spec = self.chart.to_dict(**options)
        spec["datasets"] = {**spec.get("datasets", {}), **{name: _records(frame)
                                                           for name, frame in self.datasets.items()}}
        return spec


class _Named:
    """The data of one chart being built, passed to its layers by name (see WithData)."""

    def __init__(self) -> None:
        self.frames: dict[str, pd.DataFrame] = {}

    def chart(self, frame: pd.DataFrame) -> alt.Chart:
        name = _dataset_name(frame)  # by content: the same rows in two layers are sent once
        self.frames[name] = frame
        return alt.Chart(alt.NamedData(name))


def _dataset_name(frame: pd.DataFrame) -> str:
    """A dataset's name in the spec, from its content (as Altair names them; Streamlit relies on that)."""
    digest = hashlib.sha256(pd.util.hash_pandas_object(frame, index=False).values.tobytes()
                            + ",".join(map(str, frame.columns)).encode()).hexdigest()[:16]
    return f"data-{digest}"


def _records(frame: pd.DataFrame) -> list[dict]:
    """The frame as JSON rows (blanks as null)."""
    columns = [str(c) for c in frame.columns]
    values = zip(*(frame[c].tolist() for c in frame.columns))  # tolist: Python's own int, float, str, bool
    return [dict(zip(columns, map(_json_value, row))) for row in values] if columns else [{} for _ in frame.index]


def _json_value(value: object) -> object:
    return None if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value) \
        else value


MARKED = "#000000"
MARKED_WIDTH = 5
"""The border of the chosen cell: black, 5 px (the others: grey, 1 px)."""


def _js_list(values: Sequence[str]) -> str:
    """A Vega expression array literal of strings."""
    import json

    return json.dumps([str(v) for v in values])


def with_unanswered(cells: pd.DataFrame, *, x: str, y: str, grade: str, x_order: Sequence[str],
                    y_order: Sequence[str]) -> pd.DataFrame:
    """`cells` with a NOT_ANSWERED cell ('×') for every row × column of the map that has none."""
    have = set(zip(cells[x], cells[y]))
    absent = [(c, r) for r in y_order for c in x_order if (c, r) not in have]
    if not absent:
        return cells
    filler = pd.DataFrame(absent, columns=[x, y]).assign(**{grade: NOT_ANSWERED, "letter": cell_letter(NOT_ANSWERED)})
    return pd.concat([cells, filler], ignore_index=True)


# --- stacked RAG bars ---------------------------------------------------------------------------------

GLYPH = 0.58
"""A generous mean width of a bold chart-font glyph (digits, capitals, %), in ems: sizes bar labels in pixels."""
LEAST_PLOT = {False: 360, True: 600}
"""The narrowest plot a stacked bar chart is drawn at (normal, shared-screen), in pixels: a segment carries its
label inside only if the label fits it at this width; any other label is written in the column to the right of
the bars (an axis, so the chart makes room for it whatever its width: never clipped)."""


def text_width(text: str, large: bool = False) -> float:
    """The pixels `text` takes at the bar labels' bold font (generous)."""
    return len(text) * _sizes(large)["cell_text"] * GLYPH


def segment_label(grade: str, percent: float) -> str:
    """What a bar segment says: its letter and its percentage, e.g. 'R 2%'."""
    return f"{cell_letter(grade)} {percent:.0f}%"


def fits_inside(text: str, share: float, large: bool = False) -> bool:
    """Whether a segment `share` (0–1) of the bar carries `text` inside, at the narrowest plot (LEAST_PLOT)."""
    return share * LEAST_PLOT[large] >= text_width(text, large) + 8


def not_answered_words(count: int) -> str:
    """Beside a bar: how many questions its returns left out ('× 2 not answered'); they are not in its %s."""
    return f"{cell_letter(NOT_ANSWERED)} {count} not answered" if count else ""


def with_not_answered(frame: pd.DataFrame, *, label: str, counts: dict[str, int]) -> pd.DataFrame:
    """`frame` (rag_bars' input) with a NOT_ANSWERED row (its count, no %) for each bar `label` → count > 0:
    said beside the bar, never a segment (the %s stay of the answers given)."""
    rows = [{label: bar, "grade": NOT_ANSWERED, "count": n, "percent": None} for bar, n in counts.items() if n]
    return pd.concat([frame, pd.DataFrame(rows)], ignore_index=True) if rows else frame


def bar_segments(frame: pd.DataFrame, *, label: str, large: bool = False) -> pd.DataFrame:
    """The segments of 100% bars: per `label`, each grade in GRADE_ORDER with its start and end (0–1), middle,
    legend key, ink, label and whether the label fits inside (`_inside`). Rows of NOT_ANSWERED are left out:
    the %s are of the answers given (as the published reports count); `side_labels` says them beside the bar."""
    present = [g for g in GRADE_ORDER if g in set(frame["grade"]) and g != NOT_ANSWERED]
    frame = frame.assign(percent=pd.to_numeric(frame["percent"], errors="coerce"))
    data = frame[frame["grade"].isin(present) & frame["percent"].notna()].copy()
    data["_order"] = data["grade"].map({g: i for i, g in enumerate(GRADE_ORDER)})
    data = data.sort_values([label, "_order"], kind="stable")
    total = data.groupby(label, sort=False)["percent"].transform("sum").where(lambda t: t > 0, 1.0)
    data["_end"] = data.groupby(label, sort=False)["percent"].cumsum() / total
    data["_start"] = data["_end"] - data["percent"] / total
    data["_mid"] = (data["_start"] + data["_end"]) / 2
    data["_key"] = data["grade"].map(legend_label)
    data["_ink"] = data["grade"].map(INK)
    data["_text"] = [segment_label(g, p) for g, p in zip(data["grade"], data["percent"])]
    data["_inside"] = [fits_inside(t, e - s, large) for t, s, e in zip(data["_text"], data["_start"], data["_end"])]
    return data


def side_labels(frame: pd.DataFrame, data: pd.DataFrame, *, label: str, order: Sequence[str]) -> list[str]:
    """Per bar of `order`: what is written to the right of it — the labels of the segments too small to carry
    their own, then the count of questions not answered (frame rows of grade NOT_ANSWERED, column 'count')."""
    small = data[~data["_inside"]].groupby(label, sort=False)["_text"].agg(" · ".join)
    missing = frame[frame["grade"] == NOT_ANSWERED]
    left_out = (pd.to_numeric(missing["count"], errors="coerce").fillna(0).groupby(missing[label]).sum()
                if not missing.empty else pd.Series(dtype=float))
    out = []
    for bar in order:
        words = [small.get(bar, ""), not_answered_words(int(left_out.get(bar, 0)))]
        out.append(" · ".join(w for w in words if w))
    return out


def rag_bars(frame: pd.DataFrame, *, label: str, label_order: Sequence[str] | None = None, title: str = "",
             large: bool = False, height_per_bar: int | None = None, legend: bool = True) -> alt.TopLevelMixin:
    """Horizontal 100% bars: one per `label`, segments per grade (worst first), every segment labelled with its
    letter and % ('R 2%': never colour alone). A label too long for its segment (`fits_inside`) is written in a
    column right of the bars (an axis: the chart makes room for it, so it is never clipped), and so is the count
    of questions not answered (rows of grade NOT_ANSWERED with a 'count'), which are not in the %s.

    `frame` needs columns label, grade and percent. `legend=False`: the key is beside another chart of the page.
    `large` (shared screen) draws no % axis: the segments say their %s (the page says they are of answers given).
    """
    s = _sizes(large)
    data = bar_segments(frame, label=label, large=large)
    present = [g for g in GRADE_ORDER if g in set(data["grade"])]
    order = list(label_order) if label_order is not None else list(dict.fromkeys(data[label]))
    side = side_labels(frame, data, label=label, order=order)
    scale = alt.Scale(domain=[0, 1], nice=False)
    colour = alt.Color("_key:N", title=None, scale=alt.Scale(domain=[legend_label(g) for g in present],
                                                             range=[FILL[g] for g in present]),
                       legend=alt.Legend(symbolStrokeColor=CELL_BORDER, symbolType="square", symbolSize=300)
                       if legend else None)
    y = alt.Y(f"{label}:N", sort=order, title=None)
    x = alt.X("_start:Q", scale=scale, title="% of answers given",  # shared screen: every segment says its %
              axis=None if large else alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1]))
    named = _Named()
    bars = named.chart(data).mark_bar(stroke=CELL_BORDER, strokeWidth=0.5).encode(
        y=y, x=x, x2=alt.X2("_end"), color=colour,
        tooltip=[alt.Tooltip(f"{label}:N", title=" "), alt.Tooltip("_key:N", title="Grade"),
                 alt.Tooltip("percent:Q", title="%", format=".1f")])
    text = named.chart(data[data["_inside"]]).mark_text(fontSize=s["cell_text"], fontWeight="bold",
                                                                  align="center").encode(
        y=alt.Y(f"{label}:N", sort=order, axis=None), x=alt.X("_mid:Q", scale=scale), text=alt.Text("_text:N"),
        color=alt.Color("_ink:N", scale=None))
    layers = [bars, text]
    if any(side):
        column = alt.Axis(orient="right", ticks=False, domain=False, grid=False, labelLimit=0, labelPadding=8,
                          labelFontWeight="bold", labelFontSize=s["cell_text"], labelColor=TEXT,
                          labelOverlap=False, labelFlush=False,
                          labelExpr=f"{_js_list(side)}[indexof({_js_list(order)}, datum.value)]")
        layers.append(named.chart(pd.DataFrame({label: order})).mark_text(text="", opacity=0).encode(
            y=alt.Y(f"{label}:N", sort=order, title=None, axis=column)))
    height = (height_per_bar or s["row"] + 8) * max(len(order), 1)
    chart = alt.layer(*layers)
    chart.height, chart.width, chart.title = height, "container", title or ""  # .properties() copies the chart
    if any(side):
        chart = chart.resolve_axis(y="independent")
    return WithData(_configure(chart, large), named.frames)


# --- percentage grid (themes × cycles) ------------------------------------------------------------------

GRID_BINS: tuple[tuple[float, str], ...] = ((20, "#DEEBF7"), (40, "#9ECAE1"), (60, "#4292C6"), (80, "#2171B5"),
                                            (101, "#08306B"))
"""Sequential single-hue (blue) bins for a percentage: (upper bound, fill). One hue, so it reads without colour
vision; every cell also prints its value."""
GRID_INK: dict[str, str] = {fill: ink(fill) for _upper, fill in GRID_BINS}


def grid_fill(value: float) -> str:
    return next(fill for upper, fill in GRID_BINS if value < upper)


def percent_grid(frame: pd.DataFrame, *, x: str, y: str, value: str, x_order: Sequence[str],
                 y_order: Sequence[str], title: str = "", large: bool = False) -> alt.TopLevelMixin:
    """Rows `y` × columns `x`, each cell printing its percentage on a blue shade (darker = higher).

    Used for a trend across cycles (themes × cycles): legible from across a room where a dozen lines would not be.
    Every label is shown whole (no overlap removal); a column label 'cycle · method' is written on two lines.
    """
    s = _sizes(large)
    data = frame.dropna(subset=[value]).copy()
    data["_fill"] = data[value].map(grid_fill)
    data["_ink"] = data["_fill"].map(GRID_INK)
    data["_text"] = data[value].map(lambda v: f"{v:.0f}%")
    named = _Named()
    base = named.chart(data).encode(
        x=alt.X(f"{x}:N", sort=list(x_order), title=None, axis=alt.Axis(
            orient="top", labelAngle=0, labelFontWeight="bold", labelOverlap=False, labelLimit=0, labelFlush=False,
            labelExpr="split(datum.value, ' · ')", labelLineHeight=s["label"] + 4,  # '2025-26' over 'panel'
            labelPadding=s["label"] + 8)),
        y=alt.Y(f"{y}:N", sort=list(y_order), title=None,
                axis=alt.Axis(labelOverlap=False, labelLimit=0, labelFlush=False)))
    rect = base.mark_rect(stroke=CELL_BORDER, strokeWidth=1).encode(color=alt.Color("_fill:N", scale=None))
    text = base.mark_text(fontSize=s["cell_text"], fontWeight="bold").encode(
        text=alt.Text("_text:N"), color=alt.Color("_ink:N", scale=None))
    chart = alt.layer(rect, text)
    chart.height, chart.width, chart.title = max(len(y_order), 1) * s["grid_row"], "container", title or ""
    return WithData(_configure(chart, large), named.frames)


# --- counts per stage (the engagement funnel) ------------------------------------------------------------
# stage_bars, percent_line and status_board_style serve pages/engagement.py.

STAGE_FILL: tuple[str, ...] = ("#C6DBEF", "#9ECAE1", "#4292C6", "#08519C")
"""Light to dark blue, one per stage in order; each bar also carries its stage name and count as text."""
LINE = "#0072B2"  # Okabe–Ito blue


def stage_bars(frame: pd.DataFrame, *, stage: str, value: str, group: str, stage_order: Sequence[str],
               large: bool = False, value_title: str = "organisations") -> alt.TopLevelMixin:
    """One block of horizontal bars per `group` (e.g. cycle), one bar per stage in `stage_order` (e.g. invited →
    responded → submitted → reviewed), each bar labelled '<stage>: <count>' at its end (no legend lookup)."""
    s = _sizes(large)
    order = list(stage_order)
    data = frame.assign(_text=frame[stage].astype(str) + ": " + frame[value].astype(str),
                        _stage=frame[stage].astype(str))
    fills = [STAGE_FILL[min(i, len(STAGE_FILL) - 1)] for i in range(len(order))]
    named = _Named()
    base = named.chart(data).encode(
        y=alt.Y(f"{group}:N", title=None, axis=alt.Axis(labelFontWeight="bold")),
        yOffset=alt.YOffset("_stage:N", sort=order),
        x=alt.X(f"{value}:Q", title=value_title, axis=alt.Axis(tickMinStep=1, format="d")))
    bars = base.mark_bar(stroke=CELL_BORDER, strokeWidth=0.5).encode(
        color=alt.Color("_stage:N", sort=order, title=None, scale=alt.Scale(domain=order, range=fills), legend=None))
    # each bar's words in a column right of the plot (x = the plot's width): the chart makes room for them,
    # so the longest bar's label is never clipped whatever the container's width
    text = base.mark_text(align="left", dx=8, fontSize=s["label"], color=TEXT).encode(
        text=alt.Text("_text:N"), x=alt.XValue({"expr": "width"}))
    groups = max(data[group].nunique(), 1)
    chart = alt.layer(bars, text)
    chart.height, chart.width = groups * len(order) * (s["row"] - 8), "container"
    return WithData(_configure(chart, large), named.frames)


def percent_line(frame: pd.DataFrame, *, x: str, value: str, x_order: Sequence[str], title: str = "",
                 large: bool = False) -> alt.TopLevelMixin:
    """One percentage (0–100) across `x` (e.g. response rate per cycle): a line whose every point carries its %."""
    s = _sizes(large)
    data = frame.assign(_label=frame[value].map(lambda v: f"{v:.0f}%" if pd.notna(v) else "no figure"))
    named = _Named()
    base = named.chart(data).encode(
        x=alt.X(f"{x}:N", sort=list(x_order), title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y(f"{value}:Q", title=title or None, scale=alt.Scale(domain=[0, 110]),
                axis=alt.Axis(values=[0, 25, 50, 75, 100])))
    line = base.mark_line(color=LINE, strokeWidth=4 if large else 3,
                          point=alt.OverlayMarkDef(color=LINE, size=160 if large else 90))
    text = base.mark_text(dy=-16, fontSize=s["label"], fontWeight="bold", color=TEXT).encode(
        text=alt.Text("_label:N"))
    chart = alt.layer(line, text)
    chart.height, chart.width = 320 if large else 240, "container"
    return WithData(_configure(chart, large), named.frames)


# --- engagement status board -----------------------------------------------------------------------------

STATUS_FILL: dict[str, str] = {
    "engaged": "#CDEBDF",          # tint of Okabe–Ito bluish green
    "own state": "#D6E6F4",        # tint of Okabe–Ito blue
    "did not engage": "#F6D2BF",   # tint of Okabe–Ito vermillion
    "missing": "#FFE9A8",          # tint of Okabe–Ito yellow
}
"""Background of each group of engagement states; light enough for black text (AA), and the status word is
always written in the cell, so colour is never the only signal."""


def status_board_style(frame: pd.DataFrame):  # type: ignore[no-untyped-def]
    """A pandas Styler for a status board: each status cell tinted by its group (engaged, own state, did not
    engage, missing), missing in bold."""
    from s11data.views.engagement import GROUP

    def cell(value: object) -> str:
        group = GROUP.get(value) if isinstance(value, str) else None
        if group is None:
            return ""
        bold = "font-weight: bold; " if group == "missing" else ""
        return f"{bold}background-color: {STATUS_FILL[group]}; color: #000000"

    return frame.style.map(cell)


FLAG_FILL: dict[str, str] = {"overdue": "#F6D2BF", "due soon": "#FFE9A8"}
"""Background of an action's flag cell (the word is always written: colour is never the only signal)."""


def action_flag_style(frame: pd.DataFrame):  # type: ignore[no-untyped-def]
    """A pandas Styler for an actions table: the `flag` cell tinted and bold when overdue or due soon; numbers
    with one decimal and missing values blank."""
    def cell(value: object) -> str:
        fill = FLAG_FILL.get(value) if isinstance(value, str) else None
        return f"font-weight: bold; background-color: {fill}; color: #000000" if fill else ""

    styled = frame.style.map(cell, subset=["flag"] if "flag" in frame.columns else [])
    return styled.format(precision=1, na_rep="")  # a Styler shows its own text: one decimal, blanks for none


# --- specs ------------------------------------------------------------------------------------------------

BUILDERS = {"heat_map": heat_map, "rag_bars": rag_bars, "percent_grid": percent_grid, "stage_bars": stage_bars,
            "percent_line": percent_line}
"""The chart builders `spec` (and `app.charts.draw`) accept by name."""


def spec(kind: str, frame: pd.DataFrame, **options: object) -> dict:
    """The Vega-Lite spec of chart `kind` (a builder above, e.g. 'heat_map') for `frame`."""
    return _built(kind, frame, options).to_dict(validate=False)


def spec_and_data(kind: str, frame: pd.DataFrame, **options: object) -> tuple[dict, dict[str, pd.DataFrame]]:
    """`spec` without the data a chart passes by name (`WithData`), and that data as frames: the app sends the
    frames to the browser as Arrow directly, without making JSON rows of them first."""
    built = _built(kind, frame, options)
    if isinstance(built, WithData):
        return built.chart.to_dict(validate=False), {name: data.reset_index(drop=True)
                                                     for name, data in built.datasets.items()}
    return built.to_dict(validate=False), {}


def _built(kind: str, frame: pd.DataFrame, options: dict) -> alt.TopLevelMixin | WithData:
    if kind not in BUILDERS:
        raise KeyError(f"unknown chart {kind!r}; known: {', '.join(BUILDERS)}")
    return BUILDERS[kind](frame, **options)
