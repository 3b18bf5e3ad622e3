from __future__ import annotations

from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from xkld_shared.settings import ServiceSettings

_SECRETS = (
    "sms_api_key",
    "sms_secret_key",
    "sms_callback_token",
    "sms_inbound_token",
    "zalo_access_token",
    "zalo_callback_token",
)


class NotificationsSettings(ServiceSettings):
    """Credentials come from the environment (XKLD_SMS_API_KEY) or from a file named by
    XKLD_SMS_API_KEY_FILE (a mounted secret); they are SecretStr, so they never print."""

    http_port: int = 8103
    pii_keys: SecretStr
    pii_active_kid: str
    # This service's own key for finding a contact by phone (an inbound "TU CHOI").
    blind_index_key: SecretStr
    sms_provider: Literal["esms", "speedsms", "webhook"] = "esms"
    sms_base_url: str = "http://127.0.0.1:8199"
    sms_api_key: SecretStr | None = None
    sms_api_key_file: Path | None = None
    sms_secret_key: SecretStr | None = None
    sms_secret_key_file: Path | None = None
    sms_brandname: str = "XKLD"
    sms_sandbox: bool = False
    sms_callback_url: str | None = None
    # Proves a delivery report comes from the provider we gave the URL to; sent as ?token=.
    sms_callback_token: SecretStr | None = None
    sms_callback_token_file: Path | None = None
    # Proves an inbound SMS (a worker's "TU CHOI") comes from the provider; defaults to the
    # callback token.
    sms_inbound_token: SecretStr | None = None
    sms_inbound_token_file: Path | None = None
    sms_timeout_seconds: float = Field(default=5.0, gt=0)
    sms_max_attempts: int = Field(default=6, ge=1)
    sms_retry_base_seconds: float = Field(default=2.0, ge=0)
    sms_retry_cap_seconds: float = Field(default=600.0, gt=0)
    sms_poll_seconds: float = Field(default=1.0, gt=0)
    sms_batch_size: int = Field(default=50, gt=0)
    sms_daily_limit: int = Field(default=3, ge=1)
    sms_quiet_hours_enabled: bool = True
    sms_breaker_threshold: int = Field(default=5, ge=1)
    sms_breaker_cooldown_seconds: float = Field(default=30.0, gt=0)
    # The provider's contracted rate, shared by every replica; unset: not paced.
    sms_rate_per_second: int | None = Field(default=None, gt=0)
    # Campaign broadcasts (issue 16): Zalo's notification service (ZNS) beside SMS.
    zalo_base_url: str = "http://127.0.0.1:8199"
    zalo_access_token: SecretStr | None = None
    zalo_access_token_file: Path | None = None
    # Proves a Zalo delivery callback comes from Zalo; sent as ?token= on the webhook URL.
    zalo_callback_token: SecretStr | None = None
    zalo_callback_token_file: Path | None = None
    zalo_rate_per_second: int | None = Field(default=None, gt=0)
    zalo_callback_timeout_seconds: float = Field(default=600.0, gt=0)
    # What each channel costs us, in integer VND: an SMS per part, a ZNS message per message.
    sms_cost_vnd_per_segment: int = Field(default=750, ge=0)
    zalo_cost_vnd_per_message: int = Field(default=300, ge=0)

    @model_validator(mode="after")
    def _secrets_from_files(self) -> Self:
        for name in _SECRETS:
            path: Path | None = getattr(self, f"{name}_file")
            if getattr(self, name) is None and path is not None:
                setattr(self, name, SecretStr(path.read_text("utf-8").strip()))
        for name in ("sms_api_key", "sms_callback_token"):
            if getattr(self, name) is None:
                raise ValueError(f"XKLD_{name.upper()} or XKLD_{name.upper()}_FILE is required")
        if self.sms_inbound_token is None:
            self.sms_inbound_token = self.sms_callback_token
        if self.zalo_callback_token is None:
            self.zalo_callback_token = self.sms_callback_token
        return self

    def secret(self, name: str) -> SecretStr:
        value: SecretStr | None = getattr(self, name)
        return value if value is not None else SecretStr("")
