"""The dashboard pages (overview, heat map, trends, agency) through the real app entry point with AppTest on the
seeded database, figures checked against the published reports; plus the shared filters, deep links, downloads,
shared-screen mode and the colour-blind-safe palette's contrast."""
from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

import apptest
from app import filters, tables
from s11data import charts
from s11data.store import db
from s11data.views import filter_choices, filter_values
from s11data.admin import users
from s11data.store.models import Rag
from s11data.store.scope import Scope

PROJECT = Path(__file__).resolve().parent.parent
SEED = PROJECT / "seed" / "published"
PASSWORD = "Apptest-pass-1"
ALL = ["Gloucestershire Safeguarding Children Partnership", "North Somerset Children's Partnership",
       "South Gloucestershire Children's Partnership", "Illustrative Demo Partnership"]


@pytest.fixture
def served(sqlite_seeded: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Engine]:
    """The app pointed at a seeded SQLite copy, with an executive of every partnership and a NSSCP-only one."""
    apptest.serve(sqlite_seeded, monkeypatch, tmp_path)
    with db.write_session(sqlite_seeded) as session:
        users.add_user(session, Scope.system("test"), "exec", "executive", ALL, PASSWORD)
        users.add_user(session, Scope.system("test"), "nsexec", "executive",
                       ["North Somerset Children's Partnership"], PASSWORD)
    yield sqlite_seeded
    db.get_engine.cache_clear()


def open_page(page: str = "overview", user: str = "exec", **params: str) -> AppTest:
    """Sign in through the form as `user`, then open `page` (a file in pages/) with URL parameters, as a deep
    link gives them."""
    return apptest.open_page(user, page, PASSWORD, **params)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def texts(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
                     + [w.value for w in at.warning])


def charts_of(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("vega_lite_chart")]


# --- overview ---------------------------------------------------------------------------------------------------

def test_overview_gscp_2021_matches_the_report(served: Engine) -> None:
    at = open_page(partnership="GSCP", cycle="2021")
    got = metrics(at)
    assert got["Returns received"] == "13 of 13 expected"  # §3.5–3.6: CAFCASS national return, NPS+BTP two-year cycle
    assert got["Green"] == "81%" and got["Red"] == "2%"   # Table 1: 39 G, 8 A, 1 R of 48
    assert got["Still to chase"] == "0"
    assert "12 on time · 1 late · 1 national return · 2 not expected this cycle" in texts(at)
    assert "Ratings per organisation" in texts(at)
    assert dict(at.query_params) == {"partnership": "GSCP", "cycle": "2021"}
    links = {(el.proto.page, el.proto.query_string) for el in at.get("page_link")}
    assert ("heat-map", "partnership=GSCP&cycle=2021") in links and ("trends", "partnership=GSCP&cycle=2021") in links
    assert ("heat-map", "partnership=GSCP&cycle=2021&theme=safeguarding+structure+%26+leadership") in links


def test_overview_nsscp_2023_24_is_labelled_published_aggregate(served: Engine) -> None:
    at = open_page(partnership="NSSCP", cycle="2023-24")
    published = [r for r in csv.DictReader((SEED / "nsscp_2023_24" / "aggregates.csv").open(encoding="utf-8"))
                 if r["subject_kind"] == "question"]
    questions = len({r["subject"] for r in published})
    green = sum(float(r["percent"]) for r in published if r["grade"] == "Green") / questions
    got = metrics(at)
    assert got["Returns received"] == "15 of 15 expected"
    assert got["Green"] == f"{green:.0f}%"
    assert "Published aggregate" in texts(at) and "published aggregate" in texts(at)


def test_overview_of_the_demo_says_illustrative(served: Engine) -> None:
    at = open_page(partnership="DEMO", cycle="2024-25")
    assert "Illustrative data" in texts(at)
    assert "The method changed:** 2023-24 was self-assessment, 0–3 scores shown as RAG; 2024-25 is panel, RAG" \
        in texts(at)


def test_overview_of_an_ungraded_peer_review(served: Engine) -> None:
    at = open_page(partnership="SGCP", cycle="2022-23")
    assert "Responses only" in texts(at) and "no grades" in texts(at)
    assert metrics(at)["Green"] == "–"
    assert metrics(at)["Still to chase"] == "1"  # Eastwood Park did not engage


# --- heat map ---------------------------------------------------------------------------------------------------

