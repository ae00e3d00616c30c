"""The importer (DESIGN §3–4) on real databases, SQLite and PostgreSQL: what is written, what is refused, and
that a refused file, a repeated file or an exported file changes nothing."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, func, select

from s11data.store import db
from s11data.returns import exports
from s11data.returns.importer import ImportResult, import_file, upload_changes, uploads
from s11data.store.models import (
    AuditEvent,
    AuditReturn,
    Cycle,
    Engagement,
    Invitation,
    Organisation,
    Partnership,
    Question,
    Rag,
    Rating,
    Role,
    Upload,
)
from s11data.store.scope import Scope
from s11data.returns.spreadsheet import to_csv_bytes, to_xlsx_bytes

DEMO = "Illustrative Demo Partnership"
NEW_ORG = "Compass Young Carers (illustrative)"  # invited to DEMO 2025-26, no return yet
OTHER_NEW = "Hollin Borough Council (illustrative)"
LONG = ["partnership", "cycle", "organisation", "question", "rating", "evidence"]


def csv_of(rows: list[list[str]], header: list[str] = LONG, delimiter: str = ",", newline: str = "\n",
           encoding: str = "utf-8") -> bytes:
    def cell(value: str) -> str:
        if any(ch in value for ch in (delimiter, '"', "\n")):
            return '"' + value.replace('"', '""') + '"'
        return value
    lines = [delimiter.join(cell(str(v)) for v in row) for row in [header, *rows]]
    return (newline.join(lines) + newline).encode(encoding)


def run(engine: Engine, data: bytes, name: str = "returns.csv", scope: Scope | None = None,
        **kwargs: object) -> ImportResult:
    return import_file(engine, scope or Scope.system("tester"), data, name, **kwargs)  # type: ignore[arg-type]


def codes(engine: Engine, label: str = "2025-26", partnership: str = DEMO) -> list[str]:
    with db.read_session(engine) as s:
        return list(s.scalars(select(Question.code).join(Cycle).join(Partnership)
                              .where(Partnership.name == partnership, Cycle.label == label)
                              .order_by(Question.position)))


def current(engine: Engine, organisation: str, label: str = "2025-26") -> dict[str, tuple]:
    """code → (rag, moderated, evidence, raw) of the organisation's current return."""
    with db.read_session(engine) as s:
        rows = s.execute(select(Question.code, Rating.rag, Rating.moderated_rag, Rating.evidence, Rating.raw_value)
                         .join(Rating.audit_return).join(Rating.question).join(AuditReturn.organisation)
                         .join(AuditReturn.cycle)
                         .where(Organisation.name == organisation, Cycle.label == label,
                                AuditReturn.is_current.is_(True))).all()
    return {code: (rag, mod, ev, raw) for code, rag, mod, ev, raw in rows}


def snapshot(engine: Engine) -> tuple:
    """Everything an import may touch: the ratings export and row counts of returns, ratings, uploads, audit,
    and invitation statuses."""
    with db.read_session(engine) as s:
        export = to_csv_bytes(exports.ratings(s, Scope.system()))
        counts = tuple(s.scalar(select(func.count()).select_from(m)) for m in (AuditReturn, Rating, Upload,
                                                                                 AuditEvent))
        statuses = tuple(s.execute(select(Invitation.id, Invitation.status).order_by(Invitation.id)).all())
    return export, counts, statuses


def demo_rows(organisation: str, grades: list[str], label: str = "2025-26", engine: Engine | None = None,
              question_codes: list[str] | None = None) -> list[list[str]]:
    qs = question_codes or codes(engine, label)  # type: ignore[arg-type]
    return [[DEMO, label, organisation, q, g, f"Evidence for {q}"] for q, g in zip(qs, grades)]


# --- writing ----------------------------------------------------------------------------------------

