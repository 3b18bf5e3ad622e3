"""Accounts and their audit log in the identity database. The database's clock is the one clock."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg

from xkld_shared.db.pool import Conn
from xkld_shared.identity.principal import Role
from xkld_shared.identity.server.accounts import Account, Profile

_ACCOUNT_COLUMNS = """id, username, full_name, roles, communes, province, branch, disabled,
    locked_until, password_changed_at, created_at, updated_at, created_by"""


@dataclass(frozen=True)
class Credentials:
    """What login needs to decide, and nothing it could leak."""

    account_id: uuid.UUID
    password_hash: str
    refused: bool  # disabled, or locked right now


def _account(row: asyncpg.Record) -> Account:
    profile = Profile(
        full_name=row["full_name"],
        roles=frozenset(Role(r) for r in row["roles"]),
        communes=frozenset(row["communes"]),
        province=row["province"],
        branch=row["branch"],
        disabled=row["disabled"],
    )
    return Account(
        id=row["id"],
        username=row["username"],
        profile=profile,
        locked_until=row["locked_until"],
        password_changed_at=row["password_changed_at"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        created_by=row["created_by"],
    )


async def credentials(conn: Conn, username: str) -> Credentials | None:
    row = await conn.fetchrow(
        """SELECT id, password_hash,
                  disabled OR coalesce(locked_until > now(), false) AS refused
           FROM account WHERE username = $1""",
        username,
    )
    return None if row is None else Credentials(row["id"], row["password_hash"], row["refused"])


async def record_successful_login(conn: Conn, account_id: uuid.UUID) -> Account | None:
    """Clear an expired lock, unless a concurrent attack locked (or an admin disabled) the
    account meanwhile."""
    row = await conn.fetchrow(
        f"""UPDATE account SET locked_until = NULL
            WHERE id = $1 AND NOT disabled AND coalesce(locked_until <= now(), true)
            RETURNING {_ACCOUNT_COLUMNS}""",
        account_id,
    )
    return None if row is None else _account(row)


async def replace_hash(conn: Conn, account_id: uuid.UUID, password_hash: str) -> None:
    """A stronger hash of the same password: not a password change, so no timestamp moves."""
    await conn.execute(
        "UPDATE account SET password_hash = $2 WHERE id = $1", account_id, password_hash
    )


async def set_password(conn: Conn, account_id: uuid.UUID, password_hash: str) -> dt.datetime:
    changed_at: dt.datetime = await conn.fetchval(
        """UPDATE account SET password_hash = $2, password_changed_at = now(),
                  updated_at = now(), locked_until = NULL
           WHERE id = $1 RETURNING password_changed_at""",
        account_id,
        password_hash,
    )
    return changed_at


async def insert(
    conn: Conn, username: str, profile: Profile, password_hash: str, created_by: str
) -> Account:
    p = profile
    row = await conn.fetchrow(
        f"""INSERT INTO account (id, username, full_name, password_hash, roles, communes,
                                 province, branch, disabled, created_by)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            RETURNING {_ACCOUNT_COLUMNS}""",
        uuid.uuid4(),
        username,
        p.full_name,
        password_hash,
        sorted(p.roles),
        sorted(p.communes),
        p.province,
        p.branch,
        p.disabled,
        created_by,
    )
    assert row is not None
    return _account(row)


async def update_profile(conn: Conn, account_id: uuid.UUID, profile: Profile) -> Account:
    p = profile
    row = await conn.fetchrow(
        f"""UPDATE account SET full_name = $2, roles = $3, communes = $4, province = $5,
                               branch = $6, disabled = $7, updated_at = now()
            WHERE id = $1 RETURNING {_ACCOUNT_COLUMNS}""",
        account_id,
        p.full_name,
        sorted(p.roles),
        sorted(p.communes),
        p.province,
        p.branch,
        p.disabled,
    )
    assert row is not None
    return _account(row)


async def get(conn: Conn, account_id: uuid.UUID, *, for_update: bool = False) -> Account | None:
    lock = " FOR UPDATE" if for_update else ""
    row = await conn.fetchrow(
        f"SELECT {_ACCOUNT_COLUMNS} FROM account WHERE id = $1{lock}", account_id
    )
    return None if row is None else _account(row)


async def get_by_username(conn: Conn, username: str) -> Account | None:
    row = await conn.fetchrow(
        f"SELECT {_ACCOUNT_COLUMNS} FROM account WHERE username = $1", username
    )
    return None if row is None else _account(row)


async def page(conn: Conn, *, limit: int, offset: int) -> list[Account]:
    rows = await conn.fetch(
        f"SELECT {_ACCOUNT_COLUMNS} FROM account ORDER BY username LIMIT $1 OFFSET $2",
        limit,
        offset,
    )
    return [_account(row) for row in rows]


async def audit(
    conn: Conn,
    *,
    actor: str,
    account_id: uuid.UUID,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    ip: str | None,
) -> None:
    await conn.execute(
        """INSERT INTO account_audit (actor, account_id, action, before, after, ip)
           VALUES ($1, $2, $3, $4, $5, $6)""",
        actor,
        account_id,
        action,
        before,
        after,
        ip,
    )
