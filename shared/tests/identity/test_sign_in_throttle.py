"""Wrong passwords slow down the address that sends them, not the account's owner; only many
addresses at once lock an account, and an administrator can unlock it. All of it audited."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from xkld_shared.identity.server.testing import RunningIdentity, running_identity, settings_for
from xkld_shared.identity.server.throttle import SignInPolicy
from xkld_shared.testing.infra import Namespace

GUESSER, OFFICE = "203.0.113.7", "198.51.100.20"
WRONG = "wrong password!"


@pytest.fixture
async def fast(namespace: Namespace, key_file: Path) -> AsyncIterator[RunningIdentity]:
    """Small thresholds so the tests are short: 3 free failures, 1 s first wait, 4 addresses."""
    settings = settings_for(
        namespace.dsn("identity"),
        key_file,
        auth_max_failed_logins=3,
        auth_throttle_first_delay_seconds=1,
        auth_distributed_sources=4,
    )
    async with running_identity(settings) as identity:
        yield identity


async def _audit_actions(db: asyncpg.Connection, username: str) -> list[str]:
    rows = await db.fetch(
        """SELECT action FROM account_audit JOIN account a ON a.id = account_id
           WHERE a.username = $1 ORDER BY account_audit.id""",
        username,
    )
    return [r["action"] for r in rows]


async def test_brute_force_from_one_address_is_stopped_while_the_user_signs_in_from_another(
    fast: RunningIdentity, db: asyncpg.Connection
) -> None:
    await fast.add_account("lan.nt")
    answers = [await fast.login("lan.nt", WRONG, source=GUESSER) for _ in range(3)]
    assert [a.status_code for a in answers] == [401, 401, 401]
    # From now on that address is refused before the password is even looked at.
    refused = await fast.login("lan.nt", source=GUESSER)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    error = refused.json()["error"]
    assert error["code"] == "too_many_attempts"
    assert "thử lại" in error["message_vi"]
    assert "try again" in error["message_en"]
    # The officer at the commune office is not slowed at all.
    assert (await fast.login("lan.nt", source=OFFICE)).status_code == 200
    assert "sign_in_throttled" in await _audit_actions(db, "lan.nt")


async def test_each_further_failure_doubles_the_wait() -> None:
    policy = SignInPolicy(free_failures=5, first_delay=dt.timedelta(seconds=30))
    waits = [policy.delay_after(n) for n in range(1, 11)]
    assert waits[:4] == [None] * 4
    assert [w.total_seconds() for w in waits[4:] if w] == [30, 60, 120, 240, 480, 900]


async def test_after_the_wait_the_address_may_try_again_and_the_right_password_clears_it(
    fast: RunningIdentity,
) -> None:
    await fast.add_account("lan.nt")
    for _ in range(3):
        await fast.login("lan.nt", WRONG, source=GUESSER)
    assert (await fast.login("lan.nt", source=GUESSER)).status_code == 429
    await asyncio.sleep(1.2)
    assert (await fast.login("lan.nt", source=GUESSER)).status_code == 200
    # Cleared: three more mistakes are free again.
    for _ in range(2):
        assert (await fast.login("lan.nt", WRONG, source=GUESSER)).status_code == 401
    assert (await fast.login("lan.nt", source=GUESSER)).status_code == 200


async def test_an_unknown_username_is_slowed_exactly_like_a_real_one(
    fast: RunningIdentity,
) -> None:
    await fast.add_account("lan.nt")
    real = [(await fast.login("lan.nt", WRONG, source=GUESSER)).status_code for _ in range(4)]
    made_up = [(await fast.login("no.one", WRONG, source=GUESSER)).status_code for _ in range(4)]
    assert real == made_up == [401, 401, 401, 429]


async def test_simultaneous_wrong_passwords_from_one_address_are_all_counted(
    fast: RunningIdentity,
) -> None:
    await fast.add_account("lan.nt")
    answers = await asyncio.gather(
        *(fast.login("lan.nt", f"wrong password {i}", source=GUESSER) for i in range(3))
    )
    assert {a.status_code for a in answers} == {401}
    assert (await fast.login("lan.nt", source=GUESSER)).status_code == 429


async def test_failures_from_many_addresses_lock_the_account_until_an_administrator_unlocks(
    fast: RunningIdentity, db: asyncpg.Connection
) -> None:
    account = await fast.add_account("lan.nt")
    await fast.add_account("quan.tri", roles=["admin"])
    for n in range(4):  # one wrong password each, from four addresses: a distributed attack
        assert (await fast.login("lan.nt", WRONG, source=f"192.0.2.{n + 1}")).status_code == 401
    locked = await fast.login("lan.nt", source=OFFICE)
    assert locked.status_code == 401  # the same answer as a wrong password
    assert locked.json() == (await fast.login("no.one", source=OFFICE)).json()
    assert "locked_distributed_attack" in await _audit_actions(db, "lan.nt")

    admin = await fast.bearer("quan.tri")
    answer = await fast.client.post(f"/accounts/{account.id}/unlock", headers=admin)
    assert answer.status_code == 200, answer.text
    assert answer.json()["locked_until"] is None
    assert (await fast.login("lan.nt", source=OFFICE)).status_code == 200
    row = await db.fetchrow(
        "SELECT actor, after FROM account_audit WHERE account_id = $1 AND action = 'unlock'",
        account.id,
    )
    assert row is not None
    assert row["actor"] != "system:sign-in"  # the administrator, by account id


async def test_one_address_alone_never_locks_the_account(fast: RunningIdentity) -> None:
    await fast.add_account("lan.nt")
    for _ in range(6):
        await fast.login("lan.nt", WRONG, source=GUESSER)
        await asyncio.sleep(0.05)
    assert (await fast.login("lan.nt", source=OFFICE)).status_code == 200


async def test_only_an_administrator_may_unlock(fast: RunningIdentity) -> None:
    account = await fast.add_account("lan.nt", roles=["commune_officer"], communes=["29800"])
    officer = await fast.bearer("lan.nt")
    answer = await fast.client.post(f"/accounts/{account.id}/unlock", headers=officer)
    assert answer.status_code == 403
