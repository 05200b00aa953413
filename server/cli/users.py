"""`pairboard users add | list`: the operator bootstraps the organisation's first owner.

Works on the durable store directly (the server may be running: SQLite's WAL and PostgreSQL both
allow it), so there is no chicken-and-egg with signing in. The password is read from standard
input (one line; a terminal gets a hidden prompt), never from the command line where `ps` and
the shell history would keep it. `--invite` prints a one-time link instead, for the person to
choose their own password.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from pathlib import Path

from server.accounts.model import ORG_ROLES, OrgRole
from server.accounts.service import AccountError, Accounts
from server.accounts.store import UserExists
from server.audit.model import Actor, AuditKind
from server.audit.service import Audit
from server.settings import Settings
from server.store.select import durable_store


def _settings(args: argparse.Namespace) -> Settings:
    return Settings(data_dir=Path(args.data_dir)) if args.data_dir else Settings()


def _read_password() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("Password: ")
    return sys.stdin.readline().rstrip("\r\n")


async def _add(
    settings: Settings, email: str, role: OrgRole, name: str | None, invite: bool
) -> int:
    store = durable_store(settings)
    await store.open()
    try:
        accounts = Accounts(store, settings)
        password = None if invite else _read_password()
        try:
            user = await accounts.add_user(email, role, name=name, password=password)
        except (AccountError, UserExists) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        await Audit(store, store).record(
            AuditKind.USER_ADDED,
            Actor("system", role="cli"),  # the operator at the server's shell, on its data dir
            resource=user.id,
            details={"email": user.email, "role": user.role, "via": "pairboard users add"},
        )
        print(f"Added {user.email} ({user.role}), id {user.id}")
        if invite:
            link = accounts.invite_link(await accounts.invite(user))
            hours = settings.invite_lifetime_seconds // 3600
            print(f"One-time invite link (valid {hours} h): {link}")
        return 0
    finally:
        await store.close()


async def _list(settings: Settings) -> int:
    store = durable_store(settings)
    await store.open()
    try:
        for user in await store.list_users():
            state = " (disabled)" if user.disabled_at_ms is not None else ""
            print(f"{user.email:<40} {user.role:<12} {user.id}{state}")
        return 0
    finally:
        await store.close()


def _users(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if args.users_command == "add":
        return asyncio.run(_add(settings, args.email, args.role, args.name, args.invite))
    return asyncio.run(_list(settings))


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    users = commands.add_parser("users", help="the organisation's users (bootstrap an owner)")
    sub = users.add_subparsers(dest="users_command", required=True)
    add = sub.add_parser("add", help="add a user; the password is read from standard input")
    add.add_argument("email")
    add.add_argument("--role", choices=ORG_ROLES, required=True)
    add.add_argument("--name", help="display name (default: the e-mail's local part)")
    add.add_argument("--invite", action="store_true", help="print a one-time invite link instead")
    add.add_argument("--data-dir", help="the server's data dir (default: PAIRBOARD_DATA_DIR)")
    listing = sub.add_parser("list", help="list users")
    listing.add_argument("--data-dir", help="the server's data dir (default: PAIRBOARD_DATA_DIR)")
    users.set_defaults(func=_users)
