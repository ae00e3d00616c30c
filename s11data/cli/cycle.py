"""`s11 cycle add|invite`: set up a cycle and its invitation list from the command line (as the operator).

    s11 cycle add --partnership NSSCP 2025-26 --method self-assessment --scale RAG --copy-from 2023-24 --due 2025-11-28
    s11 cycle add --partnership NSSCP 2025-26 --method panel --scale 0-3 --framework framework.xlsx
    s11 cycle invite --partnership NSSCP --cycle 2025-26 --same-as 2023-24
    s11 cycle invite --partnership NSSCP --cycle 2025-26 "Sirona Care & Health" UHBW

The same functions as the Cycles & invitations page (`s11data.admin.cycles`); every change is in the audit log.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from s11data.admin import cycles
from s11data.store import db
from s11data.store.errors import UserError
from s11data.store.lookup import find_cycle, find_partnership, normalise, organisation_index, suggest
from s11data.store.models import Method, Scale
from s11data.store.scope import Scope
from s11data.seed.load import prepare


def register(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser("cycle", help="set up a cycle and its invitation list")
    actions = cmd.add_subparsers(dest="cycle_action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="set up a new cycle with its framework")
    add.add_argument("label", help="e.g. 2025-26")
    add.add_argument("--partnership", required=True, help="name, short name or alias")
    add.add_argument("--method", required=True, choices=[m.value for m in Method])
    add.add_argument("--scale", required=True, choices=[s.value for s in Scale])
    add.add_argument("--title", default="")
    add.add_argument("--due", type=_date, help="returns due, YYYY-MM-DD")
    add.add_argument("--start", type=_date, help="period start, YYYY-MM-DD")
    add.add_argument("--end", type=_date, help="period end, YYYY-MM-DD")
    source = add.add_mutually_exclusive_group(required=True)
    source.add_argument("--copy-from", metavar="LABEL", help="copy the framework of this cycle of the partnership")
    source.add_argument("--framework", type=Path, metavar="FILE",
                        help="a framework file (CSV/XLSX: section, code, question, themes)")
    add.set_defaults(run=_add)
    invite = actions.add_parser("invite", help="invite organisations to a cycle")
    invite.add_argument("organisations", nargs="*", metavar="ORGANISATION", help="names or aliases")
    invite.add_argument("--partnership", required=True)
    invite.add_argument("--cycle", required=True, help="the cycle's label")
    invite.add_argument("--same-as", metavar="LABEL", help="also invite everyone invited to this cycle")
    invite.add_argument("--on", type=_date, help="date invited (default today)")
    invite.set_defaults(run=_invite)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def _add(args: argparse.Namespace) -> int:
    prepare()
    scope = Scope.system()
    framework = None
    if args.framework:
        try:
            data = args.framework.read_bytes()
        except OSError as exc:
            raise UserError(f"cannot read {args.framework}: {exc.strerror}") from None
        framework = cycles.read_framework(data, args.framework.name)
    with db.write_session() as session:
        partnership = find_partnership(session, args.partnership, scope)
        source = find_cycle(session, partnership, args.copy_from).id if args.copy_from else None
        cycle = cycles.add_cycle(session, scope, partnership.id, args.label, args.method, args.scale, args.title,
                                 args.due, args.start, args.end, framework_from_cycle_id=source, framework=framework)
        print(f"set up {partnership.short_name or partnership.name} {cycle.label} with "
              f"{len(cycle.questions)} questions", file=sys.stderr)
    return 0


def _invite(args: argparse.Namespace) -> int:
    prepare()
    scope = Scope.system()
    with db.write_session() as session:
        partnership = find_partnership(session, args.partnership, scope)
        cycle = find_cycle(session, partnership, args.cycle)
        if not args.organisations and not args.same_as:
            raise UserError("name the organisations to invite, or --same-as an earlier cycle")
        if args.same_as:
            earlier = find_cycle(session, partnership, args.same_as)
            print(cycles.copy_invitations(session, scope, earlier.id, cycle.id, on=args.on).message, file=sys.stderr)
        if args.organisations:
            index = organisation_index(session)
            ids = []
            for name in args.organisations:
                found = index.get(normalise(name))
                if found is None:
                    close = suggest(name, [o.name for o in index.values()])
                    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
                    raise UserError(f"unknown organisation '{name}'{hint}")
                ids.append(found.id)
            print(cycles.invite(session, scope, cycle.id, ids, on=args.on).message, file=sys.stderr)
    return 0
