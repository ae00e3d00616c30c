"""Two app servers (replicas) on one PostgreSQL database agree: a return imported while both have the overview
cached is shown by each on its next page load (cached reads are keyed by the database's data version)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import add_user, serve, sign_in, stop, wait_idle
from sqlalchemy import Engine
from test_import import NEW_ORG, csv_of, demo_rows, run

from s11data.store import db

pytestmark = [pytest.mark.browser, pytest.mark.postgres]
DEMO = "Illustrative Demo Partnership"


@pytest.fixture
def replicas(templates: Any, tmp_path: Path) -> Iterator[tuple[Engine, list[str]]]:
    url = templates.clone("postgres", seeded=True)
    engine = db.get_engine(url)
    add_user(engine, "rita", "business manager", [DEMO])
    servers = [serve({"S11_DATABASE_URL": url, "S11_DATA_DIR": str(tmp_path / f"data{i}")},
                     tmp_path / f"replica{i}.log") for i in (1, 2)]
    yield engine, [base for _, base in servers]
    for process, _ in servers:
        stop(process)
    engine.dispose()


def _returns_received(page: Any, base: str) -> str:
    page.goto(f"{base}/overview")
    wait_idle(page)
    metric = page.locator("[data-testid='stMetric']", has_text="Returns received")
    return metric.locator("[data-testid='stMetricValue']").inner_text()


def test_an_import_shows_on_both_replicas_at_their_next_page_load(replicas: tuple[Engine, list[str]],
                                                                   chromium: Any) -> None:
    engine, bases = replicas
    pages = []
    for base in bases:
        page = chromium.new_context().new_page()
        sign_in(page, base, "rita")
        pages.append(page)
    before = [_returns_received(page, base) for page, base in zip(pages, bases)]
    assert before[0] == before[1] and before == [_returns_received(p, b) for p, b in zip(pages, bases)]  # cached
    received, _, expected = before[0].partition(" of ")
    result = run(engine, csv_of(demo_rows(NEW_ORG, ["Green"] * 14, engine=engine)))
    assert result.ok, result.errors
    after = f"{int(received) + 1} of {expected}"
    assert [_returns_received(page, base) for page, base in zip(pages, bases)] == [after, after]
