"""The report's narrative: every save a new version (earlier texts kept and listed), the latest merged by key, the
audit line, bad text refused with a clear message, and who may write or read. SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from s11data.store import db
from s11data.store.errors import UserError
from s11data.store.models import AuditEvent, Cycle, Partnership, Role
from s11data.report import narrative
from s11data.store.scope import Scope, ScopeError

GSCP = "Gloucestershire Safeguarding Children Partnership"
NSCP = "North Somerset Children's Partnership"


def ids(engine: Engine, partnership: str, label: str) -> tuple[int, int]:
    with db.read_session(engine) as s:
        return s.execute(select(Partnership.id, Cycle.id).join(Cycle.partnership)
                         .where(Partnership.name == partnership, Cycle.label == label)).one()


def save(engine: Engine, scope: Scope, cycle_id: int, key: str, text: str) -> int:
    with db.write_session(engine) as s:
        return narrative.save(s, scope, cycle_id, key, text, title="Standard A").version


def test_every_save_is_a_version_and_the_latest_is_current(seeded_engine: Engine) -> None:
    gscp, cycle = ids(seeded_engine, GSCP, "2021")
    bm = Scope.of("sam", Role.BUSINESS_MANAGER, [gscp])
    assert save(seeded_engine, bm, cycle, "section:A", "  First draft of the analysis.\n") == 1
    assert save(seeded_engine, Scope.of("ali", Role.ADMIN, [gscp]), cycle, "section:A", "Second draft.") == 2
    assert save(seeded_engine, bm, cycle, "foreword", "A foreword <b>not HTML</b> *nor Markdown*") == 1
    assert save(seeded_engine, bm, cycle, "section:A", "Second draft.") == 2  # unchanged: no new version
    reader = Scope.of("eve", Role.EXECUTIVE, [gscp])
    with db.read_session(seeded_engine) as s:
        written = narrative.latest(s, reader, cycle)
        versions = narrative.history(s, reader, cycle, "section:A")
        events = s.scalars(select(AuditEvent.detail).where(AuditEvent.action == "report.narrative")
                           .order_by(AuditEvent.id)).all()
    assert sorted(written) == ["foreword", "section:A"]
    assert (written["section:A"].text, written["section:A"].author) == ("Second draft.", "ali")
    assert written["foreword"].text == "A foreword <b>not HTML</b> *nor Markdown*"  # kept exactly as written
    assert written["section:A"].written_at.endswith("UTC")
    assert list(versions["version"]) == [2, 1]
    assert list(versions["text"]) == ["Second draft.", "First draft of the analysis."]
    assert list(versions["author"]) == ["ali", "sam"]
    assert events == ["Standard A of GSCP 2021: version 1, 28 characters",
                      "Standard A of GSCP 2021: version 2, 13 characters",
                      "Standard A of GSCP 2021: version 1, 41 characters"]


def test_narrative_belongs_to_its_cycle(seeded_engine: Engine) -> None:
    gscp, cycle_2021 = ids(seeded_engine, GSCP, "2021")
    _gscp, cycle_2020 = ids(seeded_engine, GSCP, "2020")
    save(seeded_engine, Scope.of("sam", Role.BUSINESS_MANAGER, [gscp]), cycle_2021, "conclusion", "In 2021 …")
    with db.read_session(seeded_engine) as s:
        assert narrative.latest(s, Scope.system(), cycle_2020) == {}
        assert narrative.history(s, Scope.system(), cycle_2020, "conclusion").empty


@pytest.mark.parametrize("text, message", [("   ", "Write the text of Standard A."),
                                           ("x" * (narrative.NARRATIVE_MAX + 1), "keep it under 20000")])
def test_bad_text_is_refused_and_nothing_is_saved(seeded_engine: Engine, text: str, message: str) -> None:
    gscp, cycle = ids(seeded_engine, GSCP, "2021")
    with pytest.raises(UserError, match=message):
        save(seeded_engine, Scope.of("sam", Role.BUSINESS_MANAGER, [gscp]), cycle, "section:A", text)
    with db.read_session(seeded_engine) as s:
        assert narrative.latest(s, Scope.system(), cycle) == {}


def test_only_business_managers_and_admins_of_the_partnership_write(seeded_engine: Engine) -> None:
    gscp, cycle = ids(seeded_engine, GSCP, "2021")
    nscp, _ = ids(seeded_engine, NSCP, "2023-24")
    for role in (Role.EXECUTIVE, Role.CHAIR):
        with pytest.raises(ScopeError, match="cannot change report"):
            save(seeded_engine, Scope.of("x", role, [gscp], subgroup="QiiP Subgroup"), cycle, "foreword", "Hi")
    with pytest.raises(ScopeError, match="not one of yours"):
        save(seeded_engine, Scope.of("y", Role.BUSINESS_MANAGER, [nscp]), cycle, "foreword", "Hi")
    with db.read_session(seeded_engine) as s, pytest.raises(ScopeError, match="not one of yours"):
        narrative.latest(s, Scope.of("y", Role.EXECUTIVE, [nscp]), cycle)
    with db.read_session(seeded_engine) as s:
        assert narrative.latest(s, Scope.system(), cycle) == {}


def test_an_unknown_cycle_or_blank_section_is_a_clear_refusal(seeded_engine: Engine) -> None:
    with db.read_session(seeded_engine) as s, pytest.raises(UserError, match="no longer exists"):
        narrative.latest(s, Scope.system(), 999_999)
    _gscp, cycle = ids(seeded_engine, GSCP, "2021")
    with pytest.raises(UserError, match="needs a name"):
        save(seeded_engine, Scope.system(), cycle, " ", "text")
