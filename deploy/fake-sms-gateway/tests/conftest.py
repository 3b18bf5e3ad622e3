"""Fixtures: one real fake-gateway server per session, reset before every test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from xkld_fake_sms import SEND_PATH, Settings, create_app
from xkld_fake_sms.testing import serve_in_background

# Short delays keep the retry tests well inside the suite's time budget while
# preserving the shape (delay, doubling backoff, cap) of the defaults.
TEST_SETTINGS = Settings(
    api_key="k-test",
    secret_key="s-test",
    report_delay_seconds=0.02,
    callback_backoff_seconds=0.05,
    callback_backoff_max_seconds=0.2,
    callback_timeout_seconds=1.0,
)

SendFn = Callable[..., Awaitable[httpx.Response]]


@pytest.fixture(scope="session")
async def gateway_url() -> AsyncIterator[str]:
    async with serve_in_background(create_app(TEST_SETTINGS)) as url:
        yield url


@pytest.fixture
async def client(gateway_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=gateway_url, timeout=5.0) as http:
        # Reset rather than restart: the server is shared across the session.
        (await http.delete("/_admin/messages")).raise_for_status()
        (await http.delete("/_admin/faults")).raise_for_status()
        yield http


def esms_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "ApiKey": TEST_SETTINGS.api_key,
        "SecretKey": TEST_SETTINGS.secret_key,
        "Content": "Lịch phỏng vấn: 9h sáng thứ Hai",
        "Phone": "0912345678",
        "Brandname": "XKLD",
        "SmsType": "2",
        "IsUnicode": "1",
        "Sandbox": "0",
        "RequestId": "req-1",
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


@pytest.fixture
def make_body() -> Callable[..., dict[str, Any]]:
    return esms_body


@pytest.fixture
def send(client: httpx.AsyncClient) -> SendFn:
    """POST an eSMS body; keyword overrides replace fields, ``None`` removes one."""

    async def _send(**overrides: Any) -> httpx.Response:
        return await client.post(SEND_PATH, json=esms_body(**overrides))

    return _send


@pytest.fixture
def set_faults(client: httpx.AsyncClient) -> Callable[..., Awaitable[None]]:
    async def _set(**faults: Any) -> None:
        (await client.put("/_admin/faults", json=faults)).raise_for_status()

    return _set


async def get_json(client: httpx.AsyncClient, path: str, **params: str) -> Any:
    response = await client.get(path, params=params)
    response.raise_for_status()
    return response.json()


@pytest.fixture
def messages(client: httpx.AsyncClient) -> Callable[..., Awaitable[list[dict[str, Any]]]]:
    async def _messages(**params: str) -> list[dict[str, Any]]:
        listed: list[dict[str, Any]] = (await get_json(client, "/_admin/messages", **params))[
            "messages"
        ]
        return listed

    return _messages


@pytest.fixture
def stats(client: httpx.AsyncClient) -> Callable[[], Awaitable[dict[str, Any]]]:
    async def _stats() -> dict[str, Any]:
        counters: dict[str, Any] = await get_json(client, "/_admin/stats")
        return counters

    return _stats
