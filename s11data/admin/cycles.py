"""Setting up an audit cycle and its invitation list (business managers and admins).

    with db.write_session(engine) as session:
        cycle = cycles.add_cycle(session, scope, partnership_id, "2025-26", "self-assessment", "RAG",
                                 "Section 11 audit 2025-26", dt.date(2025, 11, 30), framework_from_cycle_id=last.id)
        cycles.copy_invitations(session, scope, last.id, cycle.id, on=dt.date.today())

A cycle's framework is either copied from an earlier cycle of a partnership in the caller's scope (every question
with its section, code, text, position and themes) or read from a framework file (`read_framework`: CSV or XLSX
with the columns section, code, question and themes, read by `return_file.read_table` like a return). Every write
checks the caller's role and partnership (`Scope.check_write` with "cycles" or "invitations"), is recorded in the
audit log in the same transaction, and refuses bad input with a `UserError` before anything is written.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from s11data.store import audit
from s11data.store.errors import TEXT_MAX, UserError, checked_text, one_of
from s11data.returns.exports import plain
from s11data.store.lookup import closest_theme, normalise, organisation_index, search_organisations, stable_theme, suggest
from s11data.store.models import (
    ENGAGED,
    STABLE_THEMES,
    AuditReturn,
    Contact,
    ContactKind,
    Cycle,
    Engagement,
    Invitation,
    Method,
    Organisation,
    OrganisationAlias,
    Partnership,
    Question,
    Scale,
    Sector,
    Theme,
)
from s11data.returns.return_file import FileRefused, Problem, Table, header_key, read_table
from s11data.store.scope import Scope, ScopeError, in_scope
from s11data.returns.spreadsheet import neutralise, to_csv_bytes

LABEL_FORMAT = re.compile(r"^(\d{4})(?:\s*[-/–]\s*(\d{2}|\d{4}))?$")
"""A cycle label as the reports write it: '2021' or '2023-24' (also typed '2023/24' or '2023-2024')."""
NAME_MAX = 200
CODE_MAX = 40

FRAMEWORK_COLUMNS: dict[str, tuple[str, ...]] = {
    "section": ("section", "section code", "section number", "section no", "standard"),
    "section_title": ("section title", "section name", "section heading", "standard title"),
    "code": ("code", "question code", "question number", "question no", "question id", "question ref", "ref",
             "reference", "number", "no", "q", "q no"),
    "question": ("question", "question text", "text", "wording", "question wording"),
    "themes": ("themes", "theme", "theme(s)", "stable themes", "tags"),
}
"""Each column of a framework file with the header spellings accepted for it (compared after `header_key`)."""
REQUIRED_COLUMNS = ("code", "question", "themes")
_FRAMEWORK_ROLE = {name: role for role, names in FRAMEWORK_COLUMNS.items() for name in names}
TEMPLATE_COLUMNS = ["section", "section_title", "code", "question", "themes"]
"""The framework file as the template and `framework` write it (and `read_framework` reads it back)."""


# --- labels, enums, dates -------------------------------------------------------------------------

def clean_label(text: str) -> str:
    """The label in the stored form ('2025/26' and '2025-2026' → '2025-26'); UserError if it is not a year."""
    match = LABEL_FORMAT.match((text or "").strip())
    if not match:
        raise UserError(f"'{text}' is not a cycle label; write the year of the audit, e.g. 2025 or 2025-26.")
    first, second = int(match.group(1)), match.group(2)
    if not 2000 <= first <= 2100:
        raise UserError(f"'{text}': the year {first} is out of range; write e.g. 2025-26.")
    if second is None:
        return str(first)
    if int(second) % 100 != (first + 1) % 100 or (len(second) == 4 and int(second) != first + 1):
        raise UserError(f"'{text}' does not span two consecutive years; write e.g. {first}-{(first + 1) % 100:02d}.")
    return f"{first}-{(first + 1) % 100:02d}"


def next_label(label: str | None) -> str:
    """The label after `label` in the same style ('2023-24' → '2024-25', '2021' → '2022'); this year if none."""
    match = LABEL_FORMAT.match(label or "")
    if not match:
        year = dt.date.today().year
        return f"{year}-{(year + 1) % 100:02d}"
    year = int(match.group(1)) + 1
    return f"{year}-{(year + 1) % 100:02d}" if match.group(2) else str(year)


def _text(value: str | None, what: str, limit: int = TEXT_MAX, required: bool = False) -> str:
    return checked_text(value, what, required=required, limit=limit)


def _cycle(session: Session, cycle_id: int) -> Cycle:
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise UserError("That cycle no longer exists; reload the page and pick it again.")
    return cycle


def _flush(session: Session, clash: str) -> None:
    """Flush, turning a uniqueness clash with a concurrent write (another tab, another manager) into `clash`."""
    try:
        session.flush()
    except IntegrityError:
        raise UserError(clash) from None


def _name(cycle: Cycle) -> str:
    partnership = cycle.partnership
    return f"{partnership.short_name or partnership.name} {cycle.label}"


# --- framework ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FrameworkQuestion:
    """One question of a framework as a file gives it (themes by their stable-list names)."""

    code: str
    text: str
    themes: tuple[str, ...]
    section_code: str = ""
    section_title: str = ""
    row: int | None = None


@dataclass
class Framework:
    """The questions a framework file holds, with notes on how it was read (encoding, sheet, ignored columns)."""

    questions: list[FrameworkQuestion]
    warnings: list[Problem] = field(default_factory=list)


class FrameworkRefused(UserError):
    """A framework file that cannot be used; `problems` name each row and column with the fix. Nothing is written."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        lines = [f"{_where(p)}{p.text}" for p in self.problems[:10]]
        more = f" (and {len(self.problems) - 10} more)" if len(self.problems) > 10 else ""
        super().__init__(f"The framework file was refused ({len(self.problems)} problem"
                         f"{'s' * (len(self.problems) != 1)}{more}): " + "; ".join(lines))

    def frame(self) -> pd.DataFrame:
        """The problems as a table for the page: row, column, problem, how to fix."""
        return pd.DataFrame([[p.row, p.column or "", p.message, p.fix] for p in self.problems],
                            columns=["row", "column", "problem", "how to fix"])


