"""A subgroup chair's pages open filtered to their themes ("My themes", `theme=mine`), through the whole app with
AppTest: the demo chair on the embedded demo database; an executive sees every theme; "All themes" and deep links
win over the default; admins set a chair's themes on the Users page."""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from apptest import open_page, serve
from app import filters
from s11data.store import db
from s11data.views import filter_choices, filter_values, heat_map
from s11data.admin import users
from s11data.store.models import STABLE_THEMES, Cycle, Partnership, Role, Theme
from s11data.store.scope import Scope

CHAIR = next(a for a in users.DEMO_ACCOUNTS if a.role is Role.CHAIR)
EXECUTIVE = next(a for a in users.DEMO_ACCOUNTS if a.role is Role.EXECUTIVE)
MINE = set(CHAIR.themes)
DEMO = "Illustrative Demo Partnership"
NSSCP = "North Somerset Children's Partnership"
PASSWORD = "Chair-app-pass-1"


@pytest.fixture
def embedded(sqlite_seeded: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The app on the embedded default database (a seeded copy), where the demo accounts live."""
    shutil.copyfile(sqlite_seeded.url.database, tmp_path / "s11.sqlite3")
    monkeypatch.setattr(db, "DATA_DIR", tmp_path)
    monkeypatch.delenv("S11_DATABASE_URL", raising=False)
    monkeypatch.setenv("S11_COOKIE_KEY", "chair-themes-only-" + "k" * 40)
    monkeypatch.setenv("S11_BCRYPT_ROUNDS", "4")
    db.get_engine.cache_clear()
    yield db.get_engine(f"sqlite:///{tmp_path / 's11.sqlite3'}")
    db.get_engine.cache_clear()


def chair_page(page: str, **params: str) -> AppTest:
    return open_page(CHAIR.username, page, CHAIR.password, **params)


def theme_box(at: AppTest):  # type: ignore[no-untyped-def]
    return at.selectbox(key="filter_theme")


def heat_map_columns(at: AppTest) -> list[str]:
    """The heat map's columns (question codes, or themes), in order."""
    import json

    spec = next(json.loads(el.proto.spec) for el in at.get("vega_lite_chart")
                if any(p.get("name") == "cell" for p in json.loads(el.proto.spec).get("params", [])))
    return spec["layer"][0]["encoding"]["x"]["sort"]


def trend_themes(at: AppTest) -> set[str]:
    return set(next(d.value for d in at.dataframe if "theme" in d.value.columns)["theme"])


def weakest_theme_links(at: AppTest) -> set[str]:
    """The themes the Overview's "Weakest themes" links to."""
    return {label for label in (el.proto.label.removesuffix(" →") for el in at.get("page_link"))
            if label in STABLE_THEMES}


def questions_on(engine: Engine, cycle: str, themes: set[str]) -> set[str]:
    with db.read_session(engine) as s:
        cid = s.scalar(select(Cycle.id).join(Partnership).where(Partnership.name == DEMO, Cycle.label == cycle))
        ids = list(s.scalars(select(Theme.id).where(Theme.name.in_(themes))))
        return set(heat_map.question_summary(s, Scope.system(), cid, theme_id=ids)["question"])


# --- the demo chair -------------------------------------------------------------------------------------------

def test_the_heat_map_opens_on_the_chairs_themes_and_all_themes_brings_the_rest(embedded: Engine) -> None:
    at = chair_page("heat_map", cycle="2024-25")
    box = theme_box(at)
    assert box.value == filters.MY_THEMES and box.options[:2] == [
        "My themes (safer recruitment & induction; learning & development and supervision)", "All themes"]
    assert at.query_params["theme"] == filters.MY_THEMES
    mine = questions_on(embedded, "2024-25", MINE)
    assert set(heat_map_columns(at)) == mine
    at.segmented_control(key="hm_by").set_value("theme").run()
    assert set(heat_map_columns(at)) == MINE
    theme_box(at).set_value(filters.ALL_THEMES).run()
    assert at.query_params["theme"] == filters.ALL_THEMES
    assert MINE < set(heat_map_columns(at)) and "neglect" in heat_map_columns(at)
    at.segmented_control(key="hm_by").set_value("question").run()
    assert mine < set(heat_map_columns(at))


def test_trends_and_overview_show_only_the_chairs_themes_by_default(embedded: Engine) -> None:
    at = chair_page("trends")
    assert trend_themes(at) == MINE
    assert any(h.value.startswith("My themes (") for h in at.subheader)
    theme_box(at).set_value(filters.ALL_THEMES).run()
    assert MINE < trend_themes(at)
    theme_box(at).set_value(filters.MY_THEMES).run()
    at.switch_page("../pages/overview.py").run()
    assert not at.exception
    assert weakest_theme_links(at) and weakest_theme_links(at) <= MINE
    theme_box(at).set_value(filters.ALL_THEMES).run()
    assert len(weakest_theme_links(at)) == 4 and not weakest_theme_links(at) <= MINE


def test_a_deep_link_to_a_theme_wins_over_the_chairs_default(embedded: Engine) -> None:
    at = chair_page("trends", theme="Neglect")
    assert theme_box(at).value == "neglect" and trend_themes(at) == {"neglect"}
    at = chair_page("trends", theme="all")
    assert theme_box(at).value == filters.ALL_THEMES and MINE < trend_themes(at)


def test_an_executive_sees_every_theme_by_default(embedded: Engine) -> None:
    at = open_page(EXECUTIVE.username, "trends", EXECUTIVE.password, partnership="DEMO")
    assert theme_box(at).value == "" and "mine" not in theme_box(at).options
    assert "theme" not in at.query_params and MINE < trend_themes(at)
    at = open_page(EXECUTIVE.username, "trends", EXECUTIVE.password, partnership="DEMO", theme="mine")
    assert theme_box(at).value == "" and MINE < trend_themes(at)  # a chair's link: every theme for others


def actions_shown(at: AppTest) -> tuple[pd.Series, pd.Series]:
    """The actions table's owners and themes (the theme column holds a link to the Trends page of the theme)."""
    shown = next(d.value for d in at.dataframe if "theme_change" in d.value.columns)
    themes = shown["theme"].map(lambda link: parse_qs(urlsplit(link).query).get("theme", [""])[0])
    return shown["owner"], themes


def test_the_chairs_actions_are_their_subgroups_or_on_their_themes(embedded: Engine) -> None:
    at = chair_page("actions")
    mine = at.toggle(key="actions_mine")
    assert mine.value is True and mine.label.endswith("or my themes'")
    owners, themes = actions_shown(at)
    owned = owners.str.contains("Learning & Development", regex=False)
    assert (owned | themes.isin(MINE)).all()
    assert owned.any() and (~owned).any() and (~themes.isin(MINE)).any()  # theirs off their themes, others' on
    theme_box(at).set_value(filters.ALL_THEMES).run()
    owners, themes = actions_shown(at)
    assert owners.str.contains("Learning & Development", regex=False).all() and not themes.isin(MINE).all()


# --- filters, and the Users page ------------------------------------------------------------------------------

def test_filter_resolution_of_a_callers_themes(sqlite_seeded: Engine) -> None:
    with db.read_session(sqlite_seeded) as session:
        choices = filter_choices.filter_choices(session, Scope.system())
    ids = {name: tid for tid, name in choices.themes}
    mine = {ids["neglect"], ids["fathers"]}
    f = filter_values.resolve(choices, {"partnership": "DEMO"}, False, mine=mine)
    assert (f.theme_param, f.theme, f.params()["theme"]) == ("mine", "my themes (neglect; fathers)", "mine")
    assert f.theme_id == tuple(tid for tid, _ in choices.themes if tid in mine)  # the stable list's order
    assert f.query_args()["theme_id"] == f.theme_id
    f = filter_values.resolve(choices, {"partnership": "DEMO", "theme": "All"}, False, mine=mine)
    assert (f.theme, f.theme_id, f.params()["theme"]) == (None, None, "all")
    f = filter_values.resolve(choices, {"partnership": "DEMO", "theme": "Domestic abuse"}, False, mine=mine)
    assert (f.theme, f.theme_id, f.params()["theme"]) == ("domestic abuse", ids["domestic abuse"], "domestic abuse")
    for raw in ("mine", "all", ""):  # without themes of one's own, all of them, as before
        f = filter_values.resolve(choices, {"partnership": "DEMO", "theme": raw}, False)
        assert (f.theme, f.theme_id, "theme" in f.params()) == (None, None, False)


@pytest.fixture
def admin_db(sqlite_seeded: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Engine:
    serve(sqlite_seeded, monkeypatch, tmp_path)
    with db.write_session(sqlite_seeded) as s:
        users.add_user(s, Scope.system("test"), "nadmin", "admin", [NSSCP], PASSWORD)
    return sqlite_seeded


def test_an_admin_sets_a_chairs_themes_when_adding_and_editing(admin_db: Engine) -> None:
    at = open_page("nadmin", "users", PASSWORD)
    at.text_input(key="add_username").input("nchair")
    at.selectbox(key="add_role").set_value("chair")
    at.text_input(key="add_subgroup").input("Neglect subgroup")
    at.multiselect(key="add_themes").select("neglect").select("domestic abuse")
    at.multiselect(key="add_partnerships").select(NSSCP)
    at.text_input(key="add_password").input("Nchair-pass-123")
    at.text_input(key="add_repeat").input("Nchair-pass-123")
    at.button(key="FormSubmitter:users_add-Add user").click().run()
    assert "Added nchair." in [s.value for s in at.success], [e.value for e in at.error]
    with db.read_session(admin_db) as s:
        assert users.user_themes(s, Scope.system(), "nchair") == ["domestic abuse", "neglect"]
    at.selectbox(key="users_who").set_value("nchair").run()
    box = at.multiselect(key="users_themes_nchair")
    assert box.value == ["domestic abuse", "neglect"]
    box.unselect("neglect").select("fathers")
    at.button(key="FormSubmitter:users_themes-Save themes").click().run()
    assert "Themes of nchair saved." in [s.value for s in at.success], [e.value for e in at.error]
    with db.read_session(admin_db) as s:
        assert users.user_themes(s, Scope.system(), "nchair") == ["domestic abuse", "fathers"]
    log = at.dataframe[-1].value
    assert "user.themes" in set(log["action"])
