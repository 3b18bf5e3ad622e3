"""Process-level configuration, read from the environment only when asked."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8199


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything that stays fixed for the lifetime of one fake gateway.

    Fault injection is deliberately *not* here: it changes at runtime through the
    admin API so that a single running server can serve many test scenarios.
    """

    api_key: str = "test-api-key"
    # A published test credential, not a secret: the fake guards nothing real.
    secret_key: str = "test-secret-key"  # noqa: S105
    # The OA's access token for the ZNS endpoint; a published test credential too.
    zalo_access_token: str = "test-zalo-token"  # noqa: S105
    report_delay_seconds: float = 0.05
    callback_max_attempts: int = 5
    callback_backoff_seconds: float = 0.2
    callback_backoff_max_seconds: float = 2.0
    callback_timeout_seconds: float = 5.0
    random_seed: int | None = None

    def __post_init__(self) -> None:
        if self.callback_max_attempts < 1:
            raise ValueError("callback_max_attempts must be at least 1")
        if min(self.report_delay_seconds, self.callback_backoff_seconds) < 0:
            raise ValueError("delays must not be negative")
        if self.callback_timeout_seconds <= 0:
            raise ValueError("callback_timeout_seconds must be positive")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        base = cls()
        seed = env.get("FAKE_SMS_SEED")
        return cls(
            api_key=env.get("FAKE_SMS_API_KEY", base.api_key),
            secret_key=env.get("FAKE_SMS_SECRET_KEY", base.secret_key),
            zalo_access_token=env.get("FAKE_ZALO_ACCESS_TOKEN", base.zalo_access_token),
            report_delay_seconds=_ms(env, "FAKE_SMS_REPORT_DELAY_MS", base.report_delay_seconds),
            callback_max_attempts=int(
                env.get("FAKE_SMS_CALLBACK_MAX_ATTEMPTS", base.callback_max_attempts)
            ),
            callback_backoff_seconds=_ms(
                env, "FAKE_SMS_CALLBACK_BACKOFF_MS", base.callback_backoff_seconds
            ),
            callback_backoff_max_seconds=_ms(
                env, "FAKE_SMS_CALLBACK_BACKOFF_MAX_MS", base.callback_backoff_max_seconds
            ),
            callback_timeout_seconds=_ms(
                env, "FAKE_SMS_CALLBACK_TIMEOUT_MS", base.callback_timeout_seconds
            ),
            random_seed=int(seed) if seed else None,
        )


def _ms(env: Mapping[str, str], name: str, default_seconds: float) -> float:
    # Env vars are in milliseconds because the interesting values (50 ms, 200 ms)
    # read badly as fractions of a second.
    raw = env.get(name)
    return default_seconds if raw is None else int(raw) / 1000
