"""The published record in the database says what the five reports say.

Expected figures here are typed from the reports in ../shared/seeds/, not read from seed/ — so a transcription
slip in seed/published/ fails these tests.
"""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, select

from s11data.store import db
from s11data.returns import exports
from s11data.store.models import (
    AuditReturn,
    Cycle,
    Engagement,
    Partnership,
    Rag,
    Recommendation,
)
from s11data.store.scope import Scope
from s11data.seed.load import seed_all

GSCP = "Gloucestershire Safeguarding Children Partnership"
NORTH_SOMERSET = "North Somerset Children's Partnership"
SOUTH_GLOS = "South Gloucestershire Children's Partnership"

# 002_233c045001c115cc.txt §4.1 Table 1 "How agencies rate themselves", standards 1-4, in the report's order.
GSCP_TABLE_1 = {
    "Cheltenham Borough Council": "GAGG",
    "Cotswold & Forest of Dean District Councils": "GGAA",
    "Stroud District Council": "GAGG",
    "Tewkesbury Borough Council": "GAGG",
    "Gloucester District Council": "RGAG",
    "Gloucestershire Children Social Care & Commissioning": "GGGG",
    "Gloucestershire Constabulary": "GGAG",
    "Gloucestershire Hospitals Trust": "GGAG",
    "Gloucestershire Health & Care": "GGGG",
    "Gloucestershire Adult Social Care": "GGGG",
    "Youth Offending Service": "GGGG",
    "Gloucestershire Clinical Commissioning Group": "GGGG",
}


def _frame(engine: Engine, kind: str, partnership: str | None = None, cycle: str | None = None):
    with db.read_session(engine) as session:
        return exports.export(session, Scope.system(), kind, partnership, cycle)


def _org_of(session, table_name: str) -> str:
    from s11data.store.lookup import organisation_index, normalise

    return organisation_index(session)[normalise(table_name)].name


def test_gscp_table_1_cell_by_cell(seeded_engine: Engine) -> None:
    ratings = _frame(seeded_engine, "ratings", "GSCP", "2021")
    with db.read_session(seeded_engine) as session:
        for table_name, letters in GSCP_TABLE_1.items():
            org = _org_of(session, table_name)
            rows = ratings[ratings.organisation == org].set_index("question")
            for standard, letter in zip("1234", letters, strict=True):
                assert rows.loc[standard, "rating"][0] == letter, (table_name, standard)
                # §4.2: "the panel agreed with all the ratings in Table 1"
                assert rows.loc[standard, "moderated_rating"] == rows.loc[standard, "rating"]
    assert len(ratings) == 48


@pytest.mark.parametrize(("partnership", "cycle", "made_by", "count"), [
    (GSCP, "2021", "Panel", 15),
    (GSCP, "2021", "Stroud District Youth Council", 5),
    (GSCP, "2020", None, 8),
    (NORTH_SOMERSET, "2023-24", None, 12),
    (NORTH_SOMERSET, "2021-22", None, 6),
    (SOUTH_GLOS, "2021-22", None, 12),
    (SOUTH_GLOS, "2022-23", None, 10),
])
def test_recommendations_per_cycle_as_final_tables_list_them(
        seeded_engine: Engine, partnership: str, cycle: str, made_by: str | None, count: int) -> None:
    actions = _frame(seeded_engine, "actions", partnership, cycle)
    recommendations = actions[actions.kind == "recommendation"]
    if made_by:
        recommendations = recommendations[recommendations.made_by == made_by]
    assert len(recommendations) == count


def test_you_said_we_will_lines_are_commitments_not_recommendations(seeded_engine: Engine) -> None:
    actions = _frame(seeded_engine, "actions", NORTH_SOMERSET, "2023-24")
    assert (actions.kind == "commitment").sum() > 0
    assert (actions.kind == "recommendation").sum() == 12


def test_gscp_2020_recommendations_carry_their_progress(seeded_engine: Engine) -> None:
    with db.read_session(seeded_engine) as session:
        recs = session.scalars(select(Recommendation).join(Cycle).join(Partnership)
                               .where(Partnership.short_name == "GSCP", Cycle.label == "2020")).all()
        assert len(recs) == 8
        assert all(rec.updates for rec in recs), "every 2020 recommendation has the 2021 report's progress"


@pytest.mark.parametrize(("cycle", "organisation", "status", "dates"), [
    ("2021-22", "CVS", Engagement.DID_NOT_ENGAGE, {dt.date(2021, 11, 23), dt.date(2022, 2, 15)}),
    ("2022-23", "Eastwood Park", Engagement.DID_NOT_ENGAGE, {dt.date(2022, 10, 26), dt.date(2022, 11, 8)}),
    ("2022-23", "NBT", Engagement.REVIEWED, {dt.date(2022, 11, 29)}),
    ("2022-23", "CVS", Engagement.REVIEWED, {dt.date(2022, 12, 21)}),
])
def test_south_gloucestershire_engagement(seeded_engine: Engine, cycle: str, organisation: str,
                                          status: Engagement, dates: set[dt.date]) -> None:
    invitations = _frame(seeded_engine, "invitations", SOUTH_GLOS, cycle)
    with db.read_session(seeded_engine) as session:
        org = _org_of(session, organisation)
        from s11data.store.models import Contact, Invitation, Organisation

        inv = session.scalar(select(Invitation).join(Cycle).join(Partnership).join(Organisation)
                             .where(Partnership.name == SOUTH_GLOS, Cycle.label == cycle, Organisation.name == org))
        assert inv is not None and inv.status == status
        contact_dates = set(session.scalars(select(Contact.occurred_on).where(Contact.invitation_id == inv.id)))
    assert dates <= contact_dates
    assert org in set(invitations.organisation)


