"""Sealing a survey member's phone as registration seals its own: AES-GCM with the shared PII
keyring, purpose `PHONE_PURPOSE`, so that notifications (and only it) can open it to send a
campaign's broadcast. Outreach never opens a phone."""

from __future__ import annotations

from xkld_shared.contracts.registration import PHONE_PURPOSE
from xkld_shared.crypto import FieldCipher, parse_keyring

from xkld_outreach.domain.phone import normalise_mobile


class PhoneSealer:
    def __init__(self, cipher: FieldCipher) -> None:
        self._cipher = cipher

    @classmethod
    def from_keys(cls, keys: str, active_kid: str) -> PhoneSealer:
        return cls(FieldCipher(parse_keyring(keys), active_kid))

    def seal(self, typed: str | None) -> str | None:
        """The typed number, normalised to E.164 and sealed; None when there is none. The
        domain has checked the number already."""
        if typed is None:
            return None
        e164 = normalise_mobile(typed)
        assert e164 is not None, "checked before sealing"
        return self._cipher.encrypt(e164, purpose=PHONE_PURPOSE)
