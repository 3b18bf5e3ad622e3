"""The portal's settings, read from XKLD_* environment variables."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class PortalSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="XKLD_", extra="ignore")

    http_host: str = "127.0.0.1"
    http_port: int = 8080
    identity_url: str = "http://127.0.0.1:8100"
    registration_url: str = "http://127.0.0.1:8101"
    loans_url: str = "http://127.0.0.1:8102"
    notifications_url: str = "http://127.0.0.1:8103"
    reporting_url: str = "http://127.0.0.1:8104"
    outreach_url: str = "http://127.0.0.1:8105"
    # 32 random bytes, URL-safe base64 (xkld_shared.crypto.generate_key): encrypts the session
    # cookie. Rotating it signs everyone out, nothing worse.
    portal_session_key: SecretStr
    # Secure cookies unless a local plain-http setup says otherwise, explicitly.
    portal_cookie_secure: bool = True
    portal_backend_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    # Failed sign-ins allowed per window, per source address and per username.
    portal_login_attempts: int = Field(default=10, ge=1)
    portal_login_window_seconds: float = Field(default=300.0, gt=0)
    auth_issuer: str = "xkld"
    auth_audience: str = "xkld"
    auth_jwks: str | None = None
    auth_jwks_file: str | None = None
    auth_jwks_url: str | None = None
    log_level: str = "INFO"
    log_json: bool = True
