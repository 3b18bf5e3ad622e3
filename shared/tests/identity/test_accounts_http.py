"""Account management over HTTP: administrators only, validated, and every change audited."""

from __future__ import annotations

import json
import uuid
from typing import Any

import asyncpg
import pytest
from xkld_shared.identity.principal import Principal, Role
from xkld_shared.identity.server.testing import TEST_PASSWORD, RunningIdentity
from xkld_shared.identity.tokens import SigningKey, TokenIssuer


@pytest.fixture
async def admin(identity: RunningIdentity) -> dict[str, str]:
    await identity.add_account("root.admin", roles=["admin"])
    return await identity.bearer("root.admin")


def _new(username: str = "lan.nt", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "username": username,
        "full_name": "Nguyễn Thị Lan",
        "password": "a long enough password",
        "roles": ["commune_officer"],
        "communes": ["29800"],
    }
    return body | overrides


# A fixed unknown id: test ids must be the same in every collection (parallel workers compare).
SOMEONE = "6f1c2b1e-0000-4000-8000-00000000a11c"
ENDPOINTS = [
    ("GET", "/accounts", None),
    ("POST", "/accounts", _new()),
    ("GET", f"/accounts/{SOMEONE}", None),
    ("PATCH", f"/accounts/{SOMEONE}", {"full_name": "X"}),
    ("POST", f"/accounts/{SOMEONE}/reset-password", {"password": "a long password"}),
]
ENDPOINT_IDS = [
    f"{method} {path.removeprefix('/accounts') or '/'}" for method, path, _ in ENDPOINTS
]


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=ENDPOINT_IDS)
async def test_without_a_token_account_management_answers_401(
    identity: RunningIdentity, method: str, path: str, body: dict[str, Any] | None
) -> None:
    answer = await identity.client.request(method, path, json=body)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=ENDPOINT_IDS)
async def test_anyone_but_an_admin_gets_403_from_account_management(
    identity: RunningIdentity, method: str, path: str, body: dict[str, Any] | None
) -> None:
    await identity.add_account(
        "busy.officer",
        roles=["commune_officer", "labour_officer", "loan_officer", "report_viewer"],
        communes=["29800"],
        branch="TH-01",
    )
    headers = await identity.bearer("busy.officer")
    answer = await identity.client.request(method, path, json=body, headers=headers)
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "forbidden"


