"""The sign-in gate and role scoping, page by page, in the real app (streamlit.testing AppTest).

A seeded SQLite database holds several partnerships; the users below belong to North Somerset (NSSCP) or to the
Illustrative Demo Partnership only, one per role, so each test can check what a role sees and what it may do.
"""
from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from s11data.store import db
from s11data.admin import users
from s11data.store.models import AuditEvent
from s11data.store.scope import Scope

MAIN = "../app/main.py"
PAGES = Path(__file__).resolve().parent.parent / "pages"
PASSWORD = "App-test-pass-1"
NSSCP = "North Somerset Children's Partnership"
DEMO = "Illustrative Demo Partnership"
OTHERS = {NSSCP: [DEMO, "Gloucestershire Safeguarding Children Partnership",
                  "South Gloucestershire Children's Partnership"],
          DEMO: [NSSCP, "Gloucestershire Safeguarding Children Partnership",
                 "South Gloucestershire Children's Partnership"]}
ACCOUNTS = {  # username: role, partnership, subgroup
    "exec_n": ("executive", NSSCP, ""),
    "chair_d": ("chair", DEMO, "Learning & Development subgroup"),
    "bm_n": ("business manager", NSSCP, ""),
    "admin_n": ("admin", NSSCP, ""),
    "bm_d": ("business manager", DEMO, ""),
}
NEEDS = {"users": "users", "upload": "import"}  # pages a role must be allowed (app.shell.PAGE_NEEDS)


