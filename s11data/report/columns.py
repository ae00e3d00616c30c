"""How wide each column of a report table is, in both documents: as a browser's automatic table layout would make
it from the text — each column at least its longest word, the room left shared out by how much more its longest
cell would need. Given up front, the PDF lays tables out at fixed widths (no measuring of every cell twice) and
Word gets the same proportions.

Widths are counted in mean characters of the body's 9 pt DejaVu Sans: a header's bold letters are wider, and every
cell has its padding, so a short column such as "Number" or "Review or due date" keeps its heading's words whole.
"""
from __future__ import annotations

from .document import Table

LINE_CHARS = 100
"""About how many mean characters of a table's 9 pt DejaVu Sans fit across the A4 text column (174 mm)."""
LONGEST_CELL_CHARS = 120
"""A cell longer than this wraps anyway: its length counts for no more than this when columns are shared out."""
BODY_CHAR = 1.1
"""A body letter against the mean character (words are mostly lower-case letters wider than the mean's spaces)."""
HEADER_CHAR = 1.4
"""A bold header letter against the mean character (DejaVu Sans Bold "Number": 8.2 mean characters for 6)."""
PADDING_CHARS = 2.0
"""A cell's padding, both sides (0.4 em each), with a little to spare."""


def _longest_word(cell: str) -> int:
    return max((len(word) for word in cell.split()), default=1)


def shares(block: Table) -> list[float]:
    """Each column's share of the table's width (fractions summing to 1)."""
    least, most = [], []
    for c, head in enumerate(block.header):
        body = [row[c] for row in block.rows]
        floor = max([HEADER_CHAR * _longest_word(head), *(BODY_CHAR * _longest_word(cell) for cell in body)])
        longest = max([HEADER_CHAR * len(head), *(BODY_CHAR * min(len(cell), LONGEST_CELL_CHARS) for cell in body)])
        least.append(floor + PADDING_CHARS)
        most.append(max(longest, floor) + PADDING_CHARS)
    if sum(most) <= LINE_CHARS:
        widths = most
    elif sum(least) >= LINE_CHARS:
        widths = least
    else:
        spare, wanted = LINE_CHARS - sum(least), sum(m - f for m, f in zip(most, least))
        widths = [f + (m - f) * spare / wanted for m, f in zip(most, least)]
    total = sum(widths)
    return [w / total for w in widths]
