"""Tables as every page shows them: readable, organisation names linking to the agency page, and downloadable
(CSV and XLSX, formula-safe through `s11data.returns.spreadsheet`) exactly as filtered and shown.

    tables.show(frame, name="heat-map-NSSCP-2023-24", links={"organisation": "agency"})

`links` turns a column into links to a page (the column's value becomes the `org` parameter for 'agency'); the
download holds the plain names. Columns whose name ends in `_id` are internal: neither shown nor downloaded.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import pandas as pd
import streamlit as st

from app import filters
from s11data.returns import spreadsheet

LINK_PARAM = {"agency": "org"}
"""Which URL parameter a link column fills for each page."""
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def downloadable(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as a user downloads it: internal id columns dropped, nothing else changed."""
    return frame[[c for c in frame.columns if not str(c).endswith("_id") and not str(c).startswith("_")]]


def file_stem(name: str) -> str:
    """A safe file name from a description, e.g. 'heat map NSSCP 2023/24' → 'heat-map-NSSCP-2023-24'."""
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-") or "table"


def show(frame: pd.DataFrame, *, name: str, key: str | None = None, links: Mapping[str, str] | None = None,
         column_config: Mapping[str, object] | None = None, height: int | str = "auto",
         downloads: bool = True, style: Callable[[pd.DataFrame], object] | None = None) -> None:
    """Draw the table with its download buttons. `name` names the files; `key` keeps widget keys unique;
    `style` turns the shown frame into a pandas Styler (e.g. `s11data.charts.status_board_style`); downloads stay plain."""
    plain = downloadable(frame)
    shown = plain.copy()
    config: dict[str, object] = dict(column_config or {})
    for column, page in (links or {}).items():
        if column not in shown.columns:
            continue
        param = LINK_PARAM.get(page, column)
        shown[column] = [f"{filters.link(page, **{param: v})}#{v}" if isinstance(v, str) and v else None
                         for v in shown[column]]
        config[column] = st.column_config.LinkColumn(str(column), display_text=r"#(.*)$")
    st.dataframe(style(shown) if style else shown, hide_index=True, width="stretch", height=height,
                 column_config=config)
    if downloads:
        download_buttons(plain, name=name, key=key)


def download_buttons(frame: pd.DataFrame, *, name: str, key: str | None = None) -> None:
    """CSV and XLSX buttons for a frame, formula-safe; the file is built only when the button is clicked."""
    stem = file_stem(name)
    key = key or stem
    plain = downloadable(frame)
    left, right, _rest = st.columns([1, 1, 4])
    with left:
        st.download_button("Download CSV", data=lambda: spreadsheet.to_csv_bytes(plain), file_name=f"{stem}.csv",
                           mime="text/csv", key=f"csv_{key}", on_click="ignore", icon=":material/download:")
    with right:
        st.download_button("Download XLSX", data=lambda: spreadsheet.to_xlsx_bytes(plain, sheet=stem[:31]),
                           file_name=f"{stem}.xlsx", mime=XLSX_MIME, key=f"xlsx_{key}", on_click="ignore",
                           icon=":material/download:")
