"""Ports of intake: the vault that seals personal data, the registration store, the clock and
the reference lookups a submission checks against."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

import asyncpg
from xkld_shared.db.pool import Conn

from xkld_registration.domain.communes import AdminUnit
from xkld_registration.domain.markets import Market
from xkld_registration.domain.registration import Registration

# The purposes sensitive fields are sealed for (each binds its own key derivation).
ETHNICITY_PURPOSE = "ethnicity"
POVERTY_PURPOSE = "household_poverty"


class PersonalDataVault(Protocol):
    def seal_cccd(self, cccd: str) -> str: ...
    def cccd_index(self, cccd: str) -> bytes: ...
    def name_index(self, tokens: Iterable[str]) -> list[bytes]: ...
    def seal_phone(self, phone_e164: str) -> str: ...
    def seal_sensitive(self, value: str, purpose: str) -> str: ...


class PersonalDataOpener(Protocol):
    """Opening what the vault sealed, to show a file to a reader in scope."""

    def open_cccd(self, sealed: str) -> str: ...
    def open_phone(self, sealed: str) -> str: ...
    def open_sensitive(self, sealed: str, purpose: str) -> str: ...


@dataclass(frozen=True)
class GivenConsents:
    """A file's consent answers and who recorded them."""

    registration: Registration
    recorded_by: str
    recorded_by_name: str


class Row(NamedTuple):
    """One registration as stored: sealed, hashed and ready to insert. Computed before any
    transaction opens; its fields are the table's columns, in the insert's order."""

    id: uuid.UUID
    full_name: str
    cccd_ciphertext: str
    cccd_blind_index: bytes
    date_of_birth: dt.date
    gender: str
    phone_ciphertext: str
    commune_code: str
    province_code: str
    sms_consent: bool
    status: str
    submitted_on: dt.date
    ethnicity_ciphertext: str
    poverty_ciphertext: str
    hamlet: str | None
    education: str | None
    occupation: str | None
    priority_groups: list[str]
    desired_market: str | None
    desired_occupation: str | None
    loan_wanted: bool | None
    commune_code_entered: str | None
    name_tokens: list[bytes]
    outreach_respondent_id: uuid.UUID | None


@dataclass(frozen=True)
class Sealed:
    """What both the row and the event carry, computed once per submission."""

    cccd_index: bytes
    phone: str


class RegistrationStore(Protocol):
    async def active_commune_for(self, conn: Conn, cccd_index: bytes) -> str | None: ...
    async def active_communes_for(
        self, conn: Conn, indexes: Sequence[bytes]
    ) -> dict[bytes, str]: ...
    def row_of(
        self, registration: Registration, vault: PersonalDataVault, sealed: Sealed
    ) -> Row: ...
    async def add_all(self, conn: Conn, rows: Sequence[Row]) -> None: ...
    async def from_respondents(
        self, conn: Conn, respondent_ids: Sequence[uuid.UUID]
    ) -> Mapping[uuid.UUID, Mapping[str, Any]]: ...
    async def add_consents(self, conn: Conn, given: Sequence[GivenConsents]) -> None: ...


class RegistrationRows(Protocol):
    async def registration_row(
        self, conn: Conn, registration_id: uuid.UUID
    ) -> asyncpg.Record | None:
        """The file's row as stored (sealed columns still sealed), or None."""
        ...


class Clock(Protocol):
    def today(self) -> dt.date: ...


class CommuneDirectory(Protocol):
    def unit(self, code: str) -> AdminUnit | None:
        """The unit with this code, current or from before the 2025 merger, or None."""
        ...


class MarketCatalogue(Protocol):
    async def market(self, code: str) -> Market | None:
        """The active market with this code, or None."""
        ...
