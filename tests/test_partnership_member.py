"""The organisations of each partnership (`partnership_member`), kept by database triggers: after every kind of
write it is exactly what the invitations and returns say, on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, func, select, text

from s11data.admin import cycles
from s11data.store import db
from s11data.views import filter_choices
from bench import synth
from s11data.returns.importer import import_file
from s11data.store.models import Cycle, Invitation, Organisation, Partnership, PartnershipMember, Question, Role
from s11data.store.scope import Scope

OPERATOR = Scope.system("tester")
DEMO = "Illustrative Demo Partnership"
GSCP = "Gloucestershire Safeguarding Children Partnership"
SIRONA = "Sirona Care & Health"  # North Somerset only


def members(engine: Engine) -> set[tuple[int, int]]:
    with db.read_session(engine) as s:
        return set(s.execute(select(PartnershipMember.partnership_id, PartnershipMember.organisation_id)).all())


def recomputed(engine: Engine) -> set[tuple[int, int]]:
    """What the invitations and returns say, counted afresh."""
    with db.read_session(engine) as s:
        return set(s.execute(text(
            "SELECT c.partnership_id, x.organisation_id FROM (SELECT cycle_id, organisation_id FROM invitation "
            "UNION SELECT cycle_id, organisation_id FROM audit_return) x JOIN cycle c ON c.id = x.cycle_id")).all())


def ids(engine: Engine, partnership: str, organisation: str) -> tuple[int, int]:
    with db.read_session(engine) as s:
        return (s.scalar(select(Partnership.id).where(Partnership.name == partnership)),
                s.scalar(select(Organisation.id).where(Organisation.name == organisation)))


def test_the_seed_gives_exactly_the_invited_and_returning_organisations(seeded_engine: Engine) -> None:
    assert members(seeded_engine) == recomputed(seeded_engine)
    assert ids(seeded_engine, "North Somerset Children's Partnership", SIRONA) in members(seeded_engine)
    assert ids(seeded_engine, GSCP, SIRONA) not in members(seeded_engine)


def test_a_return_from_an_organisation_not_invited_makes_it_a_member(seeded_engine: Engine) -> None:
    with db.read_session(seeded_engine) as s:
        codes = s.scalars(select(Question.code).join(Cycle).join(Partnership)
                          .where(Partnership.name == DEMO, Cycle.label == "2025-26")).all()
    data = ("organisation,question,rating\n" + "".join(f"{SIRONA},{c},Green\n" for c in codes)).encode()
    result = import_file(seeded_engine, OPERATOR, data, "sirona.csv", partnership=DEMO, cycle="2025-26")
    assert result.ok and any("not invited" in w.message for w in result.warnings)
    assert ids(seeded_engine, DEMO, SIRONA) in members(seeded_engine)
    assert members(seeded_engine) == recomputed(seeded_engine)
    demo_only = Scope.of("exec", Role.EXECUTIVE, [ids(seeded_engine, DEMO, SIRONA)[0]])
    with db.read_session(seeded_engine) as s:
        assert SIRONA in {o.name for o in filter_choices.filter_choices(s, demo_only).organisations}


def test_inviting_adds_a_member_and_removing_the_last_link_removes_it(seeded_engine: Engine) -> None:
    gscp, sirona = ids(seeded_engine, GSCP, SIRONA)
    with db.write_session(seeded_engine) as s:
        cycle_id = s.scalar(select(Cycle.id).where(Cycle.partnership_id == gscp, Cycle.label == "2021"))
        cycles.invite(s, OPERATOR, cycle_id, [sirona], on=dt.date(2021, 3, 1))
    assert (gscp, sirona) in members(seeded_engine)
    with db.write_session(seeded_engine) as s:
        invitation = s.scalar(select(Invitation.id).where(Invitation.cycle_id == cycle_id,
                                                          Invitation.organisation_id == sirona))
        cycles.remove_invitation(s, OPERATOR, invitation)
    assert (gscp, sirona) not in members(seeded_engine)
    assert members(seeded_engine) == recomputed(seeded_engine)


def test_a_member_with_another_link_stays_when_one_invitation_goes(seeded_engine: Engine) -> None:
    with db.read_session(seeded_engine) as s:  # an organisation invited to two cycles of one partnership
        organisation_id, partnership_id = s.execute(
            select(Invitation.organisation_id, Cycle.partnership_id).join(Cycle)
            .group_by(Invitation.organisation_id, Cycle.partnership_id).having(func.count() > 1)
            .order_by(Invitation.organisation_id).limit(1)).one()
    with db.write_session(seeded_engine) as s:
        s.delete(s.scalars(select(Invitation).join(Cycle).where(Invitation.organisation_id == organisation_id,
                                                                Cycle.partnership_id == partnership_id)).first())
    assert (partnership_id, organisation_id) in members(seeded_engine)
    assert members(seeded_engine) == recomputed(seeded_engine)


def test_synthetic_sets_bulk_written_and_removed_keep_it_exact(engine: Engine) -> None:
    synth.synthesize(engine, "small")  # COPY on PostgreSQL, executemany on SQLite
    assert members(engine) == recomputed(engine) and len(members(engine)) > 40
    synth.remove(engine)
    assert members(engine) == recomputed(engine) == set()
