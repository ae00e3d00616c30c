"""RAG never by colour alone (issue 10, item 4): the charts as built, under a simulation of the three
dichromacies, keep red, amber and green apart, and every bar segment and heat-map cell carries its letter (and a
segment its percentage), a small one outside its bar; a question a partial return left out is told apart from
N/A in the cells and the legend.

The simulation is Machado, Oliveira & Fernandes (2009), "A physiologically-based model for simulation of color
vision deficiency", severity 1.0, applied to linear sRGB; colours are compared by CIE76 ΔE in CIELAB (D65).
"""
from __future__ import annotations

import itertools
import json
import math

import pandas as pd
import pytest

from s11data import charts
from s11data.store.models import Rag

MACHADO = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}
APART = 30.0
"""The least CIE76 ΔE between any two of red, amber and green, with and without a simulated deficiency
(ΔE ≈ 2 is just noticeable; 30 reads as two different colours at a glance, across a room)."""


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def rgb(colour: str) -> tuple[float, float, float]:
    colour = colour.lstrip("#")
    return tuple(_linear(int(colour[i:i + 2], 16)) for i in (0, 2, 4))  # type: ignore[return-value]


def simulate(colour: str, deficiency: str | None) -> tuple[float, float, float]:
    """Linear RGB of `colour` as seen with `deficiency` (None: as is)."""
    value = rgb(colour)
    if deficiency is None:
        return value
    return tuple(min(1.0, max(0.0, sum(m * v for m, v in zip(row, value))))  # type: ignore[return-value]
                 for row in MACHADO[deficiency])


