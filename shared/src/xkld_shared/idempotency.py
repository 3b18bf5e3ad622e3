"""Idempotency keys for requests that move money (a disbursement, a repayment).

The first request with a key does its work and stores its answer in the same transaction; a
retry with the same key and the same body gets that answer back and changes nothing; the same
key with a different body is refused. Two concurrent requests with one key are serialised by
a transaction-scoped advisory lock on the key, so only one of them does the work.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from xkld_shared.db.pool import Conn
from xkld_shared.errors import FieldProblem, InvalidInput

_KEY_PATTERN_LENGTH = (8, 200)


class KeyReusedForAnotherRequest(InvalidInput):
    code = "idempotency_key_reused"

    def __init__(self) -> None:
        super().__init__(
            "Mã Idempotency-Key này đã dùng cho một yêu cầu khác; hãy dùng mã mới",
            "This Idempotency-Key was used for a different request; use a new key",
        )


@dataclass(frozen=True)
class Answer:
    status_code: int
    body: dict[str, Any]
    replayed: bool = False


def checked_key(key: str | None) -> str:
    low, high = _KEY_PATTERN_LENGTH
    if key is None or not low <= len(key) <= high or not key.isprintable():
        raise InvalidInput.of(
            [
                FieldProblem(
                    "Idempotency-Key",
                    f"Cần tiêu đề Idempotency-Key ({low}–{high} ký tự), mỗi thao tác một mã",
                    f"An Idempotency-Key header ({low}-{high} characters) is required",
                )
            ]
        )
    return key


def fingerprint(body: dict[str, Any]) -> bytes:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).digest()


@dataclass(frozen=True)
class Keyed:
    """A request's Idempotency-Key within its scope (usually the caller), and its fingerprint."""

    scope: str
    key: str
    fingerprint: bytes

    @classmethod
    def of(cls, scope: str, key: str, request_body: dict[str, Any]) -> Keyed:
        return cls(scope, key, fingerprint(request_body))

    @property
    def lock_name(self) -> str:
        return f"{self.scope}:{self.key}"

    @property
    def ident(self) -> tuple[str, str]:
        """What answers are found by: the pair, since a scope or a key may contain ':'."""
        return self.scope, self.key


@dataclass(frozen=True)
class Stored:
    """What the first request with a key left: its body's fingerprint and its answer."""

    fingerprint: bytes
    answer: Answer

    def replay_for(self, request: Keyed) -> Answer:
        if request.fingerprint != self.fingerprint:
            raise KeyReusedForAnotherRequest
        return Answer(self.answer.status_code, self.answer.body, replayed=True)


async def lock_and_find(conn: Conn, requests: Sequence[Keyed]) -> dict[tuple[str, str], Stored]:
    """Locks the keys until the transaction ends and returns, by `Keyed.ident`, those used before.

    The locks are taken in one order (sorted names), so two transactions locking several keys
    each wait for one another instead of deadlocking."""
    if not conn.is_in_transaction():
        raise RuntimeError("an idempotent request must share its effect's transaction")
    names = sorted({r.lock_name for r in requests})
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended(name, 0)) FROM unnest($1::text[]) AS name",
        names,
    )
    return await find(conn, requests)


# A LATERAL probe per key: planned as primary-key lookups even as a generic plan made while the
# table was empty (a plain IN becomes a hash join over a scan of the whole table).
FIND_STORED = """SELECT k.scope, k.key, i.fingerprint, i.status_code, i.response
    FROM unnest($1::text[], $2::text[]) AS k(scope, key)
    CROSS JOIN LATERAL (SELECT fingerprint, status_code, response FROM idempotency_key
        WHERE scope = k.scope AND key = k.key LIMIT 1) AS i"""


async def find(conn: Conn, requests: Sequence[Keyed]) -> dict[tuple[str, str], Stored]:
    """The stored answers of these keys, by `Keyed.ident`, without locking them."""
    rows = await conn.fetch(
        FIND_STORED,
        [r.scope for r in requests],
        [r.key for r in requests],
    )
    return {
        (r["scope"], r["key"]): Stored(
            bytes(r["fingerprint"]), Answer(r["status_code"], r["response"])
        )
        for r in rows
    }


async def store(conn: Conn, answered: Sequence[tuple[Keyed, Answer]]) -> None:
    """Keeps the answers, in the transaction of the effects they describe."""
    await conn.executemany(
        """INSERT INTO idempotency_key (scope, key, fingerprint, status_code, response)
           VALUES ($1, $2, $3, $4, $5)""",
        [(k.scope, k.key, k.fingerprint, a.status_code, a.body) for k, a in answered],
    )


async def keep_first(conn: Conn, request: Keyed, answer: Answer) -> None:
    """Keeps the answer unless the key has one already: for work that is safe to redo and
    commits before its answer is kept (a retry after a crash in between redoes it)."""
    await conn.execute(
        """INSERT INTO idempotency_key (scope, key, fingerprint, status_code, response)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (scope, key) DO NOTHING""",
        request.scope,
        request.key,
        request.fingerprint,
        answer.status_code,
        answer.body,
    )


async def once(
    conn: Conn,
    *,
    scope: str,
    key: str,
    request_body: dict[str, Any],
    work: Callable[[], Awaitable[Answer]],
) -> Answer:
    """Run `work` at most once per (scope, key). Call inside the transaction of the effect."""
    request = Keyed.of(scope, key, request_body)
    if (stored := (await lock_and_find(conn, [request])).get(request.ident)) is not None:
        return stored.replay_for(request)
    answer = await work()
    await store(conn, [(request, answer)])
    return answer
