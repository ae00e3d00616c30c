"""Sign-in in a real browser (Debian Chromium): direct URLs, the cookie, sign-out, forged and expired cookies,
lockout. One served app for the module; each test uses its own accounts and fresh browser contexts."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from browser import PASSWORD, TEST_COOKIE_KEY, add_user, sign_in, sign_in_form_shown, submit_sign_in, wait_idle
from sqlalchemy import Engine, select

from app import auth
from s11data.store import db
from s11data.admin import users
from s11data.store.models import User
from s11data.store.scope import Scope

pytestmark = pytest.mark.browser

NSSCP = "North Somerset Children's Partnership"
PAGE_PATHS = ["", "heat-map", "trends", "agency", "engagement", "actions", "upload", "users", "no-such-page"]


def _cookie_name(app_database: Engine) -> str:
    return auth.cookie_name(app_database.url.render_as_string(hide_password=False))


def _token(username: str, exp: float, key: str = TEST_COOKIE_KEY) -> str:
    return jwt.encode({"username": username, "exp_date": exp}, key, algorithm="HS256")


def _failed_attempts(engine: Engine, username: str) -> int:
    with db.read_session(engine) as session:
        return session.scalar(select(User.failed_attempts).where(User.username == username)) or 0


def _until(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def _signed_in(page: Any) -> bool:
    return page.get_by_role("button", name="Sign out").count() > 0


def _shows_nothing_but_sign_in(page: Any) -> None:
    assert sign_in_form_shown(page) and not _signed_in(page)
    assert page.locator("[data-testid='stSidebarNav']").count() == 0
    assert page.locator("[data-testid='stDataFrame'], [data-testid='stMetric']").count() == 0
    assert page.get_by_role("button", name="Download CSV").count() == 0
    assert NSSCP not in page.inner_text("body")


def test_every_page_url_opened_directly_shows_only_sign_in(app_server: str, chromium: Any) -> None:
    context = chromium.new_context()  # no cookie: every load is a fresh, signed-out session
    page = context.new_page()
    for path in PAGE_PATHS:
        page.goto(f"{app_server}/{path}?partnership=NSSCP&org=Sirona")
        wait_idle(page)
        _shows_nothing_but_sign_in(page)
    context.close()


def test_sign_in_follows_the_link_the_cookie_signs_new_tabs_in_and_sign_out_ends_it(
        app_server: str, app_database: Engine, chromium: Any) -> None:
    add_user(app_database, "bella", "business manager", [NSSCP])
    context = chromium.new_context(accept_downloads=True)
    page = context.new_page()
    sign_in(page, app_server, "bella", path="heat-map?partnership=NSSCP")
    assert "/heat-map" in page.url and page.locator("h1").first.inner_text().startswith("Heat map")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").first.click()
    assert download.value.suggested_filename.endswith(".csv")
    page.wait_for_timeout(500)
    name = _cookie_name(app_database)
    cookie = next(c for c in context.cookies() if c["name"] == name)
    second = context.new_page()  # a new tab: signed in by the cookie, straight to the page asked for
    second.goto(f"{app_server}/trends")
    second.get_by_role("button", name="Sign out").wait_for()  # the cookie is read on the run after the first
    wait_idle(second)
    assert _signed_in(second) and second.locator("h1").first.inner_text().startswith("Trends")
    second.get_by_role("button", name="Sign out").click()
    second.get_by_role("button", name="Login").wait_for(timeout=90_000)
    wait_idle(second)
    second.get_by_text("You are signed out.").wait_for(timeout=60_000)
    assert sign_in_form_shown(second) and second.get_by_text("You are signed out.").count() >= 1
    for _ in range(300):  # the cookie is deleted by the component after the run that signed out
        if name not in {c["name"] for c in context.cookies()}:
            break
        second.wait_for_timeout(100)
    assert name not in {c["name"] for c in context.cookies()}  # the cookie is gone from the browser
    second.go_back()
    wait_idle(second)
    _shows_nothing_but_sign_in(second)
    third = context.new_page()
    third.goto(f"{app_server}/heat-map")
    wait_idle(third)
    _shows_nothing_but_sign_in(third)
    context.close()
    # the signed-out cookie, kept and replayed in another browser, no longer signs anyone in
    replay = chromium.new_context()
    replay.add_cookies([{"name": name, "value": cookie["value"], "url": app_server}])
    page = replay.new_page()
    page.goto(f"{app_server}/heat-map")
    wait_idle(page)
    _shows_nothing_but_sign_in(page)
    replay.close()


@pytest.mark.parametrize("case", ["forged", "expired", "too long", "good"])
def test_forged_or_expired_cookies_do_not_sign_in(app_server: str, app_database: Engine, chromium: Any,
                                                  case: str) -> None:
    username = f"cookie_{case.replace(' ', '_')}"
    add_user(app_database, username, "executive", [NSSCP])
    now = time.time()
    value = {"forged": _token(username, now + 3600, key="not-the-servers-key-" + "x" * 30),
             "expired": _token(username, now - 60),
             "too long": _token(username, now + 365 * 86400),
             "good": _token(username, now + 3600)}[case]
    context = chromium.new_context()
    context.add_cookies([{"name": _cookie_name(app_database), "value": value, "url": app_server}])
    page = context.new_page()
    page.goto(f"{app_server}/")
    wait_idle(page)
    if case == "good":  # the control: a cookie signed with the server's key does sign in
        page.get_by_role("button", name="Sign out").wait_for()  # the cookie is read on the run after the first
        assert _signed_in(page)
    else:
        page.wait_for_timeout(3000)  # give the cookie the run in which the good one signs in
        wait_idle(page)
        _shows_nothing_but_sign_in(page)
    context.close()


def test_lockout_after_repeated_failures_and_a_disabled_account_cookie(
        app_server: str, app_database: Engine, chromium: Any) -> None:
    add_user(app_database, "lola", "executive", [NSSCP])
    context = chromium.new_context()
    page = context.new_page()
    page.goto(f"{app_server}/")
    wait_idle(page)
    for attempt in range(1, users.lock_after() + 1):
        submit_sign_in(page, "lola", "wrong-password-1", expect_success=False)
        expected = users.INCORRECT if attempt < users.lock_after() else "is locked after"
        _until(lambda: _failed_attempts(app_database, "lola") == attempt)  # this attempt was counted
        page.get_by_text(expected).first.wait_for(timeout=90_000)
    sign_in(page, app_server, "lola", PASSWORD, expect_success=False)  # a new visit, the right password
    page.get_by_text("is locked after").first.wait_for(timeout=90_000)
    _shows_nothing_but_sign_in(page)
    context.close()

    add_user(app_database, "dora", "executive", [NSSCP])
    context = chromium.new_context()
    page = context.new_page()
    sign_in(page, app_server, "dora")
    page.wait_for_timeout(500)
    with db.write_session(app_database) as session:
        users.set_disabled(session, Scope.system("test"), "dora")
    tab = context.new_page()
    tab.goto(f"{app_server}/")
    wait_idle(tab)
    _shows_nothing_but_sign_in(tab)
    page.get_by_role("link", name="Trends").click(force=True)  # the open session ends at its next click
    page.get_by_role("button", name="Login").wait_for(timeout=90_000)
    wait_idle(page)
    _shows_nothing_but_sign_in(page)
    context.close()