def test_a_new_return_is_written_with_every_grade_spelling_read_by_the_rules(seeded_engine: Engine) -> None:
    spellings = ["G", "green", "GREEN", "Outstanding", "3", "Amber/Green", "n/a", "not rated", "",
                 "Requires improvement", "A", "Amber - Green", "2", "R"]
    expected = [Rag.GREEN] * 5 + [Rag.AMBER, Rag.NOT_APPLICABLE, Rag.NOT_RATED, Rag.NOT_RATED, Rag.RED,
                                  Rag.AMBER, Rag.AMBER, Rag.AMBER, Rag.RED]
    qs = codes(seeded_engine)
    result = run(seeded_engine, csv_of(demo_rows(NEW_ORG, spellings, question_codes=qs)))
    assert result.ok, result.errors
    assert result.as_json()["imported"] == 14 and result.rows == 14
    stored = current(seeded_engine, NEW_ORG)
    assert [stored[q][0] for q in qs] == expected
    assert stored[qs[5]][3] == "Amber/Green"  # the raw value is kept as written
    with db.read_session(seeded_engine) as s:
        upload = s.scalars(select(Upload)).one()
        assert (upload.filename, upload.rows, upload.imported, upload.uploaded_by) == ("returns.csv", 14, 14,
                                                                                      "tester")
        assert len(upload.sha256) == 64
        status = s.scalar(select(Invitation.status).join(Organisation).join(Cycle)
                          .where(Organisation.name == NEW_ORG, Cycle.label == "2025-26"))
        assert status in (Engagement.SUBMITTED, Engagement.LATE)
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "import")) == 1


def test_the_json_has_exactly_the_contract_keys(seeded_engine: Engine) -> None:
    result = run(seeded_engine, csv_of(demo_rows(NEW_ORG, ["G"] * 14, engine=seeded_engine)), dry_run=True)
    outcome = result.as_json()
    assert list(outcome) == ["ok", "rows", "imported", "errors", "warnings"]
    assert outcome["ok"] is True and outcome["imported"] == 14 and outcome["errors"] == []
    refused = run(seeded_engine, b"organisation,question,rating\nNobody,Z9,Blue\n", cycle="2025-26",
                  partnership=DEMO).as_json()
    assert refused["ok"] is False and refused["imported"] == 0
    assert all(set(e) == {"row", "column", "message"} for e in refused["errors"])


def test_the_same_file_twice_changes_nothing_the_second_time(seeded_engine: Engine) -> None:
    data = csv_of(demo_rows(NEW_ORG, ["G", "A", "R"] * 4 + ["G", "G"], engine=seeded_engine))
    first = run(seeded_engine, data)
    assert first.ok and first.imported == 14
    before = snapshot(seeded_engine)
    second = run(seeded_engine, data)
    assert second.ok and second.imported == 0 and second.upload_id is None
    assert "already imported" in second.summary() and f"#{first.upload_id}" in second.summary()
    assert snapshot(seeded_engine) == before


def test_a_corrected_return_replaces_the_current_one_and_keeps_the_earlier(seeded_engine: Engine) -> None:
    qs = codes(seeded_engine)
    run(seeded_engine, csv_of(demo_rows(NEW_ORG, ["Green"] * 14, question_codes=qs)))
    corrected = demo_rows(NEW_ORG, ["Red"] + ["Green"] * 13, question_codes=qs)
    corrected[1][5] = "Better evidence"
    result = run(seeded_engine, csv_of(corrected), name="corrected.csv")
    assert result.ok and result.imported == 2
    assert result.rating_counts()["changed"] == 2 and result.rating_counts()["unchanged"] == 12
    assert current(seeded_engine, NEW_ORG)[qs[0]][0] == Rag.RED
    with db.read_session(seeded_engine) as s:
        versions = s.execute(select(AuditReturn.version, AuditReturn.is_current).join(AuditReturn.organisation)
                             .join(AuditReturn.cycle).where(Organisation.name == NEW_ORG, Cycle.label == "2025-26")
                             .order_by(AuditReturn.version)).all()
        assert versions == [(1, False), (2, True)]
        first = s.scalar(select(AuditReturn).join(AuditReturn.organisation).join(AuditReturn.cycle)
                         .where(Organisation.name == NEW_ORG, Cycle.label == "2025-26", AuditReturn.version == 1))
        assert {r.rag for r in first.ratings} == {Rag.GREEN} and len(first.ratings) == 14
        changes = upload_changes(s, Scope.system(), result.upload_id)  # type: ignore[arg-type]
        history = uploads(s, Scope.system())
    assert sorted(changes["question"]) == sorted(qs[:2])
    assert changes.set_index("question").loc[qs[0], ["was", "now"]].tolist() == ["Green", "Red"]
    assert changes.set_index("question").loc[qs[1], "what changed"] == "evidence"
    assert history["file"].tolist() == ["corrected.csv", "returns.csv"]


