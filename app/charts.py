"""Drawing the charts with Streamlit: `draw(kind, frame, alt_text=…, **options)`. The charts themselves (Altair
specs, colours, letters, contrast) are built in `s11data.charts`, shared with the Section 11 report."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from s11data import charts


@st.cache_data(max_entries=500, show_spinner=False)
def spec(kind: str, frame: pd.DataFrame, **options: object) -> dict:
    """`s11data.charts.spec`, built once per input. Building an Altair chart and validating it costs more than the
    page's queries; a repeated run (a click elsewhere on the page, another user of the same view) reuses it."""
    return charts.spec(kind, frame, **options)


def draw(kind: str, frame: pd.DataFrame, *, alt_text: str, key: str | None = None, on_select: str = "ignore",
         selection_mode: str | None = None, **options: object):  # type: ignore[no-untyped-def]
    """Draw chart `kind` full width with its alternative text; returns the selection event when `on_select`."""
    return st.vega_lite_chart(spec=spec(kind, frame, **options), width="stretch", key=key, on_select=on_select,
                              selection_mode=selection_mode, alt=alt_text)
