from __future__ import annotations

from pydantic import SecretStr
from xkld_shared.settings import ServiceSettings


class RegistrationSettings(ServiceSettings):
    http_port: int = 8101
    pii_keys: SecretStr  # "kid:base64key,...", shared with notifications only
    pii_active_kid: str
    blind_index_key: SecretStr  # base64, this service only