def element_data(el) -> list[pd.DataFrame]:  # type: ignore[no-untyped-def]
    """The datasets of one chart element (Streamlit ships them as Arrow beside the spec, or inline in it)."""
    import pyarrow as pa

    frames = [pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in el.proto.datasets]
    return frames + [pd.DataFrame(rows) for rows in json.loads(el.proto.spec).get("datasets", {}).values()]


def chart_data(at: AppTest) -> list[pd.DataFrame]:
    """Every dataset of every chart on the page."""
    return [frame for el in at.get("vega_lite_chart") for frame in element_data(el)]


def is_heat_map(spec: dict) -> bool:
    return any(p.get("name") == "cell" for p in spec.get("params", []))


def heat_cells(at: AppTest) -> pd.DataFrame:
    """The heat map's cells as drawn: column, row (organisation), shown (grade), letter."""
    el = next(el for el in at.get("vega_lite_chart") if is_heat_map(json.loads(el.proto.spec)))
    return element_data(el)[0]


def test_heat_map_gscp_2021_cells_carry_table_1_letters(served: Engine) -> None:
    at = open_page("heat_map", partnership="GSCP", cycle="2021")
    cells = heat_cells(at)
    published = list(csv.DictReader((SEED / "gscp_2021" / "ratings.csv").open(encoding="utf-8")))
    got = {(r.Organisation, r.column): r.letter for r in cells.itertuples()}
    assert len(got) == 48
    for row in published:
        assert got[(row["organisation"], row["question"])] == row["rating"][0]  # 'Green' → 'G'
    summary = next(d.value for d in at.dataframe if "% red" in d.value.columns)
    standard_1 = summary[summary["question"] == "1"].iloc[0]
    assert standard_1["% red"] == pytest.approx(8.3) and standard_1["% green"] == pytest.approx(91.7)
    el = next(el for el in at.get("vega_lite_chart") if is_heat_map(json.loads(el.proto.spec)))
    footer = next(d for d in element_data(el) if "_text" in d.columns)  # the last row: % green per standard
    assert set(footer["Organisation"]) == {"% green · all shown"}
    assert dict(zip(footer["column"], footer["_text"])) == {
        q: f"{g:.0f}%" for q, g in zip(summary["question"], summary["% green"])}
    assert dict(zip(footer["column"], footer["_text"]))["1"] == "92%"
    labels = [b.label for b in at.get("download_button")]
    assert labels.count("Download CSV") == labels.count("Download XLSX") == len(at.dataframe)


def test_heat_map_nsscp_shows_the_published_percentages(served: Engine) -> None:
    at = open_page("heat_map", partnership="NSSCP", cycle="2023-24")
    assert "Published aggregate" in texts(at)
    table = at.dataframe[0].value.set_index("question")
    for row in csv.DictReader((SEED / "nsscp_2023_24" / "aggregates.csv").open(encoding="utf-8")):
        if row["subject_kind"] == "question":
            assert table.loc[row["subject"], f"% {row['grade'].lower()}"] == pytest.approx(float(row["percent"]))
    appendix = at.dataframe[1].value
    assert len(appendix) == 13  # Appendix One rows with figures (police and BTP printed n/a)
    assert "read as green, amber, red" in texts(at)


def test_heat_map_of_a_peer_review_shows_responses(served: Engine) -> None:
    at = open_page("heat_map", partnership="NSSCP", cycle="2021-22")
    assert "Responses only" in texts(at)
    assert not [s for s in charts_of(at) if is_heat_map(s)]
    responses = at.dataframe[0].value
    assert {"organisation", "question", "evidence"} <= set(responses.columns) and len(responses) > 0


def test_heat_map_difference_view_flags_higher_self_ratings(served: Engine) -> None:
    at = open_page("heat_map", partnership="DEMO", cycle="2024-25")
    at.segmented_control(key="hm_view").set_value("difference").run()
    assert "Rated themselves higher than the panel" in texts(at)
    cells = heat_cells(at)
    assert {"higher than panel", "same as panel"} <= set(cells["shown"])
    assert cells["letter"].str.contains("›").any()  # e.g. G›A: self G, panel A


def test_heat_map_sorts_and_switches_to_themes(served: Engine) -> None:
    at = open_page("heat_map", partnership="DEMO", cycle="2024-25")
    *rows, last = charts_of(at)[0]["layer"][0]["encoding"]["y"]["sort"]
    assert last == "% green · all shown"  # the summary row stays last whatever the sort
    at.segmented_control(key="hm_sort").set_value("az").run()
    *az, last = charts_of(at)[0]["layer"][0]["encoding"]["y"]["sort"]
    assert az == sorted(az, key=str.lower) and sorted(az) == sorted(rows) and az != rows
    assert last == "% green · all shown"
    at.segmented_control(key="hm_by").set_value("theme").run()
    columns = charts_of(at)[0]["layer"][0]["encoding"]["x"]["sort"]
    assert "neglect" in columns


