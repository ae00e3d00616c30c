"""Text that a user or a return wrote, shown as written: never read as Markdown or HTML.

Streamlit reads Markdown in titles, headers, labels and `st.markdown`; `plain` escapes every character that
Markdown (and the HTML it allows) gives a meaning, so `**x**`, `[a](data:…)`, `![img](…)` or `<b>` show literally.
GitHub-flavoured Markdown also turns bare addresses (`https://…`, `www.…`, `name@host.…`) into live links after
escapes are read, so no backslash stops them: `plain` puts an invisible WORD JOINER (U+2060) inside each one
(`https⁠://`, `www⁠.`, `name⁠@`), which shows nothing and joins no line break, but is no address to the link finder.
Prefer `st.text` for long text; use `plain` where Streamlit only takes Markdown (titles, labels, links)."""
from __future__ import annotations

import re

MARKDOWN_SPECIALS = frozenset("\\`*_{}[]()#+-.!|<>~$")
WORD_JOINER = "\u2060"
_ADDRESS = re.compile(r"(?<=[A-Za-z0-9])(?=:/)|(?<=www)(?=\.)|(?=@)", re.I)
"""Where a bare address starts to be one: before '://' (any scheme), between 'www' and '.', before '@'."""


def plain(text: str) -> str:
    """`text` escaped so that Streamlit's Markdown shows it exactly as written, as text and never as a link."""
    text = _ADDRESS.sub(WORD_JOINER, text)
    return "".join("\\" + ch if ch in MARKDOWN_SPECIALS else ch for ch in text)
