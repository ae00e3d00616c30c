"""The users' words (issue 10, item 3) through the whole app with AppTest on the embedded demo database: no raw
field name, "None", ISO date, negative day count or file id in any table or chart of any page, in the shown table
or its download; and a control (Columns / Show / Sort) only where it changes something."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

import apptest
from apptest import open_page
from s11data.admin import users
from s11data.views import citations
from s11data.store.models import Role

ACCOUNT = {a.role: a for a in users.DEMO_ACCOUNTS}
RAW_FIELD = re.compile(r"^[a-z%]+(?:_[a-z]+)+$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
NEGATIVE = re.compile(r"^[-−]\d+$")

VIEWS = [  # (role, page, params): every page with a table or chart, each kind of cycle
    (Role.EXECUTIVE, "overview", {"partnership": "DEMO", "cycle": "2025-26"}),
    (Role.EXECUTIVE, "heat_map", {"partnership": "GSCP", "cycle": "2021"}),
    (Role.EXECUTIVE, "heat_map", {"partnership": "NSSCP", "cycle": "2023-24"}),
    (Role.EXECUTIVE, "heat_map", {"partnership": "SGCP", "cycle": "2022-23"}),
    (Role.EXECUTIVE, "trends", {"partnership": "DEMO"}),
    (Role.EXECUTIVE, "agency", {"partnership": "NSSCP", "org": "Sirona care & health"}),
    (Role.EXECUTIVE, "engagement", {"partnership": "SGCP", "cycle": "2022-23"}),
    (Role.EXECUTIVE, "actions", {"partnership": "GSCP", "cycle": "2021"}),
    (Role.CHAIR, "actions", {}),
    (Role.BUSINESS_MANAGER, "cycles", {"partnership": "GSCP", "cycle": "2021"}),
]


@pytest.fixture
def embedded(sqlite_seeded: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    yield from apptest.embedded(sqlite_seeded, monkeypatch, tmp_path)


def page(role: Role, name: str, **params: str) -> AppTest:
    account = ACCOUNT[role]
    return open_page(account.username, name, account.password, **params)


def faults_of(frame: pd.DataFrame, where: str) -> list[str]:
    """Every way a table fails the users' words."""
    faults = [f"{where}: raw field name {c!r}" for c in frame.columns if RAW_FIELD.match(str(c))]
    for column in frame.columns:
        for value in frame[column]:
            text = str(value)
            if value is None or text in ("None", "nan", "<NA>", "NaT"):
                faults.append(f"{where}: {column!r} shows {text!r}")
            elif isinstance(value, str) and ISO_DATE.match(text):
                faults.append(f"{where}: {column!r} shows the date {text!r}")
            elif NEGATIVE.match(text) or (isinstance(value, (int, float)) and not pd.isna(value) and value < 0):
                faults.append(f"{where}: {column!r} shows the negative number {text}")
            elif isinstance(value, str) and citations.FILE_ID.search(text):
                faults.append(f"{where}: {column!r} shows a file id: {text[:60]!r}")
    return sorted(set(faults))


@pytest.mark.parametrize(("role", "name", "params"), VIEWS, ids=[f"{v[1]}-{'-'.join(v[2].values()) or v[0].value}"
                                                                 for v in VIEWS])
def test_every_table_and_chart_is_in_the_users_words(embedded: Engine, role: Role, name: str,
                                                     params: dict[str, str]) -> None:
    at = page(role, name, **params)
    tables = [d.value for d in at.dataframe]
    assert tables, "the page shows no table"
    faults = [f for i, t in enumerate(tables) for f in faults_of(t, f"table {i + 1}")]
    for el in at.get("vega_lite_chart"):
        spec = json.dumps(json.loads(el.proto.spec))
        faults += [f"chart: file id {m}" for m in citations.FILE_ID.findall(spec)]
        faults += [f"chart: {m}" for m in re.findall(r'"title": "[a-z]+_[a-z_]+"', spec)]
    assert not faults, "\n".join(faults[:40])


def test_the_download_is_the_table_as_shown() -> None:
    from app import tables

    frame = pd.DataFrame({"organisation_id": [1], "days_to_due": pd.array([-1645], dtype="Int64"),
                          "status": ["open"], "recorded_by": [None],
                          "source": ["003_3e8e97d5ab40acba.txt §4.3"]})
    got = tables.downloadable(frame, reports={"003_3e8e97d5ab40acba.txt": "NSSCP Section 11 report 2023-24"})
    assert got.to_dict("records") == [{"due": "1,645 days overdue", "status": "open", "recorded by": "—",
                                       "source": "NSSCP Section 11 report 2023-24, §4.3"}]


def controls(at: AppTest) -> set[str]:
    return {c.label for c in at.segmented_control}


@pytest.mark.parametrize(("partnership", "cycle", "shown"), [
    ("GSCP", "2021", {"Columns", "Show", "Sort"}),   # per-organisation ratings: every control changes the map
    ("NSSCP", "2023-24", set()),                     # published aggregate: nothing to re-sort or re-colour
    ("SGCP", "2022-23", set()),                      # ungraded peer review: responses as written
])
def test_heat_map_controls_only_where_they_change_something(embedded: Engine, partnership: str, cycle: str,
                                                            shown: set[str]) -> None:
    at = page(Role.EXECUTIVE, "heat_map", partnership=partnership, cycle=cycle)
    assert controls(at) & {"Columns", "Show", "Sort"} == shown
