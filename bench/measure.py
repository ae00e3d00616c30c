"""What every benchmark figure shares: the targets (DESIGN §6), the arguments picked from the data, a page's
figure, and capturing a run's SQL to time it bare on the driver's cursor (the floor each figure is set beside)."""
from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event

TARGETS: dict[str, float] = {"query": 0.1, "page_warm": 0.3, "page_cold": 1.5, "import": 2.0}
"""Seconds (DESIGN §6): each query, each page warm and cold, a 10,000-row return validated and committed."""


@dataclass(frozen=True)
class Picked:
    """Arguments picked from the data: what a page shows by default, and one busy organisation."""

    partnership_id: int
    partnership: str
    cycle_id: int
    cycle: str
    previous_cycle_id: int
    organisation_id: int
    organisation: str
    theme_id: int
    recommendation_id: int
    partnership_ids: tuple[int, ...]
    today: dt.date = field(default_factory=dt.date.today)


@dataclass
class PageFigure:
    page: str
    scope: str = "one partnership"
    cold_seconds: float | None = None
    warm_seconds: float | None = None
    bare_sql_seconds: float | None = None
    cold_ratio: float | None = None
    warm_ratio: float | None = None
    statements: int = 0
    """SQL statements of a cold run."""
    warm_statements: int = 0
    """SQL statements of a warm run: reads that bypass the cache (0 when every read is cached)."""
    ok: bool = False
    error: str | None = None


Statement = tuple[str, Any]


@contextmanager
def captured(engine: Engine) -> Iterator[list[Statement]]:
    """The SELECT statements (SQL text and driver parameters) run on `engine` inside the block."""
    statements: list[Statement] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if not executemany and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def bare_sql(engine: Engine, statements: list[Statement], repeat: int) -> float:
    """Median time to run `statements` on the driver's own cursor and fetch every row: the floor."""
    if not statements:
        return 0.0
    raw = engine.raw_connection()
    try:
        times = []
        for _ in range(repeat):
            cursor = raw.cursor()
            start = time.perf_counter()
            for statement, parameters in statements:
                cursor.execute(statement, parameters)
                cursor.fetchall()
            times.append(time.perf_counter() - start)
            cursor.close()
        raw.rollback()
        return statistics.median(times)
    finally:
        raw.close()
