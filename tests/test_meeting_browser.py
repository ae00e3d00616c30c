"""Meeting mode (`?screen=1`) in real Chromium at the meeting room's 1920×1080 and a 1366×768 projector, on the app
as `make run` serves it (demo mode: the demo banner above every page), signed in as the demo executive (every
partnership): geometry, not presence.

- every agenda page: one line of chrome, then the headline sentence, then the main picture, all on the first
  screen; no headline figure cut (scrollWidth ≤ clientWidth); next / previous walk the agenda with the filters kept;
- the illustrative 2025-26 heat map (25 organisations × 14 questions) whole on one 1920×1080 screen, starting in
  the top 400 px; at 1366×768 it scrolls inside its frame with the column headings kept in view;
- every axis label of the map shown whole: no SVG text hidden by Vega's overlap removal (opacity 0), none cut with
  "…", every label inside the window; by theme all 13 headings; chart text ≥ 24 px;
- a clicked cell is marked and its evidence shown in a dialog on screen, as plain text (hostile strings stay text),
  with the way to the agency; sign-out is reachable.

Screenshots of every page go to test-artifacts/screenshots/meeting-*.png (look at them).
"""
from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from browser import chromium, demo_database, demo_server, sign_in, wait_idle  # noqa: F401 (fixtures)
from sqlalchemy import select, update

from s11data.admin import users

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
ROOM = {"width": 1920, "height": 1080}
PROJECTOR = {"width": 1366, "height": 768}
MARGIN = 40
"""Pixels left under the trends grid on the first screen."""
DEMO = "partnership=DEMO&cycle=2025-26&screen=1"
AGENDA = [("", "Overview"), ("heat-map", "Heat map"), ("trends", "Trends"), ("engagement", "Engagement"),
          ("actions", "Overdue actions"), ("agency", "An agency")]
HOSTILE = ("![tracker](https://example.invalid/pixel.png) **bold** [click me](javascript:alert(1)) "
           "<img src=x onerror=alert(1)> <a href='data:text/html,<script>alert(1)</script>'>data link</a> # Heading")
DEMO_EXECUTIVE = next(a for a in users.DEMO_ACCOUNTS if a.username == "demo-executive")
HOSTILE_ORG = "Harbour Domestic Abuse Service (illustrative)"
HOSTILE_QUESTION = "A1"

BOX_JS = """(selector) => { const e = document.querySelector(selector); if (!e) return null;
  const b = e.getBoundingClientRect();
  return {top: b.top, bottom: b.bottom, left: b.left, right: b.right, height: b.height,
          scrollWidth: e.scrollWidth, clientWidth: e.clientWidth, scrollHeight: e.scrollHeight,
          clientHeight: e.clientHeight}; }"""

CUT_JS = """(selector) => { const cut = [];
  for (const e of document.querySelectorAll(selector)) {
    for (const el of [e, ...e.querySelectorAll('*')]) {
      if (!(el.innerText || '').trim() || el.closest('[data-testid="stIconMaterial"], [aria-hidden="true"]')) continue;
      if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible')
        cut.push([el.tagName, el.className.toString().slice(0, 40), (el.innerText || '').slice(0, 60),
                  el.scrollWidth, el.clientWidth]);
      const style = getComputedStyle(el);
      if (style.textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth + 1)
        cut.push(['ellipsis', (el.innerText || '').slice(0, 60)]);
    }
  }
  return cut; }"""

OVERFLOW_JS = """(selector) => { const cut = [];
  for (const e of document.querySelectorAll(selector)) {
    for (const el of [e, ...e.querySelectorAll('*')]) {
      if (!(el.innerText || '').trim() || el.closest('[data-testid="stIconMaterial"], [aria-hidden="true"]')) continue;
      if (el.scrollWidth > el.clientWidth + 1)  /* whatever its overflow style: a parent may clip it */
        cut.push([el.getAttribute('data-testid') || el.tagName, (el.innerText || '').slice(0, 60),
                  el.scrollWidth, el.clientWidth]);
    }
  }
  return cut; }"""

