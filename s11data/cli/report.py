"""`s11 report --partnership NAME [--partnership NAME …] --cycle LABEL [--format docx|pdf|html] [--out PATH]
[--user USERNAME]`.

The Section 11 report of one cycle, drafted from the database as the Report page drafts it (with the narrative
written so far). Exit 0 when written (the path is printed); 2 when refused — unknown partnership or cycle, or one
outside the scope of `--user` — with a one-line message. NAME takes the partnership's name, short name or alias.
Without `--user` the operator drafts with access to every partnership. Several `--partnership`: the regional
roll-up of their cycles of the year LABEL starts in (`--cycle 2021` takes GSCP's 2021 and North Somerset's 2021-22).
"""
from __future__ import annotations

import argparse
import re
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from s11data.store import db
from s11data.seed.load import prepare
from s11data.store.errors import UserError
from s11data.store.lookup import find_cycle, find_partnership
from s11data.store.models import User
from s11data.store.scope import Scope, ScopeError

FORMATS = ("docx", "pdf", "html")


def register(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser("report", help="draft a cycle's Section 11 report as DOCX, PDF or HTML",
                              description="Draft one cycle's Section 11 report from the database.")
    cmd.add_argument("--partnership", required=True, metavar="NAME", action="append",
                     help="name, short name or alias; give it several times for a regional roll-up")
    cmd.add_argument("--cycle", required=True, metavar="LABEL", help="cycle label, e.g. 2021 or 2023-24")
    cmd.add_argument("--format", choices=FORMATS, help="default: from --out's suffix, else docx")
    cmd.add_argument("--out", type=Path, help="file to write (default: <partnership>-<cycle>-section-11-report.<format>"
                                              " in the current directory)")
    cmd.add_argument("--user", metavar="USERNAME", help="draft as this app user: only their partnerships")
    cmd.set_defaults(run=_run)


def _format(args: argparse.Namespace) -> str:
    suffix = args.out.suffix.lstrip(".").lower() if args.out else ""
    return args.format or (suffix if suffix in FORMATS else "docx")


def default_name(partnership: str, label: str, fmt: str) -> str:
    """'GSCP-2021-section-11-report.docx': the partnership's short name (or name) and the cycle, file-safe."""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", f"{partnership} {label}").strip("-")
    return f"{stem}-section-11-report.{fmt}"


def _as_user(session: Session, username: str | None) -> tuple[Scope, str | None]:
    """The scope to draft in and the author to name: the operator, or an app user's partnerships and name."""
    if not username:
        return Scope.system(), None
    from s11data.admin.users import normalise_username, scope_of

    user = session.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None or user.disabled:
        raise UserError(f"there is no active user '{username}'")
    return scope_of(session, user), user.name or user.username


def _rollup(args: argparse.Namespace, fmt: str) -> int:
    """Several partnerships: one regional report of their cycles of one year."""
    from s11data.views import filter_choices
    from s11data.report import narrative
    from s11data.report.render import render
    from s11data.report.rollup import cycles_of_year, draft_rollup, year_of

    prepare()
    with db.read_session() as session:
        scope, author = _as_user(session, args.user)
        found = [find_partnership(session, name, scope) for name in dict.fromkeys(args.partnership)]
        partnerships = {p.id: p.name for p in found}
        try:
            cycle_ids = cycles_of_year(filter_choices.filter_choices(session, scope).cycles, args.cycle, partnerships)
            written = {cid: narrative.latest(session, scope, cid) for cid in cycle_ids}
            report = draft_rollup(session, scope, cycle_ids=cycle_ids, narratives=written, author=author)
        except ScopeError as exc:
            raise UserError(str(exc)) from None
    out: Path = args.out or Path.cwd() / default_name("regional", year_of(args.cycle) or args.cycle, fmt)
    out.write_bytes(render(report, fmt))  # type: ignore[arg-type]
    print(f"wrote the regional report of {len(found)} partnerships ({fmt.upper()}) to {out.resolve()}")
    return 0


def _run(args: argparse.Namespace) -> int:
    from s11data.report import narrative
    from s11data.report.draft import draft
    from s11data.report.render import render

    fmt = _format(args)
    if len(set(args.partnership)) > 1:
        return _rollup(args, fmt)
    prepare()
    with db.read_session() as session:
        scope, author = _as_user(session, args.user)
        partnership = find_partnership(session, args.partnership[0], scope)
        cycle = find_cycle(session, partnership, args.cycle)
        try:
            written = narrative.latest(session, scope, cycle.id)
            report = draft(session, scope, cycle_id=cycle.id, partnership_id=partnership.id, narratives=written,
                           author=author)
        except ScopeError as exc:
            raise UserError(str(exc)) from None
        name = default_name(partnership.short_name or partnership.name, cycle.label, fmt)
    out: Path = args.out or Path.cwd() / name
    out.write_bytes(render(report, fmt))  # type: ignore[arg-type]
    print(f"wrote the {partnership.name} {cycle.label} report ({fmt.upper()}) to {out.resolve()}")
    return 0
