"""Reading grades the way people write them, and mapping them to RAG by the cycle's scale.

Rules from the reports (DESIGN §1): Red = requires improvement, Amber = good, Green = outstanding;
0–3 maps 3 green, 2 amber, 0–1 red; "Not rated" and "not applicable" are answers; a blank grade means the
organisation did not rate the question; where two aspects are graded differently ("Amber/Green") the lower
grade stands.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from s11data.store.models import Rag, Scale

RAG_ORDER: dict[Rag, int] = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2}
"""Worst first; used to pick the lower of combined grades and to sort heat maps worst-first."""

NOT_PUBLISHED = "Not published"
"""Seed-only rating: the report quotes the organisation's response but does not publish its grade (shown as '?')."""
NOT_ANSWERED = "Not answered"
"""A question of the cycle that a (partial) return left out: no answer at all, unlike N/A (an answer): '×'."""

LETTER: dict[Rag, str] = {Rag.GREEN: "G", Rag.AMBER: "A", Rag.RED: "R", Rag.NOT_RATED: "–",
                          Rag.NOT_APPLICABLE: "N/A"}
"""The letter every RAG cell carries, so that colour is never the only signal."""

def cell_letter(grade: str | None) -> str:
    """The letter shown in a cell: R, A, G, – (not rated), N/A, ? (grade not published), × (not answered: left
    out of the return); blank for no grade at all."""
    if grade is None or (isinstance(grade, float) and grade != grade):  # None or NaN
        return ""
    return {NOT_PUBLISHED: "?", NOT_ANSWERED: "×"}.get(grade) or LETTER[Rag(grade)]


MEANING: dict[Rag, str] = {Rag.GREEN: "outstanding", Rag.AMBER: "good", Rag.RED: "requires improvement",
                           Rag.NOT_RATED: "not rated", Rag.NOT_APPLICABLE: "not applicable"}

_WORDS: dict[str, Rag] = {
    "g": Rag.GREEN, "green": Rag.GREEN, "outstanding": Rag.GREEN, "grn": Rag.GREEN,
    "a": Rag.AMBER, "amber": Rag.AMBER, "good": Rag.AMBER, "amb": Rag.AMBER, "yellow": Rag.AMBER,
    "r": Rag.RED, "red": Rag.RED, "requires improvement": Rag.RED, "requires improvements": Rag.RED,
    "not rated": Rag.NOT_RATED, "unrated": Rag.NOT_RATED, "not graded": Rag.NOT_RATED, "nr": Rag.NOT_RATED,
    "-": Rag.NOT_RATED, "–": Rag.NOT_RATED, "—": Rag.NOT_RATED,
    "n/a": Rag.NOT_APPLICABLE, "na": Rag.NOT_APPLICABLE, "not applicable": Rag.NOT_APPLICABLE,
    "n.a.": Rag.NOT_APPLICABLE, "n a": Rag.NOT_APPLICABLE,
    "n.a": Rag.NOT_APPLICABLE, "n/r": Rag.NOT_RATED, "not answered": Rag.NOT_RATED, "no rating": Rag.NOT_RATED,
    "not scored": Rag.NOT_RATED,
}
_SPLIT = re.compile(r"\s*(?:/|\\|&|\band\b|\bto\b|\bor\b|,|\|)\s*|(?<=[a-z])\s*[-–—]\s*(?=[a-z])")
_COLOURS = {"green", "amber", "red"}
_LABEL = re.compile(r"^(?:rag|rating|grade|score)\s*[:=]\s*")
_DESCRIBED = re.compile(r"^(?P<head>[^()]+?)\s*(?:\((?P<paren>[^()]*)\)|(?:\s[-–—=:]|[=:])\s*(?P<tail>.+))$")
"""A grade followed by its meaning: "Green (Outstanding)", "3 - High compliance", "0 = non-compliance"."""
_ZERO_TO_THREE = {"0": Rag.RED, "1": Rag.RED, "2": Rag.AMBER, "3": Rag.GREEN}


class GradeError(ValueError):
    """A grade that cannot be read; the message says what is accepted."""


@dataclass(frozen=True)
class Grade:
    raw: str
    rag: Rag
    note: str = ""
    scale: Scale = Scale.RAG
    """The scale the raw value was written on (a 0–3 number keeps `0-3` even in a RAG cycle)."""


def accepted_grades(scale: Scale) -> str:
    base = "Green, Amber, Red (or G, A, R, Outstanding, Good, Requires improvement), Not rated, N/A"
    return base + (", or 0–3" if scale == Scale.ZERO_TO_THREE else "")


def parse_grade(value: object, scale: Scale = Scale.RAG) -> Grade:
    """Read one grade as written. Blank → Not rated. Raises GradeError with the accepted forms."""
    raw = "" if value is None else str(value).strip()
    if raw.lower() in {"", "nan", "none"}:
        return Grade(raw="", rag=Rag.NOT_RATED, note="blank: not rated")
    key = _LABEL.sub("", re.sub(r"\s+", " ", raw.lower()).strip(" ."))
    if key in _WORDS:
        return Grade(raw, _WORDS[key])
    number = _as_number(key)
    if number is not None:
        if number in _ZERO_TO_THREE and scale != Scale.NONE:
            return Grade(raw, _ZERO_TO_THREE[number], scale=Scale.ZERO_TO_THREE)
        raise GradeError(f"'{raw}' is not a grade on the 0–3 scale; use {accepted_grades(scale)}")
    described = _described(key, raw, scale)
    if described is not None:
        return described
    parts = [p for p in _SPLIT.split(key) if p]
    if len(parts) == 1 and len(key.split()) > 1 and set(key.split()) <= _COLOURS:
        parts = key.split()  # "Amber Green"
    if len(parts) > 1:
        try:
            grades = [parse_grade(p, scale).rag for p in parts]
        except GradeError:
            raise GradeError(f"'{raw}' is not a grade; use {accepted_grades(scale)}") from None
        ranked = [g for g in grades if g in RAG_ORDER]
        if ranked and len(ranked) == len(grades):
            lower = min(ranked, key=RAG_ORDER.__getitem__)
            return Grade(raw, lower, note=f"combined grade '{raw}': the lower grade ({lower.value}) stands")
    raise GradeError(f"'{raw}' is not a grade; use {accepted_grades(scale)}")


def _described(key: str, raw: str, scale: Scale) -> Grade | None:
    """A single grade followed by words that mean the same or are no grade at all, e.g. "3 - High compliance"."""
    match = _DESCRIBED.match(key)
    if match is None:
        return None
    head = match["head"].strip(" .")
    if head not in _WORDS and _as_number(head) is None:
        return None
    try:
        grade = parse_grade(head, scale)
    except GradeError:
        return None
    try:
        tail = parse_grade(match["paren"] if match["paren"] is not None else match["tail"], scale)
    except GradeError:
        return Grade(raw, grade.rag, scale=grade.scale)  # the words describe the grade
    if tail.raw and tail.rag != grade.rag:
        return None  # two different grades: read as a combined one below
    return Grade(raw, grade.rag, scale=grade.scale)


def _as_number(key: str) -> str | None:
    try:
        number = float(key)
    except ValueError:
        return None
    return str(int(number)) if number.is_integer() else key


def letter(rag: Rag | str | None) -> str:
    """The letter shown in a RAG cell; blank for not answered."""
    if rag is None:
        return ""
    return LETTER[Rag(rag)]
