"""Field-level encryption and blind indexes for personal data.

Kafka has no encryption at rest, and a database dump must not show CCCD or phone numbers in clear,
so sensitive fields are sealed with AES-GCM under a key id (kid) that allows rotation. Duplicates
are found by a keyed hash (blind index), never by comparing plaintext.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_FORMAT = "v1"


class DecryptionError(Exception):
    """A ciphertext could not be opened: wrong key, wrong purpose, or tampered."""


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def parse_keyring(spec: str) -> dict[str, bytes]:
    """Parse `kid:base64key,kid2:base64key` as found in settings."""
    keys: dict[str, bytes] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        kid, _, encoded = item.partition(":")
        key = _unb64(encoded)
        if not kid or len(key) != 32:
            raise ValueError("each key must be 'kid:<32 bytes, urlsafe base64>'")
        keys[kid] = key
    if not keys:
        raise ValueError("the keyring is empty")
    return keys


def generate_key() -> str:
    return _b64(os.urandom(32))


class FieldCipher:
    """Seals short strings. The purpose is bound as associated data, so a sealed
    phone number cannot be passed off as a sealed CCCD."""

    def __init__(self, keys: dict[str, bytes], active_kid: str) -> None:
        if active_kid not in keys:
            raise ValueError("the active key id is not in the keyring")
        self._keys = keys
        self._active = active_kid

    def encrypt(self, plaintext: str, *, purpose: str) -> str:
        nonce = os.urandom(12)
        sealed = AESGCM(self._keys[self._active]).encrypt(
            nonce, plaintext.encode(), purpose.encode()
        )
        return f"{_FORMAT}.{self._active}.{_b64(nonce + sealed)}"

    def decrypt(self, token: str, *, purpose: str) -> str:
        try:
            fmt, kid, body = token.split(".", 2)
            raw = _unb64(body)
            if fmt != _FORMAT or kid not in self._keys:
                raise DecryptionError("unknown format or key id")
            return AESGCM(self._keys[kid]).decrypt(raw[:12], raw[12:], purpose.encode()).decode()
        except DecryptionError:
            raise
        except Exception as exc:  # the library raises several types; all mean "cannot open"
            raise DecryptionError("ciphertext cannot be opened") from exc


class BlindIndex:
    """A keyed hash that finds equal values without storing or comparing plaintext."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("a blind-index key needs at least 32 bytes")
        self._key = key

    def of(self, value: str, *, purpose: str) -> bytes:
        return hmac.new(self._key, f"{purpose}\x00{value}".encode(), hashlib.sha256).digest()
