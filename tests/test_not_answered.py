"""A question left out of a partial return ('×', not answered) is told apart from N/A in every view: one count
(`s11data.views.common.not_answered`), said beside the bars ('× 2 not answered') while their %s stay of the
answers given (as the published reports count), and a 'Not answered' column in the agency's grades table."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, select

import apptest
from s11data import charts
from s11data.admin import users
from s11data.store import db
from s11data.store.models import AuditReturn, Cycle, Organisation, Partnership, Question, QuestionTheme, Rating
from s11data.store.scope import Scope
from s11data.views.common import not_answered
from test_colour_vision import side_labels

PASSWORD = "Apptest-pass-1"
ORG = "Harbour Domestic Abuse Service (illustrative)"
LEFT_OUT = ("A1", "A2")


def cycle_id(session, partnership: str, label: str) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(Cycle.id).join(Partnership).where(Partnership.short_name == partnership,
                                                                   Cycle.label == label))


def leave_out(engine: Engine, organisation: str, codes: tuple[str, ...]) -> tuple[int, int]:
    """Delete `organisation`'s DEMO 2025-26 answers to `codes`, as a partial return that left them out would have
    none; returns (cycle id, organisation id)."""
    with db.write_session(engine) as session:
        cid = cycle_id(session, "DEMO", "2025-26")
        oid = session.scalar(select(Organisation.id).where(Organisation.name == organisation))
        rid = session.scalar(select(AuditReturn.id).where(AuditReturn.cycle_id == cid, AuditReturn.organisation_id
                                                          == oid, AuditReturn.is_current.is_(True)))
        questions = select(Question.id).where(Question.cycle_id == cid, Question.code.in_(codes))
        gone = session.execute(delete(Rating).where(Rating.return_id == rid, Rating.question_id.in_(questions)))
        assert gone.rowcount == len(codes)
    return cid, oid


def test_not_answered_counts_the_questions_left_out_and_nothing_else(sqlite_seeded: Engine) -> None:
    everyone = Scope.system("test")
    with db.read_session(sqlite_seeded) as session:
        cid = cycle_id(session, "DEMO", "2025-26")
        assert not_answered(session, everyone, cycles=[cid]).empty  # the demo's returns are whole
    cid, oid = leave_out(sqlite_seeded, ORG, LEFT_OUT)
    with db.read_session(sqlite_seeded) as session:
        counted = not_answered(session, everyone, cycles=[cid])
        assert counted.to_dict("records") == [{"cycle_id": cid, "count": 2}]
        assert not_answered(session, everyone, cycles=[cid], organisation_id=oid)["count"].sum() == 2
        themes = not_answered(session, everyone, cycles=[cid], by_theme=True)
        tagged = session.scalars(select(QuestionTheme.theme_id).join(Question).where(
            Question.cycle_id == cid, Question.code.in_(LEFT_OUT))).all()
        assert themes["count"].sum() == len(tagged) and set(themes["theme_id"]) == set(tagged)
        other = session.scalar(select(QuestionTheme.theme_id).where(QuestionTheme.theme_id.not_in(tagged)))
        assert not_answered(session, everyone, cycles=[cid], theme_id=other).empty
        nsscp = cycle_id(session, "NSSCP", "2023-24")  # published aggregate: its returns quote a few questions
        assert not_answered(session, everyone, cycles=[nsscp]).empty


@pytest.fixture
def partial(sqlite_seeded: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Engine]:
    apptest.serve(sqlite_seeded, monkeypatch, tmp_path)
    with db.write_session(sqlite_seeded) as session:
        users.add_user(session, Scope.system("test"), "exec", "executive", ["Illustrative Demo Partnership"],
                       PASSWORD)
    leave_out(sqlite_seeded, ORG, LEFT_OUT)
    yield sqlite_seeded
    db.get_engine.cache_clear()


def bar_charts(at) -> list[dict]:  # type: ignore[no-untyped-def]
    import json

    specs = [json.loads(el.proto.spec) for el in at.get("vega_lite_chart")]
    return [s for s in specs if any((layer.get("mark") or {}).get("type") == "bar" for layer in s.get("layer", []))]


@pytest.mark.parametrize("screen", ["", "1"])
def test_the_overview_says_the_questions_left_out_beside_its_bars(partial: Engine, screen: str) -> None:
    at = apptest.open_page("exec", "overview", PASSWORD, partnership="DEMO", cycle="2025-26",
                           **({"screen": screen} if screen else {}))
    ratings = bar_charts(at)[0]
    assert side_labels(ratings)["2025-26"].endswith("× 2 not answered"), side_labels(ratings)
    assert "not answered" not in side_labels(ratings).get("2024-25", "")
    if screen:  # the one key in words names the ×
        key = " ".join(t.value for t in at.text)
        assert charts.legend_label(charts.NOT_ANSWERED) in key and "N/A = not applicable" in key


def test_the_agency_table_and_bars_tell_not_answered_from_na(partial: Engine) -> None:
    at = apptest.open_page("exec", "agency", PASSWORD, org=ORG)
    table = next(d.value for d in at.dataframe if "Not applicable" in d.value.columns)
    row = table[table["cycle"] == "2025-26"].iloc[0]
    assert row["Not answered"] == 2, row  # its own column, not counted as N/A
    beside = side_labels(bar_charts(at)[0])
    assert next(v for k, v in beside.items() if "2025-26" in k).endswith("× 2 not answered"), beside


def test_the_per_question_reads_and_the_agency_evidence_say_which_questions_were_left_out(
        seeded_engine: Engine) -> None:
    """By question: how many returns left each out (the heat map's per-question table), and in the agency's
    evidence a row per question its return left out, 'Not answered' (never N/A, never a blank self-rating)."""
    from s11data.views import agency, ratings_map

    everyone = Scope.system("test")
    cid, oid = leave_out(seeded_engine, ORG, LEFT_OUT)
    with db.read_session(seeded_engine) as session:
        by_question = not_answered(session, everyone, cycles=[cid], by_question=True)
        assert dict(zip(by_question["question"], by_question["count"])) == {"A1": 1, "A2": 1}
        assert by_question["count"].sum() == not_answered(session, everyone, cycles=[cid])["count"].sum()
        table = ratings_map.ratings_map(session, everyone, cid).per_question
        counts = dict(zip(table["question"], table[ratings_map.NOT_ANSWERED_COLUMN]))
        assert counts["A1"] == counts["A2"] == 1 and counts["B1"] == 0, counts
        evidence = agency.agency_profile(session, everyone, oid).evidence
        mine = evidence[evidence["cycle"] == "2025-26"]
        assert mine[mine["question"].isin(LEFT_OUT)]["self"].tolist() == [charts.NOT_ANSWERED] * 2
        assert list(mine["question"])[:3] == ["A1", "A2", "B1"], "left-out rows keep the questions' order"
        assert (mine["self"] == charts.NOT_ANSWERED).sum() == 2
        whole = ratings_map.ratings_map(session, everyone, cycle_id(session, "DEMO", "2024-25")).per_question
        assert ratings_map.NOT_ANSWERED_COLUMN not in whole.columns, "a cycle of whole returns has no such column"