def test_columns_a_corrected_file_lacks_keep_what_is_there(seeded_engine: Engine) -> None:
    police = "Northvale Constabulary (illustrative)"
    before = current(seeded_engine, police)
    moderated = [q for q, v in before.items() if v[1] is not None]
    assert moderated, "the 2025-26 panel cycle moderates this return"
    target = moderated[0]
    new_grade = Rag.RED if before[target][0] != Rag.RED else Rag.GREEN
    rows = [[police, q, new_grade.value if q == target else (v[3] or "Not rated")] for q, v in before.items()]
    result = run(seeded_engine, csv_of(rows, header=["organisation", "question", "rating"]), partnership=DEMO,
                 cycle="2025-26")
    assert result.ok and result.imported == 1, (result.errors, result.changes_frame())
    after = current(seeded_engine, police)
    assert after[target][0] == new_grade
    assert {q: v[1:3] for q, v in after.items()} == {q: v[1:3] for q, v in before.items()}


def test_a_wide_file_with_only_evidence_columns_keeps_the_stored_grades(seeded_engine: Engine) -> None:
    """A survey export that carries comments ('A1 evidence') but no grade column corrects the evidence only."""
    police = "Northvale Constabulary (illustrative)"
    before = current(seeded_engine, police)
    graded = [q for q, v in before.items() if v[0] not in (None, Rag.NOT_RATED)]
    header = ["Organisation"] + [f"{q} evidence" for q in before]
    row = [police] + [f"New evidence for {q}" for q in before]
    result = run(seeded_engine, csv_of([row], header=header), partnership=DEMO, cycle="2025-26")
    assert result.ok and result.return_counts() == {"corrected return": 1}, result.errors
    assert set(result.changes_frame()["what changed"]) == {"evidence"}
    after = current(seeded_engine, police)
    assert graded and {q: after[q][0] for q in graded} == {q: before[q][0] for q in graded}
    assert {q: (v[1], v[3]) for q, v in after.items()} == {q: (v[1], v[3]) for q, v in before.items()}
    assert {v[2] for v in after.values()} == {f"New evidence for {q}" for q in before}


def test_a_question_left_out_is_a_warning_and_shown_as_not_answered(seeded_engine: Engine) -> None:
    qs = codes(seeded_engine)
    result = run(seeded_engine, csv_of(demo_rows(NEW_ORG, ["G", "A", "R"], question_codes=qs)))
    assert result.ok
    warning = next(w for w in result.warnings if "no answer for" in w.message)
    assert warning.row == 2 and qs[3] in warning.message and "not answered" in warning.message
    assert set(current(seeded_engine, NEW_ORG)) == set(qs[:3])


def test_a_blank_grade_is_not_rated_and_an_empty_organisation_is_skipped(seeded_engine: Engine) -> None:
    qs = codes(seeded_engine)
    rows = demo_rows(NEW_ORG, ["", "G"], question_codes=qs)
    rows += [[DEMO, "2025-26", OTHER_NEW, q, "", ""] for q in qs]
    result = run(seeded_engine, csv_of(rows))
    assert result.ok
    assert current(seeded_engine, NEW_ORG)[qs[0]][0] == Rag.NOT_RATED
    assert current(seeded_engine, OTHER_NEW) == {}
    assert any("skipped" in w.message and OTHER_NEW in w.message for w in result.warnings)


def test_export_then_import_changes_nothing_csv_and_xlsx(seeded_engine: Engine) -> None:
    before = snapshot(seeded_engine)
    with db.read_session(seeded_engine) as s:
        frame = exports.ratings(s, Scope.system())
    for data, name in ((to_csv_bytes(frame), "ratings.csv"), (to_xlsx_bytes(frame), "ratings.xlsx")):
        result = run(seeded_engine, data, name=name)
        assert result.ok, result.errors[:3]
        assert result.imported == 0 and result.rows == len(frame)
        assert result.rating_counts()["changed"] == 0 and result.rating_counts()["new"] == 0
    assert snapshot(seeded_engine) == before


