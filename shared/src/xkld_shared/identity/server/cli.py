"""`python -m xkld_shared.identity.server [serve|migrate|gen-key|create-admin|reset-password]`.

New passwords come from `XKLD_NEW_PASSWORD` or standard input, never from the arguments, which
any user on the machine can read in `ps`.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg

from xkld_shared.cli import service_main
from xkld_shared.db.pool import create_pool
from xkld_shared.errors import AppError
from xkld_shared.identity.principal import Role
from xkld_shared.identity.server.admin import AccountAdmin, Actor, NewAccount
from xkld_shared.identity.server.app import MIGRATIONS, create_app
from xkld_shared.identity.server.keys import write_new_key
from xkld_shared.identity.server.passwords import Passwords, hasher_for
from xkld_shared.identity.server.settings import AccountSettings, IdentitySettings

PASSWORD_VARIABLE = "XKLD_NEW_PASSWORD"  # noqa: S105 - the name of a variable, not a password
CLI_ACTOR = Actor("cli")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m xkld_shared.identity.server")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="run the HTTP component (the default)")
    commands.add_parser("migrate", help="bring the database schema up to date")
    gen_key = commands.add_parser("gen-key", help="write a new ES256 signing key (mode 0600)")
    gen_key.add_argument("--out", type=Path, required=True)
    gen_key.add_argument("--kid", required=True)
    admin = commands.add_parser(
        "create-admin", help=f"create an administrator; password from ${PASSWORD_VARIABLE}/stdin"
    )
    admin.add_argument("--username", required=True)
    admin.add_argument("--full-name", required=True)
    reset = commands.add_parser(
        "reset-password", help=f"set a new password; from ${PASSWORD_VARIABLE} or stdin"
    )
    reset.add_argument("--username", required=True)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    if args.command in (None, "serve", "migrate"):
        service_main(create_app, IdentitySettings, MIGRATIONS)
        return 0
    try:
        if args.command == "gen-key":
            return _gen_key(args.out, args.kid)
        password = read_new_password()
        if args.command == "create-admin":
            return asyncio.run(_with_admin(_create_admin(args.username, args.full_name, password)))
        return asyncio.run(_with_admin(_reset_password(args.username, password)))
    except AppError as exc:
        _print_error(exc)
        return 2
    except (OSError, asyncpg.PostgresError) as exc:
        print(f"Lỗi / Error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


def read_new_password() -> str:
    password = os.environ.get(PASSWORD_VARIABLE)
    if password is not None:
        return password
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Mật khẩu mới / New password: ")
    if getpass.getpass("Nhập lại / Repeat: ") != first:
        raise PasswordsDiffer
    return first


class PasswordsDiffer(AppError):
    def __init__(self) -> None:
        super().__init__("Hai lần nhập mật khẩu không khớp", "The two passwords differ")


def _gen_key(out: Path, kid: str) -> int:
    key = write_new_key(out, kid)
    # The public half, ready to go into a retired-keys file when this key is rotated out.
    print(json.dumps(key.public_jwk()))
    return 0


Command = Callable[[AccountAdmin], Awaitable[str]]


async def _with_admin(command: Command) -> int:
    # Only the database: creating the first administrator must not need the signing key.
    settings = AccountSettings()
    passwords = Passwords(hasher_for(settings.auth_password_hashing))
    pool = await create_pool(settings.database_url.get_secret_value(), max_size=2)
    try:
        print(await command(AccountAdmin(pool, passwords)))
    finally:
        await pool.close()
    return 0


def _create_admin(username: str, full_name: str, password: str) -> Command:
    async def run(admin: AccountAdmin) -> str:
        cmd = NewAccount(username, full_name, password, roles=[Role.ADMIN.value])
        account = await admin.create(CLI_ACTOR, cmd)
        return json.dumps({"account_id": str(account.id), "username": account.username})

    return run


def _reset_password(username: str, password: str) -> Command:
    async def run(admin: AccountAdmin) -> str:
        account_id = await admin.id_of(username)
        await admin.reset_password(CLI_ACTOR, account_id, password)
        return json.dumps({"account_id": str(account_id), "password_reset": True})

    return run


def _print_error(exc: AppError) -> None:
    body = exc.body
    print(body.message_vi, file=sys.stderr)
    print(body.message_en, file=sys.stderr)
