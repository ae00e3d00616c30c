"""Engagement: funnel, status board, contact history, chase list and response rates against the published
reports; writes (log a contact, change a status) with their permissions and audit lines. SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, select

from s11data.store import db
from s11data.views import engagement
from s11data.store.errors import UserError
from s11data.store.models import AuditEvent, Cycle, Invitation, Organisation, Partnership, Role
from s11data.store.scope import Scope, ScopeError

GSCP = "Gloucestershire Safeguarding Children Partnership"
SGCP = "South Gloucestershire Children's Partnership"
NSCP = "North Somerset Children's Partnership"
DEMO = "Illustrative Demo Partnership"
EVERYONE = Scope.system("test")


def pid(engine: Engine, name: str) -> int:
    with db.read_session(engine) as s:
        return s.scalar(select(Partnership.id).where(Partnership.name == name))


def cid(engine: Engine, partnership: str, label: str) -> int:
    with db.read_session(engine) as s:
        return s.scalar(select(Cycle.id).join(Partnership).where(Partnership.name == partnership,
                                                                 Cycle.label == label))


def invitation_id(engine: Engine, partnership: str, label: str, organisation: str) -> int:
    with db.read_session(engine) as s:
        return s.scalar(select(Invitation.id).join(Cycle).join(Partnership).join(Organisation)
                        .where(Partnership.name == partnership, Cycle.label == label,
                               Organisation.name == organisation))


def funnel_row(engine: Engine, partnership: str, label: str, scope: Scope = EVERYONE) -> dict:
    with db.read_session(engine) as s:
        frame = engagement.funnel(s, scope, partnership_id=pid(engine, partnership))
    return frame.set_index("cycle").loc[label].to_dict()


def test_gscp_2021_funnel_keeps_national_and_two_year_apart(seeded_engine: Engine) -> None:
    # §3.5: 13 written submissions (one late); §3.6: CAFCASS national return, NPS and BTP on a two-year cycle;
    # §3.7: all but Gloucester City Council and GCC ASC attended the panel.
    row = funnel_row(seeded_engine, GSCP, "2021")
    assert (row["invited"], row["responded"], row["submitted"], row["reviewed"]) == (16, 14, 13, 11)
    assert row["national return"] == 1 and row["two-year cycle"] == 2 and row["withdrawn"] == 0
    assert row["expected"] == 13 and row["response_rate"] == 100.0
    assert row["did not engage"] == 0 and row[engagement.AWAITING] == 0


def test_peer_review_funnels(seeded_engine: Engine) -> None:
    for label in ("2021-22", "2022-23"):  # two reviews held, one organisation did not engage, each year
        row = funnel_row(seeded_engine, SGCP, label)
        assert (row["invited"], row["submitted"], row["reviewed"], row["did not engage"]) == (3, 2, 2, 1)
        assert row["response_rate"] == pytest.approx(66.7)
    ns = funnel_row(seeded_engine, NSCP, "2021-22")  # YMCA and Sirona reviewed; Safe Lives withdrawn
    assert (ns["invited"], ns["reviewed"], ns["withdrawn"], ns["expected"], ns["response_rate"]) == (3, 2, 1, 2, 100.0)
    assert funnel_row(seeded_engine, NSCP, "2023-24")["submitted"] == 15  # "a total of 15 completed ... submissions"


def test_funnel_long_is_in_stage_order(seeded_engine: Engine) -> None:
    with db.read_session(seeded_engine) as s:
        long = engagement.funnel_long(engagement.funnel(s, EVERYONE, partnership_id=pid(seeded_engine, GSCP)))
    assert list(long["stage"].astype(str)) == list(engagement.FUNNEL_STAGES)
    assert list(long["organisations"]) == [16, 14, 13, 11]


def test_response_rates_across_cycles(seeded_engine: Engine) -> None:
    with db.read_session(seeded_engine) as s:
        rates = engagement.response_rates(s, EVERYONE, partnership_id=pid(seeded_engine, SGCP))
    assert list(rates["cycle"]) == ["2021-22", "2022-23"]
    assert list(rates["response_rate"]) == [pytest.approx(66.7), pytest.approx(66.7)]


def test_status_board_tells_states_apart(seeded_engine: Engine) -> None:
    with db.read_session(seeded_engine) as s:
        board = engagement.status_board(s, EVERYONE)
    cell = board.set_index(["partnership", "organisation"])
    assert cell.loc[(SGCP, "CVS South Gloucestershire"), "2021-22"] == "did not engage"
    assert cell.loc[(SGCP, "CVS South Gloucestershire"), "2022-23"] == "reviewed"
    assert cell.loc[(GSCP, "British Transport Police"), "2021"] == "two-year cycle"
    assert cell.loc[(GSCP, "Children and Family Court Advisory and Support Service"), "2021"] == "national return"
    assert cell.loc[(GSCP, "Gloucester City Council"), "2021"] == "late"
    assert (cell.xs(NSCP)["2021-22"] == "withdrawn").sum() == 1
    assert cell.loc[(GSCP, "British Transport Police"), "2022-23"] == ""  # not invited: blank, not missing
    demo = cell.xs(DEMO)
    assert set(demo.loc[demo["2025-26"] == engagement.AWAITING].index) == {
        "Compass Young Carers (illustrative)", "Hollin Borough Council (illustrative)"}
    assert all(engagement.GROUP[v] for v in board.drop(columns=["partnership", "organisation", "sector"]).stack()
               if v)


def test_contact_history_is_dated_newest_first(seeded_engine: Engine) -> None:
    with db.read_session(seeded_engine) as s:
        cvs = engagement.contact_history(s, EVERYONE, partnership_id=pid(seeded_engine, SGCP),
                                         cycle_id=cid(seeded_engine, SGCP, "2021-22"),
                                         organisation_id=s.scalar(select(Organisation.id).where(
                                             Organisation.name == "CVS South Gloucestershire")))
    assert list(zip(cvs["date"], cvs["kind"])) == [("2022-02-15", "follow-up"), ("2021-11-23", "invited"),
                                                   ("", "date offered")]  # the undated offer last
    assert all(cvs["source"].str.contains("004_42197e0a995dec3f.txt"))


def test_chase_list_counts_days_since_last_contact(seeded_engine: Engine) -> None:
    today = dt.date(2026, 1, 13)
    with db.read_session(seeded_engine) as s:
        sg = engagement.chase_list(s, EVERYONE, today, partnership_id=pid(seeded_engine, SGCP))
        demo = engagement.chase_list(s, EVERYONE, today, cycle_id=cid(seeded_engine, DEMO, "2025-26"))
    # did not engage stays on the chase list; CVS last contacted 15 Feb 2022, Eastwood Park 8 Nov 2022
    got = sg.set_index("organisation")
    assert got.loc["CVS South Gloucestershire", "last_contact_on"] == "2022-02-15"
    assert got.loc["CVS South Gloucestershire", "days_since_contact"] == (today - dt.date(2022, 2, 15)).days
    assert got.loc["Eastwood Park Mother and Baby Unit", "days_since_contact"] == (today - dt.date(2022, 11, 8)).days
    assert list(sg["organisation"]) == ["CVS South Gloucestershire", "Eastwood Park Mother and Baby Unit"]
    assert set(demo["status"]) <= {engagement.AWAITING, "did not engage"}
    assert (demo["status"] == engagement.AWAITING).sum() == 2


def test_reads_keep_to_the_callers_partnerships(seeded_engine: Engine) -> None:
    sg_only = Scope.of("bm", Role.BUSINESS_MANAGER, [pid(seeded_engine, SGCP)])
    with db.read_session(seeded_engine) as s:
        assert set(engagement.funnel(s, sg_only)["partnership"]) == {SGCP}
        assert set(engagement.status_board(s, sg_only)["partnership"]) == {SGCP}
        assert set(engagement.contact_history(s, sg_only)["partnership"]) == {SGCP}
        assert engagement.funnel(s, sg_only, partnership_id=pid(seeded_engine, GSCP)).empty
        assert set(engagement.invitation_options(s, sg_only)["partnership"]) == {SGCP}


def audit_lines(engine: Engine, action: str) -> list[str]:
    with db.read_session(engine) as s:
        return list(s.scalars(select(AuditEvent.detail).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_business_manager_logs_a_contact_and_it_is_audited(seeded_engine: Engine) -> None:
    sg = pid(seeded_engine, SGCP)
    bm = Scope.of("sam", Role.BUSINESS_MANAGER, [sg])
    inv = invitation_id(seeded_engine, SGCP, "2022-23", "Eastwood Park Mother and Baby Unit")
    with db.write_session(seeded_engine) as s:
        engagement.log_contact(s, bm, inv, "reminded", dt.date(2026, 1, 5), "Phoned the unit manager",
                               today=dt.date(2026, 1, 13))
    with db.read_session(seeded_engine) as s:
        history = engagement.contact_history(s, bm, partnership_id=sg)
        chase = engagement.chase_list(s, bm, dt.date(2026, 1, 13), partnership_id=sg).set_index("organisation")
    first = history.iloc[0]
    assert (first["date"], first["kind"], first["detail"], first["recorded_by"]) == (
        "2026-01-05", "reminded", "Phoned the unit manager", "sam")
    assert chase.loc["Eastwood Park Mother and Baby Unit", "days_since_contact"] == 8
    assert chase.loc["Eastwood Park Mother and Baby Unit", "last_contact"] == "reminded"
    (line,) = audit_lines(seeded_engine, "invitation")
    assert line.startswith("contact reminded on 2026-01-05 with Eastwood Park Mother and Baby Unit")


def test_status_change_moves_the_funnel_and_is_audited(seeded_engine: Engine) -> None:
    sg = pid(seeded_engine, SGCP)
    bm = Scope.of("sam", Role.BUSINESS_MANAGER, [sg])
    inv = invitation_id(seeded_engine, SGCP, "2022-23", "Eastwood Park Mother and Baby Unit")
    with db.write_session(seeded_engine) as s:
        engagement.set_status(s, bm, inv, "submitted")
    row = funnel_row(seeded_engine, SGCP, "2022-23")
    assert (row["submitted"], row["did not engage"], row["response_rate"]) == (3, 0, 100.0)
    assert "did not engage → submitted" in audit_lines(seeded_engine, "invitation")[-1]
    with db.write_session(seeded_engine) as s:
        engagement.set_status(s, bm, inv, "national return")
    row = funnel_row(seeded_engine, SGCP, "2022-23")
    assert (row["expected"], row["national return"], row["response_rate"]) == (2, 1, 100.0)


@pytest.mark.parametrize("role", [Role.EXECUTIVE, Role.CHAIR])
def test_read_only_roles_cannot_change_invitations(seeded_engine: Engine, role: Role) -> None:
    sg = pid(seeded_engine, SGCP)
    scope = Scope.of("someone", role, [sg], subgroup="QiiP Subgroup")
    inv = invitation_id(seeded_engine, SGCP, "2022-23", "Eastwood Park Mother and Baby Unit")
    with pytest.raises(ScopeError), db.write_session(seeded_engine) as s:
        engagement.log_contact(s, scope, inv, "reminded", dt.date(2026, 1, 5))
    with pytest.raises(ScopeError), db.write_session(seeded_engine) as s:
        engagement.set_status(s, scope, inv, "submitted")
    assert funnel_row(seeded_engine, SGCP, "2022-23")["did not engage"] == 1
    assert audit_lines(seeded_engine, "invitation") == []


def test_business_manager_of_another_partnership_is_refused(seeded_engine: Engine) -> None:
    other = Scope.of("gloucs", Role.BUSINESS_MANAGER, [pid(seeded_engine, GSCP)])
    inv = invitation_id(seeded_engine, SGCP, "2022-23", "Eastwood Park Mother and Baby Unit")
    with pytest.raises(ScopeError), db.write_session(seeded_engine) as s:
        engagement.set_status(s, other, inv, "submitted")


def test_bad_contacts_are_refused_with_a_message(seeded_engine: Engine) -> None:
    bm = Scope.of("sam", Role.BUSINESS_MANAGER, [pid(seeded_engine, SGCP)])
    inv = invitation_id(seeded_engine, SGCP, "2022-23", "Eastwood Park Mother and Baby Unit")
    today = dt.date(2026, 1, 13)
    with db.read_session(seeded_engine) as s:
        before = s.scalar(select(func.count()).select_from(engagement.Contact))
    cases = [("reminded", dt.date(2026, 2, 1), "in the future"), ("carrier pigeon", today, "not a kind of contact")]
    for kind, day, message in cases:
        with pytest.raises(UserError, match=message), db.write_session(seeded_engine) as s:
            engagement.log_contact(s, bm, inv, kind, day, today=today)
    with pytest.raises(UserError, match="not an engagement status"), db.write_session(seeded_engine) as s:
        engagement.set_status(s, bm, inv, "vanished")
    with pytest.raises(UserError, match="no longer exists"), db.write_session(seeded_engine) as s:
        engagement.set_status(s, bm, 10**9, "submitted")
    with db.read_session(seeded_engine) as s:
        assert s.scalar(select(func.count()).select_from(engagement.Contact)) == before
