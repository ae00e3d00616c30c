"""Subgroup chairs' themes (DESIGN §2): stored per user, set and changed by an admin of their partnerships (audited),
carried on the signed-in Scope; and every query that filters by theme takes several themes, giving exactly the
union of the single-theme results (a question tagged with two of the chosen themes counted once)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from s11data.views import actions, common, heat_map, overview, trends
from s11data.store import audit, db
from s11data.admin import users
from s11data.store.errors import UserError
from s11data.store.models import AuditEvent, Role, Theme
from s11data.store.scope import Scope, ScopeError
from test_queries import cycle_id, partnership_id

SYSTEM = Scope.system("test")
PASSWORD = "Chair-themes-pass-1"
GSCP = "Gloucestershire Safeguarding Children Partnership"
NSSCP = "North Somerset Children's Partnership"
DEMO = "Illustrative Demo Partnership"
RECRUITMENT = "safer recruitment & induction"
LEARNING = "learning & development and supervision"
"""Both tag one GSCP 2021 standard and one NSSCP 2023-24 question: the case where double counting would show."""
TODAY = dt.date(2026, 11, 22)


@pytest.fixture(autouse=True)
def _fast_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("S11_BCRYPT_ROUNDS", "4")


def _ids(engine: Engine, *names: str) -> tuple[int, ...]:
    with db.read_session(engine) as s:
        found = dict(s.execute(select(Theme.name, Theme.id).where(Theme.name.in_(names))).all())
    return tuple(found[n] for n in names)


def _run(engine: Engine, name: str, **kwargs):  # type: ignore[no-untyped-def]
    with db.read_session(engine) as session:
        function = next(getattr(m, name) for m in (overview, heat_map, trends) if hasattr(m, name))
        return function(session, SYSTEM, **kwargs)


def _rows(frame: pd.DataFrame) -> list[tuple]:
    """A frame's rows as sorted tuples (order-free comparison; NaN made comparable)."""
    return sorted(tuple("" if pd.isna(v) else v for v in row) for row in frame.itertuples(index=False))


def _union(*frames: pd.DataFrame) -> list[tuple]:
    return sorted(set().union(*(_rows(f) for f in frames)))


# --- one WHERE clause for one theme or several ---------------------------------------------------------------

def test_the_two_themes_share_a_question_in_both_kinds_of_cycle(seeded_engine: Engine) -> None:
    """The fixtures the union tests below rely on: otherwise they could not catch double counting."""
    both = _ids(seeded_engine, RECRUITMENT, LEARNING)
    for partnership, label in ((GSCP, "2021"), (NSSCP, "2023-24")):
        cycle = cycle_id(seeded_engine, partnership, label)
        per_theme = [set(_run(seeded_engine, "question_summary", cycle_id=cycle, theme_id=t)["question"])
                     for t in both]
        assert per_theme[0] & per_theme[1], (partnership, label)


@pytest.mark.parametrize("partnership, label, source", [(GSCP, "2021", common.RATINGS),
                                                         (NSSCP, "2023-24", common.PUBLISHED)])
def test_several_themes_give_the_union_of_the_questions_each_counted_once(
        seeded_engine: Engine, partnership: str, label: str, source: str) -> None:
    a, b = _ids(seeded_engine, RECRUITMENT, LEARNING)
    cycle = cycle_id(seeded_engine, partnership, label)
    one, other, both = (_run(seeded_engine, "question_summary", cycle_id=cycle, theme_id=t) for t in (a, b, (a, b)))
    assert set(both["source"]) == {source}
    assert _rows(both) == _union(one, other)
    # the distribution over those questions: every answer once, however many chosen themes tag its question
    mix = _run(seeded_engine, "rag_distribution", cycle_id=cycle, theme_id=[b, a])
    if source == common.RATINGS:
        counted = both.groupby("grade")["count"].sum()
        assert dict(zip(mix["grade"], mix["count"])) == counted.to_dict()
        assert mix["count"].sum() < (one["count"].sum() + other["count"].sum())  # the shared question, once
    else:  # the mean of the published per-question percentages, each question once
        mean = both.groupby("grade")["percent"].sum() / both["question"].nunique()
        assert dict(zip(mix["grade"], mix["percent"])) == pytest.approx(mean.round(1).to_dict())
    trend = _run(seeded_engine, "rag_by_cycle", partnership_id=partnership_id(seeded_engine, partnership),
                 theme_id=(a, b))
    here = trend[trend["cycle_id"] == cycle]
    assert dict(zip(here["grade"], here["percent"])) == pytest.approx(dict(zip(mix["grade"], mix["percent"])))


