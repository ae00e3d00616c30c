"""The drafted Section 11 report's content, on the seeded record (SQLite and PostgreSQL): what the published reports
say must come back out of the database, figure by figure, scoped like every page."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import Engine, select

from s11data.store import db
from s11data.store.lookup import find_cycle, find_partnership, normalise, organisation_index
from s11data.store.models import Partnership, Role
from s11data.report.document import BulletList, Chart, Heading, Narrative, Paragraph, Report, Table
from s11data.report.draft import ILLUSTRATIVE_FOOTER, draft, narrative_slots
from s11data.store.scope import Scope, ScopeError

GSCP = "Gloucestershire Safeguarding Children Partnership"
NSSCP = "North Somerset Children's Partnership"
TODAY = dt.date(2022, 3, 1)

TABLE_1 = """\
Cheltenham Borough Council	G	A	G	G
Cotswold & Forest of Dean District Councils	G	G	A	A
Stroud District Council	G	A	G	G
Tewkesbury Borough Council	G	A	G	G
Gloucester District Council	R	G	A	G
Gloucestershire Children Social Care & Commissioning	G	G	G	G
Gloucestershire Constabulary	G	G	A	G
Gloucestershire Hospitals Trust	G	G	A	G
Gloucestershire Health & Care	G	G	G	G
Gloucestershire Adult Social Care	G	G	G	G
Youth Offending Service	G	G	G	G
Gloucestershire Clinical Commissioning Group	G	G	G	G"""
"""GSCP Section 11 report 2021, §4.1 Table 1 'How agencies rate themselves', as printed (its agency names)."""

NSSCP_PERCENT = {  # Section One to Five, per question: (red, amber, green, did not rate) as printed
    "A1": ("0%", "20%", "80%", ""), "A3": ("0%", "33%", "66%", ""), "B5": ("6%", "27%", "67%", ""),
    "B6": ("0%", "20%", "73%", "7%"), "C1": ("13%", "20%", "67%", ""), "D1": ("0%", "13%", "87%", ""),
    "E1": ("7%", "33%", "33%", "27%"), "E3": ("7%", "40%", "40%", "13%"),
}
APPENDIX_ONE = {  # NSSCP 2023-24 Appendix One, counts read as green, amber, red (blank: not printed)
    "Avon Fire and Rescue Service": ("5", "11", "2"),
    "Avon and Wiltshire Mental Health Partnership NHS Trust": ("12", "6", ""),
    "Capstone Foster Care": ("16", "", ""),
    "North Bristol NHS Trust": ("23", "", ""),
    "The Green House": ("7", "10", "1"),
}


def _draft(engine: Engine, partnership: str, label: str, scope: Scope | None = None, **options) -> Report:
    with db.read_session(engine) as session:
        p = find_partnership(session, partnership, Scope.system())
        cycle = find_cycle(session, p, label)
        return draft(session, scope or Scope.system(), cycle_id=cycle.id, today=TODAY, **options)


def _table(report: Report, caption: str) -> Table:
    found = [b for b in report.blocks if isinstance(b, Table) and caption in b.caption]
    assert found, f"no table captioned '{caption}'; tables: {[b.caption for b in report.blocks if isinstance(b, Table)]}"
    return found[0]


def _text(report: Report) -> str:
    parts: list[str] = [report.title, report.subtitle, *(v for _k, v in report.facts)]
    for block in report.blocks:
        if isinstance(block, (Heading, Paragraph)):
            parts += [block.text, getattr(block, "source", "")]
        elif isinstance(block, BulletList):
            parts += block.items
        elif isinstance(block, Table):
            parts += [block.caption, block.note, *block.header, *(c for row in block.rows for c in row)]
        elif isinstance(block, Chart):
            parts += [block.alt, block.caption]
        elif isinstance(block, Narrative):
            parts += [block.title, block.text]
    return "\n".join(parts)


def test_gscp_2021_reproduces_table_1_cell_by_cell(seeded_engine: Engine) -> None:
    report = _draft(seeded_engine, GSCP, "2021")
    table = _table(report, "How organisations rated themselves")
    assert table.header == ("Organisation", "1", "2", "3", "4")
    drafted = {row[0]: row[1:] for row in table.rows}
    with db.read_session(seeded_engine) as session:
        canonical = {name: org.name for name, org in organisation_index(session).items()}
    published = {canonical[normalise(line.split("\t")[0])]: tuple(line.split("\t")[1:])
                 for line in TABLE_1.splitlines()}
    assert drafted == published
    gloucester = table.rows[[r[0] for r in table.rows].index("Gloucester City Council")]
    grades = table.grades[table.rows.index(gloucester)]  # type: ignore[index]
    assert grades == ("", "red", "green", "amber", "green")
    assert "G = Green" in table.note
    assert table.note.endswith("Source: GSCP Section 11 report 2021: evidence §4.2; evidence §4.3; moderation §4.2; "
                               "§4.1 Table 1.")  # the report named once, each place in it once


def test_gscp_2021_recommendations_and_the_2020_progress(seeded_engine: Engine) -> None:
    report = _draft(seeded_engine, GSCP, "2021")
    panel = _table(report, "Recommendations: Panel (2021)")
    assert [row[0] for row in panel.rows] == [str(n) for n in range(1, 16)]
    by_number = {row[0]: dict(zip(panel.header, row)) for row in panel.rows}
    assert by_number["1"]["Owner"] == "Executive" and by_number["1"]["Review or due date"] == "1 Jun 2022"
    assert by_number["1"]["Asked of"] == "Gloucestershire Constabulary"
    assert by_number["8"]["Owner"] == "QiiP Subgroup; Districts Subgroup"
    assert by_number["8"]["Review or due date"] == "1 Nov 2022"
    assert by_number["5"]["Review or due date"] == "31 May 2022"
    assert by_number["13"]["Status"] == "in progress"
    assert all(row["Response"] for row in by_number.values())
    youth = _table(report, "Recommendations: Stroud District Youth Council (2021)")
    assert [row[0] for row in youth.rows] == ["1", "2", "3", "4", "5"]
    assert youth.rows[4][1].startswith("That young people be involved in a revision of standard four")
    progress = _table(report, "Progress on the 2020 recommendations")
    statuses = [dict(zip(progress.header, row))["Status"] for row in progress.rows]
    assert len(statuses) == 8 and statuses.count("complete") == 4 and statuses.count("in progress") == 4
    assert "Of the 8 recommendations of the 2020 audit: 4 complete and 4 in progress." in _text(report)


def test_gscp_2021_findings_tables_name_their_section_and_every_column(seeded_engine: Engine) -> None:
    report = _draft(seeded_engine, GSCP, "2021")
    headings = [b for b in report.blocks if isinstance(b, Heading) and b.level == 1]
    start, end = (report.blocks.index(h) for h in headings if h.text in ("Findings", "Grades per organisation"))
    captions = [b.caption for b in report.blocks[start:end] if isinstance(b, Table)]
    assert len(captions) == len(set(captions)), captions
    panel = _table(report, "Self-assessment and the panel's moderated grades, 1 Leadership and accountability")
    assert panel.header == ("Question", "Self-assessed", "Panel")
    overall = _table(report, "Grades across all questions")
    assert overall.header[0] == "Questions" and all(h.strip() for h in overall.header)
    progress = _table(report, "Progress on the 2020 recommendations")
    updated = [dict(zip(progress.header, row))["Updated on"] for row in progress.rows]
    assert all(re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}", day) for day in updated if day), updated


def test_gscp_2021_title_engagement_and_findings(seeded_engine: Engine) -> None:
    report = _draft(seeded_engine, GSCP, "2021", author="Jo Bloggs")
    assert dict(report.facts) == {"Partnership": GSCP, "Cycle": "2021", "Method": "panel", "Date": "1 Mar 2022",
                                  "Author": "Jo Bloggs"}
    assert report.header == GSCP and not report.illustrative and report.footer == ""
    chapters = [b.text for b in report.blocks if isinstance(b, Heading) and b.level == 1]
    assert chapters == ["Foreword", "Introduction", "Engagement", "Findings", "Grades per organisation",
                        "Recommendations", "Conclusion", "Sources"]
    figures = dict(_table(report, "Engagement in figures").rows)
    assert figures == {"Invited": "16", "Expected to return": "13", "Returned": "13", "On time": "12", "Late": "1",
                       "National return": "1", "Two-year cycle": "2", "Withdrawn": "0",
                       "Did not engage or declined": "0", "Awaiting a response": "0"}
    status = {row[0]: row[2] for row in _table(report, "Organisations invited").rows}
    assert status["Gloucester City Council"] == "late"
    assert status["Children and Family Court Advisory and Support Service"] == "national return"
    standard_1 = _table(report, "Grades per question, 1 Leadership and accountability")
    assert standard_1.rows == (("1", "Leadership and accountability", "1 (8.3%)", "11 (91.7%)", "12"),)
    charts = [b for b in report.blocks if isinstance(b, Chart)]
    assert "1: Red 8.3%, Green 91.7%" in next(c.alt for c in charts if "1 Leadership" in c.caption)
    assert "The panel's grades match every organisation's own grade in this section." in _text(report)
    quotes = [b for b in report.blocks if isinstance(b, Paragraph) and b.style == "quote"]
    assert any(q.source == "Gloucestershire Health and Care NHS Foundation Trust, question 2 (Green)" for q in quotes)


def test_every_chart_states_the_figures_of_the_table_beside_it(seeded_engine: Engine) -> None:
    report = _draft(seeded_engine, NSSCP, "2023-24")
    blocks = list(report.blocks)
    charts = [i for i, b in enumerate(blocks) if isinstance(b, Chart)]
    assert len(charts) == 6  # all questions + sections A–E (F1 is free text: nothing published)
    for i in charts:
        chart, table = blocks[i], blocks[i + 1]
        assert isinstance(table, Table) and table.caption == chart.caption  # type: ignore[union-attr]
        first = 2 if table.header[1] == "Text" else 1  # type: ignore[union-attr]
        for row in table.rows:  # type: ignore[union-attr]
            for grade, cell in zip(table.header[first:-1], row[first:-1]):  # type: ignore[union-attr]
                if cell:
                    assert f"{grade} {cell}" in chart.alt  # type: ignore[union-attr]
        marks = [layer["mark"]["type"] for layer in chart.spec["layer"]]  # type: ignore[union-attr]
        assert "bar" in marks and chart.spec["width"] > 0  # type: ignore[union-attr]  # the app's rag_bars


def test_nsscp_2023_24_gives_the_published_percentages_and_appendix_one(seeded_engine: Engine) -> None:
    report = _draft(seeded_engine, NSSCP, "2023-24")
    rows = {}
    for block in report.blocks:
        if isinstance(block, Table) and block.caption.startswith("Published figures: grades per question"):
            assert block.header[-1] == "Base" and block.header[2:5] == ("Red", "Amber", "Green")
            assert "Published figures" in block.note and "base 15 returns" in block.note
            for row in block.rows:
                cells = dict(zip(block.header, row))
                rows[row[0]] = tuple(cells.get(g, "") for g in ("Red", "Amber", "Green", "Not rated"))
    assert len(rows) == 18  # A1–E3; F1 has no published figures
    assert {code: rows[code] for code in NSSCP_PERCENT} == NSSCP_PERCENT
    appendix = _table(report, "Published figures: number of questions at each grade per organisation")
    assert appendix.header[:4] == ("Organisation", "Green", "Amber", "Red")
    counts = {row[0]: row[1:4] for row in appendix.rows}
    assert len(counts) == 15 and {org: counts[org] for org in APPENDIX_ONE} == APPENDIX_ONE
    assert "never a zero" in appendix.note and "read as green, amber, red" in appendix.note
    assert "NSSCP Section 11 report 2023-24, Appendix One heat map" in appendix.note
    assert "C1" in _table(report, "You said, we will").rows[0][0]
    assert len(_table(report, "Recommendations: Partnership report (2023-24)").rows) == 12


def test_peer_review_engagement_gives_contact_and_review_dates(seeded_engine: Engine) -> None:
    text = _text(_draft(seeded_engine, "South Gloucestershire", "2022-23"))
    assert "Eastwood Park Mother and Baby Unit: did not engage; contacts: invited 26 Oct 2022; follow-up 8 Nov 2022" in text
    assert "North Bristol NHS Trust: review held on 29 Nov 2022" in text
    assert "CVS South Gloucestershire: review held on 21 Dec 2022" in text
    assert "its responses were not graded" in text
    assert not re.search(r"(on|invited|follow-up) \d{4}-\d\d-\d\d", text), "an ISO date left in the engagement text"


def test_sources_are_citations_never_file_ids(seeded_engine: Engine) -> None:
    for partnership, label in ((GSCP, "2021"), (NSSCP, "2023-24"), ("North Somerset", "2021-22")):
        report = _draft(seeded_engine, partnership, label)
        text = _text(report)
        assert not re.search(r"\d{3}_[0-9a-f]{16}|\.txt\b", text), f"{partnership} {label} shows a file id"
    sources = report.blocks[-1]
    assert isinstance(sources, BulletList) and any(s.startswith("NSSCP Section 11 report 2021-22") for s in sources.items)


def test_narrative_goes_into_its_slot_and_empty_slots_stay_placeholders(seeded_engine: Engine) -> None:
    written = {"section:2": Narrative("section:2", "", "Safer recruitment <b>held</b> **up**.", "bm", "2022-03-01")}
    report = _draft(seeded_engine, GSCP, "2021", narratives=written)
    slots = {slot.key: slot for slot in narrative_slots(report)}
    assert list(slots) == ["foreword", "engagement", "section:1", "section:2", "section:3", "section:4",
                           "conclusion"]
    assert slots["section:2"].text == "Safer recruitment <b>held</b> **up**." and slots["section:2"].author == "bm"
    assert slots["section:2"].title.startswith("Analysis: 2 Staff safe recruitment")
    assert all(slot.text == "" for key, slot in slots.items() if key != "section:2")


def test_a_user_outside_the_partnership_is_refused(seeded_engine: Engine) -> None:
    with db.read_session(seeded_engine) as session:
        nsscp = session.scalar(select(Partnership.id).where(Partnership.name == NSSCP))
    outsider = Scope.of("nsscp.exec", Role.EXECUTIVE, [nsscp])
    with pytest.raises(ScopeError):
        _draft(seeded_engine, GSCP, "2021", scope=outsider)
    assert _draft(seeded_engine, NSSCP, "2023-24", scope=outsider).subtitle == NSSCP


def test_the_illustrative_partnership_is_labelled_on_every_page(seeded_engine: Engine) -> None:
    with db.read_session(seeded_engine) as session:
        demo = session.scalar(select(Partnership).where(Partnership.illustrative.is_(True)))
        label = sorted(c.label for c in demo.cycles)[-1]
        name = demo.name
    report = _draft(seeded_engine, name, label)
    assert report.illustrative and report.footer == ILLUSTRATIVE_FOOTER
    assert any(isinstance(b, Table) and b.caption.startswith("How organisations rated") or
               isinstance(b, Table) and "per organisation" in b.caption for b in report.blocks)


def test_change_since_the_previous_cycle_is_the_trends_pages_figure(seeded_engine: Engine) -> None:
    from s11data.views import trends

    with db.read_session(seeded_engine) as session:
        demo = session.scalar(select(Partnership).where(Partnership.illustrative.is_(True)))
        latest, before = sorted(demo.cycles, key=lambda c: c.label)[-1], sorted(demo.cycles, key=lambda c: c.label)[-2]
        by_cycle = trends.rag_by_cycle(session, Scope.system(), partnership_id=demo.id, by_theme=True)
        name, label, earlier = demo.name, latest.label, before.label
    green = by_cycle[by_cycle["grade"] == "Green"].set_index(["cycle", "theme"])["percent"]
    text = _text(_draft(seeded_engine, name, label))
    theme = "safeguarding structure & leadership"
    then, now = green[(earlier, theme)], green[(label, theme)]
    assert (f"{theme}: {then:g}% green in {earlier}, {now:g}% in {label} ({now - then:+.1f} points)") in text
    assert f"Change since the previous graded cycle, {earlier}" in text
