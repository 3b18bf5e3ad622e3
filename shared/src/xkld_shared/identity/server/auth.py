"""Signing in, refreshing and signing out.

Every refusal looks the same to the caller (unknown user, wrong password, locked, disabled),
so the answers never reveal which usernames exist; the waits of `throttle` apply alike to
usernames that exist and to those that do not. Logs name account ids, never usernames,
passwords or tokens.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

import asyncpg

from xkld_shared.db.pool import Conn
from xkld_shared.errors import NotSignedIn
from xkld_shared.identity.server import refresh_tokens, store, throttle
from xkld_shared.identity.server.accounts import Account, normalise_username
from xkld_shared.identity.server.passwords import Passwords
from xkld_shared.identity.server.refresh_tokens import Client
from xkld_shared.identity.server.throttle import SignInPolicy
from xkld_shared.identity.tokens import TokenIssuer

log = logging.getLogger(__name__)
SIGN_IN_ACTOR = "system:sign-in"  # audit rows written by sign-in itself, not by a person


class LoginRefused(NotSignedIn):
    code = "login_failed"

    def __init__(self) -> None:
        super().__init__(
            "Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đang bị khoá tạm thời",
            "Wrong username or password, or the account is temporarily locked",
        )


class SessionEnded(NotSignedIn):
    code = "invalid_refresh_token"

    def __init__(self) -> None:
        super().__init__(
            "Phiên đăng nhập đã hết hạn hoặc không còn hiệu lực, vui lòng đăng nhập lại",
            "The session has expired or was ended; please sign in again",
        )


@dataclass(frozen=True)
class Tokens:
    access_token: str
    expires_in: int
    refresh_token: str


class Authenticator:
    def __init__(
        self,
        pool: asyncpg.Pool,
        passwords: Passwords,
        issuer: TokenIssuer,
        *,
        policy: SignInPolicy,
        refresh_lifetime: dt.timedelta,
    ) -> None:
        self._pool = pool
        self._passwords = passwords
        self._issuer = issuer
        self._policy = policy
        self._refresh_lifetime = refresh_lifetime

    async def login(self, username: str, password: str, client: Client) -> Tokens:
        name, source = normalise_username(username), client.ip or throttle.UNKNOWN_SOURCE
        async with self._pool.acquire() as conn:
            if (wait := await throttle.wait_left(conn, name, source)) is not None:
                # Refused before any hash is computed: a waiting guesser costs us nothing.
                raise throttle.TooManyAttempts(wait)
            creds = await store.credentials(conn, name)
        if creds is None or creds.refused:
            # A locked account's password is not even checked: guesses must learn nothing.
            await self._passwords.spend_equal_time(password)
            if creds is None:
                log.info("login refused: no such account")
            else:
                log.info("login refused: disabled or locked", extra=_ids(creds.account_id))
            await self._count_failure(name, source, None if creds is None else creds.account_id)
            raise LoginRefused
        if not await self._passwords.verify(creds.password_hash, password):
            await self._count_failure(name, source, creds.account_id)
            raise LoginRefused
        stronger = await self._stronger_hash(creds.password_hash, password)
        async with self._pool.acquire() as conn, conn.transaction():
            account = await store.record_successful_login(conn, creds.account_id)
            if account is None:
                log.info("login refused: locked meanwhile", extra=_ids(creds.account_id))
                raise LoginRefused
            await throttle.forget_pair(conn, name, source)
            if stronger is not None:
                await store.replace_hash(conn, account.id, stronger)
            refresh, _ = await refresh_tokens.issue(
                conn, account.id, lifetime=self._refresh_lifetime, client=client
            )
        log.info("login succeeded", extra=_ids(account.id))
        return self._tokens(account, refresh)

    async def refresh(self, token: str, client: Client) -> Tokens:
        async with self._pool.acquire() as conn, conn.transaction():
            rotated = await self._rotate(conn, token, client)
        # Raised only now, so that revoking a reused token's family is committed.
        if rotated is None:
            raise SessionEnded
        account, new_token = rotated
        return self._tokens(account, new_token)

    async def logout(self, token: str) -> None:
        async with self._pool.acquire() as conn:
            await refresh_tokens.revoke(conn, token)

    async def _count_failure(self, name: str, source: str, account_id: uuid.UUID | None) -> None:
        """Count the pair's failure; audit a wait it starts and a lock it causes, in the same
        transaction (unknown usernames have no account to audit against: a log line only)."""
        async with self._pool.acquire() as conn, conn.transaction():
            failure = await throttle.record_failure(conn, self._policy, name, source, account_id)
            locked = None
            if account_id is not None:
                if failure.blocked_for is not None:
                    await _audit_wait(conn, account_id, source, failure)
                locked = await throttle.lock_if_distributed(conn, self._policy, account_id)
                if locked is not None:
                    await _audit_lock(conn, account_id, source, *locked)
            if failure.failures == 1:
                await throttle.forget_old(conn, self._policy)
        extra: dict[str, object] = {
            "failures": failure.failures,
            "waiting": failure.blocked_for is not None,
        }
        if account_id is not None:
            extra |= _ids(account_id) | {"locked": locked is not None}
        log.info("login failed", extra=extra)

    async def _stronger_hash(self, password_hash: str, password: str) -> str | None:
        """Hashes made under older, weaker parameters are upgraded while the password is known."""
        if self._passwords.needs_rehash(password_hash):
            return await self._passwords.hash(password)
        return None

    async def _rotate(self, conn: Conn, token: str, client: Client) -> tuple[Account, str] | None:
        stored = await refresh_tokens.find_for_update(conn, token)
        if stored is None:
            return None
        if stored.replaced:
            # An exchanged token came back: the client or a thief holds a copy, and we cannot
            # tell which, so the whole sign-in ends for both.
            await refresh_tokens.revoke_family(conn, stored.family_id)
            log.warning(
                "refresh token reused; its sign-in is revoked",
                extra={**_ids(stored.account_id), "family_id": str(stored.family_id)},
            )
            return None
        if stored.revoked or stored.expired:
            return None
        account = await store.get(conn, stored.account_id)
        if account is None or account.profile.disabled:
            return None
        new_token, new_id = await refresh_tokens.issue(
            conn,
            account.id,
            lifetime=self._refresh_lifetime,
            client=client,
            family_id=stored.family_id,
        )
        await refresh_tokens.mark_replaced(conn, stored.id, new_id)
        return account, new_token

    def _tokens(self, account: Account, refresh_token: str) -> Tokens:
        return Tokens(
            access_token=self._issuer.issue(account.principal()),
            expires_in=int(self._issuer.lifetime.total_seconds()),
            refresh_token=refresh_token,
        )


async def _audit_wait(
    conn: Conn, account_id: uuid.UUID, source: str, failure: throttle.Failure
) -> None:
    assert failure.blocked_for is not None
    after = {"failures": failure.failures, "wait_seconds": failure.blocked_for.total_seconds()}
    await store.audit(
        conn,
        actor=SIGN_IN_ACTOR,
        account_id=account_id,
        action="sign_in_throttled",
        before=None,
        after=after,
        ip=source,
    )


async def _audit_lock(
    conn: Conn, account_id: uuid.UUID, source: str, sources: int, locked_until: dt.datetime
) -> None:
    await store.audit(
        conn,
        actor=SIGN_IN_ACTOR,
        account_id=account_id,
        action="locked_distributed_attack",
        before=None,
        after={"failing_addresses": sources, "locked_until": locked_until.isoformat()},
        ip=source,
    )


def _ids(account_id: uuid.UUID) -> dict[str, str]:
    return {"account_id": str(account_id)}
