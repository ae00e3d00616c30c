"""A table cell's RAG grade as a document shows it: fill colour and the ink that reads on it.

The fills and inks are the app's own (`s11data.charts.FILL` / `INK`, Okabe–Ito, ink checked at WCAG AA), so a
cell in a report table looks like the same grade on a page. The cell's text always carries the letter or word
too: colour is never the only signal.
"""
from __future__ import annotations

from s11data.charts import FILL, INK
from s11data.store.models import Rag

GRADES: tuple[str, ...] = tuple(r.value for r in Rag)


def _rag(grade: str) -> str | None:
    """"green" / "Green" / "not_rated" / "Not rated" → the Rag value; anything else → None."""
    word = grade.strip().replace("_", " ").lower()
    return next((r.value for r in Rag if r.value.lower() == word), None)


def shade(grade: str) -> tuple[str, str] | None:
    """(fill, ink) as '#rrggbb' for a grade; None for no grade (the cell stays unshaded)."""
    rag = _rag(grade) if grade else None
    return (FILL[rag], INK[rag]) if rag else None


def css_class(grade: str) -> str:
    """'rag-green', 'rag-not-rated', … for a grade; '' for none."""
    rag = _rag(grade) if grade else None
    return f"rag-{rag.lower().replace(' ', '-')}" if rag else ""
