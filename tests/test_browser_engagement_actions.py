"""The Engagement and Actions pages in real headless Chromium: each loads with no error for each role, deep links
reach them, a business manager's write lands, an executive gets no form. Screenshots go to
test-artifacts/screenshots/ (look at them)."""
from __future__ import annotations

from pathlib import Path

import pytest
from browser import add_user, app_database, app_server, chromium, sign_in, wait_idle  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
EVERY = ["Gloucestershire Safeguarding Children Partnership", "North Somerset Children's Partnership",
         "South Gloucestershire Children's Partnership", "Illustrative Demo Partnership"]
VIEWPORT = {"width": 1600, "height": 1000}


def open_signed_in(chromium, base: str, username: str, path: str, errors: list[str]):  # type: ignore[no-untyped-def]
    page = chromium.new_page(viewport=VIEWPORT)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, base, username)
    page.goto(f"{base}/{path}")
    wait_idle(page)
    page.get_by_role("heading", level=1).first.wait_for(timeout=90_000)
    return page


def assert_clean(page, errors: list[str]) -> None:  # type: ignore[no-untyped-def]
    """No Python exception box, no error alert, no uncaught script error."""
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stAlertContentError']").count() == 0
    assert errors == []


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """The whole page: Streamlit scrolls inside its main block, so the window is made as tall as that first."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = page.evaluate("() => Math.max(...[...document.querySelectorAll('[data-testid=stMain], "
                           "[data-testid=stMainBlockContainer]')].map(e => e.scrollHeight), 1000)")
    page.set_viewport_size({"width": VIEWPORT["width"], "height": min(int(height) + 80, 12000)})
    wait_idle(page)
    page.wait_for_timeout(500)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.set_viewport_size(VIEWPORT)


def test_business_manager_pages(app_server, app_database, chromium) -> None:  # noqa: F811
    add_user(app_database, "eng-manager", "business manager", EVERY)
    errors: list[str] = []
    page = open_signed_in(chromium, app_server, "eng-manager", "engagement?partnership=SGCP&cycle=2021-22",
                          errors)
    page.get_by_role("heading", name="Engagement · SGCP").wait_for(timeout=90_000)
    for heading in ("Status board", "Chase list · 2021-22", "Contact history · 2021-22"):
        page.get_by_role("heading", name=heading).wait_for(timeout=90_000)
    page.locator("[data-testid='stDataFrame']").nth(3).wait_for(timeout=90_000)  # funnel, board, chase, contacts
    page.get_by_role("button", name="Log contact").wait_for(timeout=90_000)
    assert_clean(page, errors)
    shot(page, "engagement-sgcp-2021-22-business-manager")

    page.get_by_label("Detail").fill("Phoned the chief executive; review date agreed")
    page.get_by_role("button", name="Log contact").click()
    wait_idle(page)
    page.get_by_text("Contact logged: invited").wait_for(timeout=90_000)
    assert_clean(page, errors)

    page.goto(f"{app_server}/actions?partnership=GSCP")
    wait_idle(page)
    page.get_by_role("heading", name="Actions · GSCP").wait_for(timeout=90_000)
    assert page.locator("[data-testid='stMetricValue']").first.inner_text() == "24"
    page.get_by_role("button", name="Add update").wait_for(timeout=90_000)
    page.get_by_role("button", name="Save changes").wait_for(timeout=90_000)
    assert_clean(page, errors)
    shot(page, "actions-gscp-business-manager")


def test_executive_pages(app_server, app_database, chromium) -> None:  # noqa: F811
    add_user(app_database, "eng-exec", "executive", EVERY)
    errors: list[str] = []
    page = open_signed_in(chromium, app_server, "eng-exec", "engagement?partnership=DEMO&cycle=2025-26", errors)
    page.get_by_text("Illustrative data").first.wait_for(timeout=90_000)
    page.get_by_role("heading", name="Contact history · 2025-26").wait_for(timeout=90_000)
    assert page.get_by_role("button", name="Log contact").count() == 0  # executives read only
    assert page.get_by_role("button", name="Change status").count() == 0
    assert_clean(page, errors)
    shot(page, "engagement-demo-2025-26-executive")

    page.goto(f"{app_server}/actions?partnership=NSSCP")
    wait_idle(page)
    page.get_by_role("heading", name="Actions · NSSCP").wait_for(timeout=90_000)
    page.get_by_text("No progress recorded yet.").wait_for(timeout=90_000)  # drawn to the end of the page
    assert page.get_by_role("button", name="Add update").count() == 0
    assert page.get_by_role("button", name="Save changes").count() == 0
    assert_clean(page, errors)
    shot(page, "actions-nsscp-executive")

    page.goto(f"{app_server}/engagement?partnership=GSCP&cycle=2021&screen=1")
    wait_idle(page)
    page.get_by_role("heading", name="Engagement · GSCP").wait_for(timeout=90_000)
    assert_clean(page, errors)
    shot(page, "engagement-gscp-2021-shared-screen")


def test_chair_actions(app_server, app_database, chromium) -> None:  # noqa: F811
    add_user(app_database, "act-chair", "chair", ["Illustrative Demo Partnership"],
             subgroup="Learning & Development subgroup")
    errors: list[str] = []
    page = open_signed_in(chromium, app_server, "act-chair", "actions?partnership=DEMO", errors)
    page.get_by_role("heading", name="Actions · DEMO").wait_for(timeout=90_000)
    page.get_by_role("button", name="Add update").wait_for(timeout=90_000)  # the first action is their subgroup's
    assert page.get_by_role("button", name="Save changes").count() == 0
    assert_clean(page, errors)
    shot(page, "actions-demo-chair")
