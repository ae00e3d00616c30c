"""No traps (issue 13): blank template rows are no answer, a partial return needs a confirmation before its
invitation becomes submitted (CLI --partial-ok, the Upload page's checkbox), and a return after the due date marks
the invitation late — SQLite and PostgreSQL."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select

from s11data.store import db
from s11data.store.models import Cycle, Engagement, Invitation, Organisation
from test_import import DEMO, NEW_ORG, codes, csv_of, current, run, snapshot
from test_import_cli import outcome, s11

WITH_DATE = ["partnership", "cycle", "organisation", "question", "rating", "evidence", "submitted_on"]


def status(engine: Engine, organisation: str = NEW_ORG) -> Engagement:
    with db.read_session(engine) as s:
        return s.scalar(select(Invitation.status).join(Organisation).join(Cycle)
                        .where(Organisation.name == organisation, Cycle.label == "2025-26"))


def _file(qs: list[str], answered: int, when: str = "2025-10-31") -> bytes:
    """The full template for one organisation with only the first `answered` rows filled in."""
    rows = [[DEMO, "2025-26", NEW_ORG, q, "Green" if i < answered else "", f"ok {q}" if i < answered else "", when]
            for i, q in enumerate(qs)]
    return csv_of(rows, header=WITH_DATE)


def test_a_partial_return_is_named_partial_and_its_invitation_waits_for_a_confirmation(seeded_engine: Engine,
                                                                                      tmp_path: Path) -> None:
    qs = codes(seeded_engine)
    path = tmp_path / "partial.csv"
    path.write_bytes(_file(qs, 3))
    preview = run(seeded_engine, path.read_bytes(), dry_run=True)
    assert preview.returns_frame()["what happens"].tolist() == [f"new return · partial (3 of {len(qs)} answered)"]
    assert preview.imported == 3 and preview.partial_held == 1 and preview.invitations_marked == 0
    done = s11(seeded_engine, str(path), "--json")
    assert done.returncode == 0
    data = outcome(done)
    assert data["ok"] and data["imported"] == 3
    held = next(w for w in data["warnings"] if "partial return" in w["message"])
    assert f"3 of {len(qs)} questions answered" in held["message"] and "--partial-ok" in held["message"]
    assert set(current(seeded_engine, NEW_ORG)) == set(qs[:3])  # the blank rows are no answer, not "Not rated"
    assert status(seeded_engine) == Engagement.INVITED
    before = snapshot(seeded_engine)
    confirmed = s11(seeded_engine, str(path), "--json", "--partial-ok")
    assert confirmed.returncode == 0 and outcome(confirmed)["imported"] == 0
    assert status(seeded_engine) == Engagement.SUBMITTED
    assert snapshot(seeded_engine)[0] == before[0]  # the ratings are as they were: only the invitation changed


def test_a_complete_return_after_the_due_date_marks_the_invitation_late(seeded_engine: Engine) -> None:
    qs = codes(seeded_engine)  # the demo 2025-26 cycle's returns are due 2025-11-30
    late = "Brightpath Children's Homes (illustrative)"  # 'did not engage' so far
    rows = [[DEMO, "2025-26", late, q, "Amber", "sent in December", "05/12/2025"] for q in qs]
    result = run(seeded_engine, csv_of(rows, header=WITH_DATE))
    assert result.ok, result.errors
    assert status(seeded_engine, late) == Engagement.LATE
    on_time = run(seeded_engine, _file(qs, len(qs)))
    assert on_time.ok and on_time.invitations_marked == 1
    assert status(seeded_engine) == Engagement.SUBMITTED