# --- trends and agency -------------------------------------------------------------------------------------------

def test_trends_page(served: Engine) -> None:
    at = open_page("trends", partnership="DEMO", org="Northvale Constabulary (illustrative)")
    assert [h.value for h in at.header] == ["Themes across cycles", "One organisation's trajectory",
                                             "Partnerships side by side"]
    assert "Method changed in 2024-25:** panel, RAG (before: self-assessment, 0–3 scores shown as RAG)" in texts(at)
    grid = next(d for d in chart_data(at) if "_fill" in d.columns and "theme" in d.columns)
    assert {"2022-23 · self-assessment", "2024-25 · panel"} <= set(grid["column"])
    assert (grid["_text"] == grid["percent"].map(lambda v: f"{v:.0f}%")).all()
    assert "Illustrative data" in texts(at)
    assert "partnerships, all their cycles" not in texts(at)  # comments stay comments (no Streamlit magic)
    table = next(d.value for d in at.dataframe if "theme" in d.value.columns)
    assert not table[table["source"] == "ratings"][["% red", "% amber", "% green"]].isna().any().any()


def test_agency_deep_link_by_part_of_a_name(served: Engine) -> None:
    at = open_page("agency", org="Sirona")
    assert [h.value for h in at.header] == ["Sirona Care & Health"]
    got = metrics(at)
    assert got["Cycles invited to"] == "2" and got["Returns / reviews"] == "2"
    assert at.query_params["org"] == "Sirona Care & Health"
    assert "Appendix One" in texts(at)


def test_agency_by_alias_and_scope(served: Engine) -> None:
    at = open_page("agency", user="nsexec", org="UHBW")
    assert [h.value for h in at.header] == ["University Hospitals Bristol and Weston NHS Foundation Trust"]
    at = open_page("agency", user="nsexec", org="Gloucestershire Constabulary")  # not in their partnership
    assert not at.header and "Choose an organisation" in texts(at)


# --- filters, links, screen mode -------------------------------------------------------------------------------

def test_filters_are_kept_when_moving_between_pages(served: Engine) -> None:
    at = open_page(partnership="NSSCP", cycle="2023-24", theme="fathers")
    at.switch_page("../pages/heat_map.py").run()
    assert at.query_params["partnership"] == "NSSCP" and at.query_params["theme"] == "fathers"
    assert at.selectbox(key="filter_theme").value == "fathers"
    at.selectbox(key="filter_partnership").set_value("GSCP").run()
    assert at.query_params["partnership"] == "GSCP" and at.query_params["cycle"] == "2021"  # its latest cycle
    at.switch_page("../pages/overview.py").run()
    assert metrics(at)["Returns received"] == "13 of 13 expected"


def test_a_link_to_a_partnership_out_of_scope_falls_back_to_ones_own(served: Engine) -> None:
    at = open_page(user="nsexec", partnership="GSCP", cycle="2021")
    assert at.query_params["partnership"] == "NSSCP"
    assert at.selectbox(key="filter_partnership").options == ["North Somerset Children's Partnership"]


def test_shared_screen_mode(served: Engine) -> None:
    at = open_page(partnership="GSCP", cycle="2021", screen="1")
    assert at.toggle(key="screen_toggle").value is True
    css = "".join(el.proto.body for el in at.get("html"))
    assert "font-size: 24px" in css and "stSidebar" in css
    assert not at.sidebar.selectbox  # the filters fold into the page, no sidebar
    assert at.expander and at.expander[0].label.startswith("Filters: Gloucestershire")
    at.toggle(key="screen_toggle").set_value(False).run()
    assert "screen" not in at.query_params


