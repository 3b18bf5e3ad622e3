"""Sealing CCCD and phone numbers, and the CCCD blind index, with keys from settings."""

from __future__ import annotations

from collections.abc import Iterable

from xkld_shared.contracts.registration import PHONE_PURPOSE
from xkld_shared.crypto import BlindIndex, FieldCipher

CCCD_PURPOSE = "cccd"
NAME_TOKEN_PURPOSE = "name_word"  # noqa: S105 - a label bound into the hash, not a secret


class KeyedVault:
    def __init__(self, cipher: FieldCipher, index: BlindIndex) -> None:
        self._cipher = cipher
        self._index = index

    def seal_cccd(self, cccd: str) -> str:
        return self._cipher.encrypt(cccd, purpose=CCCD_PURPOSE)

    def cccd_index(self, cccd: str) -> bytes:
        return self._index.of(cccd, purpose=CCCD_PURPOSE)

    def name_index(self, tokens: Iterable[str]) -> list[bytes]:
        """Keyed hashes of folded name words: equal words match, the words are not stored.

        Truncated to 16 bytes: enough to make a collision between two words negligible, and
        half the size in the GIN index."""
        return sorted({self._index.of(t, purpose=NAME_TOKEN_PURPOSE)[:16] for t in tokens})

    def seal_phone(self, phone_e164: str) -> str:
        return self._cipher.encrypt(phone_e164, purpose=PHONE_PURPOSE)

    def open_cccd(self, sealed: str) -> str:
        return self._cipher.decrypt(sealed, purpose=CCCD_PURPOSE)

    def open_phone(self, sealed: str) -> str:
        return self._cipher.decrypt(sealed, purpose=PHONE_PURPOSE)

    def seal_sensitive(self, value: str, purpose: str) -> str:
        return self._cipher.encrypt(value, purpose=purpose)

    def open_sensitive(self, sealed: str, purpose: str) -> str:
        return self._cipher.decrypt(sealed, purpose=purpose)
