"""The Cycles & invitations page in real headless Chromium: a business manager sets up a cycle (framework copied
from the last one), sees it chosen in the shared cycle filter, invites last cycle's organisations, and is shown a
bad framework file's problems row by row. Screenshots go to test-artifacts/screenshots/ (look at them)."""
from __future__ import annotations

import pytest
from browser import add_user, app_database, app_server, chromium, wait_idle  # noqa: F401 (fixtures)
from test_browser_engagement_actions import assert_clean, open_signed_in, shot

pytestmark = pytest.mark.browser

NSCP = "North Somerset Children's Partnership"
BAD_FRAMEWORK = (b"section,section_title,code,question,themes\r\n"
                 b"A,Leadership,A1,Is there a named lead?,safeguarding structure & leadership\r\n"
                 b"A,Leadership,A1,Do staff know the escalation policy?,neglet\r\n")


def test_business_manager_sets_up_a_cycle(app_server, app_database, chromium, tmp_path) -> None:  # noqa: F811
    add_user(app_database, "cyc-manager", "business manager", [NSCP])
    errors: list[str] = []
    page = open_signed_in(chromium, app_server, "cyc-manager", "cycles?partnership=NSSCP", errors)
    page.get_by_role("heading", name="Cycles & invitations").wait_for()
    page.get_by_role("heading", name="Set up a new cycle").wait_for()
    assert_clean(page, errors)
    page.get_by_role("textbox", name="Label").fill("2025-26")
    page.get_by_role("textbox", name="Title").fill("Section 11 audit 2025-26")
    page.get_by_role("button", name="Set up cycle").click()
    wait_idle(page)
    page.get_by_text("Cycle 2025-26 set up for North Somerset Children's Partnership, with 19 questions").wait_for()
    cycle_filter = page.get_by_test_id("stSidebar").locator("[data-testid='stSelectbox']", has_text="Cycle")
    shown = cycle_filter.locator("input").input_value() or cycle_filter.inner_text()
    assert "2025-26 (self-assessment)" in shown, shown  # the shared cycle filter shows the new cycle
    assert "cycle=2025-26" in page.url
    page.get_by_role("heading", name="Invitation list · 2025-26").wait_for()
    assert_clean(page, errors)
    shot(page, "cycles-nsscp-new-cycle")

    page.get_by_role("button", name="Invite the same as 2023-24").click()
    wait_idle(page)
    page.get_by_text("Invited 15 organisations to NSSCP 2025-26.").wait_for()
    assert_clean(page, errors)
    shot(page, "cycles-nsscp-invited")

    page.get_by_text("Upload a framework file").click()
    wait_idle(page)
    page.get_by_role("button", name="Framework template · XLSX").wait_for()
    bad = tmp_path / "framework.csv"
    bad.write_bytes(BAD_FRAMEWORK)
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(bad))
    page.get_by_text("framework.csv").first.wait_for()
    page.get_by_role("textbox", name="Label").fill("2026-27")
    page.get_by_role("button", name="Set up cycle").click()
    wait_idle(page)
    page.get_by_text("framework.csv was not used: fix these 2 problem(s)").wait_for()
    page.get_by_text("Did you mean 'neglect'?").wait_for(state="attached")  # a cell of the problems table
    assert page.locator("[data-testid='stException']").count() == 0 and errors == []
    shot(page, "cycles-nsscp-framework-problems")
