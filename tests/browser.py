"""Real-browser test support: a served app on a seeded SQLite copy, Debian's Chromium, and signing in.

    import pytest
    from browser import add_user, sign_in

    pytestmark = pytest.mark.browser

    def test_something(app_server, app_database, chromium):
        add_user(app_database, "meg", "business manager", ["North Somerset Children's Partnership"])
        page = chromium.new_page()
        sign_in(page, app_server, "meg")                 # lands on the default page, signed in
        page.goto(f"{app_server}/heat-map?org=Sirona")   # a deep link
        wait_idle(page)

`app_server` (the base URL) and `app_database` (its engine) are module-scoped: one server per test module, so
give each test its own usernames. `demo_server` serves the app as `make run` does, in demo mode (the demo banner
on every page, the demo accounts), over `demo_database`. `chromium` is a fresh browser per test (own cookies). The browser tests are
skipped when /usr/bin/chromium is absent, unless S11_REQUIRE_BROWSER is set (then they fail).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from s11data.store import db

PROJECT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
TEST_COOKIE_KEY = "browser-tests-only-" + "k" * 40
"""The server's cookie signing key in browser tests (so a test can forge or expire a cookie)."""
PASSWORD = "Browser-test-pass-1"
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("S11_REQUIRE_BROWSER"):
            pytest.fail(f"S11_REQUIRE_BROWSER is set but {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} not installed")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(env: dict[str, str], log: Path, timeout: float = 60) -> tuple[subprocess.Popen, str]:
    """Start `streamlit run app/main.py` with these environment variables; returns the process and base URL."""
    port = free_port()
    full_env = {**os.environ, "S11_COOKIE_KEY": TEST_COOKIE_KEY, "S11_BCRYPT_ROUNDS": "4", **env}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app/main.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=PROJECT, env=full_env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited ({process.returncode}): {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return process, base
        except OSError:
            time.sleep(0.3)
    stop(process)
    raise RuntimeError(f"streamlit did not answer within {timeout}s: {log.read_text()[-2000:]}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def app_database(templates: Any) -> Iterator[Engine]:
    """The seeded SQLite copy `app_server` serves (add users to it with `add_user`)."""
    require_chromium()
    url = templates.clone("sqlite", seeded=True)
    engine = db.get_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def app_server(app_database: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app served on a free port over `app_database`; its base URL. Stopped after the module."""
    data = tmp_path_factory.mktemp("app_data")
    url = app_database.url.render_as_string(hide_password=False)
    process, base = serve({"S11_DATABASE_URL": url, "S11_DATA_DIR": str(data)}, data / "streamlit.log")
    yield base
    stop(process)


@pytest.fixture(scope="module")
def demo_database(templates: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The embedded default database of `demo_server` (a seeded copy at S11_DATA_DIR/s11.sqlite3): in demo mode
    while no real user is added to it, so sign in as a demo account (`users.DEMO_ACCOUNTS`)."""
    require_chromium()
    import shutil

    from sqlalchemy.engine import make_url

    data = tmp_path_factory.mktemp("demo_data")
    shutil.copyfile(make_url(templates.clone("sqlite", seeded=True)).database, data / "s11.sqlite3")
    engine = db.get_engine(f"sqlite:///{data / 's11.sqlite3'}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def demo_server(demo_database: Engine) -> Iterator[str]:
    """The app as `make run` serves it: on the embedded default database (`demo_database`), so in demo mode, with
    the demo banner on every page and the demo accounts; its base URL. Stopped after the module."""
    data = Path(demo_database.url.database).parent
    process, base = serve({"S11_DATABASE_URL": "", "S11_DATA_DIR": str(data)}, data / "streamlit.log")
    yield base
    stop(process)


HOG = "import time\nend = time.monotonic() + float(__import__('sys').argv[1])\nwhile time.monotonic() < end:\n    pass\n"


@pytest.fixture(scope="session")
def cpu_hog() -> Iterator[int]:
    """With `S11_CPU_HOG=1` (CI sets it), one busy-loop process per core for the rest of the session once a browser
    test starts, so the browser suite is run on a machine as busy as a shared server; each stops by itself after
    `S11_CPU_HOG_SECONDS` (default 1200) and all are killed at the end. Under pytest-xdist the cores are shared
    out between the workers, so the whole run keeps one busy loop per core. Yields how many this worker started."""
    if os.environ.get("S11_CPU_HOG", "") in ("", "0"):
        yield 0
        return
    seconds = os.environ.get("S11_CPU_HOG_SECONDS", "1200")
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1)
    count = max(1, (os.cpu_count() or 2) // workers)
    hogs = [subprocess.Popen([sys.executable, "-c", HOG, seconds]) for _ in range(count)]
    try:
        yield len(hogs)
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()


@pytest.fixture
def chromium(cpu_hog: int) -> Iterator[Any]:
    """A fresh headless Chromium (its own cookies) for one test (beside the CPU hog when it is on)."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        browser.new_context = _patient(browser.new_context)
        browser.new_page = _patient(browser.new_page)
        try:
            yield browser
        finally:
            browser.close()


PATIENCE_MS = 90_000
"""How long a browser test waits for anything: generous, since CI's 2 cores also run the app and PostgreSQL."""


def _patient(make: Any) -> Any:
    """Wrap new_page/new_context so that everything they make waits up to PATIENCE_MS."""
    def made(*args: Any, **kwargs: Any) -> Any:
        thing = make(*args, **kwargs)
        thing.set_default_timeout(PATIENCE_MS)
        return thing
    return made


def add_user(engine: Engine, username: str, role: str, partnerships: list[str], password: str = PASSWORD,
             subgroup: str = "", themes: tuple[str, ...] = ()) -> None:
    """Create an account directly in the served database (as the operator would with `s11 users add`)."""
    from s11data.admin import users
    from s11data.store.scope import Scope

    os.environ.setdefault("S11_BCRYPT_ROUNDS", "4")
    with db.write_session(engine) as session:
        users.add_user(session, Scope.system("test"), username, role, partnerships, password, subgroup=subgroup,
                       themes=themes)


def wait_idle(page: Any, timeout: float = PATIENCE_MS) -> None:
    """Wait until the script run has finished."""
    page.wait_for_timeout(150)
    page.wait_for_selector(IDLE, timeout=timeout)


def sign_in_form_shown(page: Any) -> bool:
    return page.get_by_role("button", name="Login").count() > 0


def sign_in(page: Any, base_url: str, username: str, password: str = PASSWORD, path: str = "",
            expect_success: bool = True) -> None:
    """Open `base_url/path` and sign in through the form; waits for the page to be drawn."""
    page.goto(f"{base_url}/{path.lstrip('/')}")
    wait_idle(page)
    submit_sign_in(page, username, password, expect_success)


def submit_sign_in(page: Any, username: str, password: str = PASSWORD, expect_success: bool = True) -> None:
    """Fill in and send the sign-in form already on screen."""
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Login").click()
    wait_idle(page)
    if expect_success:
        page.get_by_role("button", name="Sign out").first.wait_for(timeout=PATIENCE_MS)  # meeting mode: bar + sidebar
        wait_for_auth_cookie(page)


def wait_for_auth_cookie(page: Any) -> None:
    """The sign-in cookie is written by a component after the signed-in run; a test that opens a new URL or tab
    straight away must wait for it, as a person's next click always does."""
    deadline = time.monotonic() + PATIENCE_MS / 1000
    while not any(c["name"].startswith("s11_auth") for c in page.context.cookies()):
        if time.monotonic() > deadline:
            raise AssertionError("the sign-in cookie was never written")
        page.wait_for_timeout(100)