BAR_TEXT_JS = """() => { const out = [];
  for (const chart of document.querySelectorAll("[data-testid='stVegaLiteChart']")) {
    const svg = chart.querySelector('svg'); if (!svg) continue;
    const s = svg.getBoundingClientRect(); const texts = [];
    for (const t of svg.querySelectorAll('.role-mark text, .role-axis-label text')) {
      const b = t.getBoundingClientRect(); const text = (t.textContent || '').trim(); if (!text) continue;
      texts.push({text, left: b.left, right: b.right, top: b.top, bottom: b.bottom,
                  axis: !!t.closest('.role-axis-label'), size: parseFloat(getComputedStyle(t).fontSize),
                  opacity: Number(getComputedStyle(t).opacity) * Number(t.getAttribute('opacity') ?? 1)});
    }
    out.push({svg: {left: s.left, right: s.right, top: s.top, bottom: s.bottom}, texts});
  }
  return out; }"""
SEGMENT = re.compile(r"^(R|A|G|–|N/A|\?) \d+%$")
LEFT_OUT = re.compile(r"^× \d+ not answered$")
LETTERED = re.compile(r"(^|· )(R|A|G|–|N/A|\?) \d+%")

LIST_JS = """(list) => [...document.querySelectorAll(`.st-key-mlist_${list} [class*="st-key-mrow_"]`)].map(e => {
  const texts = [...e.querySelectorAll('[data-testid="stText"]')]; const last = texts[texts.length - 1];
  return {text: last.innerText, size: Math.min(...texts.map(t => parseFloat(getComputedStyle(t).fontSize))),
          wide: texts.some(t => t.scrollWidth > t.clientWidth + 1 || t.scrollHeight > t.clientHeight + 1)}; })"""

LABELS_JS = """(selector) => { const frame = document.querySelector(selector); if (!frame) return null;
  const out = [];
  for (const t of frame.querySelectorAll('svg .role-axis-label text')) {
    const b = t.getBoundingClientRect(); const s = getComputedStyle(t);
    out.push({text: t.textContent, opacity: Number(s.opacity) * Number(t.getAttribute('opacity') ?? 1),
              fill: t.getAttribute('fill-opacity'), size: parseFloat(s.fontSize),
              left: b.left, right: b.right, top: b.top, bottom: b.bottom});
  }
  return out; }"""


@pytest.fixture(scope="module")
def executive(demo_database) -> str:  # noqa: F811
    """The demo executive (every partnership) on the app as `make run` serves it, in demo mode with its banner,
    and a hostile evidence text in the illustrative 2025-26 return of one organisation (as a return could carry
    it). Returns the account's name."""
    from s11data.store import db
    from s11data.store.models import AuditReturn, Cycle, Organisation, Partnership, Question, Rating

    with db.write_session(demo_database) as session:
        rating_id = session.scalar(
            select(Rating.id).join(Question, Rating.question_id == Question.id)
            .join(AuditReturn, Rating.return_id == AuditReturn.id)
            .join(Cycle, Question.cycle_id == Cycle.id).join(Partnership, Cycle.partnership_id == Partnership.id)
            .join(Organisation, AuditReturn.organisation_id == Organisation.id)
            .where(Partnership.short_name == "DEMO", Cycle.label == "2025-26", Question.code == HOSTILE_QUESTION,
                   Organisation.name == HOSTILE_ORG, AuditReturn.is_current.is_(True)))
        assert rating_id is not None, "the illustrative 2025-26 return of the hostile organisation is missing"
        session.execute(update(Rating).where(Rating.id == rating_id).values(evidence=HOSTILE))
    return DEMO_EXECUTIVE.username


def room(chromium, demo_server, user: str, size: dict[str, int], path: str) -> tuple[Any, list[str]]:  # noqa: F811
    """A signed-in tab of this size on `path`, with the page errors it collects."""
    page = chromium.new_context(viewport=size).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, demo_server, user, DEMO_EXECUTIVE.password, path=path)
    page.locator("[data-testid='stAlert']", has_text="built-in demo database").wait_for()  # as `make run` shows it
    settle(page)
    return page, errors


def settle(page: Any) -> None:
    """Wait for the run to finish and every chart on the page to have drawn its axes."""
    wait_idle(page)
    page.wait_for_function("""() => [...document.querySelectorAll("[data-testid='stVegaLiteChart']")]
        .every(c => c.querySelector('svg .role-axis, svg .role-mark'))""")
    wait_idle(page)


