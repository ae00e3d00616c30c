"""A business manager uploads a return through the real app in Chromium: sign in, open the upload page, drop a
file, see the preview, double-click Import, and the return is imported once."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from browser import add_user, sign_in, wait_idle
from s11data.store import db
from s11data.store.models import Upload
from test_import import DEMO, NEW_ORG, codes, csv_of, current

pytestmark = pytest.mark.browser


def test_a_business_manager_uploads_a_return_through_the_page(app_server: str, app_database: Engine, chromium,
                                                              tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    add_user(app_database, "upload-meg", "business manager", [DEMO])
    qs = codes(app_database)
    path = tmp_path / "compass return.csv"
    path.write_bytes(csv_of([[NEW_ORG, q, "Amber/Green", f"Evidence {q}"] for q in qs],
                            header=["Organisation", "Question", "RAG", "Evidence"], newline="\r\n"))
    page = chromium.new_page(viewport={"width": 1280, "height": 2600})
    sign_in(page, app_server, "upload-meg", path="upload?partnership=DEMO&cycle=2025-26")
    page.get_by_role("heading", name="Upload returns").first.wait_for(timeout=60_000)  # a rerun may show two
    wait_idle(page)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
    button = page.get_by_role("button", name=re.compile(rf"Import {len(qs)} rating"))
    button.wait_for(timeout=90_000)
    new_returns = page.locator("[data-testid='stMetric']").filter(has_text="New returns")
    new_returns.wait_for()
    assert new_returns.inner_text().split() == ["New", "returns", "1"]
    button.dblclick()
    page.get_by_text(re.compile(rf"Imported {len(qs)} ratings")).first.wait_for(timeout=90_000)
    wait_idle(page)
    page.screenshot(path=str(tmp_path / "after-import.png"))
    page.get_by_text("compass return.csv").first.wait_for()
    with db.read_session(app_database) as s:
        assert s.scalar(select(func.count()).select_from(Upload)) == 1
        assert s.scalar(select(Upload.uploaded_by)) == "upload-meg"
    assert {v[0].value for v in current(app_database, NEW_ORG).values()} == {"Amber"}
