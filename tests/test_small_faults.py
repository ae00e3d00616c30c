"""The smaller faults of issue 10 (item 5): `/overview` is the Overview (not "Page not found"), a chair's
"Progress of one action" opens on an action they can update, and the Users page preselects nobody and never offers
an admin to disable their own account. (The Cycles page's status against "return received": test_one_figure.)"""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

import apptest
from apptest import open_page
from browser import add_user, app_database, app_server, chromium, sign_in, wait_idle  # noqa: F401 (fixtures)
from s11data.admin import users
from s11data.store.models import Role

ACCOUNT = {a.role: a for a in users.DEMO_ACCOUNTS}


@pytest.fixture
def embedded(sqlite_seeded: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    yield from apptest.embedded(sqlite_seeded, monkeypatch, tmp_path)


def test_a_chairs_progress_of_one_action_opens_on_one_they_can_update(embedded: Engine) -> None:
    chair = ACCOUNT[Role.CHAIR]
    at = open_page(chair.username, "actions", chair.password)
    chosen = at.selectbox(key="actions_chosen")
    owner = next(c.value for c in at.caption if c.value.startswith("Owner:"))
    assert "Learning & Development subgroup" in owner, (chosen.value, owner)
    assert any("Add a progress update" in m.value for m in at.markdown)
    assert not [c.value for c in at.caption if c.value.startswith("Chairs update the actions their subgroup owns")]


def test_the_users_page_preselects_nobody_and_never_offers_to_disable_oneself(embedded: Engine) -> None:
    admin = ACCOUNT[Role.ADMIN]
    at = open_page(admin.username, "users", admin.password)
    who = at.selectbox(key="users_who")
    assert who.value is None
    assert not [b for b in at.button if b.label == "Disable"]
    who.set_value(admin.username).run()
    assert not [b for b in at.button if b.label == "Disable"]
    assert any("your own account" in c.value for c in at.caption)
    who.set_value(ACCOUNT[Role.EXECUTIVE].username).run()
    assert [b for b in at.button if b.label == "Disable"]


@pytest.mark.browser
def test_the_overview_answers_at_its_own_address(app_server: str, app_database: Engine,  # noqa: F811
                                                 chromium) -> None:  # noqa: F811
    username = f"route-{uuid.uuid4().hex[:8]}"
    add_user(app_database, username, "executive", ["Gloucestershire Safeguarding Children Partnership"])
    page = chromium.new_page()
    sign_in(page, app_server, username)
    page.goto(f"{app_server}/overview?partnership=GSCP&cycle=2021")
    page.get_by_role("heading", name="Overview · GSCP 2021", exact=True).wait_for(timeout=45_000)
    wait_idle(page)
    assert page.get_by_text("Page not found").count() == 0
    assert "partnership=GSCP" in page.url and "cycle=2021" in page.url
