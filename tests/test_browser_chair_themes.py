"""A subgroup chair in real headless Chromium: the pages open on their themes ("My themes" in the theme filter,
the heat map's columns only those themes' questions), and "All themes" brings the rest back. Screenshots go to
test-artifacts/screenshots/ (look at them)."""
from __future__ import annotations

import pytest
from browser import add_user, app_database, app_server, chromium, sign_in, wait_idle  # noqa: F401 (fixtures)
from test_browser_engagement_actions import VIEWPORT, assert_clean, shot

pytestmark = pytest.mark.browser

DEMO = "Illustrative Demo Partnership"


def test_a_chair_sees_their_themes_first_and_can_widen_to_all(app_server, app_database, chromium) -> None:  # noqa: F811
    add_user(app_database, "neglect-chair", "chair", [DEMO], subgroup="Neglect subgroup", themes=("neglect",))
    errors: list[str] = []
    page = chromium.new_page(viewport=VIEWPORT)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, app_server, "neglect-chair")
    page.goto(f"{app_server}/heat-map?partnership=DEMO&cycle=2024-25")
    wait_idle(page)
    page.get_by_role("heading", name="Heat map · DEMO 2024-25").wait_for(timeout=90_000)
    sidebar = page.locator("[data-testid='stSidebar']")
    theme_filter = sidebar.locator("[data-testid='stSelectbox']", has_text="Theme")
    shown = theme_filter.locator("input").input_value() or theme_filter.inner_text()
    assert "My themes (neglect)" in shown, shown
    main = page.locator("[data-testid='stMain']")
    assert "theme: my themes (neglect)" in main.inner_text()  # what the page shows, said in words
    assert "theme=mine" in page.url
    assert_clean(page, errors)
    shot(page, "heat-map-demo-chair-my-themes")

    sidebar.get_by_role("combobox", name="Theme").click()
    page.get_by_role("option", name="All themes").click()
    wait_idle(page)
    page.wait_for_url("**theme=all**", timeout=90_000)
    wait_idle(page)
    assert "my themes" not in main.inner_text()
    assert_clean(page, errors)
    shot(page, "heat-map-demo-chair-all-themes")
