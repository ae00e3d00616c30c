"""Turning the rows of a return file into returns: names resolved, grades read, every row checked.

`read_returns(session, scope, table, partnership, cycle)` gives one `ReturnIn` per organisation and cycle of the
file, and the errors and warnings found on the way, each at its spreadsheet row and column with a fix. Each
distinct name (partnership, cycle, organisation, question) and grade is resolved once, so a 10,000-row file costs
a handful of queries. A problem that repeats (an unknown organisation on 500 rows) is listed once, with a count.

Layouts (see `s11data.returns.importer` for the whole contract): long (a `question` column) or wide (one column per
question code; "A1 evidence" / "A1 comments" hold the evidence, "A1 moderated" a moderated grade).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from s11data.store.errors import UserError
from s11data.store.lookup import find_cycle, normalise, organisation_index, suggest
from s11data.store.models import (
    Cycle,
    Invitation,
    Organisation,
    OrganisationAlias,
    Partnership,
    PartnershipAlias,
    Question,
    Rag,
    Scale,
)
from s11data.returns.ratings import Grade, GradeError, parse_grade
from s11data.returns.return_file import LONG_COLUMNS, Problem, Table, column_role, header_key, looks_like_question
from s11data.store.scope import Scope
from s11data.returns.ratings import NOT_PUBLISHED

_EVIDENCE_WORDS = ("evidence", "comment", "comments", "notes", "narrative", "explanation")
_MODERATED_WORDS = ("moderated", "panel", "agreed")


# --- what a file says -------------------------------------------------------------------------------

@dataclass(frozen=True)
class CycleInfo:
    """A cycle the file names, with its questions and invited organisations (loaded once per import)."""

    id: int
    partnership_id: int
    partnership: str
    label: str
    scale: Scale
    returns_due: dt.date | None
    codes: dict[int, str]
    """Question id → code, in framework order."""
    invited: frozenset[int]

    @property
    def name(self) -> str:
        return f"{self.partnership} {self.label}"

    def question(self, text: str) -> tuple[int, str] | None:
        """The question a cell or header names ("A1", "q1", "A1. There is…", "A1 evidence") and the words after
        its code; the longest matching code wins ("A10" over "A1")."""
        for variant in _code_variants(header_key(text)):
            best: tuple[int, str] | None = None
            for qid, code in self.codes.items():
                for key in _code_variants(code.lower()):
                    if _starts_with_code(variant, key) and (best is None or len(key) > len(best[1])):
                        best = (qid, key)
            if best is not None:
                return best[0], variant[len(best[1]):].strip(" .:-)_–")
        return None


def _code_variants(text: str) -> list[str]:
    """A code as written and without a leading "Q" / "Question" ("Q1" also matches "1")."""
    bare = re.sub(r"^(?:question|q)\s*(?=\d)", "", text)
    return [text] if bare == text else [text, bare]


def _starts_with_code(text: str, code: str) -> bool:
    if not code or not text.startswith(code):
        return False
    rest = text[len(code):]
    return not rest or not (rest[0].isalnum() or (rest[0] == "." and rest[1:2].isdigit()))


@dataclass(frozen=True)
class Graded:
    """What a rating says, for comparing a file with the database."""

    rag: Rag | None
    moderated: Rag | None
    evidence: str

    def differences(self, old: Graded, blank_grade: bool = False) -> list[str]:
        """What differs from `old`. A blank grade in a file matches a stored rating with no grade."""
        what = []
        if self.rag != old.rag and not (blank_grade and old.rag is None):
            what.append("rating")
        if self.moderated != old.moderated:
            what.append("moderated rating")
        if text_of(self.evidence) != text_of(old.evidence):
            what.append("evidence")
        return what

    def describe(self) -> str:
        text = self.rag.value if self.rag else "grade not published"
        return text + (f" (moderated {self.moderated.value})" if self.moderated else "")


def text_of(value: str | None) -> str:
    return (value or "").replace("\r\n", "\n").strip()


@dataclass
class Answer:
    """One rating as the file gives it."""

    row: int
    column: str
    question_id: int
    grade: Grade
    moderated: Grade | None
    evidence: str
    moderated_given: bool = True
    evidence_given: bool = True
    grade_given: bool = True
    """False when the file has no such column (a wide file may carry only 'A1 evidence'): what the database
    holds is kept, not wiped."""

    @property
    def graded(self) -> Graded:
        return Graded(self.grade.rag, self.moderated.rag if self.moderated else None, self.evidence)

    def against(self, old: Graded | None) -> Graded:
        """What this answer makes of a stored rating: columns the file lacks keep the stored values."""
        graded = self.graded
        if old is None:
            return graded
        return Graded(graded.rag if self.grade_given else old.rag,
                      graded.moderated if self.moderated_given else old.moderated,
                      graded.evidence if self.evidence_given else old.evidence)

    @property
    def empty(self) -> bool:
        return not self.grade.raw and self.moderated is None and not self.evidence


@dataclass
class ReturnIn:
    """One organisation's return for one cycle, as the file gives it."""

    cycle: CycleInfo
    organisation_id: int
    organisation: str
    first_row: int
    answers: dict[int, Answer] = field(default_factory=dict)
    completed_by: str | None = None
    """None when the file has no such column (the current value is kept)."""
    submitted_on: dt.date | None = None
    has_submitted_on: bool = False

    @property
    def key(self) -> tuple[int, int]:
        return self.cycle.id, self.organisation_id


