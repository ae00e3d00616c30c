"""One figure, one definition (issue 10, item 2), through the whole app with AppTest on the embedded demo database
(a seeded SQLite copy, signed in with the demo accounts): every figure shown on two pages is the same number, in
the same words — returns received of expected, the response rate, open and overdue actions (a chair's included),
"no due date", still to chase, % green and % red — and the weakest themes are ranked by the rule the page states.
"""
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
from s11data.store.models import Role

ACCOUNT = {a.role: a for a in users.DEMO_ACCOUNTS}
CHAIR, EXECUTIVE, MANAGER = ACCOUNT[Role.CHAIR], ACCOUNT[Role.EXECUTIVE], ACCOUNT[Role.BUSINESS_MANAGER]


@pytest.fixture
def embedded(sqlite_seeded: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    yield from apptest.embedded(sqlite_seeded, monkeypatch, tmp_path)


def page(account: users.DemoAccount, name: str, **params: str) -> AppTest:
    return open_page(account.username, name, account.password, **params)


def metric(at: AppTest, label: str):  # type: ignore[no-untyped-def]
    found = [m for m in at.metric if m.label == label]
    assert found, f"no metric {label!r}; metrics: {[m.label for m in at.metric]}"
    return found[0]


def table_with(at: AppTest, *columns: str) -> pd.DataFrame:
    found = [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]
    assert found, f"no table with {columns}; tables: {[list(d.value.columns) for d in at.dataframe]}"
    return found[0]


def words(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [s.value for s in at.subheader]
                     + [i.value for i in at.info])


def received_of_expected(at: AppTest) -> tuple[int, int]:
    got = re.fullmatch(r"(\d+) of (\d+) expected", metric(at, "Returns received").value)
    assert got, metric(at, "Returns received").value
    return int(got[1]), int(got[2])


# --- actions -----------------------------------------------------------------------------------------------------

def test_a_chairs_open_actions_are_the_same_on_the_overview_and_the_actions_page(embedded: Engine) -> None:
    overview = page(CHAIR, "overview")
    listed = page(CHAIR, "actions")
    assert metric(overview, "Open actions").value == metric(listed, "Open actions").value == "9"
    assert metric(overview, "Open actions").proto.delta == "5 overdue" == f"{metric(listed, 'Overdue').value} overdue"


def test_no_due_date_is_said_where_no_open_action_has_one(embedded: Engine) -> None:
    overview = page(EXECUTIVE, "overview", partnership="NSSCP", cycle="2023-24")
    assert metric(overview, "Open actions").proto.delta == "no due date"
    assert "none overdue" not in words(overview)
    listed = page(EXECUTIVE, "actions", partnership="NSSCP", cycle="2023-24")
    assert metric(listed, "Open actions").value == metric(overview, "Open actions").value
    assert "no due date" in words(listed)


# --- returns and the response rate ----------------------------------------------------------------------------

def test_returns_received_and_the_response_rate_agree_between_overview_and_engagement(embedded: Engine) -> None:
    overview = page(EXECUTIVE, "overview", partnership="DEMO", cycle="2025-26")
    assert received_of_expected(overview) == (19, 22)
    engagement = page(EXECUTIVE, "engagement", partnership="DEMO", cycle="2025-26")
    funnel = table_with(engagement, "cycle", "returns received", "expected").set_index("cycle")
    assert (funnel.loc["2025-26", "returns received"], funnel.loc["2025-26", "expected"]) == (19, 22)
    rate = "% of expected returns received"
    assert funnel.loc["2025-26", rate] == pytest.approx(100 * 19 / 22, abs=0.05)
    line = next(json.loads(el.proto.spec) for el in engagement.get("vega_lite_chart")
                if rate in json.dumps(json.loads(el.proto.spec)))  # the line is titled with the same words
    assert "% responded" not in json.dumps(line)


def test_gscp_returns_are_thirteen_on_the_overview_and_the_cycles_page(embedded: Engine) -> None:
    overview = page(EXECUTIVE, "overview", partnership="GSCP", cycle="2021")
    assert received_of_expected(overview) == (13, 13)
    cycles = page(MANAGER, "cycles", partnership="GSCP", cycle="2021")
    listed = table_with(cycles, "cycle", "returns received").set_index("cycle")
    assert listed.loc["2021", "returns received"] == 13
    invited = table_with(cycles, "organisation", "status", "return received")
    received = invited["status"].isin(["submitted", "late", "reviewed"])
    assert (invited.loc[received, "return received"] == "yes").all()  # never 'submitted' with return 'no'
    assert (invited.loc[~received, "return received"] != "yes").all()
    assert int(received.sum()) == 13


def test_still_to_chase_is_the_same_on_the_overview_and_the_chase_list(embedded: Engine) -> None:
    overview = page(EXECUTIVE, "overview", partnership="DEMO", cycle="2025-26")
    engagement = page(EXECUTIVE, "engagement", partnership="DEMO", cycle="2025-26")
    chase = table_with(engagement, "organisation", "days since last contact")
    assert metric(overview, "Still to chase").value == str(len(chase)) == "3"


# --- grades ------------------------------------------------------------------------------------------------------

def chart_frames(el) -> list[pd.DataFrame]:  # type: ignore[no-untyped-def]
    """The datasets of one chart element (Streamlit ships them as Arrow beside the spec, or inline in it)."""
    import pyarrow as pa

    frames = [pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in el.proto.datasets]
    return frames + [pd.DataFrame(rows) for rows in json.loads(el.proto.spec).get("datasets", {}).values()]


def _bar_percent(at: AppTest, label: str, grade: str) -> float:
    """The % of `grade` in the rag bar labelled `label` (the Trends page's 'grades by cycle')."""
    for el in at.get("vega_lite_chart"):
        for frame in chart_frames(el):
            whole = "theme" not in frame.columns or (frame["theme"].fillna("") == "").all()  # not per theme
            if {"grade", "percent", "column"} <= set(frame.columns) and whole:
                rows = frame[(frame["grade"] == grade) & frame["column"].astype(str).str.startswith(label)]
                if not rows.empty:
                    return float(rows["percent"].iloc[0])
    raise AssertionError(f"no bar {label} {grade}")


def test_green_and_red_are_the_same_on_the_overview_and_trends(embedded: Engine) -> None:
    overview = page(EXECUTIVE, "overview", partnership="DEMO", cycle="2025-26")
    trends = page(EXECUTIVE, "trends", partnership="DEMO", cycle="2025-26")
    assert metric(overview, "Green").value == f"{_bar_percent(trends, '2025-26', 'Green'):.0f}%" == "46%"
    assert metric(overview, "Red").value == f"{_bar_percent(trends, '2025-26', 'Red'):.0f}%" == "13%"


def test_the_change_since_the_last_cycle_is_the_same_in_the_headline_and_the_cards(embedded: Engine) -> None:
    """A chair's themes: 36% green after 55.x% — the headline's '−19' and the card's '-19 points', not '-20'
    (the difference of the unrounded shares); the same for red."""
    overview = page(CHAIR, "overview", screen="1")
    said = " ".join(t.value for t in overview.text)
    for label, what in (("Green", "outstanding"), ("Red", "requires improvement")):
        card = re.match(r"([+-]\d+) points since", metric(overview, label).proto.delta)
        assert card, metric(overview, label).proto.delta
        headline = re.search(rf"\d+% {what} \(([+−]\d+|0)", said)
        assert headline, said
        assert headline[1].replace("−", "-") == card[1], (label, headline[1], card[1])


def test_weakest_themes_are_ranked_by_the_rule_the_page_states(embedded: Engine) -> None:
    overview = page(EXECUTIVE, "overview", partnership="GSCP", cycle="2021")
    assert "lowest % green first" in words(overview)
    el = next(el for el in overview.get("vega_lite_chart")
              if any("theme" in frame.columns for frame in chart_frames(el)))
    rows = pd.concat([f for f in chart_frames(el) if "theme" in f.columns])
    green = rows[rows["grade"] == "Green"].set_index("theme")["percent"].to_dict()
    spec = json.loads(el.proto.spec)
    order = next(layer["encoding"]["y"]["sort"] for layer in spec["layer"] if "y" in layer.get("encoding", {}))
    shown = [green.get(t, 0.0) for t in order]
    assert shown == sorted(shown), list(zip(order, shown))  # lowest % green at the top