def test_north_somerset_2021_22_reviews_and_withdrawal(seeded_engine: Engine) -> None:
    invitations = _frame(seeded_engine, "invitations", NORTH_SOMERSET, "2021-22").set_index("organisation")
    statuses = {name: row.status for name, row in invitations.iterrows()}
    assert sorted(statuses.values()) == ["reviewed", "reviewed", "withdrawn"]
    assert invitations.loc[[n for n in statuses if "Sirona" in n][0], "last_contact_on"] == "2022-01-28"
    assert invitations.loc[[n for n in statuses if "YMCA" in n][0], "last_contact_on"] == "2022-02-01"


def test_nsscp_2023_24_has_fifteen_returns_as_published_aggregates(seeded_engine: Engine) -> None:
    from s11data.store.models import PublishedAggregate, SubjectKind

    invitations = _frame(seeded_engine, "invitations", NORTH_SOMERSET, "2023-24")
    assert (invitations.status == "submitted").sum() == 15
    with db.read_session(seeded_engine) as session:
        cycle_id = session.scalar(select(Cycle.id).join(Partnership).where(
            Partnership.name == NORTH_SOMERSET, Cycle.label == "2023-24"))
        organisations = session.scalar(select(func.count(func.distinct(PublishedAggregate.subject))).where(
            PublishedAggregate.cycle_id == cycle_id, PublishedAggregate.subject_kind == SubjectKind.ORGANISATION))
        questions = session.scalar(select(func.count(func.distinct(PublishedAggregate.subject))).where(
            PublishedAggregate.cycle_id == cycle_id, PublishedAggregate.subject_kind == SubjectKind.QUESTION))
    assert organisations == 13  # Appendix One: 15 returns, 2 of them (the two police forces) "n/a"
    assert questions == 18  # 19 questions; F1 is free-text feedback with no grades


def test_appendix_one_counts_read_as_green_amber_red(seeded_engine: Engine) -> None:
    from s11data.store.models import Organisation, PublishedAggregate

    with db.read_session(seeded_engine) as session:
        org = _org_of(session, "Avon Fire and Rescue")
        counts = dict(session.execute(select(PublishedAggregate.grade, PublishedAggregate.count)
                                      .join(Organisation, Organisation.id == PublishedAggregate.organisation_id)
                                      .where(Organisation.name == org)).all())
    assert counts == {Rag.GREEN: 5, Rag.AMBER: 11, Rag.RED: 2}  # "Avon Fire and Rescue 5 11 2"


def test_every_published_row_names_its_source(seeded_engine: Engine) -> None:
    for kind in exports.KINDS:
        frame = _frame(seeded_engine, kind)
        if "source" in frame:
            real = frame[~frame.partnership.str.startswith("Illustrative")]
            assert (real.source.str.len() > 0).all(), kind


def test_seeding_twice_gives_identical_exports(seeded_engine: Engine) -> None:
    before = {kind: _frame(seeded_engine, kind).to_csv() for kind in exports.KINDS}
    seed_all(seeded_engine)
    after = {kind: _frame(seeded_engine, kind).to_csv() for kind in exports.KINDS}
    assert before == after


def test_demo_partnership_is_marked_illustrative(seeded_engine: Engine) -> None:
    with db.read_session(seeded_engine) as session:
        flags = dict(session.execute(select(Partnership.name, Partnership.illustrative)).all())
    assert flags.pop("Illustrative Demo Partnership") is True
    assert not any(flags.values())


def test_demo_has_every_recommendation_state_and_overdue_ones(seeded_engine: Engine) -> None:
    actions = _frame(seeded_engine, "actions", "Illustrative Demo Partnership")
    assert set(actions.status) == {"not started", "open", "in progress", "complete", "superseded"}
    assert (actions.overdue == "yes").sum() >= 3
    ratings = _frame(seeded_engine, "ratings", "Illustrative Demo Partnership")
    moderated_down = ratings[(ratings.moderated_rating == "Amber") & (ratings.rating == "Green")]
    assert len(moderated_down) > 0
    assert {"Green", "Amber", "Red", "Not rated", "Not applicable"} <= set(ratings.rating)


def test_current_return_is_unique_per_organisation_and_cycle(seeded_engine: Engine) -> None:
    from sqlalchemy.exc import IntegrityError

    with db.read_session(seeded_engine) as session:
        current = session.scalars(select(AuditReturn).where(AuditReturn.is_current.is_(True)).limit(1)).one()
        cycle_id, organisation_id = current.cycle_id, current.organisation_id
    with pytest.raises(IntegrityError):
        with db.write_session(seeded_engine) as session:
            session.add(AuditReturn(cycle_id=cycle_id, organisation_id=organisation_id, version=99,
                                    is_current=True))


def test_one_rating_per_return_and_question(seeded_engine: Engine) -> None:
    from sqlalchemy.exc import IntegrityError

    from s11data.store.models import Rating

    with db.read_session(seeded_engine) as session:
        rating = session.scalars(select(Rating).limit(1)).one()
        return_id, question_id = rating.return_id, rating.question_id
    with pytest.raises(IntegrityError):
        with db.write_session(seeded_engine) as session:
            session.add(Rating(return_id=return_id, question_id=question_id, rag=Rag.RED))


def test_seed_rejects_nothing_it_loaded_and_counts_rows(engine: Engine) -> None:
    counts = seed_all(engine)
    assert counts["cycles"] >= 10
    assert counts["recommendations"] >= 100