def _where(problem: Problem) -> str:
    parts = [f"row {problem.row}" if problem.row else "", f"column {problem.column}" if problem.column else ""]
    text = ", ".join(p for p in parts if p)
    return f"{text}: " if text else ""


_SECTION = re.compile(r"^(?:section\s+|standard\s+)?([A-Z]{1,2}\d{0,2}|\d{1,2})\s*[.:)–—-]\s*([A-Z].*)$",
                      re.IGNORECASE)
"""A section cell holding its code and title ('A. Leadership', 'Section B: Voice of the child', '3 - Training')."""


def read_framework(data: bytes, filename: str = "") -> Framework:
    """The questions of a framework file (CSV or XLSX: section, code, question, themes separated by ';').

    Read with `return_file.read_table` (encodings, delimiters, header row, size limits). Raises FrameworkRefused
    listing every problem (row, column, what, fix) when the file cannot be used as it is."""
    try:
        table = read_table(data, filename)
    except FileRefused as refused:
        raise FrameworkRefused([_as_framework(p) for p in refused.problems]) from None
    columns, problems = _framework_columns(table)
    problems += table.problems
    if any(role not in columns for role in REQUIRED_COLUMNS):
        raise FrameworkRefused(problems)
    questions = _framework_rows(table, columns, problems)
    if problems:
        raise FrameworkRefused(problems)
    return Framework(questions, warnings=list(table.notes))


def _as_framework(problem: Problem) -> Problem:
    """A reader's refusal in a framework's words (the reader speaks of returns)."""
    if problem.message.startswith("The file has a header but no rows"):
        return Problem(problem.row, None, "The file has a header but no questions",
                       "Add one row per question: section, code, question, themes")
    return Problem(problem.row, problem.column, problem.message.replace(" return", " framework"),
                   problem.fix.replace(" return", " framework").replace("Export the framework again",
                                                                         "Save the framework again"))