async def test_a_forged_token_is_not_an_admin(identity: RunningIdentity) -> None:
    # Same kid, different key: what an attacker who knows our key ids could make.
    forger = TokenIssuer(SigningKey.generate("test-k1"), "xkld", "xkld")
    token = forger.issue(Principal(str(uuid.uuid4()), "mallory", frozenset({Role.ADMIN})))
    answer = await identity.client.get("/accounts", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401


async def test_an_admin_creates_an_account_that_can_sign_in_and_the_creation_is_audited(
    identity: RunningIdentity, admin: dict[str, str], db: asyncpg.Connection
) -> None:
    answer = await identity.client.post(
        "/accounts",
        json=_new("Lan.NT", roles=["commune_officer", "training_staff"]),
        headers=admin,
    )
    assert answer.status_code == 201, answer.text
    created = answer.json()
    assert created["username"] == "lan.nt"
    assert created["roles"] == ["commune_officer", "training_staff"]
    assert created["communes"] == ["29800"]
    assert "password" not in str(created).replace("password_changed_at", "")
    admin_id = await db.fetchval("SELECT id FROM account WHERE username = 'root.admin'")
    assert created["created_by"] == str(admin_id)
    audit = await db.fetchrow(
        "SELECT * FROM account_audit WHERE account_id = $1", uuid.UUID(created["id"])
    )
    assert audit is not None
    assert audit["actor"] == str(admin_id)
    assert audit["action"] == "create"
    assert audit["before"] is None
    after = json.loads(audit["after"])
    assert after["username"] == "lan.nt"
    assert after["roles"] == ["commune_officer", "training_staff"]
    assert "password" not in after
    assert audit["ip"] == "127.0.0.1"
    assert (await identity.login("lan.nt", "a long enough password")).status_code == 200


async def test_an_account_created_as_admin_has_the_admin_role_and_nothing_else(
    identity: RunningIdentity, admin: dict[str, str]
) -> None:
    answer = await identity.client.post(
        "/accounts", json=_new("second.admin", roles=["admin"], communes=[]), headers=admin
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["roles"] == ["admin"]


async def test_every_role_can_be_stored(identity: RunningIdentity, admin: dict[str, str]) -> None:
    body = _new(roles=[r.value for r in Role], province="38", branch="TH-01")
    answer = await identity.client.post("/accounts", json=body, headers=admin)
    assert answer.status_code == 201, answer.text
    assert sorted(answer.json()["roles"]) == sorted(r.value for r in Role)


async def test_a_username_already_taken_in_any_case_gets_409(
    identity: RunningIdentity, admin: dict[str, str]
) -> None:
    first = await identity.client.post("/accounts", json=_new("lan.nt"), headers=admin)
    assert first.status_code == 201
    again = await identity.client.post("/accounts", json=_new("LAN.NT"), headers=admin)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "username_taken"
    assert again.json()["error"]["message_vi"]


BAD_NEW_ACCOUNTS: dict[str, tuple[dict[str, Any], list[str]]] = {
    "unknown role": ({"roles": ["superuser"]}, ["roles"]),
    "commune officer without communes": ({"communes": []}, ["communes"]),
    "commune code not 5 digits": ({"communes": ["298"]}, ["communes"]),
    "labour officer without province or communes": (
        {"roles": ["labour_officer"], "communes": []},
        ["province"],
    ),
    "province not 2 digits": ({"roles": ["labour_officer"], "province": "3"}, ["province"]),
    "loan officer without branch": ({"roles": ["loan_officer"]}, ["branch"]),
    "bank manager without branch": ({"roles": ["bank_manager"]}, ["branch"]),
    "no roles": ({"roles": []}, ["roles"]),
    "password too short": ({"password": "short"}, ["password"]),
    "password equal to the username": ({"password": "lan.nt.2025"}, ["password"]),
    "username with a space": ({"username": "lan nt"}, ["username"]),
    "unknown field": ({"is_superuser": True}, ["is_superuser"]),
}


@pytest.mark.parametrize("case", BAD_NEW_ACCOUNTS, ids=list(BAD_NEW_ACCOUNTS))
async def test_a_bad_new_account_gets_a_bilingual_422_and_is_not_created(
    identity: RunningIdentity, admin: dict[str, str], db: asyncpg.Connection, case: str
) -> None:
    overrides, fields = BAD_NEW_ACCOUNTS[case]
    body = _new("lan.nt.2025") | overrides
    answer = await identity.client.post("/accounts", json=body, headers=admin)
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "invalid_input"
    assert [p["field"] for p in error["fields"]] == fields
    assert all(p["message_vi"] and p["message_en"] for p in error["fields"])
    assert await db.fetchval("SELECT count(*) FROM account") == 1  # the admin only
    assert await db.fetchval("SELECT count(*) FROM account_audit WHERE action <> 'create'") == 0


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("GET", "", None),
        ("PATCH", "", {"full_name": "Ai đó"}),
        ("POST", "/reset-password", {"password": "a long enough password"}),
    ],
    ids=["get", "patch", "reset-password"],
)
async def test_an_unknown_account_gets_404(
    identity: RunningIdentity,
    admin: dict[str, str],
    method: str,
    suffix: str,
    body: dict[str, Any] | None,
) -> None:
    answer = await identity.client.request(
        method, f"/accounts/{uuid.uuid4()}{suffix}", json=body, headers=admin
    )
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "account_not_found"


async def test_admins_list_and_read_accounts(
    identity: RunningIdentity, admin: dict[str, str]
) -> None:
    lan = await identity.add_account("lan.nt")
    await identity.add_account("binh.tv")
    listed = await identity.client.get("/accounts", headers=admin)
    assert [a["username"] for a in listed.json()["accounts"]] == ["binh.tv", "lan.nt", "root.admin"]
    paged = await identity.client.get("/accounts?limit=1&offset=1", headers=admin)
    assert [a["username"] for a in paged.json()["accounts"]] == ["lan.nt"]
    one = await identity.client.get(f"/accounts/{lan.id}", headers=admin)
    assert one.json()["username"] == "lan.nt"
    assert "password_hash" not in one.json()


async def test_a_change_touches_only_the_given_fields_and_audits_them_before_and_after(
    identity: RunningIdentity, admin: dict[str, str], db: asyncpg.Connection
) -> None:
    account = await identity.add_account("lan.nt", roles=["labour_officer"], province="38")
    answer = await identity.client.patch(
        f"/accounts/{account.id}",
        json={"communes": ["38001"], "province": None, "full_name": "Nguyễn Thị  Lan"},
        headers=admin,
    )
    assert answer.status_code == 200, answer.text
    changed = answer.json()
    assert changed["province"] is None
    assert changed["communes"] == ["38001"]
    assert changed["full_name"] == "Nguyễn Thị Lan"
    assert changed["roles"] == ["labour_officer"]
    audit = await db.fetchrow(
        "SELECT * FROM account_audit WHERE account_id = $1 AND action = 'update'", account.id
    )
    assert audit is not None
    assert json.loads(audit["before"]) == {
        "full_name": "Test lan.nt",
        "communes": [],
        "province": "38",
    }
    assert json.loads(audit["after"]) == {
        "full_name": "Nguyễn Thị Lan",
        "communes": ["38001"],
        "province": None,
    }
    same = await identity.client.patch(
        f"/accounts/{account.id}", json={"communes": ["38001"]}, headers=admin
    )
    assert same.status_code == 200
    assert await db.fetchval("SELECT count(*) FROM account_audit WHERE action = 'update'") == 1


