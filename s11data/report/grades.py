"""A table cell's RAG grade as a document shows it: fill colour and the ink that reads on it.

The fills are the app's charts' Okabe–Ito set, so a cell in a report table looks like the same grade on a page.
The cell's text always carries the letter or word too: colour is never the only signal.
"""
from __future__ import annotations

from s11data.store.models import Rag

_FILL: dict[str, str] = {
    Rag.RED.value: "#D55E00",
    Rag.AMBER.value: "#E69F00",
    Rag.GREEN.value: "#009E73",
    Rag.NOT_RATED.value: "#E4E4E4",
    Rag.NOT_APPLICABLE.value: "#FFFFFF",
}
_INK: dict[str, str] = {grade: "#000000" for grade in _FILL}
"""Black reads at WCAG AA (4.5:1) on every fill above."""
GRADES: tuple[str, ...] = tuple(_FILL)


def _rag(grade: str) -> str | None:
    """"green" / "Green" / "not_rated" / "Not rated" → the Rag value; anything else → None."""
    word = grade.strip().replace("_", " ").lower()
    return next((r.value for r in Rag if r.value.lower() == word), None)


def shade(grade: str) -> tuple[str, str] | None:
    """(fill, ink) as '#rrggbb' for a grade; None for no grade (the cell stays unshaded)."""
    rag = _rag(grade) if grade else None
    return (_FILL[rag], _INK[rag]) if rag else None


def css_class(grade: str) -> str:
    """'rag-green', 'rag-not-rated', … for a grade; '' for none."""
    rag = _rag(grade) if grade else None
    return f"rag-{rag.lower().replace(' ', '-')}" if rag else ""
