"""The regional roll-up: several partnerships' cycles of one year in one report, their figures side by side as the
pages count them, each partnership's own chapter (with its narrative) from the local report's builders, and scope
enforced. SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from s11data.store import db
from s11data.views import filter_choices, overview, trends
from s11data.store.errors import UserError
from s11data.store.models import Cycle, Partnership, Role
from s11data.report import document, narrative, rollup
from s11data.store.scope import Scope, ScopeError

GSCP = "Gloucestershire Safeguarding Children Partnership"
SGCP = "South Gloucestershire Children's Partnership"
NSCP = "North Somerset Children's Partnership"
EVERYONE = Scope.system("test")


def cycle(engine: Engine, partnership: str, label: str) -> tuple[int, int]:
    with db.read_session(engine) as s:
        return s.execute(select(Cycle.id, Cycle.partnership_id).join(Partnership)
                         .where(Partnership.name == partnership, Cycle.label == label)).one()


def year_2021(engine: Engine) -> list[int]:
    with db.read_session(engine) as s:
        c = filter_choices.filter_choices(s, EVERYONE)
        names = {p.id: p.name for p in c.partnerships if p.name in (GSCP, NSCP, SGCP)}
        return rollup.cycles_of_year(c.cycles, "2021", dict(sorted(names.items(), key=lambda kv: kv[1])))


def table(report: document.Report, caption: str) -> document.Table:
    return next(b for b in report.blocks if isinstance(b, document.Table) and b.caption == caption)


def test_the_year_picks_each_partnerships_cycle(seeded_engine: Engine) -> None:
    ids = year_2021(seeded_engine)
    assert ids == [cycle(seeded_engine, GSCP, "2021")[0], cycle(seeded_engine, NSCP, "2021-22")[0],
                   cycle(seeded_engine, SGCP, "2021-22")[0]]
    with db.read_session(seeded_engine) as s:
        c = filter_choices.filter_choices(s, EVERYONE)
        options = rollup.year_options(c.cycles)
        assert [y.id for y in options["2021"]] == sorted(ids)  # GSCP 2021, NS and SG 2021-22
        assert "2020" not in options and "2024" not in options  # GSCP alone; the demo partnership alone
        gscp = next(p.id for p in c.partnerships if p.name == GSCP)
        with pytest.raises(UserError, match=f"{GSCP} has no cycle starting in 2023"):
            rollup.cycles_of_year(c.cycles, "2023-24", {gscp: GSCP})


def test_roll_up_sets_the_partnerships_side_by_side_with_the_pages_figures(seeded_engine: Engine) -> None:
    ids = year_2021(seeded_engine)
    gscp_cycle, gscp = cycle(seeded_engine, GSCP, "2021")
    with db.write_session(seeded_engine) as s:
        narrative.save(s, Scope.of("sam", Role.BUSINESS_MANAGER, [gscp]), gscp_cycle, "foreword", "GSCP's own words.")
    with db.read_session(seeded_engine) as s:
        written = {gscp_cycle: narrative.latest(s, EVERYONE, gscp_cycle)}
        report = rollup.draft_rollup(s, EVERYONE, cycle_ids=ids, narratives=written)
        figures = [overview.returns_figures(s, EVERYONE, cid) for cid in ids]
        green = trends.percent_green(s, EVERYONE, ids)
    assert report.title == "Regional Section 11 report 2021" and not report.illustrative
    engagement = table(report, "Engagement of each partnership's cycle")
    assert [row[:2] for row in engagement.rows] == [(GSCP, "2021"), (NSCP, "2021-22"), (SGCP, "2021-22")]
    assert [(row[3], row[5], row[10]) for row in engagement.rows] == [
        (str(f.invited), str(f.received), str(f.to_chase)) for f in figures]
    themes = table(report, "% green per theme, partnership by partnership")
    assert themes.header[:2] == ("Theme", "GSCP 2021") and len(themes.header) == 4
    for row in themes.rows:
        for cid, cell in zip(ids, row[1:]):
            theme = row[0][:1].lower() + row[0][1:]
            assert cell == (f"{green[(cid, theme)]:.1f}%" if (cid, theme) in green else "–")
    chapters = [b.text for b in report.blocks if isinstance(b, document.Heading) and b.level == 1]
    assert chapters == ["Introduction", "Across the partnerships", f"{GSCP} · 2021", f"{NSCP} · 2021-22", f"{SGCP} · 2021-22", "Sources"]
    forewords = [b for b in report.blocks if isinstance(b, document.Narrative) and b.key == "foreword"]
    assert [(f.text, f.author) for f in forewords] == [("GSCP's own words.", "sam")]  # only where written
    assert max(b.level for b in report.blocks if isinstance(b, document.Heading)) == 3
    for kind in (document.Table, document.Chart):  # a chart and the table of its figures may share a caption
        captions = [b.caption for b in report.blocks if isinstance(b, kind) and b.caption]
        assert len(captions) == len(set(captions)), f"a {kind.__name__} caption repeats across the chapters"
    captions = [b.caption for b in report.blocks if isinstance(b, document.Table)]
    for name in (GSCP, NSCP, SGCP):
        assert f"Organisations invited, their engagement and the contacts recorded — {name}" in captions


def test_roll_up_is_scoped_and_needs_two_partnerships(seeded_engine: Engine) -> None:
    ids = year_2021(seeded_engine)
    _cid, gscp = cycle(seeded_engine, GSCP, "2021")
    _cid, nscp = cycle(seeded_engine, NSCP, "2021-22")
    two = Scope.of("reader", Role.EXECUTIVE, [gscp, nscp])
    with db.read_session(seeded_engine) as s:
        with pytest.raises(ScopeError, match="not one of yours"):
            rollup.draft_rollup(s, two, cycle_ids=ids)
        assert len(rollup.draft_rollup(s, two, cycle_ids=ids[:2]).blocks) > 10
        with pytest.raises(UserError, match="at least two"):
            rollup.draft_rollup(s, two, cycle_ids=ids[:1])
        gscp_2020 = cycle(seeded_engine, GSCP, "2020")[0]
        with pytest.raises(UserError, match="appears twice"):
            rollup.draft_rollup(s, EVERYONE, cycle_ids=[ids[0], gscp_2020])
