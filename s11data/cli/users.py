"""`s11 users add|list|set-themes|disable|enable|unlock|reset-password`: accounts of the dashboard, run by the
operator.

Passwords are asked for with a hidden prompt (twice) on a terminal, or read from the first line of standard input
with `--password-stdin` or when standard input is not a terminal. They are never taken as an argument (that
would leave them in the shell history and the process list), echoed or logged.

    s11 users add alice --role admin --partnership "North Somerset" --name "Alice Smith" --email a@example.org
    printf '%s\\n' "$PASSWORD" | s11 users add bob --role chair --subgroup "Neglect subgroup" --partnership NSSCP \\
        --theme neglect --theme "domestic abuse"
    s11 users set-themes bob --theme neglect        # a chair's themes (no --theme: none, every theme by default)
"""
from __future__ import annotations

import argparse
import getpass
import sys

from s11data.store import db
from s11data.admin import users
from s11data.store.errors import UserError
from s11data.store.lookup import partnerships_in_scope
from s11data.store.models import Role
from s11data.store.scope import Scope
from s11data.seed.load import prepare


def register(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser("users", help="add, list, disable or unlock users; reset passwords")
    sub = cmd.add_subparsers(dest="users_command", required=True, metavar="ACTION")

    add = sub.add_parser("add", help="create a user (asks for the password)")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--partnership", action="append", default=[], metavar="NAME",
                     help="a partnership the user belongs to (name, short name or alias); repeat for several")
    add.add_argument("--all-partnerships", action="store_true", help="every partnership now in the database")
    add.add_argument("--name", default="", help="full name, as shown in the app")
    add.add_argument("--email", default="")
    add.add_argument("--subgroup", default="", help="for a chair: the subgroup they chair")
    _theme_option(add)
    _password_option(add)
    add.set_defaults(run=_add)

    listing = sub.add_parser("list", help="list users (never their passwords)")
    listing.set_defaults(run=_list)

    themes = sub.add_parser("set-themes", help="replace a chair's themes (their pages open filtered to them)")
    themes.add_argument("username")
    _theme_option(themes)
    themes.set_defaults(run=_set_themes)

    for action, helptext in (("disable", "stop a user signing in (also ends their sessions)"),
                             ("enable", "let a disabled user sign in again"),
                             ("unlock", "unlock an account locked by failed sign-ins")):
        one = sub.add_parser(action, help=helptext)
        one.add_argument("username")
        one.set_defaults(run=_change, action=action)

    reset = sub.add_parser("reset-password", help="set a new password (asks for it); also unlocks")
    reset.add_argument("username")
    _password_option(reset)
    reset.set_defaults(run=_reset)


def _theme_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--theme", action="append", default=[], metavar="NAME",
                        help="for a chair: a theme of the stable list (any case), e.g. neglect; repeat for several")


def _password_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--password-stdin", action="store_true",
                        help="read the password from the first line of standard input")


def _operator() -> Scope:
    try:
        who = getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        who = "operator"
    return Scope.system(f"cli:{who}")


def read_password(from_stdin: bool, username: str) -> str:
    """The new password, from standard input or a hidden prompt asked twice; never echoed."""
    if from_stdin or not sys.stdin.isatty():
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        password = password[:-1] if password.endswith("\r") else password
        if not password:
            raise UserError("no password on standard input (one line expected)")
        return password
    first = getpass.getpass(f"New password for {username}: ")
    users.check_new_password(first, username)
    if getpass.getpass("Repeat it: ") != first:
        raise UserError("the two passwords differ; nothing was changed")
    return first


def _add(args: argparse.Namespace) -> int:
    prepare()
    scope = _operator()
    with db.read_session() as session:
        names = args.partnership or ([p.name for p in partnerships_in_scope(session, scope)]
                                     if args.all_partnerships else [])
    if not names:
        raise UserError("say which partnership(s) the user belongs to: --partnership NAME (repeatable) or "
                        "--all-partnerships")
    password = read_password(args.password_stdin, args.username)
    with db.write_session() as session:
        user = users.add_user(session, scope, args.username, args.role, names, password, name=args.name,
                              email=args.email, subgroup=args.subgroup, themes=args.theme)
        where = ", ".join(p.name for p in user.partnerships)
        themes = "; ".join(t.name for t in user.themes)
    print(f"added {user.username} ({user.role.value}) in {where}" + (f"; themes: {themes}" if themes else ""))
    return 0


def _set_themes(args: argparse.Namespace) -> int:
    prepare()
    with db.write_session() as session:
        users.set_themes(session, _operator(), args.username, args.theme)
        themes = users.user_themes(session, _operator(), args.username)
    print(f"themes of {users.normalise_username(args.username)}: {'; '.join(themes) or 'none (every theme)'}")
    return 0


def _list(args: argparse.Namespace) -> int:
    prepare()
    with db.read_session() as session:
        frame = users.list_users(session, _operator())
    if frame.empty:
        print("no users yet; add the first admin with: s11 users add USERNAME --role admin --partnership NAME")
        return 0
    shown = frame.drop(columns=["created"]).fillna("")
    print(shown.to_string(index=False))
    return 0


def _change(args: argparse.Namespace) -> int:
    prepare()
    with db.write_session() as session:
        if args.action == "unlock":
            users.unlock(session, _operator(), args.username)
        else:
            users.set_disabled(session, _operator(), args.username, disabled=args.action == "disable")
    done = {"disable": "disabled", "enable": "enabled", "unlock": "unlocked"}[args.action]
    print(f"{done} {users.normalise_username(args.username)}")
    return 0


def _reset(args: argparse.Namespace) -> int:
    prepare()
    password = read_password(args.password_stdin, args.username)
    with db.write_session() as session:
        users.reset_password(session, _operator(), args.username, password)
    print(f"new password set for {users.normalise_username(args.username)}; the account is unlocked and its "
          "sessions ended")
    return 0
