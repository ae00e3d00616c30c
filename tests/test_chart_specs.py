"""Every chart the app and the report draw is a valid Vega-Lite spec. s11data.charts builds them with Altair's
per-object validation off (it cost ~40 % of a national heat map's build), so the whole spec is validated here
against the schema Altair ships, for every kind and both sizes."""
from __future__ import annotations

import altair as alt
import pandas as pd
import pytest
from altair.utils.schemapi import validate_jsonschema
from altair.vegalite.v6.schema.core import load_schema

from s11data import charts

SCHEMA = load_schema()

CELLS = pd.DataFrame([("1", "A org", "Green", "G"), ("2", "A org", "Not applicable", "N/A"),
                      ("1", "B org", "Red", "R")], columns=["column", "Organisation", "shown", "letter"])
SHARES = pd.DataFrame([("Safeguarding", "Red", 2.0), ("Safeguarding", "Amber", 38.0),
                       ("Safeguarding", "Green", 60.0), ("Training", "Green", 100.0)],
                      columns=["label", "grade", "percent"])
GRID = pd.DataFrame([("2024-25", "Neglect", 50.0), ("2025-26", "Neglect", 75.0)],
                    columns=["cycle", "theme", "value"])
STAGES = pd.DataFrame([("2025-26", "invited", 25), ("2025-26", "responded", 20)],
                      columns=["cycle", "stage", "organisations"])
LINE = pd.DataFrame([("2024-25", 80.0), ("2025-26", None)], columns=["cycle", "rate"])
MAP = dict(x="column", y="Organisation", grade="shown", x_order=["1", "2"], y_order=["A org", "B org"])

BUILT = {
    "heat map": ("heat_map", CELLS, MAP),
    "heat map with footer and selection": ("heat_map", CELLS, {**MAP, "footer": (("1", "50%"), ("2", "0%")),
                                                               "footer_label": "% green"}),
    "heat map headings": ("heat_map", CELLS, {**MAP, "part": "head", "numbered": True}),
    "heat map body": ("heat_map", CELLS, {**MAP, "part": "body", "legend": False}),
    "self vs panel": ("heat_map", CELLS.assign(shown="higher than panel"), {**MAP, "difference": True}),
    "stacked bars": ("rag_bars", SHARES, {"label": "label"}),
    "percent grid": ("percent_grid", GRID, dict(x="cycle", y="theme", value="value", x_order=["2024-25", "2025-26"],
                                                y_order=["Neglect"])),
    "stage bars": ("stage_bars", STAGES, dict(stage="stage", value="organisations", group="cycle",
                                              stage_order=["invited", "responded"])),
    "percent line": ("percent_line", LINE, dict(x="cycle", value="rate", x_order=["2024-25", "2025-26"])),
}


@pytest.mark.parametrize("large", [False, True], ids=["page", "meeting"])
@pytest.mark.parametrize("name", list(BUILT))
def test_every_chart_is_a_valid_vega_lite_spec(name: str, large: bool) -> None:
    kind, frame, options = BUILT[name]
    spec = charts.spec(kind, frame, large=large, **options)
    assert validate_jsonschema(spec, SCHEMA, raise_error=False) is None
    named = {layer["data"]["name"] for layer in spec.get("layer", []) if "name" in layer.get("data", {})}
    assert named <= set(spec.get("datasets", {})), "every dataset a layer names is in the spec"


def test_the_app_and_the_report_get_the_same_heat_map() -> None:
    """The app sends the named data as Arrow (spec_and_data); the report inlines it (spec): the same rows."""
    whole = charts.spec("heat_map", CELLS, **MAP)
    bare, frames = charts.spec_and_data("heat_map", CELLS, **MAP)
    assert {k: v for k, v in whole.items() if k != "datasets"} == {k: v for k, v in bare.items() if k != "datasets"}
    for name, frame in frames.items():
        assert whole["datasets"][name] == frame.astype(object).where(frame.notna(), None).to_dict("records")


def test_a_broken_spec_is_caught() -> None:
    """The check above can fail: a mark Vega-Lite does not know is refused."""
    spec = charts.spec("heat_map", CELLS, **MAP)
    spec["layer"][0]["mark"] = {"type": "hexagon"}
    assert validate_jsonschema(spec, SCHEMA, raise_error=False) is not None
    assert alt.utils.schemapi.DEBUG_MODE is False  # and the app builds charts without per-object validation