def _framework_columns(table: Table) -> tuple[dict[str, int], list[Problem]]:
    """Where each framework column is; a missing required column is a problem on the header row."""
    columns: dict[str, int] = {}
    problems: list[Problem] = []
    keys = [header_key(h) for h in table.header]
    wordings = [k for k in keys if _FRAMEWORK_ROLE.get(k) == "question" and k != "question"]
    for index, header in enumerate(table.header):
        role = _FRAMEWORK_ROLE.get(keys[index])
        if keys[index] == "question" and wordings and "code" not in map(_FRAMEWORK_ROLE.get, keys):
            role = "code"  # 'question' beside a 'text' column is the question's code (as in a return file)
        if role is None or role in columns:
            if header.strip():
                why = "is not a framework column" if role is None else f"repeats the {role} column"
                table.notes.append(Problem(table.header_row, header, f"The column '{header}' {why}; it was not "
                                                                     "read"))
            continue
        columns[role] = index
    for role in REQUIRED_COLUMNS:
        if role not in columns:
            problems.append(Problem(table.header_row, role, f"There is no '{role}' column (the header is: "
                                    f"{', '.join(h for h in table.header if h)[:200]})",
                                    f"Add a column headed '{role}'; the framework template has every column"))
    return columns, problems


def _framework_rows(table: Table, columns: dict[str, int], problems: list[Problem]) -> list[FrameworkQuestion]:
    heads = {role: table.header[index] for role, index in columns.items()}
    first_row: dict[str, int] = {}
    questions = []
    for row, cells in table.rows:
        value = {role: cells[index].strip() for role, index in columns.items()}
        code, text = value["code"], value["question"]
        section, title = value.get("section", ""), value.get("section_title", "")
        for role, limit, wanted in (("code", CODE_MAX, "a question code, e.g. A1"),
                                    ("question", TEXT_MAX, "the question's wording")):
            if not value[role]:
                problems.append(Problem(row, heads[role], f"The {role} is blank", f"Write {wanted}"))
            elif len(value[role]) > limit:
                problems.append(Problem(row, heads[role], f"The {role} is {len(value[role])} characters long",
                                        f"Keep it under {limit}"))
        split = _SECTION.match(section) if not title else None
        if split:
            section, title = split.group(1), split.group(2)  # 'A. Leadership' / 'Section B: Voice of the child'
        elif len(section) > CODE_MAX and not title:
            section, title = "", section  # a section written out in full: kept as its title
        elif len(section) > CODE_MAX:
            problems.append(Problem(row, heads["section"], f"The section code is {len(section)} characters long",
                                    f"Keep it under {CODE_MAX} (e.g. A) and put its name in 'section_title'"))
        key = code.lower()
        if code and key in first_row:
            problems.append(Problem(row, heads["code"], f"The code '{code}' is also on row {first_row[key]}",
                                    "Give each question its own code"))
        elif code:
            first_row[key] = row
        themes = _row_themes(value["themes"], row, heads["themes"], problems)
        questions.append(FrameworkQuestion(code, text, themes, section, title, row))
    return questions


def _row_themes(cell: str, row: int, column: str, problems: list[Problem]) -> tuple[str, ...]:
    names = [part.strip() for part in re.split(r"[;\n]", cell) if part.strip()]
    if not names:
        problems.append(Problem(row, column, "No theme is given",
                                "Tag the question with one or more themes of the stable list, separated by ';'"))
        return ()
    found = []
    for name in names:
        theme = stable_theme(name)
        if theme is None:
            parts = [stable_theme(part) or "" for part in name.split(",")]
            close = closest_theme(name)
            fix = (f"Separate themes with ';': '{'; '.join(parts)}'" if len(parts) > 1 and all(parts) else
                   f"Did you mean '{close}'?" if close else
                   f"Use the stable list: {'; '.join(STABLE_THEMES)}")
            problems.append(Problem(row, column, f"'{name}' is not a theme of the stable list", fix))
        elif theme not in found:
            found.append(theme)
    return tuple(found)