def box(page: Any, selector: str) -> dict[str, float]:
    found = page.evaluate(BOX_JS, selector)
    assert found is not None, f"{selector} is not on the page"
    return found


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"meeting-{name}.png"))


BAR_PARTS_JS = """() => { const bar = document.querySelector('.st-key-meeting_bar'); if (!bar) return null;
  const title = bar.querySelector('h1'); const t = title.getBoundingClientRect();
  return {title: {right: t.right, height: t.height, scrollWidth: title.scrollWidth, clientWidth: title.clientWidth,
                  text: title.innerText},
          parts: [...bar.children].slice(1).map(c => { const b = c.getBoundingClientRect();
            return {left: b.left, text: (c.innerText || '').trim().slice(0, 40)}; })}; }"""


def assert_bar_clear(page: Any, name: str) -> None:
    """The meeting bar's title (a long agency name included) is whole and ends before the controls beside it."""
    found = page.evaluate(BAR_PARTS_JS)
    title = found["title"]
    assert title["scrollWidth"] <= title["clientWidth"] + 1, f"{name}: the title overflows: {title}"
    first = min(part["left"] for part in found["parts"])
    assert title["right"] <= first + 1, f"{name}: '{title['text']}' runs under the controls ({title['right']:.0f} " \
                                        f"> {first:.0f} px)"


def assert_message_first(page: Any, size: dict[str, int], name: str) -> None:
    """One line of chrome, then the headline, then the main picture starting on the first screen; no cut text."""
    bar = box(page, ".st-key-meeting_bar")
    banner = page.locator("[data-testid='stAlert']", has_text="built-in demo database").bounding_box()
    assert banner and banner["height"] <= 40 and banner["y"] + banner["height"] <= bar["top"], \
        f"{name}: the demo banner is not one thin line above the bar: {banner}"
    assert_bar_clear(page, name)
    assert bar["height"] <= 80, f"{name}: the chrome is more than one line ({bar['height']:.0f} px)"
    assert bar["scrollWidth"] <= bar["clientWidth"] + 1, f"{name}: the chrome line overflows the screen"
    headline = box(page, ".st-key-meeting_headline")
    assert bar["bottom"] <= headline["top"] and headline["bottom"] <= size["height"] * 0.4, (name, headline)
    picture = box(page, ".st-key-meeting_picture")
    assert headline["bottom"] <= picture["top"] < size["height"] - 200, (name, picture)
    assert picture["bottom"] <= size["height"], f"{name}: the main picture ends at {picture['bottom']:.0f} px"
    if name.startswith("actions"):  # each open action an entry whose words are all shown (wrapped), none wider
        entries = page.evaluate(LIST_JS, "actions")
        opened = int(page.locator(".st-key-meeting_headline").inner_text().split()[0])
        assert len(entries) == opened, f"{name}: {len(entries)} entries for {opened} open actions"
        cut = [e for e in entries if e["wide"] or e["text"].endswith("…") or e["size"] < 24]
        assert cut == [], f"{name}: action text cut, wider than its box or small: {cut[:2]}"
        frame = box(page, ".st-key-mlist_actions")
        assert frame["scrollWidth"] <= frame["clientWidth"] + 1, f"{name}: the list is wider than the screen"
    if name.startswith("engagement"):  # the funnel's words ('returns received: 19') whole and ≥ 24 px
        texts = [t for chart in page.evaluate(BAR_TEXT_JS) for t in chart["texts"] if ": " in t["text"]
                 for svg in [chart["svg"]] if t["right"] > svg["right"] + 1 or t["left"] < svg["left"] - 1
                 or t["size"] < 24]
        assert texts == [], f"{name}: funnel labels cut or small: {[(t['text'], t['right'], t['size']) for t in texts]}"
    if name.startswith("trends"):  # the grid of percentages: a margin below it, so it reads as whole
        assert picture["bottom"] <= size["height"] - MARGIN, f"{name}: the grid ends {picture['bottom']:.0f} px"
    print(f"{name}: banner {banner['height']:.0f} px · bar {bar['top']:.0f}–{bar['bottom']:.0f} · headline {headline['top']:.0f}–"
          f"{headline['bottom']:.0f} · picture {picture['top']:.0f}–{picture['bottom']:.0f} px")
    cut = page.evaluate(CUT_JS, ".st-key-meeting_headline, [data-testid='stMetricValue'], .st-key-meeting_bar")
    assert cut == [], f"{name}: headline or chrome text cut: {cut[:3]}"
    over = page.evaluate(OVERFLOW_JS, ".st-key-meeting_headline, [data-testid='stMetric']")
    assert over == [], f"{name}: a headline or metric card's text overflows its box: {over[:3]}"


