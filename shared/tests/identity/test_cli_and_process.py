"""The operator's command line and the component as a real process, as deployments run them."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import sys
from pathlib import Path

import asyncpg
from xkld_shared.identity.server.testing import TEST_KID, running_identity, settings_for
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.processes import ServiceProcess

MODULE = "xkld_shared.identity.server"
GOOD_PASSWORD = "operator's long passphrase"


async def _cli(
    *args: str, database: str | None = None, stdin: str = "", env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    environment = {k: v for k, v in os.environ.items() if k != "XKLD_NEW_PASSWORD"}
    if database is not None:
        environment["XKLD_DATABASE_URL"] = database
    environment.update(env or {})
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        MODULE,
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=environment,
    )
    out, err = await proc.communicate(stdin.encode())
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def _create_admin(
    dsn: str, password: str, username: str = "ops.admin"
) -> tuple[int, str, str]:
    return await _cli(
        "create-admin",
        "--username",
        username,
        "--full-name",
        "Quản trị hệ thống",
        database=dsn,
        stdin=password + "\n",
    )


async def test_create_admin_reads_the_password_from_stdin_and_that_admin_can_sign_in(
    namespace: Namespace, key_file: Path
) -> None:
    dsn = namespace.dsn("identity")
    code, out, err = await _create_admin(dsn, GOOD_PASSWORD)
    assert code == 0, err
    assert json.loads(out)["username"] == "ops.admin"
    assert GOOD_PASSWORD not in out + err
    async with running_identity(settings_for(dsn, key_file)) as identity:
        headers = await identity.bearer("ops.admin", GOOD_PASSWORD)
        listed = await identity.client.get("/accounts", headers=headers)
    assert listed.status_code == 200
    assert listed.json()["accounts"][0]["roles"] == ["admin"]
    conn = await asyncpg.connect(dsn)
    try:
        assert await conn.fetchval("SELECT actor FROM account_audit") == "cli"
    finally:
        await conn.close()


async def test_create_admin_refuses_a_password_given_as_an_argument() -> None:
    code, _, err = await _cli(
        "create-admin", "--username", "ops.admin", "--full-name", "X", "--password", GOOD_PASSWORD
    )
    assert code == 2
    assert "unrecognized arguments" in err


async def test_create_admin_refuses_a_weak_password_with_the_bilingual_message(
    namespace: Namespace,
) -> None:
    dsn = namespace.dsn("identity")
    code, _, err = await _create_admin(dsn, "short")
    assert code != 0
    assert "Mật khẩu phải có ít nhất 10 ký tự" in err
    assert "at least 10 characters" in err
    code, _, err = await _create_admin(dsn, "ops.admin.1", username="ops.admin.1")
    assert code != 0
    assert "không được trùng với tên đăng nhập" in err
    conn = await asyncpg.connect(dsn)
    try:
        assert await conn.fetchval("SELECT count(*) FROM account") == 0
    finally:
        await conn.close()


async def test_create_admin_refuses_a_username_already_taken(namespace: Namespace) -> None:
    dsn = namespace.dsn("identity")
    assert (await _create_admin(dsn, GOOD_PASSWORD))[0] == 0
    code, _, err = await _create_admin(dsn, GOOD_PASSWORD)
    assert code != 0
    assert "already taken" in err


async def test_reset_password_takes_the_new_password_from_the_environment(
    namespace: Namespace, key_file: Path
) -> None:
    dsn = namespace.dsn("identity")
    assert (await _create_admin(dsn, GOOD_PASSWORD))[0] == 0
    weak = await _cli(
        "reset-password",
        "--username",
        "OPS.admin",
        database=dsn,
        env={"XKLD_NEW_PASSWORD": "too short"},
    )
    assert weak[0] != 0
    assert "at least 10 characters" in weak[2]
    code, _, err = await _cli(
        "reset-password",
        "--username",
        "OPS.admin",
        database=dsn,
        env={"XKLD_NEW_PASSWORD": "a replacement passphrase"},
    )
    assert code == 0, err
    async with running_identity(settings_for(dsn, key_file)) as identity:
        assert (await identity.login("ops.admin", GOOD_PASSWORD)).status_code == 401
        assert (await identity.login("ops.admin", "a replacement passphrase")).status_code == 200


async def test_reset_password_of_an_unknown_username_fails(namespace: Namespace) -> None:
    code, _, err = await _cli(
        "reset-password",
        "--username",
        "nobody",
        database=namespace.dsn("identity"),
        stdin=GOOD_PASSWORD + "\n",
    )
    assert code != 0
    assert "Không tìm thấy tài khoản" in err


async def test_gen_key_writes_a_key_only_its_owner_can_read_and_never_overwrites_one(
    tmp_path: Path,
) -> None:
    out = tmp_path / "signing.pem"
    code, printed, err = await _cli("gen-key", "--out", str(out), "--kid", "k2025")
    assert code == 0, err
    public = json.loads(printed)
    assert public["kid"] == "k2025"
    assert "d" not in public
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    before = out.read_bytes()
    assert b"PRIVATE KEY" in before
    code, _, _ = await _cli("gen-key", "--out", str(out), "--kid", "k2025")
    assert code != 0
    assert out.read_bytes() == before


async def test_as_a_process_it_migrates_serves_without_kafka_and_logs_no_secrets(
    namespace: Namespace, key_file: Path
) -> None:
    dsn = namespace.dsn("identity")
    assert (await _cli("migrate", database=dsn))[0] == 0  # again: migrations are idempotent
    assert (await _create_admin(dsn, GOOD_PASSWORD))[0] == 0
    settings_for(dsn, key_file)  # writes the key file
    env = {
        "XKLD_DATABASE_URL": dsn,
        "XKLD_AUTH_SIGNING_KEY_FILE": str(key_file),
        "XKLD_AUTH_SIGNING_KID": TEST_KID,
        "XKLD_KAFKA_BOOTSTRAP": "127.0.0.1:1",  # nothing listens there
    }
    proc = ServiceProcess(MODULE, env)
    await proc.start()  # waits for /ready to answer 200
    secrets = [GOOD_PASSWORD, "a wrong passphrase"]
    try:
        async with local_client(base_url=proc.url) as client:
            wrong = {"username": "ops.admin", "password": "a wrong passphrase"}
            assert (await client.post("/auth/login", json=wrong)).status_code == 401
            right = {"username": "ops.admin", "password": GOOD_PASSWORD}
            tokens = (await client.post("/auth/login", json=right)).json()
            refresh = {"refresh_token": tokens["refresh_token"]}
            rotated = (await client.post("/auth/refresh", json=refresh)).json()
            assert (await client.post("/auth/refresh", json=refresh)).status_code == 401
            await client.post("/auth/logout", json={"refresh_token": rotated["refresh_token"]})
            secrets += [tokens[k] for k in ("access_token", "refresh_token")]
            secrets += [rotated[k] for k in ("access_token", "refresh_token")]
    finally:
        assert await proc.terminate() == 0
    logs = proc.logs()
    assert "login failed" in logs  # so the checks below look at real log lines
    assert "refresh token reused" in logs
    for secret in [*secrets, "ops.admin"]:
        assert secret not in logs
