"""Tables as every page shows them: readable, organisation names linking to the agency page, and downloadable
(CSV and XLSX, formula-safe through `s11data.returns.spreadsheet`) exactly as filtered and shown.

    tables.show(frame, name="heat-map-NSSCP-2023-24", links={"organisation": "agency"})

`links` turns a column into links to a page (the column's value becomes the `org` parameter for 'agency'); the
download holds the plain names. Columns whose name ends in `_id` are internal: neither shown nor downloaded. Both
are in the users' words (`s11data.views.words.for_people`): pages pass s11data's frames with their field names,
`links` and `column_config` name fields too, and people read "due date", "3 Oct 2025", "5 days overdue", "—" and
"GSCP Section 11 report 2021, §4.1" instead.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import pandas as pd
import streamlit as st

from app import filters, meeting, reads
from app.reused import Reused
from app.session import SCOPE_KEY
from s11data.returns import spreadsheet
from s11data.store.scope import Scope
from s11data.views import words

LINK_PARAM = {"agency": "org"}
"""Which URL parameter a link column fills for each page."""
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def downloadable(frame: pd.DataFrame, reports: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The frame as a user reads and downloads it: internal id columns dropped, in the users' words (file ids
    cited by `reports`, by default those of the signed-in caller's partnerships)."""
    inner = frame[[c for c in frame.columns if not str(c).endswith("_id") and not str(c).startswith("_")]]
    return words.for_people(inner, _reports() if reports is None else reports)


def _reports() -> Mapping[str, str]:
    scope = st.session_state.get(SCOPE_KEY)
    return reads.report_names(scope) if isinstance(scope, Scope) else {}


def file_stem(name: str) -> str:
    """A safe file name from a description, e.g. 'heat map NSSCP 2023/24' → 'heat-map-NSSCP-2023-24'."""
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-") or "table"


def show(frame: pd.DataFrame, *, name: str, key: str | None = None, links: Mapping[str, str] | None = None,
         column_config: Mapping[str, object] | None = None, height: int | str = "auto",
         downloads: bool = True, style: Callable[[pd.DataFrame], object] | None = None, reused: bool = False) -> None:
    """Draw the table with its download buttons. `name` names the files; `key` keeps widget keys unique;
    `style` turns the shown frame into a pandas Styler (e.g. `s11data.charts.status_board_style`); downloads stay
    plain. `reused`: the frame is a shared cached read that nobody changes (e.g. `reads.ratings_map`'s), so its
    users'-words form is made once, not on every run."""
    plain, shown = (_people_reused if reused else _people)(frame, dict(links or {}))
    config: dict[str, object] = {words.heading(k): v for k, v in (column_config or {}).items()}
    for field in links or {}:
        column = words.heading(field)
        if column in shown.columns:
            config[column] = st.column_config.LinkColumn(column, display_text=r"#(.*)$")
    st.dataframe(style(shown) if style else shown, hide_index=True, width="stretch", height=height,
                 column_config=config)
    if downloads:
        _buttons(plain, name=name, key=key)


LIST_KEY = "mlist_{}"
"""The frame of one `listed` list, e.g. 'mlist_actions' (meeting-mode CSS in app.screen scrolls it inside, within
the first screen); its entries are 'mrow_<list>_<n>'."""
FLAG_KEY = "flag_{}_{}"
"""A flagged field's box in `listed` ('flag_overdue_3'): app.screen tints it by the flag (the word is written)."""


def listed(frame: pd.DataFrame, *, key: str, line: list[str], whole: str, flag: str | None = None) -> None:
    """A table as a list that wraps (meeting mode, where a grid cuts long text): one entry per row, first the
    fields of `line` (' · ' between them), then the field `whole` in full. In the users' words (`downloadable`)
    and plain text throughout (`st.text`: never Markdown). The `flag` field, when it has a value, is boxed first
    and tinted by it (app.screen, `FLAG_KEY`)."""
    shown = downloadable(frame)
    heads = {field: words.heading(field) for field in [*line, whole]}
    with st.container(key=LIST_KEY.format(key), gap=None):
        for i, row in enumerate(shown.to_dict("records")):
            with st.container(key=f"mrow_{key}_{i}", gap=None):
                values = {field: str(row.get(head, words.BLANK)) for field, head in heads.items()}
                marked = values.pop(flag, words.BLANK) if flag else words.BLANK
                said = " · ".join(v for f, v in values.items() if f != whole and v != words.BLANK)
                if marked != words.BLANK:
                    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
                        st.container(key=FLAG_KEY.format(file_stem(marked).lower(), f"{key}_{i}"),
                                     width="content").text(marked)
                        st.text(said, width="stretch")
                elif said:
                    st.text(said, width="stretch")
                st.text(values[whole], width="stretch")


def show_or_list(frame: pd.DataFrame, *, name: str, key: str, line: list[str], whole: str,
                 flag: str | None = None, **table: object) -> None:
    """`show` the table, or in meeting mode (where a grid cuts what people read: evidence, action text, contact
    notes) `listed` as entries whose `whole` field is shown in full, followed by the same downloads."""
    if not meeting.is_on():
        show(frame, name=name, key=key, **table)  # type: ignore[arg-type]
        return
    listed(frame, key=key, line=line, whole=whole, flag=flag)
    download_buttons(frame, name=name, key=key)


def _people(frame: pd.DataFrame, links: Mapping[str, str], reports: Mapping[str, str] | None = None
            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The frame in the users' words to download, and to show: `links` columns as links to their pages (the
    value after '#' is what the cell shows)."""
    plain = downloadable(frame, reports)
    shown = plain.copy()
    for field, page in links.items():
        column = words.heading(field)
        if column not in shown.columns:
            continue
        param = LINK_PARAM.get(page, field)
        shown[column] = [f"{filters.link(page, **{param: v})}#{v}" if isinstance(v, str) and v and v != words.BLANK
                         else f"{filters.link(page)}#{words.BLANK}" for v in shown[column]]
    return plain, shown


_reused = Reused()


def _people_reused(frame: pd.DataFrame, links: Mapping[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`_people` made once per shared frame, citations and current link (the filters a link carries)."""
    reports = _reports()
    extra = (tuple(links.items()), tuple(filters.link(page) for page in links.values()))
    return _reused.get((frame, reports), extra, lambda: _people(frame, links, reports))


def download_buttons(frame: pd.DataFrame, *, name: str, key: str | None = None) -> None:
    """CSV and XLSX buttons for a frame, formula-safe; the file is built only when the button is clicked."""
    _buttons(downloadable(frame), name=name, key=key)


def _buttons(plain: pd.DataFrame, *, name: str, key: str | None) -> None:
    """The buttons for a frame already in the users' words (`downloadable`)."""
    stem = file_stem(name)
    key = key or stem
    with st.container(horizontal=True, gap="small"):  # each button as wide as its words (never 'Download X…')
        st.download_button("Download CSV", data=lambda: spreadsheet.to_csv_bytes(plain), file_name=f"{stem}.csv",
                           mime="text/csv", key=f"csv_{key}", on_click="ignore", icon=":material/download:")
        st.download_button("Download XLSX", data=lambda: spreadsheet.to_xlsx_bytes(plain, sheet=stem[:31]),
                           file_name=f"{stem}.xlsx", mime=XLSX_MIME, key=f"xlsx_{key}", on_click="ignore",
                           icon=":material/download:")