def framework_template(fmt: str = "csv") -> bytes:
    """A framework file to fill in: the columns, two example questions, and (XLSX) the stable themes."""
    frame = pd.DataFrame([
        ["A", "Leadership and accountability", "A1",
         "There is a named senior lead for safeguarding children with the time to do the role",
         "safeguarding structure & leadership"],
        ["B", "Safer recruitment", "B1",
         "Safer recruitment checks are made for every post that works with children",
         "safer recruitment & induction; policies, escalation & whistleblowing"],
    ], columns=TEMPLATE_COLUMNS)
    if fmt == "csv":
        return to_csv_bytes(frame)
    if fmt != "xlsx":
        raise ValueError(f"unknown format {fmt!r}; use csv or xlsx")
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        neutralise(frame).to_excel(writer, index=False, sheet_name="framework")
        pd.DataFrame({"stable themes": list(STABLE_THEMES)}).to_excel(writer, index=False, sheet_name="themes")
        pd.DataFrame({"how to fill in": FRAMEWORK_GUIDANCE}).to_excel(writer, index=False,
                                                                      sheet_name="how to fill in")
        for sheet, widths in (("framework", (10, 36, 8, 90, 60)), ("themes", (45,)), ("how to fill in", (120,))):
            for letter, width in zip("ABCDE", widths):
                writer.sheets[sheet].column_dimensions[letter].width = width
    return buffer.getvalue()


FRAMEWORK_GUIDANCE = [
    "One row per question, in the order the audit asks them. Replace the two example rows.",
    "section: the section or standard code (e.g. A); section_title: its name (optional).",
    "code: the question's code (e.g. A1), unique in the framework; returns name questions by it.",
    "question: the wording of the question.",
    "themes: one or more themes of the stable list (sheet 'themes'), separated by ';'. Trends run on themes.",
    "Save as .xlsx or CSV and upload it on the 'Cycles & invitations' page.",
]


# --- cycles ---------------------------------------------------------------------------------------

def _themes(session: Session) -> dict[str, Theme]:
    """The stable themes by name, created where a new database lacks them."""
    existing = {t.name: t for t in session.scalars(select(Theme))}
    for position, name in enumerate(STABLE_THEMES):
        if name not in existing:
            existing[name] = Theme(name=name, position=position)
            session.add(existing[name])
    session.flush()
    return existing


def add_cycle(session: Session, scope: Scope, partnership_id: int, label: str, method: Method | str,
              scale: Scale | str, title: str = "", returns_due: dt.date | None = None,
              period_start: dt.date | None = None, period_end: dt.date | None = None, *,
              framework_from_cycle_id: int | None = None,
              framework: Sequence[FrameworkQuestion] | Framework | None = None) -> Cycle:
    """Set up a new cycle of a partnership with its framework: copied from an earlier cycle in the caller's scope
    (`framework_from_cycle_id`) or given as rows (`framework`, e.g. from `read_framework`). All or nothing."""
    scope.check_write("cycles", partnership_id)
    partnership = session.get(Partnership, partnership_id)
    if partnership is None:
        raise UserError("That partnership no longer exists; reload the page.")
    label = clean_label(label)
    taken = session.scalar(select(Cycle.label).where(Cycle.partnership_id == partnership_id,
                                                     Cycle.label == label))
    if taken is not None:
        raise UserError(f"{partnership.short_name or partnership.name} already has a cycle {label}; "
                        "give the new cycle another label (e.g. the next year).")
    method, scale = one_of(Method, method, "a method"), one_of(Scale, scale, "a scale")
    if period_start and period_end and period_end < period_start:
        raise UserError(f"The period ends ({period_end.isoformat()}) before it starts "
                        f"({period_start.isoformat()}); check the dates.")
    if (framework_from_cycle_id is None) == (framework is None):
        raise UserError("Give the framework: copy it from an earlier cycle or upload a framework file "
                        "(one of the two).")
    cycle = Cycle(partnership_id=partnership_id, label=label, method=method, scale=scale,
                  title=_text(title, "title"), returns_due=returns_due, period_start=period_start,
                  period_end=period_end, source=f"set up by {scope.username}")
    session.add(cycle)
    _flush(session, f"A cycle {label} was set up for this partnership a moment ago; reload the page.")
    if framework_from_cycle_id is not None:
        origin = _copy_framework(session, scope, framework_from_cycle_id, cycle)
    else:
        rows = framework.questions if isinstance(framework, Framework) else list(framework or [])
        origin = _add_framework(session, cycle, rows)
    session.flush()
    audit.record(session, scope, "cycle", f"set up cycle {_name(cycle)} ({method.value}, {scale.value}): "
                 f"{origin}", partnership_id=partnership_id)
    return cycle


