"""Drawing the charts with Streamlit: `draw(kind, frame, alt_text=…, **options)`. The charts themselves (Altair
specs, colours, letters, contrast) are built in `s11data.charts`, shared with the Section 11 report."""
from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit import dataframe_util

from app.reused import Reused
from s11data import charts

_reused = Reused()


@st.cache_data(max_entries=500, show_spinner=False)
def spec(kind: str, frame: pd.DataFrame, **options: object) -> dict:
    """`s11data.charts.spec`, built once per input. Building an Altair chart and validating it costs more than the
    page's queries; a repeated run (a click elsewhere on the page, another user of the same view) reuses it, its
    data already converted to Arrow as Streamlit sends it."""
    return _arrow_spec(kind, frame, **options)


def draw(kind: str, frame: pd.DataFrame, *, alt_text: str, key: str | None = None, on_select: str = "ignore",
         selection_mode: str | None = None, reused: bool = False,
         **options: object):  # type: ignore[no-untyped-def]
    """Draw chart `kind` full width with its alternative text; returns the selection event when `on_select`.
    `reused`: the frame is a shared cached read nobody changes (e.g. `reads.ratings_map`'s), so the spec is
    built once for it without hashing the frame on every run. Streamlit copies the spec before taking its data
    out, so one spec serves every session."""
    vega_lite = (_reused.get((frame,), (kind, repr(sorted(options.items()))),
                             lambda: _arrow_spec(kind, frame, **options))
                 if reused else spec(kind, frame, **options))
    return st.vega_lite_chart(spec=vega_lite, width="stretch", key=key, on_select=on_select,
                              selection_mode=selection_mode, alt=alt_text)


def rag_bars(frame: pd.DataFrame, *, label: str, label_order: list[str], alt_text: str, large: bool,
             **options: object):  # type: ignore[no-untyped-def]
    """`draw('rag_bars', …)`; in meeting mode (`large`) its key is one line of words above the bars (each segment
    carries its letter and %), not a legend of two or three rows."""
    if large:
        st.text(charts.letter_key(list(frame["grade"])) + " · % of answers given", width="stretch")
    return draw("rag_bars", frame, label=label, label_order=label_order, alt_text=alt_text, large=large,
                legend=not large, **options)


def _arrow_spec(kind: str, frame: pd.DataFrame, **options: object) -> dict:
    """The spec with its datasets (those inline in it and those passed by name) as Arrow IPC bytes: Streamlit then
    sends them as they are, not converting them again on every run (7–35 % of a warm heat-map run)."""
    vega_lite, frames = charts.spec_and_data(kind, frame, **options)
    datasets = {**(vega_lite.get("datasets") or {}), **frames}
    if not datasets:
        return vega_lite
    return {**vega_lite, "datasets": {name: dataframe_util.convert_anything_to_arrow_bytes(values)
                                      for name, values in datasets.items()}}
