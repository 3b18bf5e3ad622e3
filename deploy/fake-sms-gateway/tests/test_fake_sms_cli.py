"""The ``python -m xkld_fake_sms`` entry point and its configuration sources."""

from __future__ import annotations

import asyncio
import os
import socket
import sys

import httpx
from xkld_fake_sms import SEND_PATH, Settings
from xkld_fake_sms.__main__ import parse_args
from xkld_fake_sms.testing import wait_until

SECRET_PHONE = "0987654321"
SECRET_CONTENT = "Khoản vay 50 triệu đã được duyệt"


def test_cli_defaults_come_from_the_environment_and_flags_override_them() -> None:
    env = {"FAKE_SMS_HOST": "192.0.2.10", "FAKE_SMS_PORT": "9001"}

    assert (parse_args([], env).host, parse_args([], env).port) == ("192.0.2.10", 9001)
    assert parse_args(["--port", "9002"], env).port == 9002
    assert (parse_args([], {}).host, parse_args([], {}).port) == ("127.0.0.1", 8199)


def test_settings_read_credentials_and_millisecond_delays_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "FAKE_SMS_API_KEY": "k",
            "FAKE_SMS_SECRET_KEY": "s",
            "FAKE_SMS_REPORT_DELAY_MS": "10",
            "FAKE_SMS_CALLBACK_BACKOFF_MS": "100",
        }
    )

    assert (settings.api_key, settings.secret_key) == ("k", "s")
    assert settings.report_delay_seconds == 0.01
    assert settings.callback_backoff_seconds == 0.1
    assert Settings.from_env({}) == Settings()


async def test_the_module_entry_point_serves_and_never_logs_phone_or_content() -> None:
    port = _free_port()
    env = {**os.environ, "FAKE_SMS_PORT": str(port), "FAKE_SMS_API_KEY": "cli-key"}
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "xkld_fake_sms", "--host", "127.0.0.1"),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            # A busy machine can take long to import and start a Python process.
            await wait_until(lambda: _healthy(client), within=60)
            body = _body(ApiKey="cli-key", RequestId="cli-req")
            response = await client.post(SEND_PATH, json=body)
            assert response.json()["CodeResult"] == "100"
            await client.get("/_admin/messages", params={"phone": SECRET_PHONE})
    finally:
        process.terminate()
        output, _ = await asyncio.wait_for(process.communicate(), timeout=60)

    log = output.decode()
    assert "cli-req" in log  # proves the log was captured at all
    assert SECRET_PHONE not in log
    assert SECRET_PHONE.removeprefix("0") not in log
    assert SECRET_CONTENT not in log


async def _healthy(client: httpx.AsyncClient) -> bool:
    try:
        return (await client.get("/health")).status_code == 200
    except httpx.TransportError:
        return False


def _body(**overrides: str) -> dict[str, str]:
    body = {
        "SecretKey": "test-secret-key",
        "Content": SECRET_CONTENT,
        "Phone": SECRET_PHONE,
        "Brandname": "XKLD",
        "SmsType": "2",
        "IsUnicode": "1",
        "Sandbox": "0",
    }
    return body | overrides


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
