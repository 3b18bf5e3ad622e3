"""Refresh tokens: rotation within a sign-in, theft detection, sign-out."""

from __future__ import annotations

import asyncpg
import httpx
from xkld_shared.identity.server.refresh_tokens import digest
from xkld_shared.identity.server.testing import RunningIdentity


async def _refresh(identity: RunningIdentity, token: str) -> httpx.Response:
    return await identity.client.post("/auth/refresh", json={"refresh_token": token})


async def _logout(identity: RunningIdentity, token: str) -> httpx.Response:
    return await identity.client.post("/auth/logout", json={"refresh_token": token})


async def _signed_in(identity: RunningIdentity, username: str = "lan.nt") -> str:
    answer = await identity.login(username)
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["refresh_token"]
    return token


async def test_refreshing_replaces_the_token_with_a_new_one_of_the_same_sign_in(
    identity: RunningIdentity, db: asyncpg.Connection
) -> None:
    await identity.add_account("lan.nt")
    first = await _signed_in(identity)
    answer = await _refresh(identity, first)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    second = body["refresh_token"]
    assert second != first
    assert body["token_type"] == "Bearer"
    assert answer.headers["cache-control"] == "no-store"
    assert (await identity.client.get("/accounts", headers=_bearer(body))).status_code == 403
    old = await db.fetchrow("SELECT * FROM refresh_token WHERE token_hash = $1", digest(first))
    new = await db.fetchrow("SELECT * FROM refresh_token WHERE token_hash = $1", digest(second))
    assert old is not None
    assert new is not None
    assert old["replaced_by"] == new["id"]
    assert old["family_id"] == new["family_id"]
    assert (await _refresh(identity, second)).status_code == 200


async def test_reusing_a_replaced_refresh_token_ends_the_whole_sign_in(
    identity: RunningIdentity,
) -> None:
    await identity.add_account("lan.nt")
    stolen = await _signed_in(identity)
    current = (await _refresh(identity, stolen)).json()["refresh_token"]
    reused = await _refresh(identity, stolen)
    assert reused.status_code == 401
    assert reused.json()["error"]["code"] == "invalid_refresh_token"
    # The legitimate holder's newer token dies with it: we cannot tell thief from owner.
    assert (await _refresh(identity, current)).status_code == 401


async def test_reuse_ends_only_that_sign_in(identity: RunningIdentity) -> None:
    await identity.add_account("lan.nt")
    other_device = await _signed_in(identity)
    stolen = await _signed_in(identity)
    await _refresh(identity, stolen)
    assert (await _refresh(identity, stolen)).status_code == 401
    assert (await _refresh(identity, other_device)).status_code == 200


async def test_logging_out_revokes_the_refresh_token_and_can_be_repeated(
    identity: RunningIdentity,
) -> None:
    await identity.add_account("lan.nt")
    token = await _signed_in(identity)
    assert (await _logout(identity, token)).status_code == 204
    assert (await _refresh(identity, token)).status_code == 401
    assert (await _logout(identity, token)).status_code == 204
    assert (await _logout(identity, "never-issued")).status_code == 204


async def test_logging_out_leaves_other_sign_ins_alone(identity: RunningIdentity) -> None:
    await identity.add_account("lan.nt")
    tablet, laptop = await _signed_in(identity), await _signed_in(identity)
    await _logout(identity, tablet)
    assert (await _refresh(identity, laptop)).status_code == 200


async def test_a_disabled_account_cannot_refresh(
    identity: RunningIdentity, db: asyncpg.Connection
) -> None:
    account = await identity.add_account("lan.nt")
    token = await _signed_in(identity)
    # Straight in the database, so only the check at refresh time can stop it.
    await db.execute("UPDATE account SET disabled = true WHERE id = $1", account.id)
    assert (await _refresh(identity, token)).status_code == 401


async def test_an_expired_refresh_token_is_refused(
    identity: RunningIdentity, db: asyncpg.Connection
) -> None:
    await identity.add_account("lan.nt")
    token = await _signed_in(identity)
    await db.execute(
        "UPDATE refresh_token SET expires_at = now() - interval '1 second' WHERE token_hash = $1",
        digest(token),
    )
    assert (await _refresh(identity, token)).status_code == 401


async def test_an_unknown_refresh_token_is_refused(identity: RunningIdentity) -> None:
    assert (await _refresh(identity, "made-up-token")).status_code == 401


async def test_a_refreshed_access_token_carries_the_roles_the_account_has_now(
    identity: RunningIdentity,
) -> None:
    account = await identity.add_account("lan.nt", roles=["report_viewer"])
    await identity.add_account("root.admin", roles=["admin"])
    token = await _signed_in(identity)
    promoted = await identity.client.patch(
        f"/accounts/{account.id}",
        json={"roles": ["report_viewer", "admin"]},
        headers=await identity.bearer("root.admin"),
    )
    assert promoted.status_code == 200, promoted.text
    body = (await _refresh(identity, token)).json()
    assert (await identity.client.get("/accounts", headers=_bearer(body))).status_code == 200


def _bearer(token_response: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_response['access_token']}"}