@pytest.mark.parametrize("size", [ROOM, PROJECTOR], ids=["1920x1080", "1366x768"])
def test_every_agenda_page_shows_its_message_first(chromium, demo_server, executive, size) -> None:  # noqa: F811
    page, errors = room(chromium, demo_server, executive, size, f"?{DEMO}")
    wanted = {"partnership": ["DEMO"], "cycle": ["2025-26"], "screen": ["1"]}
    faults: list[str] = []
    for i, (path, step) in enumerate(AGENDA):
        page.get_by_text(f"{i + 1} / {len(AGENDA)}", exact=True).wait_for()
        settle(page)
        name = f"{path or 'overview'}-{size['width']}"
        shot(page, name)
        assert urlparse(page.url).path == f"/{path}", (step, page.url)
        query = parse_qs(urlparse(page.url).query)
        assert {k: query.get(k) for k in wanted} == wanted, f"{step}: filters not kept: {page.url}"
        try:  # every page measured (and photographed) before the test says which ones fail
            assert_message_first(page, size, name)
        except AssertionError as exc:
            faults.append(str(exc).splitlines()[0])
        if i + 1 < len(AGENDA):
            page.locator(".st-key-meeting_bar").get_by_role("link", name=f"Next: {AGENDA[i + 1][1]}").click()
    page.locator(".st-key-meeting_bar").get_by_role("link", name="‹ Overdue actions").click()
    page.get_by_text(f"5 / {len(AGENDA)}", exact=True).wait_for()
    assert urlparse(page.url).path == "/actions"
    assert faults == []
    assert errors == []


def rag_bar_faults(page: Any, size: dict[str, int]) -> tuple[int, list[str]]:
    """(segments seen, faults) over every stacked RAG bar chart on the page (a chart writing 'R 13%'-like
    labels): each label, inside a segment or in the column beside the bars, says its letter and % ('13%' alone is
    a fault), is shown, lies whole inside the chart's SVG and the window, and overlaps no other label."""
    seen, faults = 0, []
    for chart in page.evaluate(BAR_TEXT_JS):
        texts, svg = chart["texts"], chart["svg"]
        if not any(LETTERED.search(t["text"]) for t in texts):
            continue  # not a RAG bar chart
        labels = [t for t in texts if "%" in t["text"] or "not answered" in t["text"]]
        for t in labels:
            parts = t["text"].split(" · ")
            seen += len(parts)
            bad = [p for p in parts if not (SEGMENT.match(p) or LEFT_OUT.match(p))]
            if bad:
                faults.append(f"'{t['text']}': {bad} lack a letter and %")
            if t["opacity"] == 0:
                faults.append(f"'{t['text']}' hidden")
            if t["left"] < svg["left"] - 1 or t["right"] > svg["right"] + 1 or t["right"] > size["width"]:
                faults.append(f"'{t['text']}' cut: {t['left']:.0f}–{t['right']:.0f} px, the chart "
                              f"{svg['left']:.0f}–{svg['right']:.0f} px")
        for i, a in enumerate(labels):
            for b in labels[i + 1:]:
                if a["left"] < b["right"] - 1 and b["left"] < a["right"] - 1 and a["top"] < b["bottom"] - 1 \
                        and b["top"] < a["bottom"] - 1:
                    faults.append(f"'{a['text']}' overlaps '{b['text']}'")
    return seen, faults