def test_filter_resolution(served: Engine) -> None:
    with db.read_session(served) as session:
        choices = filter_choices.filter_choices(session, Scope.system())
    f = filter_values.resolve(choices, {"partnership": "north somerset", "cycle": "2023/24", "org": "UHBW"}, False)
    assert (f.partnership, f.cycle, f.org) == ("NSSCP", "2023-24", "University Hospitals Bristol and Weston NHS "
                                                                    "Foundation Trust")
    f = filter_values.resolve(choices, {"org": "Sirona", "_org_only": "1"}, False)
    assert f.org == "Sirona Care & Health" and f.partnership == "NSSCP"
    f = filter_values.resolve(choices, {"partnership": "GSCP", "org": "Sirona"}, False)
    assert f.org is None  # not one of GSCP's organisations
    f = filter_values.resolve(choices, {"partnership": "DEMO", "theme": "Neglect", "sector": "Health", "section": "zz"},
                         False, lambda cid: [("A", "Leadership")])
    assert (f.theme, f.sector, f.section, f.illustrative) == ("neglect", "health", None, True)
    f = filter_values.resolve(choices, {"partnership": "DEMO", "section": "a"}, False, lambda cid: [("A", "Leadership")])
    assert f.section == "A"


# --- tables and charts ---------------------------------------------------------------------------------------------

def test_downloads_hold_the_table_as_shown_and_formula_safe() -> None:
    frame = pd.DataFrame({"organisation": ["=HYPERLINK(\"x\")", "Sirona"], "organisation_id": [1, 2],
                          "% green": [50.0, 75.0]})
    plain = tables.downloadable(frame)
    assert list(plain.columns) == ["organisation", "% green"]
    from s11data.returns import spreadsheet

    written = list(csv.reader(spreadsheet.to_csv_bytes(plain).decode("utf-8-sig").splitlines()))
    assert written[0] == ["organisation", "% green"] and written[1][0] == "'=HYPERLINK(\"x\")"
    assert tables.file_stem("per-question NSSCP 2023/24") == "per-question-NSSCP-2023-24"


def test_palette_letters_meet_wcag_aa() -> None:
    for grade, fill in {**charts.FILL, **charts.DIFFERENCE_FILL}.items():
        ink = charts.INK.get(grade) or charts.DIFFERENCE_INK[grade]
        assert charts.contrast(fill, ink) >= charts.AA_NORMAL, grade
    for _upper, fill in charts.GRID_BINS:
        assert charts.contrast(fill, charts.GRID_INK[fill]) >= charts.AA_NORMAL, fill
    assert charts.contrast(charts.CELL_BORDER, "#FFFFFF") >= 3.0  # cell edges: non-text contrast (WCAG 1.4.11)
    assert charts.contrast(charts.TEXT, "#FFFFFF") >= 7 and charts.contrast(charts.MUTED, "#FFFFFF") >= 4.5
    assert round(charts.contrast("#000000", "#FFFFFF"), 1) == 21.0
    # the three grades stay apart in lightness, so they differ without hue too
    lum = sorted(charts.luminance(charts.FILL[g.value]) for g in (Rag.RED, Rag.AMBER, Rag.GREEN))
    assert lum[-1] - lum[0] > 0.1


def test_every_cell_carries_its_letter() -> None:
    assert [charts.cell_letter(g) for g in ("Red", "Amber", "Green", "Not rated", "Not applicable",
                                            charts.NOT_PUBLISHED, None)] == ["R", "A", "G", "–", "N/A", "?", ""]
    cells = pd.DataFrame({"column": ["1", "2"], "organisation": ["X", "X"], "shown": ["Red", "Not rated"],
                          "letter": ["R", "–"]})
    spec = charts.spec("heat_map", cells, x="column", y="organisation", grade="shown", x_order=["1", "2"],
                       y_order=["X"])
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["rect", "text"] and spec["layer"][1]["encoding"]["text"]["field"] == "letter"
    assert is_heat_map(spec)
    with_row = charts.spec("heat_map", cells, x="column", y="organisation", grade="shown", x_order=["1", "2"],
                           y_order=["X"], footer=(("1", "0%"), ("2", "0%")), footer_label="% green")
    assert [layer["mark"]["type"] for layer in with_row["layer"]] == ["rect", "text", "rect", "text"]
    assert with_row["layer"][0]["encoding"]["y"]["sort"] == ["X", "% green"]  # the summary row comes last
    assert "params" not in with_row["layer"][2]  # only the grade cells can be clicked
    assert charts.contrast(charts.TEXT, charts.FOOTER_FILL) >= 4.5


def test_a_section_filter_keeps_only_its_questions(served: Engine) -> None:
    at = open_page("heat_map", partnership="NSSCP", cycle="2023-24", section="b")
    assert at.query_params["section"] == "B" and at.selectbox(key="filter_section").value == "B"
    table = at.dataframe[0].value
    assert list(table["question"]) == ["B1", "B2", "B3", "B4", "B5", "B6"]
