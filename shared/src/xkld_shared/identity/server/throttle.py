"""Keeping password guessing out without handing anyone a button that locks others out.

Failures are counted per (username, source address) pair. After `free_failures` from one pair,
that pair waits before its next try, twice as long after each further failure, up to
`max_delay`; other addresses are not slowed, so the real user at the commune office signs in
while a guesser elsewhere waits. An account is locked only on evidence of a distributed
attack: failures from `distributed_sources` distinct addresses within `distributed_window`.
Thresholds and their reasons: docs/identity.md.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from xkld_shared.db.pool import Conn
from xkld_shared.errors import Throttled

UNKNOWN_SOURCE = "unknown"


@dataclass(frozen=True)
class SignInPolicy:
    free_failures: int = 5
    first_delay: dt.timedelta = dt.timedelta(seconds=30)
    max_delay: dt.timedelta = dt.timedelta(minutes=15)
    memory: dt.timedelta = dt.timedelta(hours=24)  # a pair's count is forgotten after this
    distributed_sources: int = 10
    distributed_window: dt.timedelta = dt.timedelta(hours=1)
    lock_for: dt.timedelta = dt.timedelta(minutes=15)

    def delay_after(self, failures: int) -> dt.timedelta | None:
        """How long a pair waits after its `failures`-th failure in a row (None: not at all)."""
        if failures < self.free_failures:
            return None
        doublings = min(failures - self.free_failures, 20)  # 2**20 × 30 s is past any cap
        delay: dt.timedelta = min(self.first_delay * (1 << doublings), self.max_delay)
        return delay


class TooManyAttempts(Throttled):
    code = "too_many_attempts"

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(
            "Đăng nhập sai quá nhiều lần từ địa chỉ này; vui lòng thử lại sau "
            f"{retry_after_seconds} giây",
            "Too many failed sign-ins from this address; "
            f"please try again in {retry_after_seconds} s",
        )
        self.retry_after_seconds = retry_after_seconds


@dataclass(frozen=True)
class Failure:
    failures: int  # in a row, from this pair
    blocked_for: dt.timedelta | None  # the wait this failure started, if any


async def wait_left(conn: Conn, username: str, source: str) -> int | None:
    """Whole seconds this pair must still wait, or None when it may try now."""
    seconds = await conn.fetchval(
        """SELECT ceil(extract(epoch FROM blocked_until - now()))::int
           FROM sign_in_throttle
           WHERE username = $1 AND source = $2 AND blocked_until > now()""",
        username,
        source,
    )
    return None if seconds is None else max(int(seconds), 1)


async def record_failure(
    conn: Conn, policy: SignInPolicy, username: str, source: str, account_id: uuid.UUID | None
) -> Failure:
    """Count one failure of the pair in one statement, so concurrent guesses cannot
    under-count; a count older than the policy's memory starts again at one."""
    failures: int = await conn.fetchval(
        """INSERT INTO sign_in_throttle (username, source, account_id, failures, last_failure_at)
           VALUES ($1, $2, $3, 1, now())
           ON CONFLICT (username, source) DO UPDATE SET
               failures = CASE WHEN sign_in_throttle.last_failure_at < now() - $4::interval
                               THEN 1 ELSE sign_in_throttle.failures + 1 END,
               account_id = EXCLUDED.account_id,
               last_failure_at = now()
           RETURNING failures""",
        username,
        source,
        account_id,
        policy.memory,
    )
    delay = policy.delay_after(failures)
    if delay is not None:
        await conn.execute(
            """UPDATE sign_in_throttle SET blocked_until = now() + $3::interval
               WHERE username = $1 AND source = $2""",
            username,
            source,
            delay,
        )
    return Failure(failures, delay)


async def forget_pair(conn: Conn, username: str, source: str) -> None:
    await conn.execute(
        "DELETE FROM sign_in_throttle WHERE username = $1 AND source = $2", username, source
    )


async def forget_old(conn: Conn, policy: SignInPolicy) -> None:
    """Rows nobody remembers any more (a spray of made-up usernames leaves many)."""
    await conn.execute(
        """DELETE FROM sign_in_throttle WHERE ctid IN (
               SELECT ctid FROM sign_in_throttle
               WHERE last_failure_at < now() - $1::interval LIMIT 500)""",
        policy.memory,
    )


async def lock_if_distributed(
    conn: Conn, policy: SignInPolicy, account_id: uuid.UUID
) -> tuple[int, dt.datetime] | None:
    """Lock the account when enough distinct addresses failed on it within the window (since
    the last lock or unlock). Returns (addresses, locked until) when this call locked it."""
    sources: int = await conn.fetchval(
        """SELECT count(*) FROM sign_in_throttle t JOIN account a ON a.id = t.account_id
           WHERE t.account_id = $1
             AND t.last_failure_at > greatest(now() - $2::interval,
                                              coalesce(a.evidence_since, '-infinity'))""",
        account_id,
        policy.distributed_window,
    )
    if sources < policy.distributed_sources:
        return None
    # Failures seen during the lock do not count towards the next one.
    locked_until: dt.datetime | None = await conn.fetchval(
        """UPDATE account SET locked_until = now() + $2::interval,
                              evidence_since = now() + $2::interval
           WHERE id = $1 AND coalesce(locked_until <= now(), true)
           RETURNING locked_until""",
        account_id,
        policy.lock_for,
    )
    return None if locked_until is None else (sources, locked_until)


async def unlock(conn: Conn, account_id: uuid.UUID) -> int:
    """Ends a lock and every wait on the account's username; returns the waits cleared."""
    await conn.execute(
        "UPDATE account SET locked_until = NULL, evidence_since = now() WHERE id = $1",
        account_id,
    )
    cleared = await conn.fetchval(
        """WITH gone AS (DELETE FROM sign_in_throttle
                         WHERE account_id = $1 OR username = (
                             SELECT username FROM account WHERE id = $1)
                         RETURNING 1)
           SELECT count(*) FROM gone""",
        account_id,
    )
    return int(cleared)