def test_the_wide_form_with_evidence_columns_semicolons_and_windows_1252(seeded_engine: Engine) -> None:
    qs = codes(seeded_engine)
    header = ["Organisation name", "Completed by", "Date submitted"] + [h for q in qs for h in (q, f"{q} evidence")]
    row = [NEW_ORG, "Renée Dupont", "31/10/2025"] + [v for q in qs for v in ("G", f"Café audit for {q}")]
    data = csv_of([row], header=header, delimiter=";", newline="\r\n", encoding="cp1252")
    result = run(seeded_engine, data, name="survey.csv", partnership="DEMO", cycle="2025-26")
    assert result.ok, result.errors
    assert any("Windows-1252" in w.message for w in result.warnings)
    stored = current(seeded_engine, NEW_ORG)
    assert stored[qs[0]][0] == Rag.GREEN and stored[qs[0]][2] == f"Café audit for {qs[0]}"
    with db.read_session(seeded_engine) as s:
        ret = s.scalar(select(AuditReturn).join(AuditReturn.organisation).join(AuditReturn.cycle)
                       .where(Organisation.name == NEW_ORG, Cycle.label == "2025-26",
                              AuditReturn.is_current.is_(True)))
        assert (ret.completed_by, ret.submitted_on) == ("Renée Dupont", dt.date(2025, 10, 31))


def test_the_wide_form_from_a_survey_tool_with_question_text_in_headers(seeded_engine: Engine) -> None:
    qs = codes(seeded_engine)
    header = ["Timestamp", "Organisation"] + [f"{q}. Question text here" for q in qs] + ["Any other comments"]
    row = ["2025/11/01 10:00", NEW_ORG] + ["Amber"] * len(qs) + ["none"]
    result = run(seeded_engine, csv_of([row], header=header), partnership=DEMO, cycle="2025-26")
    assert result.ok, result.errors
    assert any("Any other comments" in w.message for w in result.warnings)
    assert {v[0] for v in current(seeded_engine, NEW_ORG).values()} == {Rag.AMBER}


def test_header_spellings_partnership_and_organisation_aliases(seeded_engine: Engine) -> None:
    header = [" PARTNERSHIP ", "Cycle", "Organisation Name", "Question Code", "RAG", "Evidence / Comments",
              "Moderated rating", "Completed_By", "Submitted On"]
    rows = [["NSSCP", "2023/24", "Avon & Somerset Police", "A1", "Green", "x", "Amber", "A. Person", "2024-01-15"]]
    result = run(seeded_engine, csv_of(rows, header=header), name="corrected-police.csv")
    assert result.ok, result.errors
    stored = current(seeded_engine, "Avon and Somerset Constabulary", "2023-24")
    assert stored["A1"][:3] == (Rag.GREEN, Rag.AMBER, "x")


def test_zero_to_three_by_the_cycle_scale(seeded_engine: Engine) -> None:
    qs = codes(seeded_engine, "2023-24")
    rows = [[DEMO, "2023-24", NEW_ORG, q, g, ""] for q, g in zip(qs, ["3", "2", "1", "0", "3.0"])]
    result = run(seeded_engine, csv_of(rows))
    assert result.ok, result.errors
    stored = current(seeded_engine, NEW_ORG, "2023-24")
    assert [stored[q][0] for q in qs[:5]] == [Rag.GREEN, Rag.AMBER, Rag.RED, Rag.RED, Rag.GREEN]
    refused = run(seeded_engine, csv_of([[DEMO, "2023-24", NEW_ORG, qs[0], "4", ""]]))
    assert refused.errors[0].row == 2 and "0–3" in refused.errors[0].message


