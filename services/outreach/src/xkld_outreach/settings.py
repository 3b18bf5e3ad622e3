from __future__ import annotations

from pydantic import SecretStr
from xkld_shared.settings import ServiceSettings


class OutreachSettings(ServiceSettings):
    """No CCCD here. Survey members may give a phone (with consent to be contacted): it is
    sealed with the PII keyring registration and notifications hold, for notifications only."""

    http_port: int = 8105
    pii_keys: SecretStr  # "kid:base64key,...", the same keyring as registration's
    pii_active_kid: str
