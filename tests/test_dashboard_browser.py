"""The dashboard in real headless Chromium: every read page loads with no error, a heat-map click reaches the
agency, a deep link reproduces a filtered view, shared-screen mode renders large with no sidebar, and text on the
pages meets WCAG AA contrast. Screenshots go to test-artifacts/screenshots/ (look at them)."""
from __future__ import annotations

import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from browser import add_user, app_database, app_server, chromium, sign_in, wait_idle  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
EVERY = ["Gloucestershire Safeguarding Children Partnership", "North Somerset Children's Partnership",
         "South Gloucestershire Children's Partnership", "Illustrative Demo Partnership"]
MEETING_ROOM = {"width": 1920, "height": 1080}

CONTRAST_JS = """
() => {
  const lum = (rgb) => {
    const [r, g, b] = rgb.map(v => { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const parse = (c) => { const m = c.match(/[\\d.]+/g); return m ? m.map(Number) : null; };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && (c.length < 4 || c[3] > 0.5)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const worst = [];
  const root = document.querySelector("[data-testid='stMain']") || document.body;
  for (const el of root.querySelectorAll("p, span, label, h1, h2, h3, h4, a, li, td, th, div")) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim().length > 1);
    if (!own || el.closest("svg, [data-testid='stDataFrame'], [aria-hidden='true']")) continue;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (box.width === 0 || box.height === 0 || style.visibility === "hidden" || Number(style.opacity) < 0.1) continue;
    const fg = parse(style.color); const bg = background(el);
    const alpha = fg.length > 3 ? fg[3] : 1;
    const mixed = fg.slice(0, 3).map((v, i) => v * alpha + bg[i] * (1 - alpha));
    const [hi, lo] = [lum(mixed), lum(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    if (ratio < 4.5) worst.push([Math.round(ratio * 100) / 100, el.textContent.trim().slice(0, 60), style.color]);
  }
  return worst;
}
"""


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """The whole page: Streamlit scrolls inside its main block, so the window is made as tall as the content."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    height = page.evaluate("() => { const m = document.querySelector(\"[data-testid='stMain']\");"
                           " return m ? m.scrollHeight : document.body.scrollHeight; }")
    page.set_viewport_size({"width": size["width"], "height": min(max(height, size["height"]), 12_000)})
    page.wait_for_timeout(400)
    page.screenshot(path=str(SHOTS / f"{name}.png"))
    page.set_viewport_size(size)


def open_page(page, base: str, path: str, heading: str) -> None:  # type: ignore[no-untyped-def]
    """Open a deep link in a signed-in tab and wait for the page's own heading (a new tab first shows the sign-in
    form until the sign-in cookie has been read)."""
    page.goto(f"{base}/{path.lstrip('/')}")
    try:
        page.get_by_role("heading", name=heading, exact=True).wait_for(timeout=45_000)
        wait_idle(page)
        page.wait_for_timeout(800)  # let charts draw
        wait_idle(page)
    except Exception:
        shot(page, "FAILED-" + path.split("?")[0].replace("/", "") + "-" + uuid.uuid4().hex[:4])
        raise


def assert_clean(page, errors: list[str]) -> None:  # type: ignore[no-untyped-def]
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stAlertContentError']").count() == 0
    assert page.get_by_text("Page not found").count() == 0
    assert errors == []


@pytest.fixture
def signed_in(app_server, app_database, chromium):  # type: ignore[no-untyped-def]  # noqa: F811
    """A meeting-room sized tab signed in as an executive of every partnership; collects page errors."""
    username = f"dash-{uuid.uuid4().hex[:10]}"
    add_user(app_database, username, "executive", EVERY)
    context = chromium.new_context(viewport=MEETING_ROOM)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, app_server, username)
    for _ in range(100):  # the sign-in cookie is written by a browser component just after sign-in
        if any(c["name"].startswith("s11_auth_") for c in context.cookies()):
            break
        page.wait_for_timeout(100)
    else:
        pytest.fail("no sign-in cookie was written after signing in")
    return page, errors


PAGES = [
    ("?partnership=GSCP&cycle=2021", "Overview · GSCP 2021", "overview-gscp-2021"),
    ("?partnership=NSSCP&cycle=2023-24", "Overview · NSSCP 2023-24", "overview-nsscp-2023-24-published"),
    ("heat-map?partnership=GSCP&cycle=2021", "Heat map · GSCP 2021", "heat-map-gscp-2021"),
    ("heat-map?partnership=NSSCP&cycle=2023-24", "Heat map · NSSCP 2023-24", "heat-map-nsscp-2023-24-published"),
    ("heat-map?partnership=SGCP&cycle=2022-23", "Heat map · SGCP 2022-23", "heat-map-sgcp-2022-23-peer-review"),
    ("heat-map?partnership=DEMO&cycle=2024-25", "Heat map · DEMO 2024-25", "heat-map-demo-2024-25"),
    ("trends?partnership=DEMO&org=Northvale+Constabulary+%28illustrative%29", "Trends · DEMO", "trends-demo"),
    ("agency?org=Sirona", "Agency", "agency-sirona"),
]


def test_each_page_loads_clean_and_legible(signed_in, app_server) -> None:  # noqa: F811
    page, errors = signed_in
    for path, heading, name in PAGES:
        open_page(page, app_server, path, heading)
        assert_clean(page, errors)
        low = page.evaluate(CONTRAST_JS)
        shot(page, name)
        assert low == [], f"{name}: text below WCAG AA 4.5:1: {low[:5]}"


def test_a_heat_map_click_reads_the_evidence_and_reaches_the_agency(signed_in, app_server) -> None:  # noqa: F811
    page, errors = signed_in
    open_page(page, app_server, "heat-map?partnership=GSCP&cycle=2021", "Heat map · GSCP 2021")
    cell = page.locator("path[aria-label^='Question: 1; Organisation: Gloucester City Council;']")
    cell.click()
    wait_idle(page)
    page.get_by_role("heading", name="Gloucester City Council · 1").wait_for(timeout=90_000)
    assert page.get_by_text("Self-rating: Red").is_visible() and page.get_by_text("Panel: Red").is_visible()
    shot(page, "heat-map-cell-selected")
    page.get_by_role("link", name="Open Gloucester City Council →").click()
    wait_idle(page)
    page.get_by_role("heading", name="Gloucester City Council", exact=True).wait_for(timeout=90_000)
    assert urlparse(page.url).path == "/agency"
    assert parse_qs(urlparse(page.url).query)["org"] == ["Gloucester City Council"]
    assert page.get_by_role("heading", name="Ratings history").is_visible()
    assert_clean(page, errors)
    shot(page, "agency-from-heat-map-click")


def test_a_deep_link_reproduces_a_filtered_view(signed_in, app_server) -> None:  # noqa: F811
    page, errors = signed_in
    open_page(page, app_server, "heat-map?partnership=DEMO&cycle=2024-25", "Heat map · DEMO 2024-25")
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.get_by_role("combobox", name="Theme").click()  # choose a theme in the UI …
    page.get_by_role("option", name="Neglect").click()
    wait_idle(page)
    page.wait_for_timeout(500)
    shared = page.url
    assert parse_qs(urlparse(shared).query)["theme"] == ["neglect"]  # … and the address bar carries it
    other = page.context.new_page()  # a colleague opens the shared link (signed in by cookie)
    other.on("pageerror", lambda exc: errors.append(str(exc)))
    open_page(other, app_server, shared.split("/", 3)[3], "Heat map · DEMO 2024-25")
    assert "theme: neglect" in other.locator("[data-testid='stMain']").inner_text()
    assert parse_qs(urlparse(other.url).query) == parse_qs(urlparse(shared).query)
    assert_clean(other, errors)
    shot(other, "deep-link-heat-map-demo-neglect")
    # moving to another page keeps the filters in the URL
    other.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Overview").click()
    wait_idle(other)
    other.get_by_role("heading", name="Overview · DEMO 2024-25").wait_for(timeout=90_000)
    assert parse_qs(urlparse(other.url).query).get("theme") == ["neglect"]


def test_shared_screen_mode(signed_in, app_server) -> None:  # noqa: F811
    page, errors = signed_in
    open_page(page, app_server, "?partnership=DEMO&cycle=2024-25&screen=1", "Overview · DEMO 2024-25")
    assert page.locator("[data-testid='stSidebar']").count() == 0 or not page.locator(
        "[data-testid='stSidebar']").is_visible()
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "24px"
    value = page.locator("[data-testid='stMetricValue']").first
    # 2rem: twice the room's 24 px text, and "19 of 22 expected" still fits its card whole at 1366 px
    assert float(value.evaluate("e => getComputedStyle(e).fontSize").rstrip("px")) >= 48
    top = page.locator(".st-key-meeting_bar")  # meeting mode: the agenda in the one line of chrome navigates
    assert top.get_by_role("link", name="Next: Heat map ›").is_visible()
    assert page.get_by_text("Illustrative data").is_visible()
    low = page.evaluate(CONTRAST_JS)
    assert low == [], f"text below WCAG AA 4.5:1: {low[:5]}"
    assert_clean(page, errors)
    page.screenshot(path=str(SHOTS / "shared-screen-overview-1920x1080.png"))  # what the room sees
    shot(page, "shared-screen-overview-full")
    top.get_by_role("link", name="Next: Heat map ›").click()
    wait_idle(page)
    page.get_by_role("heading", name="Heat map · DEMO 2024-25").wait_for(timeout=90_000)
    page.wait_for_timeout(800)
    assert parse_qs(urlparse(page.url).query)["screen"] == ["1"]  # the mode is kept across pages
    page.screenshot(path=str(SHOTS / "shared-screen-heat-map-1920x1080.png"))
    assert_clean(page, errors)


def test_a_shared_link_survives_signing_in(app_server, app_database, chromium) -> None:  # noqa: F811
    """A colleague who is not signed in opens a shared link, signs in, and sees exactly that view."""
    username = f"dash-{uuid.uuid4().hex[:10]}"
    add_user(app_database, username, "executive", EVERY)
    page = chromium.new_context(viewport=MEETING_ROOM).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, app_server, username, path="heat-map?partnership=NSSCP&cycle=2023-24&section=B")
    page.get_by_role("heading", name="Heat map · NSSCP 2023-24").wait_for(timeout=45_000)
    wait_idle(page)
    assert parse_qs(urlparse(page.url).query) == {"partnership": ["NSSCP"], "cycle": ["2023-24"], "section": ["B"]}
    assert "section: B" in page.locator("[data-testid='stMain']").inner_text()
    assert_clean(page, errors)
    shot(page, "deep-link-after-sign-in-nsscp-section-b")