def lab(linear: tuple[float, float, float]) -> tuple[float, float, float]:
    r, g, b = linear
    x, y, z = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, 0.2126 * r + 0.7152 * g + 0.0722 * b, \
        (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def delta_e(a: str, b: str, deficiency: str | None) -> float:
    return math.dist(lab(simulate(a, deficiency)), lab(simulate(b, deficiency)))


def closest_pair(fills: dict[str, str], deficiency: str | None) -> tuple[float, str, str]:
    return min((delta_e(fills[a], fills[b], deficiency), a, b) for a, b in itertools.combinations(fills, 2))


# --- the simulation itself ---------------------------------------------------------------------------------------

def test_the_simulation_merges_what_a_deficiency_merges() -> None:
    assert delta_e("#FF0000", "#00FF00", None) > 80
    assert delta_e("#FF0000", "#00FF00", "deuteranopia") < delta_e("#FF0000", "#00FF00", None) / 2
    assert delta_e("#0000FF", "#00FF00", "tritanopia") < delta_e("#0000FF", "#00FF00", None) / 2


def test_the_old_okabe_ito_red_and_amber_fail_under_deuteranopia() -> None:
    """The palette the issue measured ("red and amber bars become two olives") fails this test's rule."""
    old = {"Red": "#D55E00", "Amber": "#E69F00", "Green": "#009E73"}
    assert closest_pair(old, "deuteranopia")[0] < APART


# --- the charts as built ----------------------------------------------------------------------------------------

def frames_of(spec: dict) -> dict[str, list[dict]]:
    return spec.get("datasets", {})


def layers_of(spec: dict) -> list[dict]:
    out = []
    for layer in spec.get("layer", [spec]):
        out += layers_of(layer) if "layer" in layer else [layer]
    return out


def mark_of(layer: dict) -> str:
    mark = layer.get("mark")
    return mark.get("type") if isinstance(mark, dict) else mark


def rows_of(spec: dict, layer: dict) -> list[dict]:
    name = (layer.get("data") or spec.get("data") or {}).get("name")
    return frames_of(spec).get(name, [])


def texts_of(spec: dict) -> list[dict]:
    """Every text mark's rows, each with the text it writes as '_written'."""
    out = []
    for layer in layers_of(spec):
        if mark_of(layer) != "text":
            continue
        encoding = layer.get("encoding", {}).get("text", {})
        field = encoding.get("field")
        for row in rows_of(spec, layer):
            out.append({**row, "_written": str(row.get(field, "")) if field else str(encoding.get("value", ""))})
    return out


def side_labels(spec: dict) -> dict[str, str]:
    """Bar → what the column right of the bars writes beside it (the right-hand axis's labelExpr: a list of texts
    indexed by the bar's position in a list of bars)."""
    import re

    for layer in layers_of(spec):
        axis = (layer.get("encoding", {}).get("y", {}) or {}).get("axis") or {}
        if axis.get("orient") == "right" and axis.get("labelExpr"):
            texts, bars = re.fullmatch(r"(\[.*\])\[indexof\((\[.*\]), datum\.value\)\]", axis["labelExpr"]).groups()
            return dict(zip(json.loads(bars), json.loads(texts)))
    return {}


def colour_scale(spec: dict) -> dict[str, str]:
    """Legend label → fill of the chart's colour scale."""
    for layer in layers_of(spec):
        colour = layer.get("encoding", {}).get("color", {})
        scale = colour.get("scale") or {}
        if scale.get("domain") and scale.get("range"):
            return dict(zip(scale["domain"], scale["range"]))
    raise AssertionError("no colour scale")


GRADES = [Rag.RED.value, Rag.AMBER.value, Rag.GREEN.value, Rag.NOT_RATED.value, Rag.NOT_APPLICABLE.value]
BARS = pd.DataFrame([("2021", "Red", 2.1), ("2021", "Amber", 16.7), ("2021", "Green", 81.2),
                     ("2020", "Red", 30.0), ("2020", "Amber", 40.0), ("2020", "Green", 24.0),
                     ("2020", "Not rated", 4.0), ("2020", "Not applicable", 2.0)],
                    columns=["cycle", "grade", "percent"])


@pytest.mark.parametrize("large", [False, True])
@pytest.mark.parametrize("deficiency", [None, *MACHADO])
def test_red_amber_and_green_stay_apart_under_every_dichromacy(large: bool, deficiency: str | None) -> None:
    spec = charts.rag_bars(BARS, label="cycle", large=large).to_dict(validate=False)
    scale = colour_scale(spec)
    fills = {g: scale[charts.legend_label(g)] for g in (Rag.RED.value, Rag.AMBER.value, Rag.GREEN.value)}
    worst = closest_pair(fills, deficiency)
    assert worst[0] >= APART, f"{worst[1]} and {worst[2]} are only ΔE {worst[0]:.1f} apart ({deficiency or 'normal'})"


@pytest.mark.parametrize("large", [False, True])
def test_every_bar_segment_carries_its_letter_and_percentage(large: bool) -> None:
    spec = charts.rag_bars(BARS, label="cycle", large=large).to_dict(validate=False)
    inside = [t["_written"] for t in texts_of(spec) if t["_written"]]
    beside = side_labels(spec)
    for row in BARS.itertuples():
        label = f"{charts.cell_letter(row.grade)} {row.percent:.0f}%"
        found = label in inside or label in beside.get(row.cycle, "").split(" · ")
        assert found, f"{row.cycle} {row.grade}: no '{label}' among {inside} or beside the bar {beside}"


def test_a_small_segment_is_labelled_beside_its_bar_not_inside() -> None:
    spec = charts.rag_bars(BARS, label="cycle").to_dict(validate=False)
    assert "R 2%" in side_labels(spec)["2021"].split(" · "), side_labels(spec)
    assert "R 2%" not in [t["_written"] for t in texts_of(spec)]


@pytest.mark.parametrize(("large", "red", "beside"), [(True, 9.0, True), (True, 14.0, False), (False, 9.0, True),
                                                     (False, 15.0, False)])
def test_a_label_longer_than_its_segment_goes_beside_the_bar(large: bool, red: float, beside: bool) -> None:
    """Inside only if the label fits its segment at the narrowest plot (character count × glyph width): a 9%
    segment of a shared-screen bar is ~54 px of 600 px, 'R 9%' at 24 px bold ~56 px: beside the bar."""
    bars = pd.DataFrame([("x", "Red", red), ("x", "Amber", 50.0 - red), ("x", "Green", 50.0)],
                        columns=["cycle", "grade", "percent"])
    spec = charts.rag_bars(bars, label="cycle", large=large).to_dict(validate=False)
    inside = [t for t in texts_of(spec) if t["_written"]]
    label = f"R {red:.0f}%"
    assert (label in side_labels(spec).get("x", "")) == beside
    assert (label in [t["_written"] for t in inside]) == (not beside)
    for row in inside:  # what is written inside fits its segment at the narrowest plot
        assert (row["_end"] - row["_start"]) * charts.LEAST_PLOT[large] >= charts.text_width(row["_written"], large)


def test_questions_left_out_are_said_beside_the_bar_and_not_in_its_percentages() -> None:
    """'× 2 not answered' beside the bar; the segments stay the shares of the answers given (as the published
    reports count them), and the bar without any says nothing of it."""
    plain = charts.rag_bars(BARS, label="cycle").to_dict(validate=False)
    left_out = charts.with_not_answered(BARS, label="cycle", counts={"2020": 2, "2021": 0})
    spec = charts.rag_bars(left_out, label="cycle").to_dict(validate=False)
    beside = side_labels(spec)
    assert beside["2020"].split(" · ")[-1] == "× 2 not answered", beside
    assert "not answered" not in beside["2021"]
    segments = [(t["cycle"], t["_written"], round(t["_start"], 6)) for t in texts_of(spec) if t["_written"]]
    assert segments == [(t["cycle"], t["_written"], round(t["_start"], 6)) for t in texts_of(plain)
                        if t["_written"]]
    assert charts.legend_label(charts.NOT_ANSWERED) not in colour_scale(spec)  # no segment, so no legend entry


def test_a_question_left_out_is_not_na_in_cells_and_legend() -> None:
    assert charts.cell_letter(charts.NOT_ANSWERED) not in ("", charts.cell_letter(Rag.NOT_APPLICABLE.value))
    assert charts.legend_label(charts.NOT_ANSWERED) != charts.legend_label(Rag.NOT_APPLICABLE.value)
    cells = pd.DataFrame([("1", "A org", "Green"), ("2", "A org", "Not applicable"), ("1", "B org", "Red")],
                         columns=["column", "row", "shown"])
    spec = charts.heat_map(cells.assign(letter=cells["shown"].map(charts.cell_letter)), x="column", y="row",
                           grade="shown", x_order=["1", "2"], y_order=["A org", "B org"]).to_dict(validate=False)
    letters = {(t["column"], t["row"]): t["_written"] for t in texts_of(spec) if "column" in t and "row" in t}
    assert letters[("2", "B org")] == charts.cell_letter(charts.NOT_ANSWERED)  # the left-out answer has its letter
    assert letters[("2", "A org")] == "N/A"
    assert charts.legend_label(charts.NOT_ANSWERED) in colour_scale(spec)
