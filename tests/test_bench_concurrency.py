"""The capacity benchmark: new sessions over Streamlit's websocket protocol against a real `streamlit run` server.

It must really sign each session in with the cookie (a refused cookie shows the sign-in form and counts as a failed
load), count one script run per page load, and read the server's CPU from the operating system.
"""
from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from bench import concurrency
from s11data.store import db
from s11data.store.models import User

pytestmark = pytest.mark.browser  # starts real app servers, like the browser suite


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("S11_BCRYPT_ROUNDS", "4")


def test_sessions_sign_in_with_the_cookie_and_run_the_page_once(sqlite_seeded: Engine) -> None:
    url = sqlite_seeded.url.render_as_string(hide_password=False)
    report = concurrency.run(url, levels=(1, 2), process_counts=(1, 2), say=lambda _: None)
    assert report.error is None
    assert [(level.processes, level.partnerships, level.sessions) for level in report.levels] == [
        (1, "one", 1), (1, "one", 2), (1, "distinct", 1), (1, "distinct", 2),
        (2, "one", 1), (2, "one", 2), (2, "distinct", 1), (2, "distinct", 2)]
    for level in report.levels:
        assert level.failed == 0, level
        assert level.runs_per_load == 1.0
        assert level.cpu_per_load_s > 0
        assert 0 < level.median_s <= level.p95_s
    assert report.checks["every load finished"] and report.checks["one script run per load"]
    with db.read_session(sqlite_seeded) as session:  # the benchmark's reader is gone afterwards
        assert not session.scalars(select(User.username).where(
            User.username.like(f"{concurrency.USER_PREFIX}%"))).all()


def test_a_cookie_the_server_refuses_is_a_failed_load(sqlite_seeded: Engine, monkeypatch) -> None:
    url = sqlite_seeded.url.render_as_string(hide_password=False)
    monkeypatch.setattr(concurrency, "cookie", lambda url, key, username: "s11_auth_x=not-a-token")
    report = concurrency.run(url, levels=(1,), process_counts=(1,), say=lambda _: None)
    assert all(level.failed == level.loads > 0 for level in report.levels)
    assert report.levels[0].loads == concurrency.SINGLE_LOADS  # one session: several loads in turn
    assert not report.checks["every load finished"] and not report.ok


def test_datasette_parameters_are_named_in_order() -> None:
    sql, values = concurrency._named("select * from t where a = ? and b in (?, ?)", (1, "x", 3))
    assert sql == "select * from t where a = :p0 and b in (:p1, :p2)"
    assert values == {"p0": "1", "p1": "x", "p2": "3"}
