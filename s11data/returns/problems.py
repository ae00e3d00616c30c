"""What is wrong with a file, placed at its spreadsheet row and column, with the fix (shown as plain text)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth knowing) about a file, placed at its spreadsheet row and column."""

    row: int | None
    column: str | None
    message: str
    fix: str = ""

    @property
    def text(self) -> str:
        """What is wrong and how to fix it, in one line."""
        return f"{self.message}. {self.fix}" if self.fix else self.message

    def as_json(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "message": self.text}


class FileRefused(Exception):
    """The file cannot be read at all; `problems` say why and what to do."""

    def __init__(self, *problems: Problem) -> None:
        super().__init__("; ".join(p.text for p in problems))
        self.problems = list(problems)


def refuse(message: str, fix: str = "", row: int | None = None, column: str | None = None) -> FileRefused:
    return FileRefused(Problem(row, column, message, fix))
