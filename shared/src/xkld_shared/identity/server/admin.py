"""Account management by administrators (and the operator's CLI): every change is audited in
the same transaction that makes it, so the log cannot miss a change nor record one that failed.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from xkld_shared.db.pool import Conn
from xkld_shared.errors import Conflict, InvalidInput, NotFound
from xkld_shared.identity.server import refresh_tokens, store, throttle
from xkld_shared.identity.server.accounts import (
    Account,
    audit_view,
    changed_profile,
    differences,
    draft_profile,
    normalise_username,
    username_problems,
)
from xkld_shared.identity.server.passwords import (
    Passwords,
    check_password_policy,
    password_problems,
)


@dataclass(frozen=True)
class Actor:
    """Who made a change: a principal's subject, or `cli` for the operator's command line."""

    subject: str
    ip: str | None = None


@dataclass(frozen=True)
class NewAccount:
    username: str
    full_name: str
    password: str
    roles: list[str]
    communes: list[str] = field(default_factory=list)
    province: str | None = None
    branch: str | None = None


class UsernameTaken(Conflict):
    code = "username_taken"

    def __init__(self) -> None:
        super().__init__("Tên đăng nhập này đã được dùng", "This username is already taken")


class AccountNotFound(NotFound):
    code = "account_not_found"

    def __init__(self) -> None:
        super().__init__("Không tìm thấy tài khoản", "No such account")


class AccountAdmin:
    def __init__(self, pool: asyncpg.Pool, passwords: Passwords) -> None:
        self._pool = pool
        self._passwords = passwords

    async def create(self, actor: Actor, cmd: NewAccount) -> Account:
        username = normalise_username(cmd.username)
        profile, problems = draft_profile(
            full_name=cmd.full_name,
            roles=cmd.roles,
            communes=cmd.communes,
            province=cmd.province,
            branch=cmd.branch,
        )
        problems = username_problems(username) + problems
        problems += password_problems(cmd.password, username)
        if problems:
            raise InvalidInput.of(problems)
        password_hash = await self._passwords.hash(cmd.password)
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                account = await store.insert(conn, username, profile, password_hash, actor.subject)
                after = {"username": username, **audit_view(profile)}
                await _audit(conn, actor, account.id, "create", None, after)
        except asyncpg.UniqueViolationError:
            raise UsernameTaken from None
        return account

    async def page(self, *, limit: int, offset: int) -> list[Account]:
        async with self._pool.acquire() as conn:
            return await store.page(conn, limit=limit, offset=offset)

    async def get(self, account_id: uuid.UUID) -> Account:
        async with self._pool.acquire() as conn:
            account = await store.get(conn, account_id)
        if account is None:
            raise AccountNotFound
        return account

    async def update(
        self, actor: Actor, account_id: uuid.UUID, changes: Mapping[str, Any]
    ) -> Account:
        async with self._pool.acquire() as conn, conn.transaction():
            current = await store.get(conn, account_id, for_update=True)
            if current is None:
                raise AccountNotFound
            own = str(current.id) == actor.subject
            profile = changed_profile(current.profile, changes, own=own)
            before, after = differences(current.profile, profile)
            if not after:
                return current
            account = await store.update_profile(conn, account_id, profile)
            if profile.disabled and not current.profile.disabled:
                # Refreshing is refused anyway; revoking also keeps re-enabling from reviving
                # sessions that were open when the account was disabled.
                await refresh_tokens.revoke_all_of(conn, account_id)
            await _audit(conn, actor, account_id, "update", before, after)
        return account

    async def reset_password(self, actor: Actor, account_id: uuid.UUID, password: str) -> None:
        account = await self.get(account_id)
        check_password_policy(password, account.username)
        password_hash = await self._passwords.hash(password)
        async with self._pool.acquire() as conn, conn.transaction():
            changed_at = await store.set_password(conn, account_id, password_hash)
            # Whoever knew the old password may be signed in; a reset must end that.
            await refresh_tokens.revoke_all_of(conn, account_id)
            before = {"password_changed_at": account.password_changed_at.isoformat()}
            after = {"password_changed_at": changed_at.isoformat()}
            await _audit(conn, actor, account_id, "reset_password", before, after)

    async def unlock(self, actor: Actor, account_id: uuid.UUID) -> Account:
        """Ends a distributed-attack lock and every address's wait on this account."""
        async with self._pool.acquire() as conn, conn.transaction():
            current = await store.get(conn, account_id, for_update=True)
            if current is None:
                raise AccountNotFound
            cleared = await throttle.unlock(conn, account_id)
            before = {
                "locked_until": None
                if current.locked_until is None
                else current.locked_until.isoformat()
            }
            after = {"locked_until": None, "waits_cleared": cleared}
            await _audit(conn, actor, account_id, "unlock", before, after)
            account = await store.get(conn, account_id)
        assert account is not None
        return account

    async def id_of(self, username: str) -> uuid.UUID:
        async with self._pool.acquire() as conn:
            account = await store.get_by_username(conn, normalise_username(username))
        if account is None:
            raise AccountNotFound
        return account.id


async def _audit(
    conn: Conn,
    actor: Actor,
    account_id: uuid.UUID,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    await store.audit(
        conn,
        actor=actor.subject,
        account_id=account_id,
        action=action,
        before=before,
        after=after,
        ip=actor.ip,
    )