class _Problems:
    """Problems gathered while reading; one that repeats (an unknown name on 500 rows) is listed once."""

    def __init__(self) -> None:
        self._items: list[Problem | list] = []
        self._repeats: dict[tuple, list] = {}

    def add(self, row: int | None, column: str | None, message: str, fix: str = "", key: tuple | None = None,
            ) -> None:
        if key is None:
            self._items.append(Problem(row, column, message, fix))
        elif key in self._repeats:
            self._repeats[key][4] += 1
        else:
            entry = [row, column, message, fix, 0]
            self._repeats[key] = entry
            self._items.append(entry)

    def has(self, key: tuple) -> bool:
        return key in self._repeats

    def problems(self) -> list[Problem]:
        out = []
        for item in self._items:
            if isinstance(item, Problem):
                out.append(item)
            else:
                row, column, message, fix, more = item
                tail = f" (and {more} more row{'s' * (more != 1)})" if more else ""
                out.append(Problem(row, column, message + tail, fix))
        return out

    def __bool__(self) -> bool:
        return bool(self._items)



# --- reading rows into returns ------------------------------------------------------------------------

def read_returns(session: Session, scope: Scope, table: Table, partnership: str | None = None,
                 cycle: str | None = None) -> tuple[list[ReturnIn], list[Problem], list[Problem]]:
    """The returns a table holds, with the errors and warnings found. `partnership` / `cycle` apply to rows
    that do not name one (and rows naming another are refused)."""
    reader = _Reader(session, scope, table, partnership, cycle)
    returns = reader.returns()
    return returns, reader.errors.problems(), reader.warnings.problems()


