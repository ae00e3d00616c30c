"""The report as plain content: a title page's facts and a flat sequence of blocks, rendered by docx, html and pdf.

Drafting (`draft`) builds a `Report`; each renderer walks `Report.blocks` in order. Nothing here is Markdown or
HTML: every string is text exactly as it should be read (renderers escape it for their format).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Union


@dataclass(frozen=True)
class Heading:
    """A heading: level 1 = a chapter (in the contents), 2 = a section, 3 = a sub-section."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of text. `style`: body; quote (evidence quoted from a return, `source` names who wrote it);
    placeholder (a narrative section nobody has written yet); note (small print: a rule, a method change)."""

    text: str
    style: Literal["body", "quote", "placeholder", "note"] = "body"
    source: str = ""


@dataclass(frozen=True)
class BulletList:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A real table: a header row repeated on every page, body rows of text. `grades` (optional, same shape as
    `rows`) gives a cell's RAG grade ("green", "amber", "red", "not_rated", "not_applicable" or "") so renderers
    can shade it; the cell's text always carries the letter or words too (never colour alone)."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    grades: tuple[tuple[str, ...], ...] | None = None
    note: str = ""


@dataclass(frozen=True)
class Chart:
    """A chart: a Vega-Lite spec (the app's own Altair spec, as a dict) rendered to an image without a browser;
    `alt` states the figures in words (alt text); `caption` is printed under it."""

    spec: dict[str, Any]
    alt: str
    caption: str


@dataclass(frozen=True)
class Narrative:
    """Where a business manager's text goes: `key` names the section (e.g. "foreword", "section:A",
    "conclusion"); `text` is the latest version ("" = not written yet, rendered as a placeholder paragraph)."""

    key: str
    title: str
    text: str = ""
    author: str = ""
    written_at: str = ""


Block = Union[Heading, Paragraph, BulletList, Table, Chart, Narrative]


@dataclass(frozen=True)
class Report:
    """One drafted report. `header` is printed in every page's header (the partnership's name); `footer` in every
    page's footer (for an illustrative partnership it says "Illustrative data — not a real partnership")."""

    title: str
    subtitle: str
    facts: tuple[tuple[str, str], ...]
    """Title-page facts in order, e.g. (("Partnership", …), ("Cycle", "2021"), ("Method", …), ("Date", …),
    ("Author", …))."""
    header: str
    footer: str
    illustrative: bool
    blocks: tuple[Block, ...] = field(default_factory=tuple)