def test_formula_like_text_is_stored_as_written_and_neutralised_in_the_export(seeded_engine: Engine) -> None:
    qs = codes(seeded_engine)
    evidence = ['=HYPERLINK("http://evil.example","click")', "+44 117 000 0000", "-see board minutes", "@lead"]
    rows = [[DEMO, "2025-26", NEW_ORG, q, "G", e] for q, e in zip(qs, evidence)]
    assert run(seeded_engine, csv_of(rows)).ok
    assert [current(seeded_engine, NEW_ORG)[q][2] for q in qs[:4]] == evidence
    with db.read_session(seeded_engine) as s:
        exported = to_csv_bytes(exports.ratings(s, Scope.system(), DEMO, "2025-26"))
    text = exported.decode("utf-8-sig")
    assert "\"'=HYPERLINK" in text and ",'+44 117" in text and ",'-see board" in text and ",'@lead" in text
    before = snapshot(seeded_engine)
    again = run(seeded_engine, exported, name="export.csv")
    assert again.ok and again.imported == 0 and snapshot(seeded_engine) == before
    with db.read_session(seeded_engine) as s:
        workbook = to_xlsx_bytes(exports.ratings(s, Scope.system(), DEMO, "2025-26"))
    again = run(seeded_engine, workbook, name="export.xlsx")
    assert again.ok and again.imported == 0 and snapshot(seeded_engine) == before


def test_dry_run_reports_what_would_change_and_writes_nothing(seeded_engine: Engine) -> None:
    before = snapshot(seeded_engine)
    result = run(seeded_engine, csv_of(demo_rows(NEW_ORG, ["G"] * 14, engine=seeded_engine)), dry_run=True)
    assert result.ok and result.imported == 14 and not result.committed
    assert result.return_counts()["new return"] == 1
    assert "Would import 14" in result.summary()
    assert snapshot(seeded_engine) == before


# --- refusing -------------------------------------------------------------------------------------

def _refused(engine: Engine, data: bytes, **kwargs: object) -> list[tuple[int | None, str | None, str]]:
    before = snapshot(engine)
    result = run(engine, data, **kwargs)
    assert not result.ok and result.imported == 0
    assert snapshot(engine) == before, "a refused file must change nothing"
    return [(e.row, e.column, e.text) for e in result.errors]


def test_every_problem_is_placed_at_its_row_and_column_with_a_fix(seeded_engine: Engine) -> None:
    qs = codes(seeded_engine)
    rows = demo_rows(NEW_ORG, ["G"] * 14, question_codes=qs)
    rows[2][2] = "Compass Young Carer"  # near miss
    rows[3][3] = "Z9"  # unknown question
    rows[4][4] = "Blue"  # not a grade
    rows.append([DEMO, "2025-26", NEW_ORG, qs[0], "Red", "Evidence for A1"])  # disagrees with row 2
    errors = _refused(seeded_engine, csv_of(rows))
    by_row = {row: (column, text) for row, column, text in errors}
    assert by_row[4][0] == "organisation" and "Did you mean 'Compass Young Carers (illustrative)'" in by_row[4][1]
    assert by_row[5][0] == "question" and "Unknown question 'Z9'" in by_row[5][1] and "A1, A2" in by_row[5][1]
    assert by_row[6][0] == "rating" and "'Blue' is not a grade" in by_row[6][1] and "Green, Amber" in by_row[6][1]
    assert by_row[16][0] == "rating" and "row 2" in by_row[16][1] and "Keep only the right one" in by_row[16][1]


def test_an_unknown_cycle_is_named_with_the_cycles_there_are(seeded_engine: Engine) -> None:
    errors = _refused(seeded_engine, csv_of(demo_rows(NEW_ORG, ["G"], "2019-20", question_codes=["A1"])))
    assert errors == [(2, "cycle", errors[0][2])]
    assert "Unknown cycle '2019-20'" in errors[0][2] and "2025-26" in errors[0][2]
    flagged = _refused(seeded_engine, csv_of([[NEW_ORG, "A1", "G"]], header=["organisation", "question", "rating"]),
                       partnership=DEMO, cycle="1999")
    assert "Unknown cycle '1999'" in flagged[0][2]


