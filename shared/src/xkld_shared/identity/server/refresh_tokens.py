"""Opaque refresh tokens, stored only as SHA-256 hashes, rotated within a family.

A family is one sign-in: every refresh replaces the token with a new one in the same family.
A token is live while it is neither revoked nor replaced nor expired.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass

from xkld_shared.db.pool import Conn


@dataclass(frozen=True)
class Client:
    """Where a sign-in came from, kept with its tokens for the account owner's benefit."""

    ip: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True)
class StoredToken:
    id: uuid.UUID
    account_id: uuid.UUID
    family_id: uuid.UUID
    replaced: bool
    revoked: bool
    expired: bool


def digest(token: str) -> bytes:
    """The token has 256 random bits, so a plain hash suffices; no salt or stretching needed."""
    return hashlib.sha256(token.encode()).digest()


async def issue(
    conn: Conn,
    account_id: uuid.UUID,
    *,
    lifetime: dt.timedelta,
    client: Client,
    family_id: uuid.UUID | None = None,
) -> tuple[str, uuid.UUID]:
    """A new token (returned once, never stored) and its row id; a new family unless given."""
    token, token_id = secrets.token_urlsafe(32), uuid.uuid4()
    await conn.execute(
        """INSERT INTO refresh_token (id, account_id, token_hash, family_id, expires_at,
                                      user_agent, ip)
           VALUES ($1, $2, $3, $4, now() + $5::interval, $6, $7)""",
        token_id,
        account_id,
        digest(token),
        family_id or uuid.uuid4(),
        lifetime,
        client.user_agent,
        client.ip,
    )
    return token, token_id


async def find_for_update(conn: Conn, token: str) -> StoredToken | None:
    """Locked, so two refreshes with the same token are decided one after the other."""
    row = await conn.fetchrow(
        """SELECT id, account_id, family_id, replaced_by IS NOT NULL AS replaced,
                  revoked_at IS NOT NULL AS revoked, expires_at <= now() AS expired
           FROM refresh_token WHERE token_hash = $1 FOR UPDATE""",
        digest(token),
    )
    if row is None:
        return None
    return StoredToken(
        id=row["id"],
        account_id=row["account_id"],
        family_id=row["family_id"],
        replaced=row["replaced"],
        revoked=row["revoked"],
        expired=row["expired"],
    )


async def mark_replaced(conn: Conn, token_id: uuid.UUID, replaced_by: uuid.UUID) -> None:
    await conn.execute(
        "UPDATE refresh_token SET replaced_by = $2 WHERE id = $1", token_id, replaced_by
    )


async def revoke(conn: Conn, token: str) -> None:
    await conn.execute(
        "UPDATE refresh_token SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL",
        digest(token),
    )


async def revoke_family(conn: Conn, family_id: uuid.UUID) -> None:
    await conn.execute(
        "UPDATE refresh_token SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL",
        family_id,
    )


async def revoke_all_of(conn: Conn, account_id: uuid.UUID) -> None:
    await conn.execute(
        "UPDATE refresh_token SET revoked_at = now() WHERE account_id = $1 AND revoked_at IS NULL",
        account_id,
    )
