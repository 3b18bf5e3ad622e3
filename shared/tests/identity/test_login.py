"""Signing in against the real database: tokens any service can verify, and refusals that
reveal nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import asyncpg
import httpx
from argon2 import PasswordHasher
from xkld_shared.identity.principal import Role
from xkld_shared.identity.server.testing import (
    TEST_PASSWORD,
    RunningIdentity,
    running_identity,
    settings_for,
)
from xkld_shared.identity.tokens import TokenVerifier
from xkld_shared.testing.infra import Namespace

GENERIC_VI = "Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đang bị khoá tạm thời"


async def _verifier_from_discovery(client: httpx.AsyncClient) -> TokenVerifier:
    """What a service does: nothing but the public documents."""
    config = (await client.get("/.well-known/openid-configuration")).json()
    jwks = (await client.get(config["jwks_uri"])).json()
    assert all("d" not in key for key in jwks["keys"]), "a private key was published"
    return TokenVerifier(jwks, issuer=config["issuer"], audience="xkld")


async def test_a_correct_password_gets_tokens_that_verify_with_only_the_public_jwks(
    identity: RunningIdentity,
) -> None:
    account = await identity.add_account(
        "lan.nt", roles=["commune_officer", "training_staff"], communes=["29800", "29803"]
    )
    answer = await identity.login("lan.nt")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    assert answer.headers["cache-control"] == "no-store"
    principal = (await _verifier_from_discovery(identity.client)).verify(body["access_token"])
    assert principal.subject == str(account.id)
    assert principal.username == "lan.nt"
    assert principal.roles == {Role.COMMUNE_OFFICER, Role.TRAINING_STAFF}
    assert principal.scope.communes == {"29800", "29803"}


async def test_usernames_are_matched_whatever_their_case(identity: RunningIdentity) -> None:
    await identity.add_account("Lan.NT")
    assert (await identity.login("  LAN.nt")).status_code == 200


async def test_a_wrong_password_gets_a_generic_bilingual_401(identity: RunningIdentity) -> None:
    await identity.add_account("lan.nt")
    answer = await identity.login("lan.nt", "wrong password!")
    assert answer.status_code == 401
    error = answer.json()["error"]
    assert error["message_vi"] == GENERIC_VI
    assert error["message_en"]
    assert "access_token" not in answer.text


async def test_an_unknown_username_gets_exactly_the_answer_a_wrong_password_gets(
    identity: RunningIdentity,
) -> None:
    await identity.add_account("lan.nt")
    wrong = await identity.login("lan.nt", "wrong password!")
    unknown = await identity.login("nobody.here", "wrong password!")
    assert (unknown.status_code, unknown.json()) == (wrong.status_code, wrong.json())


async def test_a_disabled_account_cannot_log_in(
    identity: RunningIdentity, db: asyncpg.Connection
) -> None:
    account = await identity.add_account("lan.nt")
    await db.execute("UPDATE account SET disabled = true WHERE id = $1", account.id)
    answer = await identity.login("lan.nt")
    assert answer.status_code == 401
    assert answer.json()["error"]["message_vi"] == GENERIC_VI


async def test_passwords_are_stored_as_argon2_and_tokens_only_as_hashes(
    identity: RunningIdentity, db: asyncpg.Connection
) -> None:
    await identity.add_account("lan.nt")
    refresh_token = (await identity.login("lan.nt")).json()["refresh_token"]
    account = await db.fetchrow("SELECT * FROM account WHERE username = 'lan.nt'")
    assert account is not None
    assert account["password_hash"].startswith("$argon2id$")
    assert TEST_PASSWORD not in repr(dict(account))
    stored = await db.fetch("SELECT * FROM refresh_token")
    assert [row["token_hash"] for row in stored] == [
        hashlib.sha256(refresh_token.encode()).digest()
    ]
    assert refresh_token not in repr([dict(row) for row in stored])


async def test_a_hash_made_with_weaker_parameters_is_upgraded_at_login_to_the_production_ones(
    namespace: Namespace, key_file: Path, db: asyncpg.Connection
) -> None:
    production = settings_for(
        namespace.dsn("identity"), key_file, auth_password_hashing="rfc9106-low-memory"
    )
    async with running_identity(production) as identity:
        account = await identity.add_account("lan.nt")
        made = await db.fetchval("SELECT password_hash FROM account WHERE id = $1", account.id)
        assert made.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
        weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(TEST_PASSWORD)
        await db.execute("UPDATE account SET password_hash = $2 WHERE id = $1", account.id, weak)
        assert (await identity.login("lan.nt")).status_code == 200
        upgraded = await db.fetchval("SELECT password_hash FROM account WHERE id = $1", account.id)
        assert upgraded.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
        assert (await identity.login("lan.nt")).status_code == 200


async def test_a_login_without_a_password_gets_a_bilingual_422(
    identity: RunningIdentity,
) -> None:
    answer = await identity.client.post("/auth/login", json={"username": "lan.nt"})
    assert answer.status_code == 422
    assert [p["field"] for p in answer.json()["error"]["fields"]] == ["password"]