def test_a_single_theme_reads_the_same_as_a_list_of_one(seeded_engine: Engine) -> None:
    (a,) = _ids(seeded_engine, LEARNING)
    cycle = cycle_id(seeded_engine, GSCP, "2021")
    for name, kwargs in (("rag_distribution", {"cycle_id": cycle}), ("question_summary", {"cycle_id": cycle}),
                         ("organisation_counts", {"cycle_id": cycle}), ("heat_map_cells", {"cycle_id": cycle}),
                         ("theme_summary", {"cycle_id": cycle}), ("rag_by_cycle", {"by_theme": True})):
        assert _rows(_run(seeded_engine, name, theme_id=a, **kwargs)) == \
            _rows(_run(seeded_engine, name, theme_id=[a], **kwargs)), name


@pytest.mark.parametrize("partnership, label", [(GSCP, "2021"), (NSSCP, "2023-24")])
def test_per_theme_rows_of_several_themes_are_each_theme_as_it_is_alone(
        seeded_engine: Engine, partnership: str, label: str) -> None:
    a, b = _ids(seeded_engine, RECRUITMENT, LEARNING)
    cycle = cycle_id(seeded_engine, partnership, label)
    pid = partnership_id(seeded_engine, partnership)
    for name, kwargs in (("theme_summary", {"cycle_id": cycle}),
                         ("rag_by_cycle", {"partnership_id": pid, "by_theme": True}),
                         ("heat_map_cells", {"cycle_id": cycle, "by": "theme"}),
                         ("heat_map_cells", {"cycle_id": cycle})):
        both = _run(seeded_engine, name, theme_id=(a, b), **kwargs)
        alone = [_run(seeded_engine, name, theme_id=t, **kwargs) for t in (a, b)]
        assert _rows(both) == _union(*alone), (name, kwargs)
    summary = _run(seeded_engine, "theme_summary", cycle_id=cycle, theme_id=(a, b))
    assert set(summary["theme"]) == {RECRUITMENT, LEARNING}
    everything = _run(seeded_engine, "theme_summary", cycle_id=cycle)
    assert _rows(summary) == _rows(everything[everything["theme"].isin([RECRUITMENT, LEARNING])])


def test_organisation_counts_of_several_themes_count_each_answer_once(seeded_engine: Engine) -> None:
    a, b = _ids(seeded_engine, RECRUITMENT, LEARNING)
    cycle = cycle_id(seeded_engine, GSCP, "2021")
    counts = _run(seeded_engine, "organisation_counts", cycle_id=cycle, theme_id=(a, b))
    cells = _run(seeded_engine, "heat_map_cells", cycle_id=cycle, theme_id=(a, b))
    assert counts.set_index("organisation")["total"].to_dict() == cells.groupby("organisation").size().to_dict()


def test_actions_of_several_themes_are_the_union_and_a_chair_sees_their_subgroups_or_themes(
        seeded_engine: Engine) -> None:
    a, b = _ids(seeded_engine, RECRUITMENT, LEARNING)
    demo = partnership_id(seeded_engine, DEMO)
    with db.read_session(seeded_engine) as s:
        def listed(scope: Scope = SYSTEM, **kwargs) -> set[int]:  # type: ignore[no-untyped-def]
            return set(actions.actions(s, scope, TODAY, partnership_id=demo, only_open=False,
                                       **kwargs)["recommendation_id"])

        one, other, both = listed(theme_id=a), listed(theme_id=b), listed(theme_id=(a, b))
        assert one and other and both == one | other
        figures = [overview.action_figures(s, SYSTEM, demo, today=TODAY, theme_id=t) for t in (a, b, (a, b))]
        assert figures[2].total == figures[0].total + figures[1].total == len(both)  # one theme per action
        chair = Scope.of("chair", Role.CHAIR, [demo], "Learning & Development subgroup", themes=(a, b))
        owned = listed(chair, mine_only=True)
        either = listed(chair, mine_only=True, or_themes=(a, b))
        assert owned - both and both - owned  # the subgroup owns actions off its themes, and not all on them
        assert either == owned | both


# --- a chair's themes: stored, changed, audited, scoped ---------------------------------------------------------

