"""Setting up a cycle and its invitation list (s11data.admin.cycles) on real databases, SQLite and PostgreSQL: the
framework copied or read from a file, the refusals (label, scope, file problems) that write nothing, invitations
never doubled, removal refused once a return exists, and an audit line for every write."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from s11data.admin import cycles
from s11data.store import db
from s11data.returns import templates
from s11data.store.errors import UserError
from s11data.returns.importer import import_file
from s11data.store.models import (
    AuditEvent,
    Contact,
    Cycle,
    Engagement,
    Invitation,
    Organisation,
    Partnership,
    Question,
    Role,
)
from s11data.store.scope import Scope, ScopeError
from s11data.returns.spreadsheet import to_csv_bytes

NSCP = "North Somerset Children's Partnership"
GSCP = "Gloucestershire Safeguarding Children Partnership"
DUE = dt.date(2025, 11, 28)
ON = dt.date(2025, 9, 1)
HEADER = "section,section_title,code,question,themes"


def ids(engine: Engine, partnership: str = NSCP, label: str = "2023-24") -> tuple[int, int]:
    """(partnership id, cycle id) of a seeded cycle."""
    with db.read_session(engine) as s:
        pid = s.scalar(select(Partnership.id).where(Partnership.name == partnership))
        cid = s.scalar(select(Cycle.id).where(Cycle.partnership_id == pid, Cycle.label == label))
    return pid, cid


def manager(pid: int, role: Role = Role.BUSINESS_MANAGER) -> Scope:
    return Scope.of("meg", role, [pid])


def count(engine: Engine, model) -> int:  # type: ignore[no-untyped-def]
    with db.read_session(engine) as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def audit_lines(engine: Engine, action: str) -> list[str]:
    with db.read_session(engine) as s:
        return list(s.scalars(select(AuditEvent.detail).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)))


def new_cycle(engine: Engine, label: str = "2025-26", **kwargs: object) -> int:
    """NSCP `label`, framework copied from 2023-24, by its business manager; returns the cycle id."""
    pid, source = ids(engine)
    with db.write_session(engine) as s:
        cycle = cycles.add_cycle(s, manager(pid), pid, label, "self-assessment", "RAG",
                                 f"Section 11 audit {label}", DUE, framework_from_cycle_id=source, **kwargs)
        return cycle.id


def questions(engine: Engine, cycle_id: int) -> list[tuple]:
    with db.read_session(engine) as s:
        return [(q.section_code, q.section_title, q.code, q.text, q.position, tuple(t.name for t in q.themes))
                for q in s.scalars(select(Question).where(Question.cycle_id == cycle_id)
                                   .order_by(Question.position))]


# --- a cycle and its framework -------------------------------------------------------------------------------

def test_copying_a_framework_keeps_questions_sections_and_themes(seeded_engine: Engine) -> None:
    pid, source = ids(seeded_engine)
    new = new_cycle(seeded_engine, "2025/26", period_start=dt.date(2025, 9, 1))
    copied, original = questions(seeded_engine, new), questions(seeded_engine, source)
    assert copied == original and len(copied) == 19
    assert any(len(themes) > 1 for *_rest, themes in copied)  # multi-theme questions keep every theme
    with db.read_session(seeded_engine) as s:
        cycle = s.get(Cycle, new)
        assert (cycle.label, cycle.method.value, cycle.scale.value, cycle.returns_due) == (
            "2025-26", "self-assessment", "RAG", DUE)
        assert cycle.partnership_id == pid and cycle.period_start == dt.date(2025, 9, 1)
    assert audit_lines(seeded_engine, "cycle") == [
        "set up cycle NSSCP 2025-26 (self-assessment, RAG): 19 questions copied from NSSCP 2023-24"]
    with db.read_session(seeded_engine) as s:
        first = cycles.cycles(s, manager(pid), pid).iloc[0]
    assert (first["cycle"], first["questions"], first["invited"], first["returns"]) == ("2025-26", 19, 0, 0)


def test_a_return_for_the_new_cycle_imports(seeded_engine: Engine) -> None:
    pid, source = ids(seeded_engine)
    new = new_cycle(seeded_engine)
    scope = manager(pid)
    with db.write_session(seeded_engine) as s:
        invited = cycles.copy_invitations(s, scope, source, new, on=ON)
    assert len(invited.added) == 15 and not invited.already
    with db.read_session(seeded_engine) as s:
        frame = templates.template_frame(s, scope, NSCP, "2025-26", "long")  # the upload page's template
    assert len(frame) == 15 * 19 and list(frame["question"][:3]) == ["A1", "A2", "A3"]
    one = frame[frame["organisation"] == "Sirona Care & Health"].assign(rating="Green", evidence="Policy seen")
    result = import_file(seeded_engine, scope, to_csv_bytes(one), "sirona.csv")
    assert result.ok, [p.text for p in result.errors]
    assert result.imported == 19
    with db.read_session(seeded_engine) as s:
        status = s.scalar(select(Invitation.status).join(Organisation)
                          .where(Invitation.cycle_id == new, Organisation.name == "Sirona Care & Health"))
        assert status == Engagement.SUBMITTED
        counts = cycles.cycles(s, scope, pid).set_index("cycle").loc["2025-26"]
        assert (counts["invited"], counts["returns"]) == (15, 1)


def test_labels_are_checked_and_a_taken_label_is_refused(seeded_engine: Engine) -> None:
    pid, source = ids(seeded_engine)
    before = count(seeded_engine, Cycle)
    for label, words in (("2023-24", "already has a cycle 2023-24"), ("2023/24", "already has a cycle 2023-24"),
                         ("next year", "not a cycle label"), ("2025-27", "two consecutive years"),
                         ("1899", "out of range")):
        with pytest.raises(UserError, match=words), db.write_session(seeded_engine) as s:
            cycles.add_cycle(s, manager(pid), pid, label, "self-assessment", "RAG", "", DUE,
                             framework_from_cycle_id=source)
    with pytest.raises(UserError, match="not a method"), db.write_session(seeded_engine) as s:
        cycles.add_cycle(s, manager(pid), pid, "2025-26", "survey", "RAG", "", DUE, framework_from_cycle_id=source)
    with pytest.raises(UserError, match="one of the two"), db.write_session(seeded_engine) as s:
        cycles.add_cycle(s, manager(pid), pid, "2025-26", "panel", "RAG", "", DUE)
    assert count(seeded_engine, Cycle) == before and audit_lines(seeded_engine, "cycle") == []
    assert cycles.clean_label("2025-2026") == "2025-26" and cycles.clean_label(" 2021 ") == "2021"
    assert cycles.next_label("2023-24") == "2024-25" and cycles.next_label("2021") == "2022"
    assert cycles.next_label("1999-00") == "2000-01"


@pytest.mark.parametrize("who", ["other partnership", "executive", "chair"])
def test_only_business_managers_and_admins_of_the_partnership_set_up_cycles(seeded_engine: Engine,
                                                                            who: str) -> None:
    pid, source = ids(seeded_engine)
    gscp, gscp_cycle = ids(seeded_engine, GSCP, "2021")
    scope = {"other partnership": manager(gscp), "executive": manager(pid, Role.EXECUTIVE),
             "chair": Scope.of("chair", Role.CHAIR, [pid], "Neglect subgroup")}[who]
    before = (count(seeded_engine, Cycle), count(seeded_engine, Invitation), count(seeded_engine, Organisation))
    writes = [
        lambda s: cycles.add_cycle(s, scope, pid, "2025-26", "panel", "RAG", "", DUE, framework_from_cycle_id=source),
        lambda s: cycles.invite(s, scope, source, [1], on=ON),
        lambda s: cycles.copy_invitations(s, scope, source, source, on=ON),
        lambda s: cycles.add_organisation(s, scope, "Weston Youth Hub", "voluntary", partnership_id=pid),
    ]
    for write in writes:
        with pytest.raises(ScopeError), db.write_session(seeded_engine) as s:
            write(s)
    with pytest.raises(ScopeError), db.read_session(seeded_engine) as s:
        cycles.invitations(s, scope if who == "other partnership" else manager(gscp), source)
    with pytest.raises(ScopeError), db.write_session(seeded_engine) as s:  # a framework from outside their scope
        cycles.add_cycle(s, manager(pid), pid, "2025-26", "panel", "RAG", "", DUE,
                         framework_from_cycle_id=gscp_cycle)
    after = (count(seeded_engine, Cycle), count(seeded_engine, Invitation), count(seeded_engine, Organisation))
    assert after == before and audit_lines(seeded_engine, "cycle") == []


def test_an_admin_may_copy_a_framework_from_another_of_their_partnerships(seeded_engine: Engine) -> None:
    pid, source = ids(seeded_engine)
    gscp, _ = ids(seeded_engine, GSCP, "2021")
    admin = Scope.of("ada", Role.ADMIN, [pid, gscp])
    with db.write_session(seeded_engine) as s:
        cycle = cycles.add_cycle(s, admin, gscp, "2025", "panel", "RAG", "GSCP 2025", DUE,
                                 framework_from_cycle_id=source)
        new = cycle.id
    assert [q[2] for q in questions(seeded_engine, new)][:2] == ["A1", "A2"]
    with db.read_session(seeded_engine) as s:
        sources = cycles.framework_sources(s, admin)
    assert {"NSSCP", "GSCP"} <= set(sources["partnership"])


def test_two_managers_setting_up_the_same_cycle_at_once(seeded_engine: Engine) -> None:
    """The second waits for the first and is refused with a message, not a database error."""
    import threading

    pid, source = ids(seeded_engine)
    outcome: list[BaseException | None] = []
    first_added = threading.Event()

    def second() -> None:
        first_added.wait()
        try:
            with db.write_session(seeded_engine) as s:
                cycles.add_cycle(s, manager(pid), pid, "2025-26", "panel", "RAG", "", DUE,
                                 framework_from_cycle_id=source)
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - the test looks at what was raised
            outcome.append(exc)

    thread = threading.Thread(target=second)
    thread.start()
    with db.write_session(seeded_engine) as s:
        cycles.add_cycle(s, manager(pid), pid, "2025-26", "self-assessment", "RAG", "", DUE,
                         framework_from_cycle_id=source)
        first_added.set()
        thread.join(timeout=1)  # the second is waiting on the first's transaction
    thread.join(timeout=60)
    assert len(outcome) == 1 and isinstance(outcome[0], UserError), outcome
    assert "2025-26" in str(outcome[0])
    assert len(audit_lines(seeded_engine, "cycle")) == 1


# --- framework files -----------------------------------------------------------------------------------------

def framework_csv(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode(encoding)


GOOD = ("A,Leadership,A1,Is there a named lead?,safeguarding structure & leadership",
        "A,Leadership,A2,Do staff know the escalation policy?,Policies escalation and whistleblowing; neglect",
        "B,Voice of the child,B1,How do you hear children's views?,listening to children & lived experience")


def refused(data: bytes, name: str = "framework.csv") -> list[tuple]:
    with pytest.raises(cycles.FrameworkRefused) as caught:
        cycles.read_framework(data, name)
    return [(p.row, p.column, p.message, p.fix) for p in caught.value.problems]


def test_a_framework_file_makes_the_cycles_questions(seeded_engine: Engine) -> None:
    pid, _ = ids(seeded_engine)
    framework = cycles.read_framework(framework_csv(*GOOD), "framework.csv")
    assert [q.themes for q in framework.questions][1] == ("policies, escalation & whistleblowing", "neglect")
    with db.write_session(seeded_engine) as s:
        new = cycles.add_cycle(s, manager(pid), pid, "2025-26", "peer review", "none", "", None,
                               framework=framework).id
    assert questions(seeded_engine, new) == [
        ("A", "Leadership", "A1", "Is there a named lead?", 1, ("safeguarding structure & leadership",)),
        ("A", "Leadership", "A2", "Do staff know the escalation policy?", 2,
         ("policies, escalation & whistleblowing", "neglect")),
        ("B", "Voice of the child", "B1", "How do you hear children's views?", 3,
         ("listening to children & lived experience",)),
    ]
    assert audit_lines(seeded_engine, "cycle")[-1].endswith("3 questions from a framework file")
    with db.read_session(seeded_engine) as s:  # the cycle's framework downloads in the file's own columns
        again = cycles.read_framework(to_csv_bytes(cycles.framework(s, manager(pid), new)), "again.csv")
    assert [(q.code, q.themes) for q in again.questions] == [(q.code, q.themes) for q in framework.questions]


def test_framework_templates_read_back() -> None:
    for fmt in ("csv", "xlsx"):
        framework = cycles.read_framework(cycles.framework_template(fmt), f"template.{fmt}")
        assert [q.code for q in framework.questions] == ["A1", "B1"], fmt


def test_framework_file_problems_are_named_by_row_and_column(seeded_engine: Engine) -> None:
    problems = refused(framework_csv(
        *GOOD, "C,Exploitation,a1,Do you screen for exploitation?,child explotation",
        "C,Exploitation,C2,,domestic abuse", "C,Exploitation,C3,Is neglect covered?,"))
    assert [(row, column) for row, column, *_ in problems] == [
        (5, "code"), (5, "themes"), (6, "question"), (7, "themes")]
    assert problems[0][2:] == ("The code 'a1' is also on row 2", "Give each question its own code")
    assert problems[1][2:] == ("'child explotation' is not a theme of the stable list",
                               "Did you mean 'child exploitation'?")
    assert "blank" in problems[2][2] and "No theme" in problems[3][2]
    missing = refused(framework_csv("A,A1,Is there a lead?", header="section,code,question"))
    assert missing == [(1, "themes", "There is no 'themes' column (the header is: section, code, question)",
                        "Add a column headed 'themes'; the framework template has every column")]
    empty = refused(b"", "framework.csv")
    assert len(empty) == 1 and empty[0][2] == "The file is empty"
    header_only = refused(framework_csv(header=HEADER))
    assert header_only[0][2] == "The file has a header but no questions"
    text = str(pytest.raises(cycles.FrameworkRefused, cycles.read_framework, framework_csv(*GOOD, GOOD[0])).value)
    assert "row 5, column code: The code 'A1' is also on row 2" in text


def test_framework_files_as_people_write_them() -> None:
    """A 'question' column of codes beside a wording column, sections with their titles in one cell, near-miss
    themes that name part of a stable one, and themes separated by commas."""
    framework = cycles.read_framework(framework_csv(
        "A. Safeguarding structure,A1,Is there a named lead?,Safeguarding Structure and Leadership",
        "Section B: Voice of the child,B1,How do you hear children?,Listening to children & lived experience",
        header="Section,Question,Question text,Theme(s)"), "framework.csv")
    assert [(q.section_code, q.section_title, q.code, q.text) for q in framework.questions] == [
        ("A", "Safeguarding structure", "A1", "Is there a named lead?"),
        ("B", "Voice of the child", "B1", "How do you hear children?")]
    problems = refused(framework_csv("A,Lead,A1,Is there a lead?,Covid", "A,Lead,A2,Fathers?,\"neglect, fathers\""))
    assert [(p[0], p[3]) for p in problems] == [(2, "Did you mean 'impact of Covid-19'?"),
                                                (3, "Separate themes with ';': 'neglect; fathers'")]


def test_a_windows_1252_framework_is_read_with_its_accents() -> None:
    data = framework_csv("A,Leadership,A1,Is the lead’s role in the café’s policy?,neglect",
                         "A,Leadership,A2,Naïve question,fathérs", encoding="cp1252")
    problems = refused(data)
    assert problems == [(3, "themes", "'fathérs' is not a theme of the stable list", "Did you mean 'fathers'?")]
    framework = cycles.read_framework(data.replace("fathérs".encode("cp1252"), b"fathers"), "framework.csv")
    assert framework.questions[0].text == "Is the lead’s role in the café’s policy?"
    assert any("Windows-1252" in w.message for w in framework.warnings)


def test_a_refused_framework_writes_nothing(seeded_engine: Engine) -> None:
    pid, _ = ids(seeded_engine)
    before = (count(seeded_engine, Cycle), count(seeded_engine, Question))
    rows = [cycles.FrameworkQuestion("A1", "Lead?", ("neglect",)), cycles.FrameworkQuestion("a1", "Again?", ())]
    with pytest.raises(UserError, match="Question 2: the code 'a1' is given twice"), \
            db.write_session(seeded_engine) as s:
        cycles.add_cycle(s, manager(pid), pid, "2025-26", "panel", "RAG", "", DUE, framework=rows)
    with pytest.raises(UserError, match="has no questions"), db.write_session(seeded_engine) as s:
        cycles.add_cycle(s, manager(pid), pid, "2025-26", "panel", "RAG", "", DUE, framework=[])
    assert (count(seeded_engine, Cycle), count(seeded_engine, Question)) == before


def test_an_empty_database_gets_the_stable_themes_with_its_first_framework(engine: Engine) -> None:
    with db.write_session(engine) as s:
        s.add(Partnership(name="Test Partnership", short_name="TP"))
    pid = ids(engine, "Test Partnership")[0]
    with db.write_session(engine) as s:
        new = cycles.add_cycle(s, Scope.system(), pid, "2025-26", "self-assessment", "0-3", "", DUE,
                               framework=cycles.read_framework(framework_csv(*GOOD)))
        new_id = new.id
    assert len(questions(engine, new_id)) == 3 and audit_lines(engine, "cycle")


# --- invitations and organisations ---------------------------------------------------------------------------

def test_invitations_are_not_duplicated(seeded_engine: Engine) -> None:
    pid, source = ids(seeded_engine)
    new = new_cycle(seeded_engine)
    scope = manager(pid)
    with db.read_session(seeded_engine) as s:
        options = cycles.not_yet_invited(s, scope, new)
        sirona = s.scalar(select(Organisation.id).where(Organisation.name == "Sirona Care & Health"))
        nbt = s.scalar(select(Organisation.id).where(Organisation.name == "North Bristol NHS Trust"))
    assert len(options) == 17 and (options["last_cycle"] == "2023-24").sum() == 15  # and two of 2021-22 only
    with db.write_session(seeded_engine) as s:
        first = cycles.invite(s, scope, new, [sirona, sirona], on=ON)
    assert first.added == ["Sirona Care & Health"] and first.message == "Invited 1 organisation to NSSCP 2025-26."
    with db.write_session(seeded_engine) as s:
        second = cycles.invite(s, scope, new, [sirona, nbt], on=ON)
    assert second.added == ["North Bristol NHS Trust"] and second.already == ["Sirona Care & Health"]
    with db.write_session(seeded_engine) as s:
        third = cycles.copy_invitations(s, scope, source, new, on=ON)
    assert len(third.added) == 13 and sorted(third.already) == ["North Bristol NHS Trust", "Sirona Care & Health"]
    with db.read_session(seeded_engine) as s:
        listed = cycles.invitations(s, scope, new)
        contacts = s.scalar(select(func.count()).select_from(Contact).join(Invitation)
                            .where(Invitation.cycle_id == new, Contact.kind == "invited",
                                   Contact.occurred_on == ON))
        assert set(cycles.not_yet_invited(s, scope, new)["last_cycle"]) == {"2021-22"}
    assert len(listed) == 15 and set(listed["status"]) == {"invited"} and set(listed["invited_on"]) == {"2025-09-01"}
    assert contacts == 15
    lines = audit_lines(seeded_engine, "invitation")
    assert len(lines) == 3 and lines[0] == "invited to NSSCP 2025-26 on 2025-09-01: Sirona Care & Health"
    with pytest.raises(UserError, match="in the future"), db.write_session(seeded_engine) as s:
        cycles.invite(s, scope, new, [sirona], on=dt.date.today() + dt.timedelta(days=1))
    with pytest.raises(UserError, match="at least one"), db.write_session(seeded_engine) as s:
        cycles.invite(s, scope, new, [], on=ON)


def test_withdrawn_organisations_are_not_carried_over(seeded_engine: Engine) -> None:
    pid, source = ids(seeded_engine, NSCP, "2021-22")  # Safe Lives withdrew (no longer operates in the area)
    new = new_cycle(seeded_engine)
    with db.write_session(seeded_engine) as s:
        result = cycles.copy_invitations(s, manager(pid), source, new, on=ON)
    assert (result.skipped, result.added) == (["SafeLives"], ["Sirona Care & Health", "YMCA Dulverton Group"])
    assert "Not carried over (withdrawn)" in result.message


def test_removing_an_invitation_is_refused_once_a_return_exists(seeded_engine: Engine) -> None:
    pid, source = ids(seeded_engine)
    scope = manager(pid)
    with db.read_session(seeded_engine) as s:
        listed = cycles.invitations(s, scope, source).set_index("organisation")
    with_return = int(listed.loc["Sirona Care & Health", "invitation_id"])
    assert listed.loc["Sirona Care & Health", "return"] == "yes"
    with pytest.raises(UserError, match="has sent a return for NSSCP 2023-24"), db.write_session(seeded_engine) as s:
        cycles.remove_invitation(s, scope, with_return)
    new = new_cycle(seeded_engine)
    with db.write_session(seeded_engine) as s:
        cycles.copy_invitations(s, scope, source, new, on=ON)
    with db.read_session(seeded_engine) as s:
        fresh = cycles.invitations(s, scope, new).set_index("organisation")
    chosen = int(fresh.loc["North Bristol NHS Trust", "invitation_id"])
    with pytest.raises(ScopeError), db.write_session(seeded_engine) as s:
        cycles.remove_invitation(s, manager(pid, Role.EXECUTIVE), chosen)
    with db.write_session(seeded_engine) as s:
        assert cycles.remove_invitation(s, scope, chosen) == "North Bristol NHS Trust"
    with db.read_session(seeded_engine) as s:
        assert s.get(Invitation, chosen) is None
        assert "North Bristol NHS Trust" in set(cycles.not_yet_invited(s, scope, new)["organisation"])
    assert audit_lines(seeded_engine, "invitation")[-1] == (
        "removed North Bristol NHS Trust from NSSCP 2025-26 (1 contact with it)")


def test_a_new_organisation_is_refused_when_it_is_a_near_miss(seeded_engine: Engine) -> None:
    pid, _ = ids(seeded_engine)
    scope = manager(pid)
    before = count(seeded_engine, Organisation)
    for name, aliases, words in (
            ("Avon & Somerset Police", (), "already known as 'Avon and Somerset Constabulary'"),
            ("Avon and Somerset Constabuley", (), "close to 'Avon and Somerset Constabulary'"),
            ("Sirona", (), "already known as 'Sirona Care & Health'"),
            ("Weston Youth Hub", ("UHBW",), "'UHBW' is already known as"),
            ("", (), "Write the organisation's name")):
        with pytest.raises(UserError, match=words), db.write_session(seeded_engine) as s:
            cycles.add_organisation(s, scope, name, "voluntary", aliases, partnership_id=pid)
    with pytest.raises(UserError, match="not a sector"), db.write_session(seeded_engine) as s:
        cycles.add_organisation(s, scope, "Weston Youth Hub", "charity", partnership_id=pid)
    assert count(seeded_engine, Organisation) == before
    with db.write_session(seeded_engine) as s:
        org = cycles.add_organisation(s, scope, "Weston  Youth Hub", "voluntary", ["WYH", "Weston Youth Hub"],
                                      partnership_id=pid)
        assert (org.name, [a.alias for a in org.aliases]) == ("Weston Youth Hub", ["WYH"])
    with pytest.raises(UserError, match="close to 'North Somerset Council'"), db.write_session(seeded_engine) as s:
        cycles.add_organisation(s, scope, "North Somerset College", "education", partnership_id=pid)
    with db.write_session(seeded_engine) as s:  # checked: a different organisation with a close name
        cycles.add_organisation(s, scope, "North Somerset College", "education", partnership_id=pid,
                                different=True)
    assert count(seeded_engine, Organisation) == before + 2
    assert audit_lines(seeded_engine, "organisation") == [
        "added organisation Weston Youth Hub (also: WYH), voluntary",
        "added organisation North Somerset College, education"]
    with db.read_session(seeded_engine) as s:
        found = cycles.find_organisations(s, scope, "weston")
        assert "Weston Youth Hub" in set(found["organisation"])
        with pytest.raises(ScopeError):
            cycles.find_organisations(s, manager(pid, Role.EXECUTIVE), "weston")


# --- the command line (not a DESIGN contract: the operator's way to do what the page does) ---------------------

def test_s11_cycle_add_and_invite(sqlite_seeded: Engine, tmp_path: Path) -> None:
    env = {**os.environ, "S11_DATABASE_URL": sqlite_seeded.url.render_as_string(hide_password=False)}

    def s11(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "s11data", "cycle", *args], capture_output=True, text=True,
                              env=env, timeout=120, check=False)

    added = s11("add", "2025/26", "--partnership", "NSSCP", "--method", "self-assessment", "--scale", "RAG",
                "--copy-from", "2023-24", "--due", "2025-11-28")
    assert added.returncode == 0 and "set up NSSCP 2025-26 with 19 questions" in added.stderr, added.stderr
    again = s11("add", "2025-26", "--partnership", "NSSCP", "--method", "panel", "--scale", "RAG",
                "--copy-from", "2023-24")
    assert again.returncode == 2 and "already has a cycle 2025-26" in again.stderr
    bad = tmp_path / "framework.csv"
    bad.write_bytes(framework_csv(GOOD[0], "A,Leadership,A2,Lead?,neglet"))
    refused_file = s11("add", "2026-27", "--partnership", "NSSCP", "--method", "panel", "--scale", "RAG",
                       "--framework", str(bad))
    assert refused_file.returncode == 2 and "row 3, column themes" in refused_file.stderr
    invited = s11("invite", "--partnership", "NSSCP", "--cycle", "2025-26", "UHBW", "Sirona",
                  "--on", "2025-09-01")
    assert invited.returncode == 0 and "Invited 2 organisations to NSSCP 2025-26." in invited.stderr
    same = s11("invite", "--partnership", "NSSCP", "--cycle", "2025-26", "--same-as", "2023-24")
    assert same.returncode == 0 and "Invited 13 organisations" in same.stderr
    unknown = s11("invite", "--partnership", "NSSCP", "--cycle", "2025-26", "Sirona Health Care")
    assert unknown.returncode == 2 and "did you mean" in unknown.stderr
    with db.read_session(sqlite_seeded) as s:
        new = ids(sqlite_seeded, NSCP, "2025-26")[1]
        assert s.scalar(select(func.count()).select_from(Invitation).where(Invitation.cycle_id == new)) == 15
    assert audit_lines(sqlite_seeded, "cycle") == [
        "set up cycle NSSCP 2025-26 (self-assessment, RAG): 19 questions copied from NSSCP 2023-24"]
