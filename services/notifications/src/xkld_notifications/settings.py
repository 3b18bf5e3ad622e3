from __future__ import annotations

from pydantic import Field, SecretStr
from xkld_shared.settings import ServiceSettings


class NotificationsSettings(ServiceSettings):
    http_port: int = 8103
    pii_keys: SecretStr
    pii_active_kid: str
    sms_base_url: str = "http://127.0.0.1:8199"
    sms_api_key: SecretStr
    sms_secret_key: SecretStr
    sms_brandname: str = "XKLD"
    sms_sandbox: bool = False
    sms_callback_url: str | None = None
    # Proves a delivery report comes from the provider we gave the URL to; sent as ?token=.
    sms_callback_token: SecretStr
    sms_timeout_seconds: float = Field(default=5.0, gt=0)
    sms_max_attempts: int = Field(default=6, ge=1)
    sms_retry_base_seconds: float = Field(default=2.0, ge=0)
    sms_poll_seconds: float = Field(default=1.0, gt=0)
