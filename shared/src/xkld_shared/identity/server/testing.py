"""Running the identity component in-process for tests, with accounts seeded directly."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from xkld_shared.identity.server.accounts import Account
from xkld_shared.identity.server.admin import AccountAdmin, Actor, NewAccount
from xkld_shared.identity.server.app import create_app
from xkld_shared.identity.server.keys import write_new_key
from xkld_shared.identity.server.settings import IdentitySettings

TEST_KID = "test-k1"
TEST_PASSWORD = "correct horse battery"  # noqa: S105 - a fixture, for test databases only


def settings_for(dsn: str, key_file: Path, **overrides: Any) -> IdentitySettings:
    """Settings for a test database, with cheap password hashing; `key_file` is created with
    `TEST_KID` if missing."""
    if not key_file.exists():
        write_new_key(key_file, TEST_KID)
    values: dict[str, Any] = {
        "database_url": dsn,
        "auth_signing_key_file": key_file,
        "auth_signing_kid": TEST_KID,
        "log_json": False,
        "auth_password_hashing": "fast-test-only",  # the production one: test_login.py
        **overrides,
    }
    return IdentitySettings.model_validate(values)


@dataclass
class RunningIdentity:
    app: FastAPI
    client: httpx.AsyncClient

    @property
    def accounts(self) -> AccountAdmin:
        accounts: AccountAdmin = self.app.state.accounts
        return accounts

    async def add_account(
        self,
        username: str,
        *,
        roles: Iterable[str] = ("report_viewer",),
        password: str = TEST_PASSWORD,
        communes: Iterable[str] = (),
        province: str | None = None,
        branch: str | None = None,
    ) -> Account:
        cmd = NewAccount(
            username, f"Test {username}", password, list(roles), list(communes), province, branch
        )
        return await self.accounts.create(Actor("test-setup"), cmd)

    async def login(
        self, username: str, password: str = TEST_PASSWORD, *, source: str | None = None
    ) -> httpx.Response:
        """Signs in from the default test address, or from `source` (failed sign-ins are
        counted per username and address)."""
        body = {"username": username, "password": password}
        if source is None:
            return await self.client.post("/auth/login", json=body)
        async with self.client_from(source) as client:
            return await client.post("/auth/login", json=body)

    def client_from(self, source: str) -> httpx.AsyncClient:
        """A client whose requests arrive from `source`; the app's lifespan is already on."""
        transport = httpx.ASGITransport(app=self.app, client=(source, 50_000))
        return httpx.AsyncClient(transport=transport, base_url="http://identity.test")

    async def bearer(self, username: str, password: str = TEST_PASSWORD) -> dict[str, str]:
        answer = await self.login(username, password)
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}


@asynccontextmanager
async def running_identity(settings: IdentitySettings) -> AsyncIterator[RunningIdentity]:
    """The app with its lifespan, reached through httpx without a socket."""
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://identity.test") as client,
    ):
        yield RunningIdentity(app, client)
