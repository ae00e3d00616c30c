"""Hostile text for tests (issue 13): what a return, a file name or a name may hold that a renderer could turn into
markup — images (a tracking pixel fetched when shown), links, data: URLs, bare URLs, HTML, Markdown emphasis and
headings, Streamlit's ':material/…:' icons and '$…$' maths. Anything shown must show these exactly as written.

    from hostile_returns import HOSTILE, hostile_rows, hostile_file_name, assert_shown_as_text

`hostile_rows(...)` gives long-form rows (one per question) whose evidence cycles through HOSTILE; use them with
`test_import.csv_of`. `rendered_markup(html)` lists what a browser page's HTML shows as markup from these texts
(for Chromium tests: pass the page's inner HTML).
"""
from __future__ import annotations

import re

PIXEL = "https://tracker.example/pixel.png?who=evidence"
HOSTILE: tuple[str, ...] = (
    f"![seen]({PIXEL})",
    "[open](data:text/html,<script>alert(1)</script>)",
    "<img src=x onerror=alert(1)> and <b>bold</b>",
    "Bare link https://evil.example/login and www.evil.example",
    "**not bold** _not italic_ `not code`",
    "# Not a heading\n> not a quote\n- not a list",
    ":material/warning: $x^2$ ~~struck~~",
    "<script>document.title='pwned'</script>",
)
"""One text per trick; each must come back (stored, exported, shown) exactly as written."""

HOSTILE_NAME = "<b>Evil</b> [Org](https://evil.example) ![x](https://tracker.example/n.png)"
"""An organisation or partnership name as hostile as evidence."""


def hostile_file_name(extension: str = "csv") -> str:
    return f"![f]({PIXEL}) <i>returns</i>.{extension}"


def hostile_rows(partnership: str, cycle: str, organisation: str, codes: list[str]) -> list[list[str]]:
    """Long-form rows, one per question code, with a valid grade and hostile evidence."""
    return [[partnership, cycle, organisation, code, "Green", HOSTILE[i % len(HOSTILE)]]
            for i, code in enumerate(codes)]


_MARKUP = re.compile(r"<img\b[^>]*tracker\.example|<a\b[^>]*href=\"(?:data:|https?://evil\.example)|<script>"
                     r"document|<b>Evil</b>|<strong>not bold", re.I)


def rendered_markup(html: str) -> list[str]:
    """The pieces of a page's HTML that show hostile text as markup (an empty list when all is shown as text)."""
    return _MARKUP.findall(html)