@pytest.fixture
def app_db(sqlite_seeded: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The app pointed at a seeded two-partnership copy with one account per role."""
    monkeypatch.setenv("S11_DATABASE_URL", sqlite_seeded.url.render_as_string(hide_password=False))
    monkeypatch.setenv("S11_COOKIE_KEY", "app-tests-only-" + "k" * 40)
    monkeypatch.setenv("S11_BCRYPT_ROUNDS", "4")
    with db.write_session(sqlite_seeded) as session:
        for username, (role, partnership, subgroup) in ACCOUNTS.items():
            users.add_user(session, Scope.system("test"), username, role, [partnership], PASSWORD,
                           name=username.replace("_", " ").title(), subgroup=subgroup)
    yield sqlite_seeded


def new_app() -> AppTest:
    return AppTest.from_file(MAIN, default_timeout=90)


def page_files() -> list[str]:
    return sorted(p.stem for p in PAGES.glob("*.py"))


def registered(at: AppTest) -> dict[str, str]:
    """url path → page file of the pages in this session's navigation."""
    return {info.get("url_pathname", ""): Path(str(info.get("script_path"))).stem
            for info in at._registered_pages.values()}  # noqa: SLF001 - AppTest keeps the navigation here


def sign_in_shown(at: AppTest) -> bool:
    return [t.label for t in at.text_input][:2] == ["Username", "Password"] and not _sign_out_buttons(at)


def _sign_out_buttons(at: AppTest) -> list[Any]:
    return [b for b in at.sidebar.button if b.label == "Sign out"]


def sign_in(at: AppTest, username: str, password: str = PASSWORD) -> AppTest:
    if not at._tree:  # noqa: SLF001 - first run
        at.run()
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button(key="FormSubmitter:s11_sign_in-Login").click().run()
    return at


def visible_text(at: AppTest) -> str:
    """Everything a person could read on the page: text elements, tables and the options of choosers."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "info", "warning", "error",
                 "success", "code", "latex"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    for frame in [*at.dataframe, *at.table]:
        value = frame.value
        if isinstance(value, pd.DataFrame):
            parts.append(value.to_csv())
    for chooser in [*at.selectbox, *at.multiselect, *at.radio]:
        parts += [str(o) for o in chooser.options]
    return "\n".join(parts)


# --- nothing without sign-in ----------------------------------------------------------------------

@pytest.mark.parametrize("page", page_files())
def test_no_page_runs_without_sign_in(app_db: Engine, page: str) -> None:
    at = new_app()
    at.run()  # the sign-in page registers every page (hidden), so a deep link can be followed after sign-in
    if page in registered(at).values():
        at.switch_page(f"../pages/{page}.py").run()
    assert not at.exception
    assert sign_in_shown(at)
    assert [t.value for t in at.title] == ["Section 11 audit dashboard"]
    assert not at.dataframe and not at.table and not at.metric
    assert "s11_scope" not in at.session_state
    for partnership in (NSSCP, DEMO):
        assert partnership not in visible_text(at)


def test_wrong_password_then_lockout_survives_a_new_session(app_db: Engine) -> None:
    at = sign_in(new_app(), "exec_n", "not-the-password")
    assert sign_in_shown(at) and [e.value for e in at.error] == [users.INCORRECT]
    for _ in range(4):
        sign_in(at, "exec_n", "not-the-password")
    assert "locked" in at.error[0].value
    fresh = sign_in(new_app(), "exec_n")  # the right password, in a new browser session: still locked
    assert sign_in_shown(fresh) and "locked" in fresh.error[0].value
    with db.read_session(app_db) as session:
        actions = [a for a, in session.execute(select(AuditEvent.action).where(AuditEvent.username == "exec_n"))]
    assert actions.count("sign-in failed") == 5 and "account locked" in actions


def test_sign_in_keeps_the_page_asked_for_and_sign_out_really_signs_out(app_db: Engine) -> None:
    at = new_app()
    at.run()
    at.switch_page("../pages/heat_map.py").run()
    sign_in(at, "bm_n")
    assert not at.exception and at.title[0].value.startswith("Heat map")
    assert at.session_state["s11_scope"].username == "bm_n"
    _sign_out_buttons(at)[0].click().run()
    assert sign_in_shown(at) and "You are signed out." in [i.value for i in at.info]
    assert "s11_scope" not in at.session_state
    at.switch_page("../pages/heat_map.py").run()
    assert sign_in_shown(at) and not at.dataframe
    with db.read_session(app_db) as session:
        log = [a for a, in session.execute(select(AuditEvent.action).where(AuditEvent.username == "bm_n"))]
    assert log[-2:] == ["sign-in", "sign-out"]


def test_a_disabled_or_reset_account_is_signed_out_at_its_next_click(app_db: Engine) -> None:
    at = sign_in(new_app(), "exec_n")
    assert not sign_in_shown(at)
    with db.write_session(app_db) as session:
        users.set_disabled(session, Scope.system("test"), "exec_n")
    at.run()
    assert sign_in_shown(at) and "session has ended" in at.info[0].value
    other = sign_in(new_app(), "bm_d")
    with db.write_session(app_db) as session:
        users.reset_password(session, Scope.system("test"), "bm_d", "Changed-pass-22")
    other.run()
    assert sign_in_shown(other)
    assert not sign_in_shown(sign_in(other, "bm_d", "Changed-pass-22"))


# --- each role, page by page ----------------------------------------------------------------------

@pytest.mark.parametrize("username", list(ACCOUNTS))
def test_each_role_sees_only_its_partnership_and_its_pages(app_db: Engine, username: str) -> None:
    role, partnership, _ = ACCOUNTS[username]
    at = new_app().run()
    every_page = registered(at)  # the sign-in page registers them all (hidden)
    sign_in(at, username)
    assert not at.exception and not sign_in_shown(at)
    assert "users" in every_page
    scope: Scope = at.session_state["s11_scope"]
    assert scope.role.value == role and len(scope.partnership_ids) == 1
    pages = registered(at)
    for path, action in NEEDS.items():
        if path in every_page:
            assert (path in pages) == scope.can(action), (username, path)
    for path, page in pages.items():
        at.switch_page(f"../pages/{page}.py").run()
        assert not at.exception, (username, page, at.exception)
        text = visible_text(at)
        for other in OTHERS[partnership]:
            assert other not in text, (username, page, other)
        assert _sign_out_buttons(at), (username, page)
    if "users" in pages:
        at.switch_page("../pages/users.py").run()
        listed = set(at.dataframe[0].value["username"])
        assert {"exec_n", "bm_n", "admin_n"} <= listed and not listed & {"chair_d", "bm_d"}


def test_a_link_to_another_partnership_shows_nothing_of_it(app_db: Engine) -> None:
    at = new_app()
    at.query_params["partnership"] = "NSSCP"
    at.query_params["org"] = "Sirona"
    sign_in(at, "chair_d")
    for page in ("overview", "heat_map", "agency", "actions"):
        at.switch_page(f"../pages/{page}.py").run()
        assert not at.exception
        assert NSSCP not in visible_text(at) and "Sirona" not in "".join(str(t.value) for t in at.dataframe)


@pytest.mark.parametrize("username", ["exec_n", "chair_d", "bm_n"])
def test_the_users_page_refuses_non_admins_even_when_run_directly(app_db: Engine, username: str) -> None:
    at = AppTest.from_file(str(PAGES / "users.py"), default_timeout=60)
    with db.read_session(app_db) as session:
        at.session_state["s11_scope"] = users.session_scope(session, username, False, None)
    at.run()
    assert [e.value for e in at.error] == ["Only an admin can manage users."] and not at.dataframe


def test_the_users_page_needs_a_signed_in_user_when_run_directly(app_db: Engine) -> None:
    at = AppTest.from_file(str(PAGES / "users.py"), default_timeout=60).run()
    assert not at.dataframe and not at.text_input and "sign in" in at.warning[0].value


def test_an_admin_adds_a_user_and_reads_the_audit_log(app_db: Engine) -> None:
    at = sign_in(new_app(), "admin_n")
    at.switch_page("../pages/users.py").run()
    at.text_input(key="add_username").input("newbie")
    at.text_input(key="add_name").input("New Bie")
    at.text_input(key="add_password").input("Newbie-pass-123")
    at.text_input(key="add_repeat").input("Newbie-pass-123")
    at.multiselect(key="add_partnerships").select(NSSCP)
    at.button(key="FormSubmitter:users_add-Add user").click().run()
    assert not at.exception and "Added newbie." in [s.value for s in at.success], [e.value for e in at.error]
    assert "newbie" in set(at.dataframe[0].value["username"])
    log = at.dataframe[-1].value
    assert {"sign-in", "user.add"} <= set(log["action"]) and "Newbie-pass-123" not in log.to_csv()
    assert users.sign_in(app_db, "newbie", "Newbie-pass-123", demo_allowed=False).ok


# --- demo mode and the first run ------------------------------------------------------------------

@pytest.fixture
def embedded(sqlite_seeded: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app on the embedded default database (a seeded copy in a private data folder)."""
    shutil.copyfile(sqlite_seeded.url.database, tmp_path / "s11.sqlite3")
    monkeypatch.setattr(db, "DATA_DIR", tmp_path)
    monkeypatch.delenv("S11_DATABASE_URL", raising=False)
    monkeypatch.delenv("S11_COOKIE_KEY", raising=False)
    monkeypatch.setenv("S11_BCRYPT_ROUNDS", "4")
    return tmp_path


def test_demo_mode_lists_one_account_per_role_and_marks_every_page(embedded: Path) -> None:
    at = new_app().run()
    assert db.is_embedded_default()
    listed = at.table[0].value
    assert sorted(listed["role"]) == sorted(r.role.value for r in users.DEMO_ACCOUNTS)
    assert "Demo" in at.warning[0].value
    assert (embedded / "cookie_key").exists()  # a strong key was generated on first run, outside git
    chair = next(a for a in users.DEMO_ACCOUNTS if a.only)
    sign_in(at, chair.username, chair.password)
    assert not sign_in_shown(at)
    for page in registered(at).values():
        at.switch_page(f"../pages/{page}.py").run()
        assert not at.exception
        assert any("Demo" in w.value for w in at.warning), page
        assert NSSCP not in visible_text(at), page


def test_no_default_accounts_outside_demo_mode(app_db: Engine, sqlite_seeded: Engine) -> None:
    at = new_app().run()
    assert not at.table and not any("Demo" in w.value for w in at.warning)
    for account in users.DEMO_ACCOUNTS:
        assert sign_in_shown(sign_in(new_app(), account.username, account.password))


def test_first_run_without_users_says_how_to_create_the_first_admin(fresh_url: str,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("S11_DATABASE_URL", fresh_url)
    monkeypatch.setenv("S11_COOKIE_KEY", "app-tests-only-" + "k" * 40)
    at = new_app().run()
    assert not at.exception and sign_in_shown(at)
    assert "s11 users add" in at.code[0].value and "--role admin" in at.code[0].value
    assert not at.table


def test_cookie_claims_are_checked() -> None:
    """Cookie claims: a forged signature, an expiry in the past or too far ahead are refused."""
    import jwt

    from app import auth

    key = "k" * 48
    now = dt.datetime.now().timestamp()
    good = jwt.encode({"username": "x", "exp_date": now + 3600}, key, algorithm="HS256")
    assert auth.read_cookie(good, key) is not None
    assert auth.read_cookie(good, "another-key" * 4) is None
    assert auth.read_cookie(jwt.encode({"username": "x", "exp_date": now - 1}, key, algorithm="HS256"), key) is None
    assert auth.read_cookie(jwt.encode({"username": "x", "exp_date": now + 400 * 86400}, key,
                                       algorithm="HS256"), key) is None
    assert auth.read_cookie("not.a.jwt", key) is None
    unsigned = jwt.encode({"username": "x", "exp_date": now + 3600}, None, algorithm="none")
    assert auth.read_cookie(unsigned, key) is None
