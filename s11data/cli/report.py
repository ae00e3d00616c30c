"""`s11 report --partnership NAME --cycle LABEL [--format docx|pdf|html] [--out PATH] [--user USERNAME]`.

The Section 11 report of one cycle, drafted from the database as the Report page drafts it (with the narrative
written so far). Exit 0 when written (the path is printed); 2 when refused — unknown partnership or cycle, or one
outside the scope of `--user` — with a one-line message. NAME takes the partnership's name, short name or alias.
Without `--user` the operator drafts with access to every partnership.
"""
from __future__ import annotations

import argparse
import re
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from s11data import db
from s11data.errors import UserError
from s11data.lookup import find_cycle, find_partnership
from s11data.models import User
from s11data.scope import Scope, ScopeError

FORMATS = ("docx", "pdf", "html")


def register(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser("report", help="draft a cycle's Section 11 report as DOCX, PDF or HTML",
                              description="Draft one cycle's Section 11 report from the database.")
    cmd.add_argument("--partnership", required=True, metavar="NAME", help="name, short name or alias")
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
    from s11data.users import normalise_username, scope_of

    user = session.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None or user.disabled:
        raise UserError(f"there is no active user '{username}'")
    return scope_of(session, user), user.name or user.username


def _run(args: argparse.Namespace) -> int:
    from s11data.report import narrative
    from s11data.report.draft import draft
    from s11data.report.render import render

    fmt = _format(args)
    db.prepare()
    with db.read_session() as session:
        scope, author = _as_user(session, args.user)
        partnership = find_partnership(session, args.partnership, scope)
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
