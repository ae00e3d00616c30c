"""Header cells as people write them: folded for matching, and recognised as carrying a question code."""
from __future__ import annotations

import re

CODE = r"(?:q|question\s*)?[a-z]{0,2}\s?\d{1,3}[a-z]?"
BRACKETED = re.compile(rf"[\[(]\s*({CODE})\s*[\])]", re.I)
"""A question code in brackets anywhere in a header: "question text [A1]", "Evidence (A1)"."""
_QUESTION_LIKE = re.compile(r"^(?:q|question\s*)?[a-z]{0,2}\s?\d{1,3}[a-z]?(?:[\s.:)\-_].*)?$", re.I)
"""A header that looks like a question code ("A1", "Q12", "3", "A1. There is a named lead…")."""


def header_key(text: str) -> str:
    """A header folded for matching: case, spaces, underscores, trailing '*' or ':' ignored."""
    text = text.replace("\ufeff", "").replace("_", " ").replace("\u00a0", " ").lower()
    text = re.sub(r"\s+", " ", text).strip(" *:?")
    return text


def looks_like_question(header: str) -> bool:
    """A header that carries a question code: at its start ("A1", "A1. …", "Q1:") or in brackets ("… [A1]")."""
    key = header_key(header)
    return bool(_QUESTION_LIKE.match(key) or BRACKETED.search(key))
