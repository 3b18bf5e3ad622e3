"""Composition root of the identity component."""

from __future__ import annotations

import datetime as dt
import json

from fastapi import FastAPI

from xkld_shared.audit_http import audit_router
from xkld_shared.http.app import service_app
from xkld_shared.identity.server import routes_accounts, routes_auth
from xkld_shared.identity.server.account_trail import read_account_trail
from xkld_shared.identity.server.admin import AccountAdmin
from xkld_shared.identity.server.auth import Authenticator
from xkld_shared.identity.server.keys import load_key_set
from xkld_shared.identity.server.passwords import Passwords, hasher_for
from xkld_shared.identity.server.routes_auth import Discovery
from xkld_shared.identity.server.settings import IdentitySettings
from xkld_shared.identity.server.throttle import SignInPolicy
from xkld_shared.identity.tokens import TokenIssuer
from xkld_shared.logging import configure_logging
from xkld_shared.runtime import ServiceRuntime

SERVICE = "identity"
MIGRATIONS = "xkld_shared.identity.server:migrations"


def create_app(settings: IdentitySettings | None = None) -> FastAPI:
    settings = settings or IdentitySettings()
    configure_logging(SERVICE, settings.log_level, settings.log_json)
    keys = load_key_set(
        settings.auth_signing_key_file, settings.auth_signing_kid, settings.auth_retired_jwks_file
    )
    jwks = keys.jwks()
    issuer = TokenIssuer(
        keys.signing,
        settings.auth_issuer,
        settings.auth_audience,
        lifetime=dt.timedelta(seconds=settings.auth_access_token_seconds),
    )
    policy = _sign_in_policy(settings)
    passwords = Passwords(
        hasher_for(settings.auth_password_hashing),
        max_concurrent=settings.auth_max_concurrent_hashes,
    )

    async def start(runtime: ServiceRuntime, app: FastAPI) -> None:
        app.state.pool = pool = await runtime.open_pool()
        app.state.authenticator = Authenticator(
            pool,
            passwords,
            issuer,
            policy=policy,
            refresh_lifetime=dt.timedelta(days=settings.auth_refresh_token_days),
        )
        app.state.accounts = AccountAdmin(pool, passwords)

    # Our own admin endpoints trust exactly what every service trusts, the public JWKS, and
    # through the same path: the shared lifespan builds `app.state.token_verifier` from it.
    runtime = ServiceRuntime(SERVICE, settings.model_copy(update={"auth_jwks": json.dumps(jwks)}))
    trail = audit_router(SERVICE, read_account_trail)
    app = service_app(runtime, start, [routes_auth.router, routes_accounts.router, trail])
    app.state.discovery = Discovery(settings.auth_issuer, jwks, settings.auth_public_url)
    return app


def _sign_in_policy(settings: IdentitySettings) -> SignInPolicy:
    def seconds(value: float) -> dt.timedelta:
        return dt.timedelta(seconds=value)

    return SignInPolicy(
        free_failures=settings.auth_max_failed_logins,
        first_delay=seconds(settings.auth_throttle_first_delay_seconds),
        max_delay=seconds(settings.auth_throttle_max_delay_seconds),
        memory=seconds(settings.auth_throttle_memory_seconds),
        distributed_sources=settings.auth_distributed_sources,
        distributed_window=seconds(settings.auth_distributed_window_seconds),
        lock_for=seconds(settings.auth_lockout_seconds),
    )
