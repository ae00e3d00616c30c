"""Saying honestly what a view's figures are: published aggregate, self-rating, moderated rating, responses only,
illustrative demo. Every page heading calls `data_note(info, grade_of)`."""
from __future__ import annotations

import streamlit as st

from app.text import plain
from s11data.views import citations, common
from s11data.views.common import CycleInfo

GRADE_WORDS = {"self": "self-rating", "moderated": "moderated rating (panel)", "stands": "rating that stands"}
GRADE_HELP = {"self": "What each organisation said of itself.",
              "moderated": "The grade the panel agreed after moderation (blank where the panel did not moderate).",
              "stands": "The panel's moderated grade where it moderated one, else the organisation's self-rating."}


def method_words_of(method: str, scale: str) -> str:
    """E.g. 'self-assessment, 0–3 scores shown as RAG'."""
    words = {"RAG": "RAG", "0-3": "0–3 scores shown as RAG", "none": "ungraded"}.get(scale, scale)
    return f"{method}, {words}"


def method_words(info: CycleInfo) -> str:
    return method_words_of(info.method, info.scale)


def data_note(info: CycleInfo, grade_of: str = "stands") -> None:
    """A badge line: what kind of figures this cycle has, and the illustrative label where it applies."""
    if info.illustrative:
        st.info(f"**Illustrative data** — {plain(info.partnership)} is a fictional partnership for trying the dashboard. "
                "Nothing in it is real.", icon=":material/science:")
    kind = {
        common.RATINGS: f"Ratings per organisation · {GRADE_WORDS[grade_of]} · {method_words(info)}",
        common.PUBLISHED: f"Published aggregate · figures as printed in the "
                          f"{citations.report_name(info.partnership_short, info.label) if info.report_file else 'report'}"
                           f" · {method_words(info)}",
        common.RESPONSES: f"Responses only · {method_words(info)}: this cycle has no grades",
        common.NOTHING: f"Nothing recorded yet · {method_words(info)}",
    }[info.source]
    colour = {common.RATINGS: "blue", common.PUBLISHED: "violet", common.RESPONSES: "gray",
              common.NOTHING: "gray"}[info.source]
    st.badge(kind, icon=":material/info:", color=colour)