class _Reader:
    """Turns the rows of a table into returns, resolving each distinct name once."""

    def __init__(self, session: Session, scope: Scope, table: Table, partnership: str | None,
                 cycle: str | None) -> None:
        self.s, self.scope, self.table = session, scope, table
        self.errors, self.warnings = _Problems(), _Problems()
        self._partnerships = _partnership_index(session)
        self._organisations = organisation_index(session)
        self._organisation_names: dict[str, Organisation] | None = None
        self._organisation_of: dict[str, Organisation | None] = {}
        self._dates: dict[str, dt.date | None] = {}
        self._resolved: dict[tuple[str, str], CycleInfo] = {}
        self._partnership_of: dict[str, tuple[Partnership | None, str, str]] = {}
        self._cycles: dict[tuple[int, str], CycleInfo | str] = {}
        self._questions: dict[tuple[int, str], int | None] = {}
        self._grades: dict[tuple[str, Scale], Grade | str] = {}
        self._wide: dict[int, _WideColumns] = {}
        self.returns_by_key: dict[tuple[int, int], ReturnIn] = {}
        self.chosen_partnership_unknown = False
        self.columns = self._columns()
        self.default_partnership = self._default_partnership(partnership)
        self.default_cycle = (cycle or "").strip()

    # -- columns ------------------------------------------------------------------------------------
    def _columns(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for index, header in enumerate(self.table.header):
            role = column_role(header) if header else None
            if role is None:
                continue
            if role in found and role != "question_text":
                first = self.table.header[found[role]]
                self.errors.add(self.table.header_row, header, f"Two columns hold the {_label(role)}: "
                                f"'{first}' and '{header}'", "Delete or rename one of them")
                continue
            found.setdefault(role, index)
        return found

    @property
    def layout(self) -> str:
        return "long" if "question" in self.columns else "wide"

    def header(self, role: str) -> str:
        return self.table.header[self.columns[role]] if role in self.columns else role

    # -- partnership and cycle ----------------------------------------------------------------------
    def _default_partnership(self, name: str | None) -> Partnership | None:
        if name and name.strip():
            found = self._partnership(name.strip(), None, "partnership")
            self.chosen_partnership_unknown = found is None
            return found
        if len(self.scope.partnership_ids) == 1 and not self.scope.everything:
            return self.s.get(Partnership, next(iter(self.scope.partnership_ids)))
        return None

    def _partnership(self, text: str, row: int | None, column: str) -> Partnership | None:
        if text not in self._partnership_of:
            self._partnership_of[text] = self._find_partnership(text)
        found, message, fix = self._partnership_of[text]
        if found is None:
            self.errors.add(row, column, message, fix, key=("partnership", text))
        return found

    def _find_partnership(self, text: str) -> tuple[Partnership | None, str, str]:
        found = self._partnerships.get(normalise(text))
        yours = sorted({p.name for p in self._partnerships.values() if self.scope.can_read(p.id)})
        if found is None:
            close = suggest(text, yours)
            hint = f"Did you mean '{close[0]}'? " if close else ""
            return None, f"Unknown partnership '{text}'", hint + "Use one of: " + ", ".join(yours)
        if not self.scope.can_read(found.id):
            return (None, f"The partnership '{found.name}' is not one of yours",
                    "You can import returns only for: " + (", ".join(yours) or "none"))
        return found, "", ""

    def _row_partnership(self, row: int, cells: list[str]) -> Partnership | None:
        text = cells[self.columns["partnership"]] if "partnership" in self.columns else ""
        default = self.default_partnership
        if not text:
            if default is None and not self.chosen_partnership_unknown:
                self.errors.add(row, self.header("partnership"), "No partnership is given for this row",
                                "Add a 'partnership' column, or choose the partnership (--partnership NAME)",
                                key=("no partnership",))
            return default
        found = self._partnership(text, row, self.header("partnership"))
        if found is not None and default is not None and found.id != default.id:
            self.errors.add(row, self.header("partnership"),
                            f"This row is for '{found.name}' but the import is for '{default.name}'",
                            "Remove the row, or choose that partnership instead", key=("other partnership", text))
            return None
        return found

    def _row_cycle(self, row: int, cells: list[str], partnership: Partnership) -> CycleInfo | None:
        text = cells[self.columns["cycle"]] if "cycle" in self.columns else ""
        column = self.header("cycle")
        if not text and not self.default_cycle:
            self.errors.add(row, column, "No cycle is given for this row",
                            "Add a 'cycle' column (e.g. 2023-24), or choose the cycle (--cycle LABEL)",
                            key=("no cycle",))
            return None
        found = self._cycle(partnership, text or self.default_cycle, row if text else None, column)
        if found is not None and text and self.default_cycle:
            chosen = self._cycle(partnership, self.default_cycle, None, "cycle")
            if chosen is not None and chosen.id != found.id:
                self.errors.add(row, column, f"This row is for cycle {found.label} but the import is for "
                                f"{chosen.label}", "Remove the row, or choose that cycle instead",
                                key=("other cycle", found.id))
                return None
        return found

    def _cycle(self, partnership: Partnership, label: str, row: int | None, column: str) -> CycleInfo | None:
        key = (partnership.id, label)
        if key not in self._cycles:
            try:
                cycle = find_cycle(self.s, partnership, label)
                self._cycles[key] = _cycle_info(self.s, partnership, cycle)
            except UserError as exc:
                self._cycles[key] = str(exc)
        found = self._cycles[key]
        if isinstance(found, str):
            message, _, known = found.partition("; ")
            self.errors.add(row, column, message[0].upper() + message[1:],
                            f"Use one of its cycles: {known.partition(': ')[2]}" if known else "",
                            key=("cycle", key))
            return None
        return found

    # -- organisation and question -----------------------------------------------------------------
    def _organisation(self, text: str, row: int, cycle: CycleInfo) -> Organisation | None:
        column = self.header("organisation")
        if not text:
            self.errors.add(row, column, "The organisation is blank", "Write the organisation's name")
            return None
        if text not in self._organisation_of:
            self._organisation_of[text] = self._organisations.get(normalise(text))
        found = self._organisation_of[text]
        if found is None:
            key = ("organisation", text)
            fix = "" if self.errors.has(key) else self._suggestion(text, cycle)
            self.errors.add(row, column, f"Unknown organisation '{text}'", fix, key=key)
            return None
        if found.id not in cycle.invited:
            self.warnings.add(row, column, f"'{found.name}' was not invited to {cycle.name}; its return is "
                              "imported all the same", "Add it to the cycle's invitations if it should be there",
                              key=("not invited", found.id, cycle.id))
        return found

    def _suggestion(self, text: str, cycle: CycleInfo) -> str:
        close = self._closest(text, cycle)
        if close:
            return (f"Did you mean {' or '.join(repr(c) for c in close)}? Write the name as it is known here, or "
                    f"ask an admin to add '{text}' as another name for it")
        return "Check the spelling; a new organisation must be added (and invited) by an admin first"

    def _closest(self, text: str, cycle: CycleInfo) -> list[str]:
        """Up to three known organisations close to a near miss, those invited to the cycle first."""
        if self._organisation_names is None:
            names = {o.name: o for o in self._organisations.values()}
            for alias, org in self.s.execute(select(OrganisationAlias.alias, Organisation).join(Organisation)):
                names.setdefault(alias, org)
            self._organisation_names = names
        names = self._organisation_names
        wanted = normalise(text)
        invited = sorted(n for n, o in names.items() if o.id in cycle.invited)
        contains = [n for n in sorted(names) if len(wanted) >= 4 and wanted in normalise(n)]
        close = contains[:2] + suggest(text, invited) + suggest(text, sorted(names))
        return list(dict.fromkeys(names[n].name for n in close))[:3]

    def _question(self, text: str, row: int, cycle: CycleInfo, column: str) -> int | None:
        key = (cycle.id, text)
        if key not in self._questions:
            match = cycle.question(text) if text else None
            self._questions[key] = match[0] if match else None
        qid = self._questions[key]
        if qid is None:
            message = (f"Unknown question '{text}' for {cycle.name}" if text else "The question code is blank")
            self.errors.add(row, column, message, "Use one of its question codes: " + _codes(cycle),
                            key=("question", cycle.id, text))
        return qid

    def _grade(self, text: str, scale: Scale, row: int, column: str) -> Grade | None:
        key = (text, scale)
        if key not in self._grades:
            try:
                self._grades[key] = _read_grade(text, scale)
            except GradeError as exc:
                self._grades[key] = str(exc)
        grade = self._grades[key]
        if isinstance(grade, str):
            message, _, fix = grade.partition("; ")
            self.errors.add(row, column, message[0].upper() + message[1:], fix[0].upper() + fix[1:] if fix else "")
            return None
        return grade

    # -- rows -------------------------------------------------------------------------------------------
    def returns(self) -> list[ReturnIn]:
        if self.layout == "long":
            self._check_long_columns()
            read = self._long_row
        else:
            self._check_wide_columns()
            read = self._wide_row
        if self.errors:
            return []
        for row, cells in self.table.rows:
            read(row, cells)
        return self._finish()

    def _check_long_columns(self) -> None:
        row = self.table.header_row
        if "rating" not in self.columns:
            self.errors.add(row, None, "There is no rating column",
                            "Name the column with the grades 'rating' (or 'RAG' / 'grade')")
        if "organisation" not in self.columns:
            self.errors.add(row, None, "There is no organisation column", "Name the column 'organisation'")
        self._unused_columns(set(self.columns.values()))

    def _check_wide_columns(self) -> None:
        row = self.table.header_row
        if "organisation" not in self.columns:
            self.errors.add(row, None, "The file has neither an organisation column nor a question column",
                            "Use the template: long form (organisation, question, rating, evidence …) or wide "
                            "form (organisation, then one column per question code)")
        elif "rating" in self.columns:
            self.errors.add(row, self.header("rating"), "There is a rating column but no question column",
                            "Add a 'question' column (long form), or name each rating column by its question "
                            "code (wide form)")

    def _unused_columns(self, used: set[int]) -> None:
        for index, header in enumerate(self.table.header):
            if index not in used and header:
                self.warnings.add(self.table.header_row, header, f"The column '{header}' is not used",
                                  "Remove it, or rename it to one of: " + ", ".join(
                                      r for r in LONG_COLUMNS if r != "question_text"))

    def _where(self, row: int, cells: list[str]) -> CycleInfo | None:
        """The row's cycle (resolved once per spelling of partnership and cycle; problems recorded per row)."""
        key = (cells[self.columns["partnership"]] if "partnership" in self.columns else "",
               cells[self.columns["cycle"]] if "cycle" in self.columns else "")
        found = self._resolved.get(key)
        if found is None:
            partnership = self._row_partnership(row, cells)
            found = self._row_cycle(row, cells, partnership) if partnership is not None else None
            if found is not None:
                self._resolved[key] = found
        return found

    def _long_row(self, row: int, cells: list[str]) -> None:
        cycle = self._where(row, cells)
        if cycle is None:
            return
        organisation = self._organisation(cells[self.columns["organisation"]], row, cycle)
        question_column = self.header("question")
        qid = self._question(cells[self.columns["question"]], row, cycle, question_column)
        rating_column = self.header("rating")
        grade = self._grade(cells[self.columns["rating"]], cycle.scale, row, rating_column)
        moderated = self._moderated(cells, row, cycle, self.columns.get("moderated_rating"))
        if organisation is None or qid is None or grade is None or moderated is False:
            return
        evidence = cells[self.columns["evidence"]] if "evidence" in self.columns else ""
        answer = Answer(row, rating_column, qid, grade, moderated or None, text_of(evidence),
                        moderated_given="moderated_rating" in self.columns, evidence_given="evidence" in self.columns)
        target = self._return(cycle, organisation, row)
        self._details(target, cells, row)
        self._add(target, answer)

    def _moderated(self, cells: list[str], row: int, cycle: CycleInfo, index: int | None) -> Grade | None | bool:
        """The moderated grade, None when blank, False when unreadable (the error is recorded)."""
        if index is None or not cells[index]:
            return None
        grade = self._grade(cells[index], cycle.scale, row, self.table.header[index])
        return False if grade is None else grade

    def _wide_row(self, row: int, cells: list[str]) -> None:
        cycle = self._where(row, cells)
        if cycle is None:
            return
        columns = self._wide_columns(cycle)
        organisation = self._organisation(cells[self.columns["organisation"]], row, cycle)
        answers = []
        for qid in columns.questions():
            index = columns.rating.get(qid, columns.evidence.get(qid))
            header = self.table.header[index]
            grade = self._grade(cells[index] if qid in columns.rating else "", cycle.scale, row, header)
            moderated = self._moderated(cells, row, cycle, columns.moderated.get(qid))
            if grade is None or moderated is False:
                continue
            evidence = cells[columns.evidence[qid]] if qid in columns.evidence else ""
            answers.append(Answer(row, header, qid, grade, moderated or None, text_of(evidence),
                                  moderated_given=qid in columns.moderated, evidence_given=qid in columns.evidence,
                                  grade_given=qid in columns.rating))
        if organisation is None:
            return
        target = self._return(cycle, organisation, row)
        self._details(target, cells, row)
        for answer in answers:
            self._add(target, answer)

    def _wide_columns(self, cycle: CycleInfo) -> _WideColumns:
        if cycle.id in self._wide:
            return self._wide[cycle.id]
        columns = _WideColumns()
        header_row = self.table.header_row
        used = set(self.columns.values())
        for index, header in enumerate(self.table.header):
            if index in used or not header:
                continue
            match = _wide_match(header, cycle)
            if match is None:
                if looks_like_question(header):
                    self.errors.add(header_row, header, f"The column '{header}' is not a question of {cycle.name}",
                                    "Rename it to one of its question codes: " + _codes(cycle),
                                    key=("wide question", header))
                else:
                    self.warnings.add(header_row, header, f"The column '{header}' is not used",
                                      "Name question columns by their code (A1, A1 evidence)",
                                      key=("unused", header))
                continue
            qid, kind = match
            target = getattr(columns, kind)
            if qid in target:
                what = {"rating": "rating", "evidence": "evidence", "moderated": "moderated rating"}[kind]
                self.errors.add(header_row, header, f"Two columns hold the {what} of {cycle.codes[qid]}: "
                                f"'{self.table.header[target[qid]]}' and '{header}'", "Delete or rename one of them")
                continue
            target[qid] = index
        if not columns.questions():
            self.errors.add(header_row, None, f"No column is named by a question code of {cycle.name}",
                            "Name each rating column by its code: " + _codes(cycle), key=("no questions", cycle.id))
        self._wide[cycle.id] = columns
        return columns

    def _date(self, text: str) -> dt.date:
        if text not in self._dates:
            try:
                self._dates[text] = read_date(text)
            except ValueError:
                self._dates[text] = None
        day = self._dates[text]
        if day is None:
            raise ValueError(text)
        return day

    # -- assembling returns ---------------------------------------------------------------------------
    def _return(self, cycle: CycleInfo, organisation: Organisation, row: int) -> ReturnIn:
        key = (cycle.id, organisation.id)
        if key not in self.returns_by_key:
            self.returns_by_key[key] = ReturnIn(cycle, organisation.id, organisation.name, row)
        return self.returns_by_key[key]

    def _details(self, target: ReturnIn, cells: list[str], row: int) -> None:
        if "completed_by" in self.columns:
            value = cells[self.columns["completed_by"]]
            if target.completed_by is None or (not target.completed_by and value):
                target.completed_by = value
            elif value and value != target.completed_by:
                self.warnings.add(row, self.header("completed_by"), f"'{value}' differs from "
                                  f"'{target.completed_by}' given earlier for {target.organisation}; the first is "
                                  "kept", "Give one name per return", key=("completed_by", target.key))
        if "submitted_on" in self.columns:
            text = cells[self.columns["submitted_on"]]
            target.has_submitted_on = True
            if not text:
                return
            try:
                day = self._date(text)
            except ValueError:
                self.errors.add(row, self.header("submitted_on"), f"'{text}' is not a date",
                                "Write dates as 2024-01-31 or 31/01/2024")
                return
            if target.submitted_on is None:
                target.submitted_on = day
            elif day != target.submitted_on:
                self.warnings.add(row, self.header("submitted_on"), f"{day} differs from {target.submitted_on} "
                                  f"given earlier for {target.organisation}; the first is kept",
                                  "Give one date per return", key=("submitted_on", target.key))

    def _add(self, target: ReturnIn, answer: Answer) -> None:
        earlier = target.answers.get(answer.question_id)
        if earlier is None:
            target.answers[answer.question_id] = answer
            return
        code = target.cycle.codes[answer.question_id]
        what = answer.graded.differences(earlier.graded)
        if not what and answer.grade.raw == earlier.grade.raw:
            self.warnings.add(answer.row, answer.column, f"Row {answer.row} repeats row {earlier.row} "
                              f"({target.organisation}, {code}); the repeat is ignored", "Delete the repeated row")
            return
        detail = (f"{earlier.graded.describe()} on row {earlier.row}, {answer.graded.describe()} here"
                  if "rating" in what or "moderated rating" in what or not what else "different evidence")
        self.errors.add(answer.row, answer.column, f"Row {answer.row} and row {earlier.row} both answer {code} "
                        f"for {target.organisation}, differently ({detail})", "Keep only the right one")

    def _finish(self) -> list[ReturnIn]:
        returns, empty = [], []
        for incoming in self.returns_by_key.values():
            if all(a.empty for a in incoming.answers.values()):
                empty.append(incoming)
                continue
            returns.append(incoming)
            missing = [code for qid, code in incoming.cycle.codes.items() if qid not in incoming.answers]
            if missing and not self.errors:  # a row with an error is not "left out": fix the errors first
                shown = ", ".join(missing[:12]) + (f" and {len(missing) - 12} more" if len(missing) > 12 else "")
                self.warnings.add(incoming.first_row, None, f"{incoming.organisation} ({incoming.cycle.label}) has "
                                  f"no answer for {shown}: shown as not answered",
                                  "Add the missing rows if they were answered")
        if empty:
            names = ", ".join(r.organisation for r in empty[:8]) + (" …" if len(empty) > 8 else "")
            self.warnings.add(empty[0].first_row, None, f"{len(empty)} organisation(s) have no grade and no "
                              f"evidence in the file and were skipped: {names}",
                              "Fill in their rows if they did return")
        return returns


def _read_grade(text: str, scale: Scale) -> Grade:
    """`parse_grade`, plus "Not published": the ratings export writes it for a published quote whose grade the
    report does not give (seed only), so that an export imports back unchanged."""
    if normalise(text) == normalise(NOT_PUBLISHED):
        return Grade(raw="", rag=None, note="grade not published", scale=scale)  # type: ignore[arg-type]
    return parse_grade(text, scale)


@dataclass
class _WideColumns:
    """The columns of a wide file for one cycle: question id → column index."""

    rating: dict[int, int] = field(default_factory=dict)
    evidence: dict[int, int] = field(default_factory=dict)
    moderated: dict[int, int] = field(default_factory=dict)

    def questions(self) -> list[int]:
        return list(dict.fromkeys([*self.rating, *self.evidence]))


def _wide_match(header: str, cycle: CycleInfo) -> tuple[int, str] | None:
    """(question id, 'rating' | 'evidence' | 'moderated') for a wide-form header, or None."""
    key = header_key(header)
    for word in _EVIDENCE_WORDS:
        if key.startswith(word + " "):  # "Evidence A1", "Comments for A1"
            inner = re.sub(r"^(?:for|on|-|:)\s*", "", key[len(word):].strip())
            found = cycle.question(inner)
            if found is not None and not found[1]:
                return found[0], "evidence"
    found = cycle.question(header)
    if found is None:
        return None
    qid, rest = found
    first = rest.split(" ")[0] if rest else ""
    if first.rstrip("s:") in {w.rstrip("s") for w in _EVIDENCE_WORDS}:
        return qid, "evidence"
    if first in _MODERATED_WORDS:
        return qid, "moderated"
    return qid, "rating"


def _label(role: str) -> str:
    return role.replace("_", " ")


def _codes(cycle: CycleInfo) -> str:
    codes = list(cycle.codes.values())
    return ", ".join(codes[:30]) + (" …" if len(codes) > 30 else "")


_MONTH_DATE = ("%d %b %Y", "%d %B %Y", "%d-%b-%Y", "%d %b %y", "%b %d %Y", "%B %d %Y")


def read_date(text: str) -> dt.date:
    """A date as people write it: 2024-01-31, 2024/01/31, 31/01/2024, 31.01.24, 31 Jan 2024 (day first, as in
    the UK); a time after it (survey timestamps) is ignored. Raises ValueError."""
    text = text.strip()
    iso = re.match(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$", text)
    if iso:
        return dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
    numeric = re.match(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?:[ T].*)?$", text)
    if numeric:
        day, month, year = int(numeric[1]), int(numeric[2]), int(numeric[3])
        year += 2000 if year < 100 else 0
        try:
            return dt.date(year, month, day)
        except ValueError:
            return dt.date(year, day, month)  # 12/31/2024: only month-first makes a date
    cleaned = re.sub(r"(?<=\d)(st|nd|rd|th)\b", "", text.replace(",", " "))
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    for pattern in _MONTH_DATE:
        try:
            return dt.datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def _partnership_index(session: Session) -> dict[str, Partnership]:
    index: dict[str, Partnership] = {}
    for partnership, alias in session.execute(select(Partnership, PartnershipAlias.alias)
                                              .outerjoin(PartnershipAlias)):
        for name in (partnership.name, partnership.short_name, alias):
            if name:
                index.setdefault(normalise(name), partnership)
    return index


def _cycle_info(session: Session, partnership: Partnership, cycle: Cycle) -> CycleInfo:
    codes = dict(session.execute(select(Question.id, Question.code).where(Question.cycle_id == cycle.id)
                                 .order_by(Question.position, Question.code)).all())
    invited = frozenset(session.scalars(select(Invitation.organisation_id).where(Invitation.cycle_id == cycle.id)))
    return CycleInfo(cycle.id, partnership.id, partnership.name, cycle.label, cycle.scale, cycle.returns_due,
                     codes, invited)
