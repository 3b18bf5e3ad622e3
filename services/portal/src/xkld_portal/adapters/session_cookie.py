"""The session in an encrypted, authenticated cookie (AES-GCM): the portal keeps no session
store, and a cookie that was tampered with or made with another key simply reads as none."""

from __future__ import annotations

import base64
import json
import os
from dataclasses import asdict, dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

COOKIE = "xkld_session"
_AAD = b"xkld-portal-session-v1"
_BLOB_AAD = b"xkld-portal-blob-v1"


@dataclass(frozen=True)
class Session:
    access_token: str
    refresh_token: str
    csrf: str
    full_name: str = ""


class SessionCookie:
    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("the session key must be 32 bytes (xkld_shared.crypto.generate_key)")
        self._aead = AESGCM(key)

    def seal(self, session: Session) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, json.dumps(asdict(session)).encode(), _AAD)
        return base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")

    def open(self, value: str | None) -> Session | None:
        if not value or len(value) > 8000:
            return None
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
            plain = self._aead.decrypt(raw[:12], raw[12:], _AAD)
            return Session(**json.loads(plain))
        except (ValueError, InvalidTag, TypeError):
            return None

    def seal_blob(self, data: bytes) -> str:
        """Bytes a page must carry between two requests (an upload awaiting confirmation)."""
        nonce = os.urandom(12)
        return base64.urlsafe_b64encode(nonce + self._aead.encrypt(nonce, data, _BLOB_AAD)).decode()

    def open_blob(self, value: str) -> bytes | None:
        try:
            raw = base64.urlsafe_b64decode(value)
            return self._aead.decrypt(raw[:12], raw[12:], _BLOB_AAD)
        except (ValueError, InvalidTag):
            return None