def _audit(engine: Engine, action: str) -> list[str]:
    with db.read_session(engine) as s:
        return list(s.scalars(select(AuditEvent.detail).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _scope(engine: Engine, username: str) -> Scope:
    with db.read_session(engine) as s:
        scope = users.session_scope(s, username, demo_allowed=True)
    assert scope is not None
    return scope


def test_a_chair_is_added_with_themes_matched_ignoring_case_and_carries_them_when_signed_in(
        seeded_engine: Engine) -> None:
    with db.write_session(seeded_engine) as s:
        users.add_user(s, SYSTEM, "nchair", "chair", [NSSCP], PASSWORD, subgroup="Neglect subgroup",
                       themes=["Neglect", "DOMESTIC ABUSE", "neglect"])
    neglect, abuse = _ids(seeded_engine, "neglect", "domestic abuse")
    scope = _scope(seeded_engine, "nchair")
    assert scope.themes == {neglect, abuse}
    assert users.sign_in(seeded_engine, "nchair", PASSWORD, demo_allowed=False).scope == scope
    assert "themes: domestic abuse; neglect" in _audit(seeded_engine, "user.add")[-1]
    with db.read_session(seeded_engine) as s:
        assert users.user_themes(s, SYSTEM, "nchair") == ["domestic abuse", "neglect"]  # the stable list's order
        listed = users.list_users(s, SYSTEM).set_index("username")
    assert listed.loc["nchair", "themes"] == "domestic abuse; neglect"
    assert scope.cache_key != Scope.of("nchair", Role.CHAIR, scope.partnership_ids, scope.subgroup).cache_key


def test_unknown_themes_and_themes_for_other_roles_are_refused_with_a_suggestion(seeded_engine: Engine) -> None:
    with db.write_session(seeded_engine) as s:
        with pytest.raises(UserError, match="'negelct' is not a theme .*did you mean 'neglect'"):
            users.add_user(s, SYSTEM, "nchair", "chair", [NSSCP], PASSWORD, subgroup="Neglect subgroup",
                           themes=["negelct"])
        with pytest.raises(UserError, match="themes are for subgroup chairs"):
            users.add_user(s, SYSTEM, "nexec", "executive", [NSSCP], PASSWORD, themes=["neglect"])
        users.add_user(s, SYSTEM, "nexec", "executive", [NSSCP], PASSWORD)
        with pytest.raises(UserError, match="themes are for subgroup chairs"):
            users.set_themes(s, SYSTEM, "nexec", ["neglect"])


def test_an_admin_of_the_chairs_partnerships_changes_their_themes_audited(seeded_engine: Engine) -> None:
    with db.write_session(seeded_engine) as s:
        users.add_user(s, SYSTEM, "nadmin", "admin", [NSSCP], PASSWORD)
        users.add_user(s, SYSTEM, "gadmin", "admin", [GSCP], PASSWORD)
        users.add_user(s, SYSTEM, "nexec", "executive", [NSSCP], PASSWORD)
        users.add_user(s, SYSTEM, "nchair", "chair", [NSSCP], PASSWORD, subgroup="Neglect subgroup",
                       themes=["neglect"])
    nadmin, gadmin, nexec = (_scope(seeded_engine, u) for u in ("nadmin", "gadmin", "nexec"))
    for outsider, error in ((gadmin, ScopeError), (nexec, ScopeError)):
        with db.write_session(seeded_engine) as s, pytest.raises(error):
            users.set_themes(s, outsider, "nchair", ["fathers"])
        with db.read_session(seeded_engine) as s, pytest.raises(error):
            users.user_themes(s, outsider, "nchair")
    with db.write_session(seeded_engine) as s:
        users.set_themes(s, nadmin, "nchair", ["Fathers", "transitions"])
    assert _scope(seeded_engine, "nchair").themes == set(_ids(seeded_engine, "fathers", "transitions"))
    with db.write_session(seeded_engine) as s:
        users.set_themes(s, nadmin, "nchair", [])
    assert _scope(seeded_engine, "nchair").themes == frozenset()
    assert _audit(seeded_engine, "user.themes") == ["nchair: fathers; transitions", "nchair: none (every theme)"]
    with db.read_session(seeded_engine) as s:
        seen = audit.events(s, nadmin)
    assert "user.themes" in set(seen["action"])


def test_the_demo_chair_follows_the_themes_of_their_subgroup(seeded_engine: Engine) -> None:
    users.ensure_demo_accounts(seeded_engine, embedded=True)
    chair = next(a for a in users.DEMO_ACCOUNTS if a.role is Role.CHAIR)
    assert chair.themes == (LEARNING, RECRUITMENT) and chair.subgroup == "Learning & Development subgroup"
    assert _scope(seeded_engine, chair.username).themes == set(_ids(seeded_engine, *chair.themes))
    assert _scope(seeded_engine, "demo-executive").themes == frozenset()


def test_s11_users_add_and_set_themes(sqlite_seeded: Engine, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    import io
    import sys

    from s11data.cli import main

    monkeypatch.setenv("S11_DATABASE_URL", sqlite_seeded.url.render_as_string(hide_password=False))

    def s11(*args: str, stdin: str = "") -> tuple[int, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main(["users", *args])
        out, err = capsys.readouterr()
        return code, out + err

    code, out = s11("add", "hana", "--role", "chair", "--subgroup", "Neglect subgroup", "--partnership", "NSSCP",
                    "--theme", "NEGLECT", "--theme", "Domestic Abuse", "--password-stdin", stdin=PASSWORD + "\n")
    assert code == 0 and "themes: domestic abuse; neglect" in out, out
    code, out = s11("set-themes", "hana", "--theme", "fathrs")
    assert code != 0 and "did you mean 'fathers'" in out, out
    code, out = s11("set-themes", "hana", "--theme", "fathers")
    assert (code, out.strip()) == (0, "themes of hana: fathers")
    code, out = s11("set-themes", "hana")
    assert (code, out.strip()) == (0, "themes of hana: none (every theme)")
    code, out = s11("list")
    assert code == 0 and "hana" in out
