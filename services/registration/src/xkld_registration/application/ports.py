"""What the application layer needs from the outside world."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from xkld_shared.db.pool import Conn

from xkld_registration.domain.registration import Registration


class PersonalDataVault(Protocol):
    def seal_cccd(self, cccd: str) -> str: ...
    def cccd_index(self, cccd: str) -> bytes: ...
    def seal_phone(self, phone_e164: str) -> str: ...
    def seal_sensitive(self, value: str, purpose: str) -> str: ...


class RegistrationStore(Protocol):
    async def active_commune_for(self, conn: Conn, cccd_index: bytes) -> str | None: ...
    async def add(
        self, conn: Conn, registration: Registration, vault: PersonalDataVault
    ) -> None: ...
    async def add_consents(
        self, conn: Conn, registration: Registration, recorded_by: str, recorded_by_name: str
    ) -> None: ...


class Clock(Protocol):
    def today(self) -> dt.date: ...


class CommuneDirectory(Protocol):
    def province_of(self, commune_code: str) -> str | None:
        """The province of a current commune code, or None if the code is not in the list."""
        ...
