"""Idempotency keys for requests that move money (a disbursement, a repayment).

The first request with a key does its work and stores its answer in the same transaction; a
retry with the same key and the same body gets that answer back and changes nothing; the same
key with a different body is refused. Two concurrent requests with one key are serialised by
a transaction-scoped advisory lock on the key, so only one of them does the work.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from xkld_shared.db.pool import Conn
from xkld_shared.errors import AppError, FieldProblem, InvalidInput

_KEY_PATTERN_LENGTH = (8, 200)


class KeyReusedForAnotherRequest(AppError):
    status_code = 422
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


async def once(
    conn: Conn,
    *,
    scope: str,
    key: str,
    request_body: dict[str, Any],
    work: Callable[[], Awaitable[Answer]],
) -> Answer:
    """Run `work` at most once per (scope, key). Call inside the transaction of the effect."""
    if not conn.is_in_transaction():
        raise RuntimeError("an idempotent request must share its effect's transaction")
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"{scope}:{key}")
    print_ = fingerprint(request_body)
    stored = await conn.fetchrow(
        "SELECT fingerprint, status_code, response FROM idempotency_key "
        "WHERE scope = $1 AND key = $2",
        scope,
        key,
    )
    if stored is not None:
        if bytes(stored["fingerprint"]) != print_:
            raise KeyReusedForAnotherRequest
        return Answer(stored["status_code"], stored["response"], replayed=True)
    answer = await work()
    await conn.execute(
        """INSERT INTO idempotency_key (scope, key, fingerprint, status_code, response)
           VALUES ($1, $2, $3, $4, $5)""",
        scope,
        key,
        print_,
        answer.status_code,
        answer.body,
    )
    return answer
