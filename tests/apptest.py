"""AppTest support (as tests/browser.py is for Chromium): sign in through the form, then open a page.

    from apptest import open_page
    at = open_page("exec", "heat_map", "Their-password-1", partnership="GSCP", cycle="2021")

The app under test reads `S11_DATABASE_URL`: a test's fixture points it at a seeded copy (`serve`) and adds the
users.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from s11data.store import db

MAIN = str(Path(__file__).resolve().parent.parent / "app" / "main.py")


def open_page(username: str, page: str, password: str, **params: str) -> AppTest:
    """Sign in through the form as `username`, then go to `page` (a file in pages/, e.g. 'heat_map') with URL
    parameters as a deep link gives them. Fails on any exception or error shown."""
    at = AppTest.from_file(MAIN, default_timeout=60)
    at.run()
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    next(b for b in at.button if b.label == "Login").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(f"../pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def serve(engine: Engine, monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    """Point the app under test at `engine`'s database, with a private data folder, a test-only cookie key and
    fast password hashes."""
    monkeypatch.setenv("S11_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("S11_DATA_DIR", str(data_dir))
    monkeypatch.setenv("S11_COOKIE_KEY", "apptest-only-" + "k" * 40)
    monkeypatch.setenv("S11_BCRYPT_ROUNDS", "4")
    db.get_engine.cache_clear()