@pytest.mark.parametrize("size", [ROOM, PROJECTOR], ids=["1920x1080", "1366x768"])
def test_every_rag_bar_segment_says_its_letter_and_percentage_whole(chromium, demo_server, executive,  # noqa: F811
                                                                    size) -> None:
    page, errors = room(chromium, demo_server, executive, size, f"?{DEMO}")
    faults, seen = [], {}
    for path in ["", "trends", f"agency?org={HOSTILE_ORG}".replace(" ", "+"), "heat-map"]:
        if path:
            page.goto(f"{demo_server}/{path}{'&' if '?' in path else '?'}{DEMO}")
            page.wait_for_function("() => document.querySelector(\"[data-testid='stVegaLiteChart'] svg\")")
            settle(page)
        if path.startswith("agency"):  # a long name in the title
            assert_bar_clear(page, f"agency {size['width']}")
            assert box(page, ".st-key-meeting_bar")["height"] <= 80
            key = page.locator(".st-key-meeting_picture [data-testid='stText']").first
            assert "R = requires improvement" in key.inner_text() and key.bounding_box()["height"] <= 40, \
                "the key in words is not one line"
        legends = page.locator("[data-testid='stVegaLiteChart'] svg .role-legend").count()
        if legends:  # meeting mode: each chart's key is one line of words above it, never a legend of 2-3 rows
            faults.append(f"{path or 'overview'}: {legends} chart legends")
        count, found = rag_bar_faults(page, size)
        seen[path or "overview"] = count
        faults += [f"{path or 'overview'}: {fault}" for fault in found]
    print(f"{size['width']}: segment labels checked per page {seen}")
    assert seen["overview"] >= 8 and seen["trends"] >= 8 and seen[next(k for k in seen if k.startswith("agency"))]
    assert faults == [], faults[:6]
    assert errors == []


def assert_labels_whole(page: Any, frame: str, size: dict[str, int], expect: int) -> list[dict[str, Any]]:
    labels = page.evaluate(LABELS_JS, frame)
    assert labels and len(labels) >= expect, f"{len(labels or [])} axis labels, expected {expect}"
    hidden = [lab["text"] for lab in labels if lab["opacity"] == 0]
    assert hidden == [], f"labels hidden by overlap removal: {hidden}"
    cut = [lab["text"] for lab in labels if lab["text"].endswith("…")]
    assert cut == [], f"labels cut: {cut}"
    outside = [lab["text"] for lab in labels if lab["left"] < 0 or lab["right"] > size["width"]]
    assert outside == [], f"labels outside the window: {outside}"
    small = [lab["text"] for lab in labels if lab["size"] < 24]
    assert small == [], f"labels under 24 px: {small[:5]}"
    return labels


def test_the_illustrative_heat_map_fits_one_room_screen(chromium, demo_server, executive) -> None:  # noqa: F811
    page, errors = room(chromium, demo_server, executive, ROOM, f"heat-map?{DEMO}")
    frame = box(page, ".st-key-heat_map_frame")
    assert frame["top"] <= 400, f"the map starts at {frame['top']:.0f} px"
    assert frame["bottom"] <= ROOM["height"], f"the map ends at {frame['bottom']:.0f} px"
    assert frame["scrollHeight"] <= frame["clientHeight"] + 1, "the whole map should show without scrolling"
    rows = organisations_in_headline(page)
    labels = assert_labels_whole(page, ".st-key-heat_map_frame", ROOM, rows + 14)
    texts = {lab["text"] for lab in labels}
    assert {"A1", "F4", "Northvale County Council Children's Services (illustrative)"} <= texts
    letters = page.evaluate("""() => [...document.querySelectorAll(
        ".st-key-heat_map_frame svg .role-mark text")].map(t => parseFloat(getComputedStyle(t).fontSize))""")
    assert letters and min(letters) >= 24, "cell letters under 24 px"
    key = page.evaluate("""() => parseFloat(getComputedStyle(document.querySelector(
        ".st-key-heat_map_key [data-testid='stText']")).fontSize)""")
    assert key >= 24, f"the map's key in words is {key} px"
    gap = page.evaluate("""() => Math.min(...[...document.querySelectorAll('.st-key-heat_map_body svg .role-mark path')]
        .map(p => p.getBoundingClientRect().top)) - Math.max(...[...document.querySelectorAll(
        '.st-key-heat_map_head svg .role-axis-label text')].map(t => t.getBoundingClientRect().bottom))""")
    assert 0 <= gap <= 16, f"{gap:.0f} px between the column headings and the first row"
    shot(page, "heat-map-whole-1920")
    assert errors == []


