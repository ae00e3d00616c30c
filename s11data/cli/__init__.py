"""The `s11` command line (also `python -m s11data`). Each command lives in its own module with `register`."""
from __future__ import annotations

import argparse
import sys
from importlib import import_module

COMMAND_MODULES = [
    "s11data.cli.database",
    "s11data.cli.export",
    "s11data.cli.import_",
    "s11data.cli.users",
    "s11data.cli.cycle",
    "s11data.cli.report",
    "s11data.cli.synth",
    "s11data.cli.bench",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="s11", description="Section 11 audit dashboard: database and files.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        import_module(name).register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; every failure is a one-line message and a non-zero exit, never a stack trace."""
    from s11data.errors import UserError

    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except UserError as exc:
        print(f"s11 {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"s11 {args.command}: interrupted; nothing was changed by the unfinished step", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no stack trace reaches a user
        print(f"s11 {args.command}: failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
