"""The upload page (streamlit AppTest): only uploaders see it; a file is previewed with its problems and changes,
imported once, and shows in the upload history with what it changed."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from streamlit.testing.v1 import AppTest

from s11data.store import db
from s11data.store.models import Partnership, Role, Upload
from s11data.store.scope import Scope
from test_import import DEMO, NEW_ORG, codes, csv_of

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "upload.py")


def _page(engine: Engine, monkeypatch: pytest.MonkeyPatch, role: Role = Role.BUSINESS_MANAGER) -> AppTest:
    monkeypatch.setenv("S11_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    with db.read_session(engine) as s:
        demo = s.scalar(select(Partnership.id).where(Partnership.name == DEMO))
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["s11_scope"] = Scope.of("meg", role, [demo])
    at.run()
    assert not at.exception, at.exception
    if role == Role.BUSINESS_MANAGER:
        at.selectbox(key="filter_cycle").set_value("2025-26").run()
    return at


def _uploads(engine: Engine) -> int:
    with db.read_session(engine) as s:
        return s.scalar(select(func.count()).select_from(Upload))


def test_only_roles_that_may_upload_see_the_page(sqlite_seeded: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _page(sqlite_seeded, monkeypatch, Role.EXECUTIVE)
    assert "Only business managers and admins" in at.error[0].value
    assert not at.get("file_uploader")


def test_preview_then_import_once_then_history(sqlite_seeded: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _page(sqlite_seeded, monkeypatch)
    assert [b.label for b in at.get("download_button")] == [
        "Long form · CSV", "Long form · XLSX", "Wide form · CSV", "Wide form · XLSX"]
    qs = codes(sqlite_seeded)
    data = csv_of([[NEW_ORG, q, "Amber", "ok"] for q in qs], header=["organisation", "question", "rating",
                                                                      "evidence"])
    at.get("file_uploader")[0].set_value(("compass.csv", data, "text/csv")).run()
    assert not at.exception and not at.error
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["New returns"] == "1" and metrics["New ratings"] == str(len(qs))
    assert _uploads(sqlite_seeded) == 0, "the preview writes nothing"
    button = next(b for b in at.button if b.label.startswith("Import"))
    assert button.label == f"Import {len(qs)} ratings"
    button.click().run()
    assert at.success and f"Imported {len(qs)} ratings" in at.success[0].value
    assert _uploads(sqlite_seeded) == 1
    at.run()  # a rerun (or a second click) with the same file imports nothing more
    assert _uploads(sqlite_seeded) == 1 and not [b for b in at.button if b.label.startswith("Import")]
    history = at.dataframe[-2].value
    assert history["file"].tolist() == ["compass.csv"] and history["who"].tolist() == ["meg"]
    changes = at.dataframe[-1].value
    assert len(changes) == len(qs) and set(changes["change"]) == {"new"}


def test_a_refused_file_shows_each_problem_with_its_fix_and_no_import(sqlite_seeded: Engine,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    at = _page(sqlite_seeded, monkeypatch)
    data = csv_of([[NEW_ORG, "A1", "Purple", ""], ["Compass Young Carer", "A2", "G", ""]],
                  header=["organisation", "question", "rating", "evidence"])
    at.get("file_uploader")[0].set_value(("bad.csv", data, "text/csv")).run()
    assert "Refused: 2 problems" in at.error[0].value
    problems = at.dataframe[0].value
    assert problems[["row", "column"]].values.tolist() == [[2, "rating"], [3, "organisation"]]
    assert "Did you mean 'Compass Young Carers (illustrative)'" in problems["how to fix"].iloc[1]
    assert not [b for b in at.button if b.label.startswith("Import")]
    assert _uploads(sqlite_seeded) == 0


def test_a_file_for_another_cycle_than_the_chosen_one_is_refused_on_the_page(
        sqlite_seeded: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _page(sqlite_seeded, monkeypatch)
    data = csv_of([[DEMO, "2024-25", NEW_ORG, "A1", "G", ""]])
    at.get("file_uploader")[0].set_value(("other.csv", data, "text/csv")).run()
    assert "but the import is for 2025-26" in at.dataframe[0].value["problem"].iloc[0]
    at.toggle(key="upload_from_file").set_value(True).run()
    assert not at.error and any(b.label.startswith("Import") for b in at.button)
