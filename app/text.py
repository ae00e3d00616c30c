"""Text that a user or a return wrote, shown as written: never read as Markdown or HTML.

Streamlit reads Markdown in titles, headers, labels and `st.markdown`; `plain` escapes every character that
Markdown (and the HTML it allows) gives a meaning, so `**x**`, `[a](data:…)`, `![img](…)` or `<b>` show literally.
Prefer `st.text` for long text; use `plain` where Streamlit only takes Markdown (titles, labels, links)."""
from __future__ import annotations

MARKDOWN_SPECIALS = frozenset("\\`*_{}[]()#+-.!|<>~$")


def plain(text: str) -> str:
    """`text` escaped so that Streamlit's Markdown shows it exactly as written."""
    return "".join("\\" + ch if ch in MARKDOWN_SPECIALS else ch for ch in text)
