"""What every document format says the same way: the footer, the contents' chapters, a placeholder's words."""
from __future__ import annotations

from s11data.report.document import Heading, Narrative, Report
from s11data.report.draft import ILLUSTRATIVE_FOOTER as ILLUSTRATIVE


def footer(report: Report) -> str:
    """The footer printed on every page; an illustrative partnership's always says so."""
    if report.illustrative and "illustrative" not in report.footer.lower():
        return f"{ILLUSTRATIVE} · {report.footer}" if report.footer else ILLUSTRATIVE
    return report.footer


def chapters(report: Report) -> tuple[str, ...]:
    """The level-1 headings in order: the plain contents."""
    return tuple(b.text for b in report.blocks if isinstance(b, Heading) and b.level <= 1)


def fact(report: Report, label: str) -> str:
    """A title-page fact's value by its label ('Author', 'Date', …), '' when absent."""
    return next((value for name, value in report.facts if name.lower() == label.lower()), "")


def placeholder(block: Narrative) -> str:
    """The visible mark of a narrative section nobody has written yet."""
    return f"[To be written: {block.title}]"


def paragraphs(text: str) -> list[str]:
    """A narrative's text split into paragraphs at blank lines."""
    return [part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()]
