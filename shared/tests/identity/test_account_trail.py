"""Identity's own `GET /audit`: the account changes in the shape every service's trail has,
so the administrator's audit viewer shows them beside the others, names of fields only."""

from __future__ import annotations

import pytest
from xkld_shared.identity.server.account_trail import changed_fields
from xkld_shared.identity.server.testing import RunningIdentity


@pytest.fixture
async def admin(identity: RunningIdentity) -> dict[str, str]:
    await identity.add_account("root.admin", roles=["admin"])
    return await identity.bearer("root.admin")


async def test_the_trail_shows_who_created_and_changed_an_account_and_which_fields_only(
    identity: RunningIdentity, admin: dict[str, str]
) -> None:
    body = {
        "username": "lan.nt",
        "full_name": "Nguyễn Thị Lan",
        "password": "a long enough password",
        "roles": ["commune_officer"],
        "communes": ["29800"],
    }
    created = await identity.client.post("/accounts", json=body, headers=admin)
    assert created.status_code == 201, created.text
    account_id = created.json()["id"]
    changed = {"full_name": "Nguyễn Thị Lan Anh", "communes": ["29800", "29623"]}
    patched = await identity.client.patch(f"/accounts/{account_id}", json=changed, headers=admin)
    assert patched.status_code == 200, patched.text

    answer = await identity.client.get("/audit", headers=admin)
    assert answer.status_code == 200, answer.text
    page = answer.json()
    assert page["service"] == "identity"
    mine = [row for row in page["rows"] if row["entity_id"] == account_id]
    assert [row["action"] for row in mine] == ["update", "create"]  # newest first
    assert all(row["actor_username"] == "root.admin" for row in mine)
    assert all(row["entity_type"] == "account" for row in mine)
    assert mine[0]["fields"] == ["communes", "full_name"]
    assert "full_name" in mine[1]["fields"]
    assert "Nguyễn" not in answer.text  # the values stay in the database


async def test_the_trail_filters_by_action_and_kind_as_the_other_services_do(
    identity: RunningIdentity, admin: dict[str, str]
) -> None:
    await identity.add_account("someone.else", roles=["report_viewer"])
    await identity.client.post(
        "/accounts",
        json={"username": "mai.pt", "full_name": "Phạm Thị Mai", "password": "x" * 16,
              "roles": ["report_viewer"]},
        headers=admin,
    )  # fmt: skip
    only_creations = await identity.client.get("/audit?action=create", headers=admin)
    assert {row["action"] for row in only_creations.json()["rows"]} == {"create"}
    other_kind = await identity.client.get("/audit?entity_type=registration", headers=admin)
    assert other_kind.json()["rows"] == []
    refused = await identity.client.get("/audit", headers=await identity.bearer("someone.else"))
    assert refused.status_code == 403
    bad = await identity.client.get("/audit?since=yesterday", headers=admin)
    assert bad.status_code == 422


def test_a_field_counts_as_changed_when_it_appears_goes_or_differs() -> None:
    assert changed_fields(None, {"a": 1}) == ["a"]
    assert changed_fields({"a": 1, "b": 2}, {"a": 1, "b": 3}) == ["b"]
    assert changed_fields({"a": 1}, {}) == ["a"]
    assert changed_fields({"a": 1}, {"a": 1}) == []