def organisations_in_headline(page: Any) -> int:
    """The number of organisations the heat map's headline says it shows ('19 organisations × 14 questions')."""
    words = page.locator(".st-key-meeting_headline").inner_text().split()
    assert words[1].startswith("organisation"), words
    return int(words[0])


def test_the_theme_view_shows_every_heading(chromium, demo_server, executive) -> None:  # noqa: F811
    page, errors = room(chromium, demo_server, executive, ROOM, f"heat-map?{DEMO}")
    page.locator(".st-key-meeting_bar").get_by_role("button", name="Filters").click()  # the view controls
    page.get_by_role("radio", name="Theme", exact=True).click()
    page.keyboard.press("Escape")
    page.locator(".st-key-heat_map_key", has_text="13 ").wait_for()
    settle(page)
    labels = assert_labels_whole(page, ".st-key-heat_map_frame", ROOM, organisations_in_headline(page) + 13)
    assert len(labels) >= 13
    headings = [lab["text"] for lab in page.evaluate(LABELS_JS, ".st-key-heat_map_head")]
    assert len(headings) >= 13 and headings == [str(i) for i in range(1, len(headings) + 1)], headings
    key = page.locator(".st-key-heat_map_key").inner_text()
    assert "safeguarding structure & leadership" in key.lower() and "neglect" in key.lower()
    assert f"{len(headings)} " in key, "every numbered heading is in the key"
    assert box(page, ".st-key-heat_map_key")["bottom"] <= ROOM["height"], "the column key is below the screen"
    frame = box(page, ".st-key-heat_map_frame")
    assert frame["top"] <= 400 and frame["bottom"] <= ROOM["height"]
    shot(page, "heat-map-themes-1920")
    assert errors == []


def test_on_a_projector_the_map_scrolls_inside_with_its_headings_kept(chromium, demo_server,  # noqa: F811
                                                                       executive) -> None:
    page, errors = room(chromium, demo_server, executive, PROJECTOR, f"heat-map?{DEMO}")
    frame = box(page, ".st-key-heat_map_frame")
    assert frame["top"] <= 400 and frame["bottom"] <= PROJECTOR["height"], frame
    assert frame["scrollHeight"] > frame["clientHeight"], "25 rows cannot fit 768 px: the frame should scroll"
    assert_labels_whole(page, ".st-key-heat_map_frame", PROJECTOR, 14)
    head_before = box(page, ".st-key-heat_map_head")
    page.evaluate("document.querySelector('.st-key-heat_map_frame').scrollTop = 10000")
    page.wait_for_function("document.querySelector('.st-key-heat_map_frame').scrollTop > 0")
    head_after = box(page, ".st-key-heat_map_head")
    assert abs(head_after["top"] - head_before["top"]) <= 1, "the column headings scrolled away"
    last = page.locator(".st-key-heat_map_frame svg .role-axis-label text", has_text="% green").last
    last_box = last.bounding_box()
    assert last_box and last_box["y"] + last_box["height"] <= PROJECTOR["height"], "the last row is unreachable"
    shot(page, "heat-map-scrolled-1366")
    assert errors == []


