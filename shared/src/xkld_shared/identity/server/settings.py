from __future__ import annotations

from pathlib import Path

from pydantic import Field

from xkld_shared.identity.server.passwords import PRODUCTION_HASHING, HashingProfile
from xkld_shared.settings import ServiceSettings


class AccountSettings(ServiceSettings):
    """What the account commands need (`create-admin`, `reset-password`): the database, and
    how passwords are hashed."""

    auth_password_hashing: HashingProfile = Field(
        default=PRODUCTION_HASHING,
        description="fast-test-only is for the test suite's throw-away accounts, never real ones",
    )


class IdentitySettings(AccountSettings):
    """`auth_issuer` and `auth_audience` come from `ServiceSettings`: what we sign, they check."""

    http_port: int = 8100
    auth_signing_key_file: Path = Field(description="PEM of the EC P-256 key; see `gen-key`")
    auth_signing_kid: str = Field(min_length=1)
    auth_retired_jwks_file: Path | None = Field(
        default=None, description="JWKS of public keys being retired, still trusted for a while"
    )
    auth_public_url: str | None = Field(
        default=None, description="Base URL clients reach us at; else the request's own"
    )
    auth_access_token_seconds: int = Field(default=900, gt=0)
    auth_refresh_token_days: float = Field(default=14, gt=0)
    auth_max_failed_logins: int = Field(
        default=5, ge=1, description="Failures from one address before it must wait"
    )
    auth_throttle_first_delay_seconds: float = Field(default=30, gt=0)
    auth_throttle_max_delay_seconds: float = Field(default=900, gt=0)
    auth_throttle_memory_seconds: float = Field(default=86_400, gt=0)
    auth_distributed_sources: int = Field(
        default=10, ge=2, description="Distinct failing addresses that lock an account"
    )
    auth_distributed_window_seconds: float = Field(default=3600, gt=0)
    auth_lockout_seconds: float = Field(
        default=900, gt=0, description="How long a distributed attack locks the account"
    )
    auth_max_concurrent_hashes: int = Field(default=4, ge=1, description="64 MiB each")
