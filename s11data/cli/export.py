"""`s11 export ratings|actions|invitations [--partnership NAME] [--cycle LABEL] [--format csv|xlsx] [--out PATH]`."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from s11data.store import db
from s11data.returns import exports
from s11data.store.scope import Scope
from s11data.returns.spreadsheet import to_bytes
from s11data.seed.load import prepare


def register(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser("export", help="write ratings, actions or invitations as CSV or XLSX")
    cmd.add_argument("kind", choices=exports.KINDS)
    cmd.add_argument("--partnership", help="name, short name or alias")
    cmd.add_argument("--cycle", help="cycle label, e.g. 2023-24")
    cmd.add_argument("--format", choices=["csv", "xlsx"], help="default: from --out's suffix, else csv")
    cmd.add_argument("--out", type=Path, help="file to write (default: standard output)")
    cmd.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    fmt = args.format or (args.out.suffix.lstrip(".").lower() if args.out else "") or "csv"
    if fmt not in ("csv", "xlsx"):
        fmt = "csv"
    prepare()
    with db.read_session() as session:
        frame = exports.export(session, Scope.system(), args.kind, args.partnership, args.cycle)
    data = to_bytes(frame, fmt, sheet=args.kind)
    if args.out:
        args.out.write_bytes(data)
        print(f"wrote {len(frame)} rows to {args.out}", file=sys.stderr)
    elif fmt == "xlsx" and sys.stdout.isatty():
        print("refusing to write XLSX to a terminal; use --out FILE", file=sys.stderr)
        return 2
    else:
        sys.stdout.buffer.write(data)
    return 0
