"""`s11 import FILE [--dry-run] [--json] [--partnership NAME] [--cycle LABEL]` — the upload page's importer.

Exit 0 when the file was (or, with --dry-run, would be) imported; 2 when it was refused (nothing changed);
1 when something else failed (the database could not be reached …). With --json exactly one JSON object is
printed on standard output, whatever happens: {"ok", "rows", "imported", "errors", "warnings"} (DESIGN §3).
"""
from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path

from s11data.store import db
from s11data.returns.return_file import MAX_FILE_BYTES, Problem
from s11data.store.scope import Scope
from s11data.seed.load import prepare

REFUSED = 2
FAILED = 1


def register(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser("import", help="import a return file (CSV or XLSX, long or wide form)",
                              description="Check a return file and import it in one transaction.")
    cmd.add_argument("file", type=Path, help="the return file (.csv or .xlsx)")
    cmd.add_argument("--dry-run", action="store_true", help="check and report only; change nothing")
    cmd.add_argument("--json", action="store_true", help="print one JSON object with the outcome")
    cmd.add_argument("--partnership", metavar="NAME",
                     help="partnership for rows that do not name one (name, short name or alias)")
    cmd.add_argument("--cycle", metavar="LABEL", help="cycle for rows that do not name one, e.g. 2023-24")
    cmd.set_defaults(run=_run)


def _refusal(message: str, fix: str = "") -> dict[str, object]:
    return {"ok": False, "rows": 0, "imported": 0, "errors": [Problem(None, None, message, fix).as_json()],
            "warnings": []}


def _run(args: argparse.Namespace) -> int:
    try:
        outcome, code, summary = _import(args)
    except Exception as exc:  # noqa: BLE001 - one line (or one JSON object), never a stack trace
        outcome, code = _refusal(f"The import failed: {type(exc).__name__}: {exc}"), FAILED
        summary = "nothing was changed"
    _report(args, outcome, summary)
    return code


def _import(args: argparse.Namespace) -> tuple[dict[str, object], int, str]:
    from s11data.returns.importer import import_file

    path: Path = args.file
    if not path.is_file():
        return _refusal(f"There is no file '{path}'", "Check the path"), REFUSED, "nothing was changed"
    if path.stat().st_size > MAX_FILE_BYTES:
        return (_refusal(f"The file is {path.stat().st_size / 1e6:.1f} MB; the limit is "
                         f"{MAX_FILE_BYTES / 1e6:.0f} MB", "Split it into smaller files"), REFUSED,
                "nothing was changed")
    data = path.read_bytes()
    prepare()
    scope = Scope.system(username=f"cli:{_user()}")
    result = import_file(db.get_engine(), scope, data, path.name, partnership=args.partnership,
                         cycle=args.cycle, dry_run=args.dry_run)
    return result.as_json(), 0 if result.ok else REFUSED, result.summary()


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "unknown"


def _report(args: argparse.Namespace, outcome: dict[str, object], summary: str) -> None:
    if args.json:
        print(json.dumps(outcome, ensure_ascii=False))
        return
    for kind in ("errors", "warnings"):
        for problem in outcome[kind]:  # type: ignore[attr-defined]
            where = ", ".join(part for part in (
                f"row {problem['row']}" if problem["row"] is not None else "",
                f"column '{problem['column']}'" if problem["column"] else "") if part)
            print(f"{kind[:-1]}: {where + ': ' if where else ''}{problem['message']}", file=sys.stderr)
    print(summary, file=sys.stdout if outcome["ok"] else sys.stderr)