def _copy_framework(session: Session, scope: Scope, from_cycle_id: int, cycle: Cycle) -> str:
    source = _cycle(session, from_cycle_id)
    scope.check_read(source.partnership_id)
    questions = list(session.scalars(select(Question).where(Question.cycle_id == source.id)
                                     .order_by(Question.position, Question.code)))
    if not questions:
        raise UserError(f"{_name(source)} has no questions to copy; pick another cycle or upload a framework file.")
    for q in questions:
        session.add(Question(cycle_id=cycle.id, section_code=q.section_code, section_title=q.section_title,
                             code=q.code, text=q.text, position=q.position, themes=list(q.themes),
                             source=f"copied from {_name(source)}"))
    return f"{len(questions)} questions copied from {_name(source)}"


def _add_framework(session: Session, cycle: Cycle, rows: Sequence[FrameworkQuestion]) -> str:
    if not rows:
        raise UserError("The framework has no questions; add at least one.")
    themes = _themes(session)
    seen: dict[str, int] = {}
    for position, row in enumerate(rows, start=1):
        where = f"Row {row.row}: " if row.row else f"Question {position}: "
        code = _text(row.code, "question code", CODE_MAX, required=True)
        if code.lower() in seen:
            raise UserError(f"{where}the code '{code}' is given twice; give each question its own code.")
        seen[code.lower()] = position
        names = [stable_theme(t) for t in row.themes]
        if not names or None in names:
            raise UserError(f"{where}tag '{code}' with themes of the stable list.")
        session.add(Question(cycle_id=cycle.id, section_code=_text(row.section_code, "section code", CODE_MAX),
                             section_title=_text(row.section_title, "section title"), code=code,
                             text=_text(row.text, "question", required=True), position=position,
                             themes=[themes[n] for n in dict.fromkeys(names)],  # type: ignore[index]
                             source="framework file"))
    return f"{len(rows)} questions from a framework file"


# --- organisations --------------------------------------------------------------------------------

def add_organisation(session: Session, scope: Scope, name: str, sector: Sector | str,
                     aliases: Iterable[str] = (), *, partnership_id: int | None = None,
                     different: bool = False) -> Organisation:
    """Add a partner agency (business managers and admins). A name or alias already known is refused; a near miss
    of a known one is refused with the suggestion unless `different` says it really is another organisation."""
    if partnership_id is not None:
        scope.check_write("invitations", partnership_id)
    elif not scope.can("invitations"):
        raise ScopeError(f"Your role ({scope.role.value}) cannot change invitations.")
    name = re.sub(r"\s+", " ", _text(name, "organisation's name", NAME_MAX, required=True))
    sector = one_of(Sector, sector, "a sector")
    others = list(dict.fromkeys(re.sub(r"\s+", " ", a.strip()) for a in aliases if a and a.strip()))
    others = [a for a in others if normalise(a) != normalise(name)]
    index = organisation_index(session)
    for text in (name, *others):
        if len(text) > NAME_MAX:
            raise UserError(f"'{text[:40]}…' is {len(text)} characters; keep names under {NAME_MAX}.")
        known = index.get(normalise(text))
        if known is not None:
            raise UserError(f"'{text}' is already known as '{known.name}'; invite that one instead.")
    if not different:
        close = similar_organisations(session, name)
        if close:
            raise UserError(f"'{name}' is close to {' or '.join(repr(c) for c in close)}. Invite that one if it is "
                            "the same organisation (ask an admin to add this spelling as another name for it); tick "
                            "'a different organisation' only if it is not.")
    org = Organisation(name=name, sector=sector, source=f"added by {scope.username}",
                       aliases=[OrganisationAlias(alias=a) for a in others])
    session.add(org)
    _flush(session, f"'{name}' (or one of its other names) was added a moment ago; reload the page and invite it.")
    named = f" (also: {', '.join(others)})" if others else ""
    audit.record(session, scope, "organisation", f"added organisation {name}{named}, {sector.value}",
                 partnership_id=partnership_id)
    return org


