"""Grade distributions as the report shows them: a chart and a table of the same figures, and the alt text that
states them. The chart spec comes from one function (`rag_spec`), the app's own stacked RAG bars."""
from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from .. import charts
from ..views.common import GRADES
from .document import Chart, Table

GRADE_KEY: dict[str, str] = {g: g.lower().replace(" ", "_") for g in GRADES}
"""A grade word → the `Table.grades` key renderers shade by ("Not rated" → "not_rated")."""
CHART_WIDTH = 520


def rag_spec(frame: pd.DataFrame, *, label: str, order: Sequence[str], title: str = "") -> dict:
    """The Vega-Lite spec of the app's stacked 100% RAG bars (`charts.rag_bars`), one bar per `label` (columns
    label, grade, percent), at a fixed width for a page (the app's spec fills its container)."""
    spec = charts.spec("rag_bars", frame, label=label, label_order=list(order), title=title)
    return {**spec, "width": CHART_WIDTH}


def percent_text(value: object) -> str:
    """8.3 → '8.3%', 80.0 → '80%', blank → ''."""
    if value is None or pd.isna(value):  # type: ignore[arg-type]
        return ""
    return f"{float(value):g}%"  # type: ignore[arg-type]


def figure_text(n: object, percent: object) -> str:
    """A cell of a distribution table: '3 (25%)' counted from ratings, '27%' as a report published it."""
    if n is None or pd.isna(n):  # type: ignore[arg-type]
        return percent_text(percent)
    return f"{int(n)} ({percent_text(percent)})"  # type: ignore[call-overload]


def grades_present(frame: pd.DataFrame) -> list[str]:
    """The grade words a distribution holds, in report order (red, amber, green, not rated, not applicable)."""
    have = set(frame["grade"])
    return [g for g in GRADES if g in have]


def distribution_table(frame: pd.DataFrame, *, key: str, labels: dict[str, str], caption: str, note: str = "",
                       key_header: str = "Question") -> Table:
    """One row per `key` value (in frame order): its label, the figure at each grade, and the base."""
    grades = grades_present(frame)
    rows = []
    for value, group in frame.groupby(key, sort=False):
        by_grade = {g: figure_text(n, p) for g, n, p in zip(group["grade"], group["count"], group["percent"])}
        base = group["base"].dropna()
        text = (labels.get(str(value), ""),) if labels else ()
        rows.append((str(value), *text, *(by_grade.get(g, "") for g in grades),
                     str(int(base.iloc[0])) if len(base) else ""))
    return Table(caption=caption, header=(key_header, *(("Text",) if labels else ()), *grades, "Base"),
                 rows=tuple(rows), note=note)


def alt_text(frame: pd.DataFrame, *, key: str, what: str) -> str:
    """The figures of a distribution in words: 'Grades per question: A1 Red 0%, Amber 20%, Green 80%; …'."""
    parts = []
    for value, group in frame.groupby(key, sort=False):
        figures = ", ".join(f"{g} {percent_text(p)}" for g, p in zip(group["grade"], group["percent"]))
        parts.append(f"{value}: {figures}")
    return f"{what}. " + "; ".join(parts) + "."


def distribution_chart(frame: pd.DataFrame, *, key: str, what: str, caption: str) -> Chart:
    order = list(dict.fromkeys(frame[key].astype(str)))
    data = frame.assign(**{key: frame[key].astype(str)})
    return Chart(spec=rag_spec(data, label=key, order=order), alt=alt_text(frame, key=key, what=what),
                 caption=caption)


def letter_grade(grade: str | None) -> str:
    """The Table.grades key of a cell's grade word ('' when none)."""
    return GRADE_KEY.get(grade or "", "")


OVERALL = "All questions"