async def test_a_change_that_breaks_the_scope_rules_changes_nothing(
    identity: RunningIdentity, admin: dict[str, str], db: asyncpg.Connection
) -> None:
    account = await identity.add_account("lan.nt", roles=["commune_officer"], communes=["29800"])
    bad: list[dict[str, Any]] = [{"communes": []}, {"roles": ["loan_officer"]}, {"full_name": None}]
    for body in bad:
        answer = await identity.client.patch(f"/accounts/{account.id}", json=body, headers=admin)
        assert answer.status_code == 422, body
    row = await db.fetchrow("SELECT roles, communes FROM account WHERE id = $1", account.id)
    assert row is not None
    assert (row["roles"], row["communes"]) == (["commune_officer"], ["29800"])
    assert await db.fetchval("SELECT count(*) FROM account_audit WHERE action = 'update'") == 0


async def test_an_admin_cannot_remove_their_own_admin_role_or_disable_themselves(
    identity: RunningIdentity, admin: dict[str, str], db: asyncpg.Connection
) -> None:
    me = await db.fetchval("SELECT id FROM account WHERE username = 'root.admin'")
    for body in ({"roles": ["report_viewer"]}, {"disabled": True}):
        answer = await identity.client.patch(f"/accounts/{me}", json=body, headers=admin)
        assert answer.status_code == 422, body
    assert (await identity.client.get("/accounts", headers=admin)).status_code == 200


async def test_disabling_an_account_blocks_sign_in_and_ends_its_sessions(
    identity: RunningIdentity, admin: dict[str, str]
) -> None:
    account = await identity.add_account("lan.nt")
    refresh_token = (await identity.login("lan.nt")).json()["refresh_token"]
    answer = await identity.client.patch(
        f"/accounts/{account.id}", json={"disabled": True}, headers=admin
    )
    assert answer.json()["disabled"] is True
    assert (await identity.login("lan.nt")).status_code == 401
    await identity.client.patch(f"/accounts/{account.id}", json={"disabled": False}, headers=admin)
    assert (await identity.login("lan.nt")).status_code == 200
    refreshed = await identity.client.post("/auth/refresh", json={"refresh_token": refresh_token})
    assert refreshed.status_code == 401  # re-enabling does not revive the old session


async def test_a_password_reset_replaces_the_password_ends_sessions_and_is_audited(
    identity: RunningIdentity, admin: dict[str, str], db: asyncpg.Connection
) -> None:
    account = await identity.add_account("lan.nt")
    refresh_token = (await identity.login("lan.nt")).json()["refresh_token"]
    answer = await identity.client.post(
        f"/accounts/{account.id}/reset-password",
        json={"password": "a brand new passphrase"},
        headers=admin,
    )
    assert answer.status_code == 204, answer.text
    assert (await identity.login("lan.nt", TEST_PASSWORD)).status_code == 401
    assert (await identity.login("lan.nt", "a brand new passphrase")).status_code == 200
    refreshed = await identity.client.post("/auth/refresh", json={"refresh_token": refresh_token})
    assert refreshed.status_code == 401
    audit = await db.fetchrow(
        "SELECT * FROM account_audit WHERE account_id = $1 AND action = 'reset_password'",
        account.id,
    )
    assert audit is not None
    assert "a brand new passphrase" not in str(dict(audit))


async def test_a_weak_password_reset_is_refused(
    identity: RunningIdentity, admin: dict[str, str]
) -> None:
    account = await identity.add_account("lan.nt")
    answer = await identity.client.post(
        f"/accounts/{account.id}/reset-password", json={"password": "lan.nt"}, headers=admin
    )
    assert answer.status_code == 422
    assert (await identity.login("lan.nt")).status_code == 200


async def test_the_audit_log_cannot_be_rewritten(
    identity: RunningIdentity, db: asyncpg.Connection
) -> None:
    await identity.add_account("lan.nt")
    for statement in ("UPDATE account_audit SET actor = 'x'", "DELETE FROM account_audit"):
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await db.execute(statement)
    assert await db.fetchval("SELECT count(*) FROM account_audit") == 1