def test_an_unknown_organisation_is_never_created(seeded_engine: Engine) -> None:
    with db.read_session(seeded_engine) as s:
        count = s.scalar(select(func.count()).select_from(Organisation))
    errors = _refused(seeded_engine, csv_of([[DEMO, "2025-26", "Totally New Charity", "A1", "G", ""]] * 3))
    assert len(errors) == 1 and "Unknown organisation 'Totally New Charity'" in errors[0][2]
    assert "(and 2 more rows)" in errors[0][2] and "admin" in errors[0][2]
    with db.read_session(seeded_engine) as s:
        assert s.scalar(select(func.count()).select_from(Organisation)) == count


def test_identical_repeated_rows_are_a_warning_not_an_error(seeded_engine: Engine) -> None:
    rows = demo_rows(NEW_ORG, ["G", "A"], engine=seeded_engine)
    result = run(seeded_engine, csv_of(rows + rows[:1]))
    assert result.ok and any("repeats row 2" in w.message for w in result.warnings)


def test_rows_for_another_cycle_than_the_chosen_one_are_refused(seeded_engine: Engine) -> None:
    rows = demo_rows(NEW_ORG, ["G"], "2024-25", question_codes=["A1"])
    errors = _refused(seeded_engine, csv_of(rows), partnership=DEMO, cycle="2025-26")
    assert "cycle 2024-25 but the import is for 2025-26" in errors[0][2]


def test_partnership_and_cycle_come_from_the_caller_when_the_file_lacks_them(seeded_engine: Engine) -> None:
    data = csv_of([[NEW_ORG, "A1", "G"]], header=["organisation", "question", "rating"])
    assert "No partnership" in _refused(seeded_engine, data)[0][2]
    assert run(seeded_engine, data, partnership="DEMO", cycle="2025-26").ok


def test_a_partnership_outside_the_callers_scope_is_refused_by_name(seeded_engine: Engine) -> None:
    with db.read_session(seeded_engine) as s:
        ids = dict(s.execute(select(Partnership.name, Partnership.id)).all())
    manager = Scope.of("bm", Role.BUSINESS_MANAGER, [ids["North Somerset Children's Partnership"]])
    errors = _refused(seeded_engine, csv_of(demo_rows(NEW_ORG, ["G"], question_codes=["A1"])), scope=manager)
    assert f"The partnership '{DEMO}' is not one of yours" in errors[0][2]
    assert "North Somerset" in errors[0][2]
    executive = Scope.of("exec", Role.EXECUTIVE, ids.values())
    errors = _refused(seeded_engine, csv_of(demo_rows(NEW_ORG, ["G"], question_codes=["A1"])), scope=executive)
    assert "cannot import returns" in errors[0][2]


def test_a_manager_of_one_partnership_need_not_name_it(seeded_engine: Engine) -> None:
    with db.read_session(seeded_engine) as s:
        demo_id = s.scalar(select(Partnership.id).where(Partnership.name == DEMO))
    manager = Scope.of("bm", Role.BUSINESS_MANAGER, [demo_id])
    data = csv_of([[NEW_ORG, "A1", "G"]], header=["organisation", "question", "rating"])
    result = run(seeded_engine, data, scope=manager, cycle="2025-26")
    assert result.ok and result.committed
    with db.read_session(seeded_engine) as s:
        assert uploads(s, manager)["who"].tolist() == ["bm"]
        other = Scope.of("bm2", Role.BUSINESS_MANAGER, [demo_id + 1000])
        assert uploads(s, other).empty


def test_a_file_without_the_columns_it_needs_says_which(seeded_engine: Engine) -> None:
    assert "no rating column" in _refused(seeded_engine, b"organisation,question,score2\nx,A1,G\n",
                                          partnership=DEMO, cycle="2025-26")[0][2]
    assert "neither an organisation column" in _refused(seeded_engine, b"foo,bar\n1,2\n")[0][2]
    message = _refused(seeded_engine, b"organisation,Q77\nx,G\n", partnership=DEMO, cycle="2025-26")[0][2]
    assert "'Q77' is not a question of" in message


def test_binary_and_empty_files_are_refused_through_the_importer(seeded_engine: Engine) -> None:
    assert "empty" in _refused(seeded_engine, b"")[0][2]
    assert "not a text file" in _refused(seeded_engine, bytes(range(256)) * 4)[0][2]
    assert "no rows" in _refused(seeded_engine, b"organisation,question,rating\r\n")[0][2]
