"""Nothing a return or a user wrote is markup, in a real Chromium (issue 13): a return whose organisation name and
evidence carry Markdown images, links, data: URLs, bare URLs and HTML is imported with actions, a contact and a
narrative as hostile, then every page that shows them is walked as a business manager. No <img>, <a href>,
<script> or <iframe> from the data reaches the DOM, nothing is fetched from the data's addresses, the texts show
literally, and the heat map's Vega tooltip shows the name as text."""
from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote, urlparse

import pytest
from sqlalchemy import Engine, select

from app.text import WORD_JOINER
from browser import add_user, app_database, app_server, chromium, sign_in, wait_idle  # noqa: F401 (fixtures)
from hostile_returns import HOSTILE, HOSTILE_NAME, hostile_file_name, hostile_rows, rendered_markup
from s11data.admin import cycles
from s11data.report import draft, narrative
from s11data.returns.importer import import_file
from s11data.store import db
from s11data.store.models import Cycle, Invitation, Partnership, Sector
from s11data.store.scope import Scope
from s11data.views import actions, engagement
from test_import import DEMO, codes, csv_of

pytestmark = pytest.mark.browser

CYCLE = "2025-26"
USER = "hostile-meg"
ACTION = HOSTILE[0] + " " + HOSTILE[2]
NARRATIVE = "\n\n".join(HOSTILE)

DATA_MARKUP_JS = """
() => {
  const bad = [];
  for (const img of document.querySelectorAll("img")) {
    if (/tracker\\.example|^x$|onerror/.test(img.getAttribute("src") || "") || img.hasAttribute("onerror"))
      bad.push("img " + img.outerHTML.slice(0, 120));
  }
  const foreign = (address) => {
    let url;
    try { url = new URL(address, location.href); } catch (e) { return /^\\s*data:|(evil|tracker)\\.example/.test(address); }
    return ["data:", "javascript:"].includes(url.protocol) || /(evil|tracker)\\.example$/.test(url.hostname);
  };
  for (const a of document.querySelectorAll("a[href]")) {
    if (foreign(a.getAttribute("href"))) bad.push("a " + a.outerHTML.slice(0, 120));
  }
  for (const s of document.querySelectorAll("script")) {
    if ((s.textContent || "").includes("pwned") || (s.textContent || "").includes("alert(1)")) bad.push("script");
  }
  for (const f of document.querySelectorAll("iframe")) {
    if (f.getAttribute("src") && foreign(f.getAttribute("src"))) bad.push("iframe " + f.src);
  }
  for (const b of document.querySelectorAll("b, strong, em, h1, h2, h3, blockquote, del")) {
    if (/^(Evil|not bold|not italic|Not a heading|not a quote|struck)$/.test(b.textContent.trim()))
      bad.push(b.tagName + " " + b.textContent.trim());
  }
  return bad;
}
"""


def _hostile_data(engine: Engine) -> str:
    """HOSTILE_NAME invited to DEMO 2025-26 and its return imported (evidence cycling through HOSTILE, the file named
    hostile too); a recommendation to it, a progress update, a logged contact and a narrative section as hostile.
    Returns the narrative section's title."""
    scope = Scope.system("hostile-test")
    with db.write_session(engine) as s:
        cycle = s.scalar(select(Cycle).join(Partnership).where(Partnership.name == DEMO, Cycle.label == CYCLE))
        org = cycles.add_organisation(s, scope, HOSTILE_NAME, Sector.VOLUNTARY, different=True)
        s.flush()
        cycles.invite(s, scope, cycle.id, [org.id])
        cycle_id, org_id = cycle.id, org.id
    rows = hostile_rows(DEMO, CYCLE, HOSTILE_NAME, codes(engine))
    result = import_file(engine, scope, csv_of(rows), hostile_file_name())
    assert result.ok, [e.message for e in result.errors]
    with db.write_session(engine) as s:
        rec = actions.add_recommendation(s, scope, cycle_id, "H1", ACTION, target=HOSTILE_NAME,
                                         owner=HOSTILE[1], response=HOSTILE[3])
        s.flush()
        actions.add_progress(s, scope, rec.id, "in progress", HOSTILE[4] + " " + HOSTILE[7])
        invitation = s.scalar(select(Invitation.id).where(Invitation.cycle_id == cycle_id,
                                                          Invitation.organisation_id == org_id))
        engagement.log_contact(s, scope, invitation, "reminded", dt.date.today(), detail=HOSTILE[2] + HOSTILE[0])
    with db.read_session(engine) as s:
        slot = draft.narrative_slots(draft.draft(s, scope, cycle_id=cycle_id))[0]
    with db.write_session(engine) as s:
        narrative.save(s, scope, cycle_id, slot.key, NARRATIVE, title=slot.title)
    return slot.title


def _foreign(url: str) -> bool:
    """An address only the hostile data names (a tracking pixel, a phishing site, a data: document)."""
    parts = urlparse(url)
    return parts.scheme == "data" or re.search(r"(evil|tracker)\.example$", parts.hostname or "") is not None