def test_a_clicked_cell_is_marked_and_its_evidence_shown_as_plain_text(chromium, demo_server,  # noqa: F811
                                                                       executive) -> None:
    page, errors = room(chromium, demo_server, executive, ROOM, f"heat-map?{DEMO}")
    cell = page.locator(f"path[aria-label^='Question: {HOSTILE_QUESTION}; Organisation: {HOSTILE_ORG};']")
    cell.click()
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    wait_idle(page)
    found = dialog.bounding_box()
    assert found and found["y"] >= 0 and found["y"] + found["height"] <= ROOM["height"], found
    assert dialog.get_by_text(HOSTILE, exact=True).is_visible(), "the evidence is not shown as written"
    assert dialog.locator("img, a[href^='javascript'], a[href^='data:'], h1, strong").count() == 0, \
        "a return's evidence was rendered as Markdown or HTML"
    marked = page.evaluate(f"""() => [...document.querySelectorAll(
        "path[aria-label^='Question: {HOSTILE_QUESTION}; Organisation: {HOSTILE_ORG};']")]
        .map(p => parseFloat(p.getAttribute('stroke-width') || getComputedStyle(p).strokeWidth))""")
    assert marked and max(marked) >= 4, f"the chosen cell is not marked: stroke widths {marked}"
    shot(page, "heat-map-evidence-1920")
    dialog.get_by_role("link", name=f"Open {HOSTILE_ORG} →").click()
    wait_idle(page)
    page.get_by_role("heading", name=f"Agency · {HOSTILE_ORG}").wait_for()
    assert urlparse(page.url).path == "/agency"
    assert parse_qs(urlparse(page.url).query).get("screen") == ["1"]
    assert page.locator("[data-testid='stMain'] img").count() == 0
    assert errors == []


def test_sign_out_is_reachable_in_meeting_mode(chromium, demo_server, executive) -> None:  # noqa: F811
    page, errors = room(chromium, demo_server, executive, PROJECTOR, f"trends?{DEMO}")
    button = page.locator(".st-key-meeting_bar").get_by_role("button", name="Sign out")
    found = button.bounding_box()
    assert found and found["x"] + found["width"] <= PROJECTOR["width"] and found["y"] < 100
    button.click()
    wait_idle(page)
    page.get_by_role("button", name="Login").wait_for()
    assert errors == []


LISTS_JS = """() => [...document.querySelectorAll('[class*="st-key-mlist_"]')].filter(e => !/st-key-mrow_/.test(e.className))
  .map(e => ({list: e.className.match(/st-key-mlist_(\\S+)/)[1], scrollWidth: e.scrollWidth, clientWidth: e.clientWidth,
              entries: e.querySelectorAll('[class*="st-key-mrow_"]').length,
              cut: [...e.querySelectorAll('[data-testid="stText"]')].filter(t => t.scrollWidth > t.clientWidth + 1
                   || t.scrollHeight > t.clientHeight + 1 || getComputedStyle(t).textOverflow === 'ellipsis'
                   || parseFloat(getComputedStyle(t).fontSize) < 24).map(t => t.innerText.slice(0, 60)),
              marked: e.querySelectorAll('img, a, strong, h1, h2, h3, em').length}))"""


@pytest.mark.parametrize("path, wanted", [
    (f"agency?org={HOSTILE_ORG}&screen=1".replace(" ", "+"), {"agency_evidence", "agency_recs", "agency_contacts"}),
    ("heat-map?partnership=SGCP&cycle=2022-23&screen=1", {"responses"}),
    ("engagement?partnership=GSCP&cycle=2021&screen=1", {"contacts"})], ids=["agency", "responses", "contacts"])
def test_what_people_read_is_listed_whole_and_plain_in_meeting_mode(chromium, demo_server, executive,  # noqa: F811
                                                                    path, wanted) -> None:
    """Evidence, responses, action text and contact notes: in meeting mode a list whose every word is shown
    (wrapped, ≥ 24 px, no entry wider than its box), plain text (a return's Markdown and HTML stay text), instead
    of a grid that cuts them at its column's width."""
    page, errors = room(chromium, demo_server, executive, PROJECTOR, path)
    page.locator('[class*="st-key-mlist_"]').first.wait_for()
    lists = {found["list"]: found for found in page.evaluate(LISTS_JS)}
    assert wanted <= set(lists), f"lists shown: {sorted(lists)}"
    for name in wanted:
        found = lists[name]
        assert found["entries"] > 0 and found["scrollWidth"] <= found["clientWidth"] + 1, found
        assert found["cut"] == [], f"{name}: text cut or small: {found['cut'][:3]}"
        assert found["marked"] == 0, f"{name}: text rendered as Markdown or HTML"
    if "agency_evidence" in wanted:  # the hostile evidence of DEMO 2025-26, the cycle shown first, as written
        assert page.locator(".st-key-mlist_agency_evidence [data-testid='stText']",
                            has_text=HOSTILE[:40]).first.inner_text() == HOSTILE
    assert errors == []