def similar_organisations(session: Session, name: str) -> list[str]:
    """Known organisations whose name or alias is a near miss of `name` (or contains it), best first."""
    names: dict[str, str] = {}
    for org in session.scalars(select(Organisation)):
        names.setdefault(org.name, org.name)
    for alias, org_name in session.execute(select(OrganisationAlias.alias, Organisation.name).join(Organisation)):
        names.setdefault(alias, org_name)
    wanted = normalise(name)
    contains = [n for n in sorted(names) if len(wanted) >= 4 and (wanted in normalise(n) or
                                                                    normalise(n) in wanted and len(n) >= 4)]
    close = contains[:2] + suggest(name, sorted(names))
    return list(dict.fromkeys(names[n] for n in close))[:3]


# --- invitations ----------------------------------------------------------------------------------

@dataclass
class Invited:
    """What `invite` did: organisations newly invited, and those already on the list (left as they were)."""

    cycle: str
    added: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Organisations of the earlier cycle not carried over (withdrawn: the service no longer operates)."""

    @property
    def message(self) -> str:
        parts = [f"Invited {len(self.added)} organisation{'s' * (len(self.added) != 1)} to {self.cycle}."]
        if self.already:
            parts.append(f"Already invited: {', '.join(self.already)}.")
        if self.skipped:
            parts.append(f"Not carried over (withdrawn): {', '.join(self.skipped)}.")
        return " ".join(parts)


def invite(session: Session, scope: Scope, cycle_id: int, organisation_ids: Iterable[int],
           on: dt.date | None = None, today: dt.date | None = None) -> Invited:
    """Invite organisations to a cycle: each gets an invitation (status invited) and an 'invited' contact dated
    `on`. Organisations already invited are reported in `Invited.already`, not invited twice."""
    cycle = _cycle(session, cycle_id)
    scope.check_write("invitations", cycle.partnership_id)
    on = on or dt.date.today()
    if on > (today or dt.date.today()):
        raise UserError(f"The invitation date {on.isoformat()} is in the future; record invitations once sent.")
    wanted = list(dict.fromkeys(int(i) for i in organisation_ids))
    if not wanted:
        raise UserError("Choose at least one organisation to invite.")
    orgs = {o.id: o for o in session.scalars(select(Organisation).where(Organisation.id.in_(wanted)))}
    missing = [i for i in wanted if i not in orgs]
    if missing:
        raise UserError("An organisation chosen no longer exists; reload the page and choose again.")
    invited = set(session.scalars(select(Invitation.organisation_id).where(Invitation.cycle_id == cycle.id)))
    result = Invited(_name(cycle))
    for oid in wanted:
        org = orgs[oid]
        if oid in invited:
            result.already.append(org.name)
            continue
        session.add(Invitation(cycle_id=cycle.id, organisation_id=oid, status=Engagement.INVITED,
                               source=f"invited by {scope.username}",
                               contacts=[Contact(kind=ContactKind.INVITED, occurred_on=on,
                                                 detail=f"invited to the {cycle.label} audit",
                                                 recorded_by=scope.username, source=f"logged by {scope.username}")]))
        result.added.append(org.name)
    _flush(session, "Some of these organisations were invited a moment ago; reload the page to see the list.")
    if result.added:
        audit.record(session, scope, "invitation", f"invited to {_name(cycle)} on {on.isoformat()}: "
                     f"{', '.join(result.added)}", partnership_id=cycle.partnership_id)
    return result


def copy_invitations(session: Session, scope: Scope, from_cycle_id: int, to_cycle_id: int,
                     on: dt.date | None = None, today: dt.date | None = None) -> Invited:
    """Invite the organisations invited to an earlier cycle (in the caller's scope), except those withdrawn."""
    source = _cycle(session, from_cycle_id)
    scope.check_read(source.partnership_id)
    rows = session.execute(select(Invitation.organisation_id, Organisation.name, Invitation.status)
                           .join(Organisation).where(Invitation.cycle_id == source.id)
                           .order_by(Organisation.name)).all()
    if not rows:
        raise UserError(f"Nobody was invited to {_name(source)}; pick another cycle.")
    keep = [oid for oid, _org, status in rows if status != Engagement.WITHDRAWN]
    if not keep:
        raise UserError(f"Every organisation of {_name(source)} withdrew; choose organisations one by one.")
    result = invite(session, scope, to_cycle_id, keep, on=on, today=today)
    result.skipped = [name for _oid, name, status in rows if status == Engagement.WITHDRAWN]
    return result


def remove_invitation(session: Session, scope: Scope, invitation_id: int) -> str:
    """Take an organisation off a cycle's list (with its contacts), only while it has no return in that cycle."""
    invitation = session.get(Invitation, invitation_id)
    if invitation is None:
        raise UserError("That invitation no longer exists; reload the page.")
    cycle = invitation.cycle
    scope.check_write("invitations", cycle.partnership_id)
    name = invitation.organisation.name
    returned = session.scalar(select(func.count(AuditReturn.id)).where(
        AuditReturn.cycle_id == cycle.id, AuditReturn.organisation_id == invitation.organisation_id))
    if returned:
        raise UserError(f"{name} has sent a return for {_name(cycle)}, so it stays on the list. If it should not "
                        "count, change its status on the Engagement page instead.")
    contacts = len(invitation.contacts)
    session.delete(invitation)
    session.flush()
    audit.record(session, scope, "invitation", f"removed {name} from {_name(cycle)} "
                 f"({contacts} contact{'s' * (contacts != 1)} with it)", partnership_id=cycle.partnership_id)
    return name


# --- reads for the page ---------------------------------------------------------------------------

def cycles(session: Session, scope: Scope, partnership_id: int) -> pd.DataFrame:
    """The partnership's cycles, newest first, with their numbers of questions, invitations and current returns."""
    scope.check_read(partnership_id)
    questions = (select(Question.cycle_id, func.count().label("n")).group_by(Question.cycle_id).subquery())
    invited = (select(Invitation.cycle_id, func.count().label("n")).group_by(Invitation.cycle_id).subquery())
    returns = (select(Invitation.cycle_id, func.count().label("n")).where(Invitation.status.in_(ENGAGED))
               .group_by(Invitation.cycle_id).subquery())  # returns received: as the Overview counts them
    stmt = (select(Cycle.id, Cycle.label, Cycle.method, Cycle.scale, Cycle.title, Cycle.returns_due,
                   questions.c.n, invited.c.n, returns.c.n)
            .outerjoin(questions, questions.c.cycle_id == Cycle.id)
            .outerjoin(invited, invited.c.cycle_id == Cycle.id)
            .outerjoin(returns, returns.c.cycle_id == Cycle.id)
            .where(Cycle.partnership_id == partnership_id).order_by(Cycle.label.desc()))
    rows = [[cid, label, plain(method), plain(scale), title or "", plain(due), q or 0, i or 0, r or 0]
            for cid, label, method, scale, title, due, q, i, r in session.execute(stmt)]
    return pd.DataFrame(rows, columns=["cycle_id", "cycle", "method", "scale", "title", "returns_due", "questions",
                                       "invited", "returns"])


def framework_sources(session: Session, scope: Scope) -> pd.DataFrame:
    """Cycles whose framework the caller may copy (every cycle with questions in their scope)."""
    counts = select(Question.cycle_id, func.count().label("n")).group_by(Question.cycle_id).subquery()
    stmt = (select(Cycle.id, Partnership.id, Partnership.short_name, Partnership.name, Cycle.label, counts.c.n)
            .join(Partnership).join(counts, counts.c.cycle_id == Cycle.id)
            .where(in_scope(Cycle.partnership_id, scope))
            .order_by(Partnership.illustrative, Partnership.name, Cycle.label.desc()))
    rows = [[cid, pid, short or name, label, n] for cid, pid, short, name, label, n in session.execute(stmt)]
    return pd.DataFrame(rows, columns=["cycle_id", "partnership_id", "partnership", "cycle", "questions"])


def framework(session: Session, scope: Scope, cycle_id: int) -> pd.DataFrame:
    """A cycle's questions in the framework file's columns (so it downloads as a file to edit and upload)."""
    cycle = _cycle(session, cycle_id)
    scope.check_read(cycle.partnership_id)
    rows = [[q.section_code, q.section_title, q.code, q.text, "; ".join(t.name for t in q.themes)]
            for q in session.scalars(select(Question).where(Question.cycle_id == cycle.id)
                                     .order_by(Question.position, Question.code))]
    return pd.DataFrame(rows, columns=TEMPLATE_COLUMNS)


def invitations(session: Session, scope: Scope, cycle_id: int) -> pd.DataFrame:
    """A cycle's invitation list: organisation, sector, status, date invited, whether it has sent a return."""
    cycle = _cycle(session, cycle_id)
    scope.check_read(cycle.partnership_id)
    invited_on = (select(Contact.invitation_id, func.min(Contact.occurred_on).label("on"))  # this cycle's only
                  .join(Invitation, Invitation.id == Contact.invitation_id)
                  .where(Invitation.cycle_id == cycle.id, Contact.kind == ContactKind.INVITED)
                  .group_by(Contact.invitation_id).subquery())
    returned = (select(AuditReturn.organisation_id).where(AuditReturn.cycle_id == cycle.id, AuditReturn.is_current)
                .subquery())
    stmt = (select(Invitation.id, Organisation.id, Organisation.name, Organisation.sector, Invitation.status,
                   invited_on.c.on, returned.c.organisation_id)
            .join(Organisation, Organisation.id == Invitation.organisation_id)
            .outerjoin(invited_on, invited_on.c.invitation_id == Invitation.id)
            .outerjoin(returned, returned.c.organisation_id == Invitation.organisation_id)
            .where(Invitation.cycle_id == cycle.id).order_by(Organisation.name))
    rows = [[iid, oid, name, plain(sector), plain(status), plain(on), "yes" if has or status in ENGAGED else "no"]
            for iid, oid, name, sector, status, on, has in session.execute(stmt)]
    return pd.DataFrame(rows, columns=["invitation_id", "organisation_id", "organisation", "sector", "status",
                                       "invited_on", "return"])


def not_yet_invited(session: Session, scope: Scope, cycle_id: int) -> pd.DataFrame:
    """Organisations invited to (or returning in) the partnership's other cycles but not to this one, with the
    latest cycle they took part in."""
    cycle = _cycle(session, cycle_id)
    scope.check_read(cycle.partnership_id)
    taking_part = (select(Invitation.organisation_id.label("oid"), Cycle.label.label("label"))
                   .join(Cycle, Cycle.id == Invitation.cycle_id)
                   .where(Cycle.partnership_id == cycle.partnership_id, Cycle.id != cycle.id)
                   .union(select(AuditReturn.organisation_id.label("oid"), Cycle.label.label("label"))
                          .join(Cycle, Cycle.id == AuditReturn.cycle_id)
                          .where(Cycle.partnership_id == cycle.partnership_id, Cycle.id != cycle.id))
                   .subquery())
    here = select(Invitation.organisation_id).where(Invitation.cycle_id == cycle.id)
    stmt = (select(Organisation.id, Organisation.name, Organisation.sector, func.max(taking_part.c.label))
            .join(taking_part, taking_part.c.oid == Organisation.id)
            .where(Organisation.id.not_in(here))
            .group_by(Organisation.id, Organisation.name, Organisation.sector).order_by(Organisation.name))
    rows = [[oid, name, plain(sector), last] for oid, name, sector, last in session.execute(stmt)]
    return pd.DataFrame(rows, columns=["organisation_id", "organisation", "sector", "last_cycle"])


def find_organisations(session: Session, scope: Scope, text: str, limit: int = 20) -> pd.DataFrame:
    """Every known organisation whose name or alias contains `text` (for those who may invite)."""
    if not scope.can("invitations"):
        raise ScopeError(f"Your role ({scope.role.value}) cannot change invitations.")
    text = (text or "").strip()
    if len(text) < 2:
        return pd.DataFrame(columns=["organisation_id", "organisation", "sector"])
    rows = [[o.id, o.name, plain(o.sector)] for o in search_organisations(session, text, limit=limit)]
    return pd.DataFrame(rows, columns=["organisation_id", "organisation", "sector"])
