from __future__ import annotations

from pydantic import Field, SecretStr
from xkld_shared.settings import ServiceSettings


class RegistrationSettings(ServiceSettings):
    http_port: int = 8101
    pii_keys: SecretStr  # "kid:base64key,...", shared with notifications only
    pii_active_kid: str
    blind_index_key: SecretStr  # base64, this service only
    # Follow-up: a worker abroad with no check-in for this many days is on the officer's
    # worklist (a request may ask for another number).
    silent_days: int = Field(default=90, ge=1, le=3650)
