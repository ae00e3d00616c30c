"""Importing returns: the one importer behind the upload page and `s11 import` (DESIGN §3–4).

    result = import_file(engine, scope, data, "returns.csv", partnership="North Somerset", cycle="2023-24",
                         dry_run=True)
    result.as_json()   # {"ok", "rows", "imported", "errors", "warnings"} exactly as DESIGN §3

How a file is read (`s11data.returns.return_file`): CSV (UTF-8 with or without BOM, UTF-16, Windows-1252 with a warning;
comma, semicolon, tab or bar, chosen by which split finds the known column names) or XLSX (the first sheet with a
recognisable header). Row numbers are the spreadsheet's: header = row 1.

Two layouts:
- **long** — one row per organisation × question: `partnership, cycle, organisation, question, rating, evidence`
  and optional `moderated_rating, completed_by, submitted_on` (header spellings such as "Organisation name",
  "Question code", "RAG" are accepted; see `return_file.LONG_COLUMNS`).
- **wide** — one row per organisation, one column per question code, as survey tools export it. A column is a
  question when its header starts with a code of the cycle ("A1", "Q1", "A1. There is a named lead…"); the
  evidence for it is a column "A1 evidence" (or "A1 comments"), a moderated grade "A1 moderated". Other columns
  (partnership, cycle, organisation, completed_by, submitted_on) are as in the long form.

`partnership` and `cycle` may be left out of the file and given by the caller (`--partnership/--cycle`, or the
page's choice); a row naming a different one is refused. A caller whose scope holds one partnership need not name
it. Grades are read only by `s11data.returns.ratings.parse_grade`, by the cycle's scale; a blank grade is "Not rated";
an organisation with no grade and no evidence anywhere in the file is skipped (so a half-filled template imports
the returns it holds). A question of the cycle that a return leaves out is a warning: shown as not answered.

Nothing half-written: every row is checked first; any error refuses the whole file and changes nothing. An
accepted file is written in one transaction (SQLite `BEGIN IMMEDIATE`; PostgreSQL locks the cycles involved so
two imports at once queue), and the comparison with the current returns is made inside that transaction.
For each organisation and cycle in the file:
- no current return → a new return (version 1);
- the same ratings (grade, moderated grade and evidence; "3" and "Green" are the same grade) and details →
  unchanged, nothing written — so the same file twice, or an export imported back, changes nothing;
- otherwise → a corrected return: a new version becomes current, the earlier one is kept as history. Ratings the
  file leaves unchanged are copied as they were; ratings the current return has and the file leaves out are
  "not answered" in the new version (reported as removed). A column the file does not have at all (evidence,
  moderated_rating, completed_by, submitted_on) keeps what the current return holds: it is never wiped.

`imported` = the number of ratings written as new or changed (ratings copied unchanged into a corrected return
are not counted). With `dry_run` it is the number that would be written. An import that writes something
records an `Upload` (who, when, file name, SHA-256, rows, what changed) and an audit line; an import that finds
nothing to change writes nothing at all.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine, func, insert, or_, select, update
from sqlalchemy.orm import Session

from s11data.store import audit, db
from s11data.store.models import (
    AuditReturn,
    Cycle,
    Engagement,
    Invitation,
    Organisation,
    Partnership,
    Question,
    Rag,
    Rating,
    Scale,
    Upload,
)
from s11data.returns.return_file import FileRefused, Problem, read_table
from s11data.returns.return_rows import Answer, Graded, ReturnIn, read_returns, text_of
from s11data.store.scope import Scope, in_scope

MAX_PROBLEMS = 1000
"""Errors and warnings listed per file; more are summed up in one last line."""


# --- what the database holds and what will change ------------------------------------------------------

@dataclass
class StoredRating:
    question_id: int
    raw_value: str
    scale: Scale
    rag: Rag | None
    moderated_raw: str
    moderated_rag: Rag | None
    evidence: str
    source: str
    note: str

    @property
    def graded(self) -> Graded:
        return Graded(self.rag, self.moderated_rag, self.evidence)


@dataclass
class StoredReturn:
    id: int
    version: int
    completed_by: str
    submitted_on: dt.date | None
    ratings: dict[int, StoredRating] = field(default_factory=dict)


CHANGE_COLUMNS = ["partnership", "cycle", "organisation", "question", "change", "was", "now", "what changed", "row"]


@dataclass
class ReturnPlan:
    """One return of the file compared with the current one."""

    incoming: ReturnIn
    current: StoredReturn | None
    counts: Counter[str] = field(default_factory=Counter)
    changes: list[list[object]] = field(default_factory=list)
    details: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.current is None:
            return "new return"
        if self.counts["new"] or self.counts["changed"] or self.counts["removed"] or self.details:
            return "corrected return"
        return "unchanged"


def _plan(incoming: ReturnIn, current: StoredReturn | None) -> ReturnPlan:
    plan = ReturnPlan(incoming, current)
    cycle = incoming.cycle
    for qid, answer in incoming.answers.items():
        code = cycle.codes[qid]
        old = current.ratings.get(qid) if current else None
        if old is None:
            plan.counts["new"] += 1
            plan.changes.append(_change(incoming, code, "new", "", answer.graded.describe(), "", answer.row))
            continue
        now = answer.against(old.graded)
        what = now.differences(old.graded, blank_grade=not answer.grade.raw)
        if what:
            plan.counts["changed"] += 1
            plan.changes.append(_change(incoming, code, "changed", old.graded.describe(), now.describe(),
                                        ", ".join(what), answer.row))
        else:
            plan.counts["unchanged"] += 1
    for qid, old in (current.ratings.items() if current else ()):
        if qid not in incoming.answers:
            plan.counts["removed"] += 1
            plan.changes.append(_change(incoming, cycle.codes.get(qid, "?"), "not answered now",
                                        old.graded.describe(), "not answered", "", incoming.first_row))
    if current is not None:
        if incoming.completed_by is not None and text_of(incoming.completed_by) != text_of(current.completed_by):
            plan.details.append("completed by")
        if incoming.has_submitted_on and incoming.submitted_on != current.submitted_on:
            plan.details.append("submitted on")
    return plan


def _change(incoming: ReturnIn, code: str, change: str, was: str, now: str, what: str, row: int) -> list[object]:
    return [incoming.cycle.partnership, incoming.cycle.label, incoming.organisation, code, change, was, now, what,
            row]


# --- the result -------------------------------------------------------------------------------------

@dataclass
class ImportResult:
    """What an import found and did. `as_json()` is the contract of DESIGN §3."""

    filename: str
    sha256: str
    dry_run: bool
    rows: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    plans: list[ReturnPlan] = field(default_factory=list)
    invitations_marked: int = 0
    committed: bool = False
    upload_id: int | None = None
    same_as: str = ""
    """When nothing changes and this exact file was imported before: which upload that was."""

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def imported(self) -> int:
        """Ratings written (or, in a dry run, to be written) as new or changed."""
        if not self.ok:
            return 0
        return sum(p.counts["new"] + p.counts["changed"] for p in self.plans)

    def rating_counts(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for plan in self.plans:
            total.update(plan.counts)
        return total

    def return_counts(self) -> Counter[str]:
        return Counter(p.status for p in self.plans)

    def as_json(self) -> dict[str, object]:
        return {"ok": self.ok, "rows": self.rows, "imported": self.imported,
                "errors": [p.as_json() for p in self.errors], "warnings": [p.as_json() for p in self.warnings]}

    def summary(self) -> str:
        """One line a business manager reads after an import or a check."""
        if not self.ok:
            return f"Refused: {counted(len(self.errors), 'problem')} to fix in '{self.filename}'; nothing was changed."
        returns, ratings = self.return_counts(), self.rating_counts()
        if not self.plans:
            return "Nothing to import: every organisation's rows in the file are empty."
        if not returns["new return"] and not returns["corrected return"]:
            again = f" This file was already imported ({self.same_as})." if self.same_as else ""
            return (f"Nothing to change: the {counted(len(self.plans), 'return')} in the file "
                    f"{'is' if len(self.plans) == 1 else 'are'} already as it says.{again}")
        verb = "Would import" if self.dry_run or not self.committed else "Imported"
        detail = ", ".join(f"{ratings[key]} {label}" for key, label in (("new", "new"), ("changed", "changed"),
                           ("removed", "no longer answered")) if ratings[key])
        if ratings["unchanged"]:
            detail += f"; {ratings['unchanged']} unchanged"
        where = ", ".join(counted(returns[key], label, plural) for key, label, plural in (
            ("new return", "new return", "new returns"), ("corrected return", "corrected return",
                                                         "corrected returns")) if returns[key])
        line = f"{verb} {counted(self.imported, 'rating')} ({detail}) in {where}."
        if returns["unchanged"]:
            line += f" {counted(returns['unchanged'], 'return')} unchanged."
        if self.invitations_marked:
            line += f" {counted(self.invitations_marked, 'invitation')} marked as submitted."
        if self.upload_id:
            line += f" Upload #{self.upload_id}."
        return line

    def returns_frame(self) -> pd.DataFrame:
        """Per return: what the import does to it."""
        rows = [[p.incoming.cycle.partnership, p.incoming.cycle.label, p.incoming.organisation, p.incoming.first_row,
                 p.status, p.counts["new"], p.counts["changed"], p.counts["unchanged"], p.counts["removed"],
                 ", ".join(p.details)] for p in self.plans]
        return pd.DataFrame(rows, columns=["partnership", "cycle", "organisation", "first row", "what happens",
                                           "new", "changed", "unchanged", "no longer answered", "details changed"])

    def changes_frame(self) -> pd.DataFrame:
        """Every rating that is new, changed or no longer answered."""
        return pd.DataFrame([c for p in self.plans for c in p.changes], columns=CHANGE_COLUMNS)

    def problems_frame(self) -> pd.DataFrame:
        """Errors then warnings, each at its row and column, with the fix on its own."""
        rows = [["error", p.row, p.column or "", p.message, p.fix] for p in self.errors]
        rows += [["warning", p.row, p.column or "", p.message, p.fix] for p in self.warnings]
        frame = pd.DataFrame(rows, columns=["kind", "row", "column", "problem", "how to fix"])
        frame["row"] = frame["row"].astype("Int64")
        return frame


def counted(count: int, word: str, plural: str = "") -> str:
    """'1 rating', '14 ratings'."""
    return f"{count} {word if count == 1 else plural or word + 's'}"


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- the importer -----------------------------------------------------------------------------------

def import_file(engine: Engine, scope: Scope, data: bytes, filename: str, partnership: str | None = None,
                cycle: str | None = None, dry_run: bool = False) -> ImportResult:
    """Check a return file and, unless `dry_run` or refused, commit it in one transaction."""
    result = ImportResult(filename=filename, sha256=sha256_of(data), dry_run=dry_run)
    if not scope.can("import"):
        result.errors.append(Problem(None, None, f"Your role ({scope.role.value}) cannot import returns",
                                     "Ask a business manager or an admin to upload the file"))
        return result
    try:
        table = read_table(data, filename)
    except FileRefused as refused:
        result.errors.extend(refused.problems)
        return result
    result.rows = len(table.rows)
    result.warnings.extend(table.notes)
    result.errors.extend(table.problems)
    session_of = db.read_session if dry_run else db.write_session
    with session_of(engine) as session:
        returns, errors, warnings = read_returns(session, scope, table, partnership, cycle)
        result.errors.extend(errors)
        result.warnings.extend(warnings)
        if not result.ok:
            return _capped(result)
        if not dry_run:
            _lock(session, {r.cycle.id for r in returns})
        current = _current_returns(session, [r.key for r in returns])
        result.plans = [_plan(r, current.get(r.key)) for r in returns]
        result.invitations_marked = len(_invitations_to_mark(session, result.plans))
        if any(p.status != "unchanged" for p in result.plans):
            if not dry_run:
                _write(session, scope, result)
        else:
            result.same_as = _earlier_upload(session, result.sha256)
    return _capped(result)


def check_file(engine: Engine, scope: Scope, data: bytes, filename: str, partnership: str | None = None,
               cycle: str | None = None) -> ImportResult:
    """The dry run the page shows before committing: every problem and every change, nothing written."""
    return import_file(engine, scope, data, filename, partnership, cycle, dry_run=True)


def _capped(result: ImportResult) -> ImportResult:
    for name in ("errors", "warnings"):
        problems: list[Problem] = getattr(result, name)
        if len(problems) > MAX_PROBLEMS:
            more = len(problems) - MAX_PROBLEMS
            setattr(result, name, problems[:MAX_PROBLEMS] + [Problem(None, None, f"… and {more} more {name}")])
    return result


# --- comparing with and writing to the database ---------------------------------------------------------

def _lock(session: Session, cycle_ids: Iterable[int]) -> None:
    """On PostgreSQL, imports touching the same cycles queue here (SQLite's BEGIN IMMEDIATE already queues)."""
    ids = sorted(cycle_ids)
    if ids and not db.is_sqlite(session.get_bind()):
        session.execute(select(Cycle.id).where(Cycle.id.in_(ids)).order_by(Cycle.id).with_for_update())


def _chunks(items: list, size: int = 500) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _current_returns(session: Session, keys: list[tuple[int, int]]) -> dict[tuple[int, int], StoredReturn]:
    """The current return (with its ratings) of each organisation and cycle, in two queries per 500 keys."""
    wanted = set(keys)
    found: dict[tuple[int, int], StoredReturn] = {}
    by_id: dict[int, StoredReturn] = {}
    for chunk in _chunks(sorted(wanted)):
        stmt = (select(AuditReturn.id, AuditReturn.cycle_id, AuditReturn.organisation_id, AuditReturn.version,
                       AuditReturn.completed_by, AuditReturn.submitted_on)
                .where(AuditReturn.is_current.is_(True),
                       AuditReturn.cycle_id.in_({c for c, _ in chunk}),
                       AuditReturn.organisation_id.in_({o for _, o in chunk})))
        for rid, cycle_id, org_id, version, completed_by, submitted_on in session.execute(stmt):
            if (cycle_id, org_id) in wanted:
                stored = StoredReturn(rid, version, completed_by or "", submitted_on)
                found[(cycle_id, org_id)] = by_id[rid] = stored
    _load_ratings(session, by_id)
    return found


def _invitations_to_mark(session: Session, plans: list[ReturnPlan]) -> list[tuple[int, Engagement]]:
    """Invitations still 'invited' whose organisation's first return this file brings: (id, new status)."""
    new = {p.incoming.key: p.incoming for p in plans if p.status == "new return"}
    if not new:
        return []
    marked = []
    for chunk in _chunks(sorted(new)):
        stmt = (select(Invitation.id, Invitation.cycle_id, Invitation.organisation_id)
                .where(Invitation.status == Engagement.INVITED,
                       Invitation.cycle_id.in_({c for c, _ in chunk}),
                       Invitation.organisation_id.in_({o for _, o in chunk})))
        for iid, cycle_id, org_id in session.execute(stmt):
            incoming = new.get((cycle_id, org_id))
            if incoming is None:
                continue
            due, on = incoming.cycle.returns_due, incoming.submitted_on
            marked.append((iid, Engagement.LATE if due and on and on > due else Engagement.SUBMITTED))
    return marked


def _earlier_upload(session: Session, sha256: str) -> str:
    found = session.execute(select(Upload.id, Upload.uploaded_by, Upload.uploaded_at).where(Upload.sha256 == sha256)
                            .order_by(Upload.id.desc()).limit(1)).first()
    if found is None:
        return ""
    return f"upload #{found.id} by {found.uploaded_by} on {found.uploaded_at:%Y-%m-%d %H:%M}"


def _only(values: set[int]) -> int | None:
    return next(iter(values)) if len(values) == 1 else None


def _write(session: Session, scope: Scope, result: ImportResult) -> None:
    """Write every changed return as a new current version, in the caller's transaction."""
    plans = [p for p in result.plans if p.status != "unchanged"]
    partnership_id = _only({p.incoming.cycle.partnership_id for p in result.plans})
    upload = Upload(uploaded_by=scope.username[:100], filename=result.filename[:300], sha256=result.sha256,
                    rows=result.rows, imported=result.imported, partnership_id=partnership_id,
                    cycle_id=_only({p.incoming.cycle.id for p in result.plans}))
    session.add(upload)
    session.flush()
    result.committed, result.upload_id = True, upload.id
    source = f"upload #{upload.id}: {result.filename}"
    versions = _latest_versions(session, [p.incoming.key for p in plans if p.current is not None])
    retired = [p.current.id for p in plans if p.current is not None]
    for chunk in _chunks(retired):
        session.execute(update(AuditReturn).where(AuditReturn.id.in_(chunk)).values(is_current=False),
                        execution_options={"synchronize_session": False})
    rows = [_return_row(p, versions, upload.id, source) for p in plans]
    returns = AuditReturn.__table__  # Core inserts: the fast bulk path (ids back in the rows' order)
    ids = session.execute(insert(returns).returning(returns.c.id, sort_by_parameter_order=True), rows).scalars().all()
    ratings = [_rating_row(rid, p, a, source) for rid, p in zip(ids, plans) for a in p.incoming.answers.values()]
    db.insert_rows(session.connection(), Rating.__table__, ratings)
    marked = _invitations_to_mark(session, result.plans)
    for status in {status for _, status in marked}:
        for chunk in _chunks(sorted(iid for iid, s in marked if s == status)):
            session.execute(update(Invitation).where(Invitation.id.in_(chunk)).values(status=status),
                            execution_options={"synchronize_session": False})
    result.invitations_marked = len(marked)
    upload.summary = json.dumps(_summary_record(result), sort_keys=True)
    audit.record(session, scope, "import", f"{result.filename} (sha256 {result.sha256[:12]}): {result.summary()}",
                 partnership_id=partnership_id)


def _latest_versions(session: Session, keys: list[tuple[int, int]]) -> dict[tuple[int, int], int]:
    wanted, found = set(keys), {}
    for chunk in _chunks(sorted(wanted)):
        stmt = (select(AuditReturn.cycle_id, AuditReturn.organisation_id, func.max(AuditReturn.version))
                .where(AuditReturn.cycle_id.in_({c for c, _ in chunk}),
                       AuditReturn.organisation_id.in_({o for _, o in chunk}))
                .group_by(AuditReturn.cycle_id, AuditReturn.organisation_id))
        for cycle_id, org_id, version in session.execute(stmt):
            if (cycle_id, org_id) in wanted:
                found[(cycle_id, org_id)] = version
    return found


def _return_row(plan: ReturnPlan, versions: dict[tuple[int, int], int], upload_id: int, source: str) -> dict:
    incoming, current = plan.incoming, plan.current
    completed_by = incoming.completed_by if incoming.completed_by is not None else (
        current.completed_by if current else "")
    submitted_on = incoming.submitted_on if incoming.has_submitted_on else (
        current.submitted_on if current else None)
    return {"cycle_id": incoming.cycle.id, "organisation_id": incoming.organisation_id,
            "version": versions.get(incoming.key, 0) + 1, "is_current": True,
            "completed_by": (completed_by or "")[:200], "submitted_on": submitted_on, "upload_id": upload_id,
            "source": source}


def _rating_row(return_id: int, plan: ReturnPlan, answer: Answer, source: str) -> dict:
    old = plan.current.ratings.get(answer.question_id) if plan.current else None
    if old is not None and not answer.against(old.graded).differences(old.graded, blank_grade=not answer.grade.raw):
        return {"return_id": return_id, "question_id": answer.question_id, "raw_value": old.raw_value,
                "scale": old.scale, "rag": old.rag, "moderated_raw": old.moderated_raw,
                "moderated_rag": old.moderated_rag, "evidence": old.evidence, "source": old.source, "note": old.note}
    grade, moderated = answer.grade, answer.moderated
    row = {"return_id": return_id, "question_id": answer.question_id, "raw_value": grade.raw[:100],
           "scale": grade.scale if grade.raw else plan.incoming.cycle.scale, "rag": grade.rag,
           "moderated_raw": moderated.raw[:100] if moderated else "",
           "moderated_rag": moderated.rag if moderated else None, "evidence": answer.evidence,
           "source": f"{source} row {answer.row}", "note": grade.note if grade.raw else ""}
    if old is not None and not answer.grade_given:  # the file has no grade column (evidence only): keep the grade
        row.update(raw_value=old.raw_value, scale=old.scale, rag=old.rag, note=old.note)
    if old is not None and not answer.moderated_given:  # the file has no moderated column: keep the panel's
        row["moderated_raw"], row["moderated_rag"] = old.moderated_raw, old.moderated_rag
    if old is not None and not answer.evidence_given:
        row["evidence"] = old.evidence
    return row


def _summary_record(result: ImportResult) -> dict[str, object]:
    return {"returns": dict(result.return_counts()), "ratings": dict(result.rating_counts()),
            "invitations_marked": result.invitations_marked, "warnings": len(result.warnings),
            "cycles": sorted({p.incoming.cycle.name for p in result.plans}), "summary": result.summary()}


# --- upload history ---------------------------------------------------------------------------------

UPLOAD_COLUMNS = ["upload", "when", "who", "file", "sha256", "rows", "imported", "partnership", "cycle", "summary"]


def _upload_visible(scope: Scope):  # type: ignore[no-untyped-def]
    """Uploads for the caller's partnerships (a file spanning several shows if one of them is the caller's)."""
    if scope.everything:
        return Upload.id.is_not(None)
    mine = (select(AuditReturn.upload_id).join(Cycle, Cycle.id == AuditReturn.cycle_id)
            .where(in_scope(Cycle.partnership_id, scope)))
    return or_(in_scope(Upload.partnership_id, scope), Upload.id.in_(mine))


def uploads(session: Session, scope: Scope, limit: int = 200) -> pd.DataFrame:
    """The upload history, newest first: who, when, file name and hash, rows, ratings imported."""
    if not scope.can("import"):
        return pd.DataFrame(columns=UPLOAD_COLUMNS)
    stmt = (select(Upload.id, Upload.uploaded_at, Upload.uploaded_by, Upload.filename, Upload.sha256, Upload.rows,
                   Upload.imported, Partnership.name, Cycle.label, Upload.summary)
            .outerjoin(Partnership, Partnership.id == Upload.partnership_id)
            .outerjoin(Cycle, Cycle.id == Upload.cycle_id)
            .where(_upload_visible(scope)).order_by(Upload.id.desc()).limit(limit))
    rows = []
    for uid, at, who, name, sha, count, imported, partnership, cycle, summary in session.execute(stmt):
        try:
            line = json.loads(summary or "{}").get("summary", "")
        except ValueError:
            line = summary
        rows.append([uid, at, who, name, sha, count, imported, partnership or "several", cycle or "several", line])
    return pd.DataFrame(rows, columns=UPLOAD_COLUMNS)


def upload_changes(session: Session, scope: Scope, upload_id: int) -> pd.DataFrame:
    """What one upload changed: each rating new, changed or no longer answered, against the version it replaced."""
    made = session.execute(
        select(AuditReturn.id, AuditReturn.cycle_id, AuditReturn.organisation_id, AuditReturn.version,
               Partnership.name, Cycle.label, Organisation.name)
        .join(Cycle, Cycle.id == AuditReturn.cycle_id).join(Partnership, Partnership.id == Cycle.partnership_id)
        .join(Organisation, Organisation.id == AuditReturn.organisation_id)
        .where(AuditReturn.upload_id == upload_id, in_scope(Cycle.partnership_id, scope))
        .order_by(Partnership.name, Cycle.label, Organisation.name)).all()
    if not made:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    previous = _previous_versions(session, [(r.cycle_id, r.organisation_id, r.version) for r in made])
    stored = _stored_by_id(session, [r.id for r in made] + [p for p in previous.values() if p])
    codes = dict(session.execute(select(Question.id, Question.code)
                                 .where(Question.cycle_id.in_({r.cycle_id for r in made}))).all())
    changes = []
    for rid, cycle_id, org_id, version, partnership, label, organisation in made:
        now, was = stored[rid], stored.get(previous.get((cycle_id, org_id, version)) or -1)
        for qid in sorted(set(now.ratings) | set(was.ratings if was else ()), key=lambda q: codes.get(q, "")):
            new, old = now.ratings.get(qid), was.ratings.get(qid) if was else None
            code = codes.get(qid, "?")
            if old is None and new is not None:
                changes.append([partnership, label, organisation, code, "new", "", new.graded.describe(), "", None])
            elif new is None and old is not None:
                changes.append([partnership, label, organisation, code, "not answered now", old.graded.describe(),
                                "not answered", "", None])
            elif new is not None and old is not None and (what := new.graded.differences(old.graded)):
                changes.append([partnership, label, organisation, code, "changed", old.graded.describe(),
                                new.graded.describe(), ", ".join(what), None])
    return pd.DataFrame(changes, columns=CHANGE_COLUMNS).drop(columns=["row"])


def _previous_versions(session: Session, keys: list[tuple[int, int, int]]) -> dict[tuple[int, int, int], int | None]:
    """For each (cycle, organisation, version): the id of the version it replaced, if any."""
    pairs = {(c, o) for c, o, _ in keys}
    stmt = (select(AuditReturn.id, AuditReturn.cycle_id, AuditReturn.organisation_id, AuditReturn.version)
            .where(AuditReturn.cycle_id.in_({c for c, _ in pairs}),
                   AuditReturn.organisation_id.in_({o for _, o in pairs})))
    versions: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for rid, cycle_id, org_id, version in session.execute(stmt):
        versions[(cycle_id, org_id)].append((version, rid))
    found: dict[tuple[int, int, int], int | None] = {}
    for cycle_id, org_id, version in keys:
        earlier = [v for v in versions[(cycle_id, org_id)] if v[0] < version]
        found[(cycle_id, org_id, version)] = max(earlier)[1] if earlier else None
    return found


def _stored_by_id(session: Session, ids: list[int]) -> dict[int, StoredReturn]:
    found = {rid: StoredReturn(rid, 0, "", None) for rid in ids}
    _load_ratings(session, found)
    return found


def _load_ratings(session: Session, returns: dict[int, StoredReturn]) -> None:
    """Fill each stored return's ratings, a thousand returns per query."""
    for chunk in _chunks(sorted(returns), 1000):
        stmt = select(Rating.return_id, Rating.question_id, Rating.raw_value, Rating.scale, Rating.rag,
                      Rating.moderated_raw, Rating.moderated_rag, Rating.evidence, Rating.source,
                      Rating.note).where(Rating.return_id.in_(chunk))
        for rid, *values in session.execute(stmt):
            returns[rid].ratings[values[0]] = StoredRating(*values)