def _shown_text(page) -> str:  # type: ignore[no-untyped-def]
    """The page's visible text, less the invisible word joiners `app.text.plain` puts inside bare addresses."""
    return page.evaluate("() => document.body.innerText").replace(WORD_JOINER, "")


def _assert_no_markup(page, where: str, fetched: list[str], errors: list[str]) -> None:  # type: ignore[no-untyped-def]
    assert page.locator("[data-testid='stException']").count() == 0, where
    assert page.evaluate(DATA_MARKUP_JS) == [], where
    assert rendered_markup(page.content()) == [], where
    assert page.title() != "pwned", where
    assert fetched == [], f"{where}: fetched {fetched}"
    assert errors == [], f"{where}: {errors}"


def _open(page, base: str, path: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/{path}")
    wait_idle(page)
    page.get_by_role("button", name="Sign out").wait_for()
    page.wait_for_timeout(800)  # let charts draw
    wait_idle(page)


def test_hostile_names_evidence_and_actions_show_as_text_on_every_page(app_server, app_database,  # noqa: F811
                                                                        chromium) -> None:  # noqa: F811
    section = _hostile_data(app_database)
    add_user(app_database, USER, "business manager", [DEMO])
    context = chromium.new_context(viewport={"width": 1600, "height": 1400})
    page = context.new_page()
    fetched: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if _foreign(r.url) else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, app_server, USER, path=f"?partnership=DEMO&cycle={CYCLE}")
    org = quote(HOSTILE_NAME)
    literal = {  # the page and a text it must show exactly as written (outside a data grid's canvas)
        f"?partnership=DEMO&cycle={CYCLE}": None,
        f"heat-map?partnership=DEMO&cycle={CYCLE}": HOSTILE_NAME,
        f"agency?partnership=DEMO&org={org}": HOSTILE_NAME,
        f"trends?partnership=DEMO&org={org}": None,
        f"engagement?partnership=DEMO&cycle={CYCLE}": None,
        f"actions?partnership=DEMO&cycle={CYCLE}": None,
        f"report?partnership=DEMO&cycle={CYCLE}": None,
        f"upload?partnership=DEMO&cycle={CYCLE}": None,
    }
    for path, text in literal.items():
        _open(page, app_server, path)
        _assert_no_markup(page, path, fetched, errors)
        if text:
            shown = _shown_text(page)
            assert text in shown, f"{path}: {text!r} not shown as written in {shown[:3000]!r}"
    _open(page, app_server, f"report?partnership=DEMO&cycle={CYCLE}")
    assert page.get_by_role("textbox", name=f"Text of {section}").input_value() == NARRATIVE
    _the_hostile_action(page, app_server, fetched, errors)
    _heat_map_tooltip_and_evidence(page, app_server, fetched, errors)


def _the_hostile_action(page, base: str, fetched: list[str], errors: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Choose the hostile action: its text and owner show as written (its progress is in a data grid's canvas)."""
    _open(page, base, f"actions?partnership=DEMO&cycle={CYCLE}")
    page.get_by_role("combobox", name="Action (one of the table above)").click()
    page.get_by_role("option", name=re.compile(r"· recommendation H1 ·")).click()
    wait_idle(page)
    page.get_by_text("Recommendation H1").first.wait_for()
    shown = _shown_text(page)
    for text in (ACTION, f"Owner: {HOSTILE[1]}"):
        assert text in shown, f"actions: {text!r} not shown as written"
    _assert_no_markup(page, "the hostile action", fetched, errors)


def _heat_map_tooltip_and_evidence(page, base: str, fetched: list[str], errors: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Hover a cell of the hostile organisation: the tooltip shows its name as text; click it: the evidence dialog
    shows the evidence as written, and so does the agency the dialog links to."""
    _open(page, base, f"heat-map?partnership=DEMO&cycle={CYCLE}")
    cell = page.locator("path[aria-label*='tracker.example/n.png']").first
    cell.hover()
    tooltip = page.locator("#vg-tooltip-element")
    tooltip.wait_for(state="visible")
    assert HOSTILE_NAME in tooltip.inner_text().replace(WORD_JOINER, "")
    assert tooltip.locator("b, a, img").filter(has_text="Evil").count() == 0
    assert tooltip.locator("img, a").count() == 0
    _assert_no_markup(page, "heat-map tooltip", fetched, errors)
    cell.click()
    wait_idle(page)
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    shown = dialog.inner_text().replace(WORD_JOINER, "")
    assert HOSTILE_NAME in shown
    assert any(h in shown for h in HOSTILE), shown
    assert dialog.locator("img, b, strong, script").count() == 0
    _assert_no_markup(page, "heat-map evidence dialog", fetched, errors)
    dialog.get_by_role("link", name=re.compile(r"^Open ")).click()
    wait_idle(page)
    heading = page.get_by_role("heading", name=HOSTILE_NAME.replace("://", WORD_JOINER + "://"), exact=True)
    heading.wait_for()
    _assert_no_markup(page, "agency from the dialog", fetched, errors)
