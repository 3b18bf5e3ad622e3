from __future__ import annotations

from xkld_shared.contracts.registration import PHONE_PURPOSE
from xkld_shared.crypto import BlindIndex, FieldCipher


class SealedPhoneOpener:
    """Opens phone numbers sealed by registration; plaintext lives only for the send call."""

    def __init__(self, cipher: FieldCipher) -> None:
        self._cipher = cipher

    def open(self, phone_ciphertext: str) -> str:
        return self._cipher.decrypt(phone_ciphertext, purpose=PHONE_PURPOSE)


class PhoneBlindIndex:
    def __init__(self, index: BlindIndex) -> None:
        self._index = index

    def of(self, phone_e164: str) -> bytes:
        return self._index.of(phone_e164, purpose="sms_contact_phone")
