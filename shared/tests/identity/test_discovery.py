"""The public documents: what lets a service (or a real IdP in our place) do without us."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from jwt.algorithms import ECAlgorithm
from xkld_shared.identity.principal import Principal, Role
from xkld_shared.identity.server.app import create_app
from xkld_shared.identity.server.keys import KeyFileError, write_new_key
from xkld_shared.identity.server.testing import (
    RunningIdentity,
    running_identity,
    settings_for,
)
from xkld_shared.identity.tokens import TokenIssuer
from xkld_shared.testing.infra import Namespace


async def test_the_openid_configuration_points_at_our_keys_and_endpoints(
    identity: RunningIdentity,
) -> None:
    config = (await identity.client.get("/.well-known/openid-configuration")).json()
    assert config["issuer"] == "xkld"
    assert config["jwks_uri"] == "http://identity.test/.well-known/jwks.json"
    assert config["token_endpoint"] == "http://identity.test/auth/login"
    assert config["id_token_signing_alg_values_supported"] == ["ES256"]


async def test_a_configured_public_url_is_what_the_configuration_advertises(
    namespace: Namespace, key_file: Path
) -> None:
    settings = settings_for(
        namespace.dsn("identity"), key_file, auth_public_url="https://id.xkld.example/"
    )
    async with running_identity(settings) as identity:
        config = (await identity.client.get("/.well-known/openid-configuration")).json()
    assert config["jwks_uri"] == "https://id.xkld.example/.well-known/jwks.json"


async def test_the_jwks_holds_only_the_public_signing_key(identity: RunningIdentity) -> None:
    answer = await identity.client.get("/.well-known/jwks.json")
    keys = answer.json()["keys"]
    assert [(k["kid"], k["alg"], k["kty"], k["use"]) for k in keys] == [
        ("test-k1", "ES256", "EC", "sig")
    ]
    assert "d" not in keys[0]
    assert "public" in answer.headers["cache-control"]


async def test_tokens_signed_by_a_retiring_key_are_still_accepted_while_it_is_published(
    namespace: Namespace, tmp_path: Path
) -> None:
    old = write_new_key(tmp_path / "old.pem", "k-old")
    retired = tmp_path / "retired.json"
    retired.write_text(json.dumps({"keys": [old.public_jwk()]}))
    new_key = tmp_path / "new.pem"
    write_new_key(new_key, "test-k1")
    settings = settings_for(namespace.dsn("identity"), new_key, auth_retired_jwks_file=retired)
    async with running_identity(settings) as identity:
        jwks = (await identity.client.get("/.well-known/jwks.json")).json()
        assert [k["kid"] for k in jwks["keys"]] == ["test-k1", "k-old"]
        before_rotation = TokenIssuer(old, "xkld", "xkld").issue(
            Principal(str(uuid.uuid4()), "root.admin", frozenset({Role.ADMIN}))
        )
        headers = {"Authorization": f"Bearer {before_rotation}"}
        assert (await identity.client.get("/accounts", headers=headers)).status_code == 200


def test_a_retired_keys_file_holding_a_private_key_is_refused(tmp_path: Path) -> None:
    old = write_new_key(tmp_path / "old.pem", "k-old")
    private_jwk = json.loads(ECAlgorithm.to_jwk(old.private_key)) | {"kid": "k-old"}
    retired = tmp_path / "retired.json"
    retired.write_text(json.dumps({"keys": [private_jwk]}))
    never_reached = "postgresql://nobody@127.0.0.1:1/none"
    settings = settings_for(never_reached, tmp_path / "new.pem", auth_retired_jwks_file=retired)
    with pytest.raises(KeyFileError, match="private"):
        create_app(settings)
