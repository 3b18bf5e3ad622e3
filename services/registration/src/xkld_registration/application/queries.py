"""Reading a file, within the reader's scope. Outside it, the file does not exist (no BOLA)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import asyncpg
from xkld_shared.errors import NotFound
from xkld_shared.identity.principal import Principal, Role

from xkld_registration.application.ports import (
    ETHNICITY_PURPOSE,
    POVERTY_PURPOSE,
    PersonalDataOpener,
    RegistrationRows,
)


@dataclass(frozen=True)
class RegistrationView:
    registration_id: uuid.UUID
    full_name: str | None
    cccd_masked: str | None
    phone_masked: str | None
    date_of_birth: dt.date | None
    gender: str | None
    commune_code: str
    province_code: str | None
    sms_consent: bool
    status: str
    submitted_on: dt.date
    erased_at: dt.datetime | None
    ethnicity_code: str | None
    household_poverty: str | None
    hamlet: str | None = None
    education: str | None = None
    occupation: str | None = None
    priority_groups: list[str] = field(default_factory=list)
    desired_market: str | None = None
    desired_occupation: str | None = None
    loan_wanted: bool | None = None
    commune_code_entered: str | None = None


class RegistrationNotFound(NotFound):
    code = "registration_not_found"

    def __init__(self) -> None:
        super().__init__("Không tìm thấy hồ sơ", "No such registration")


def _mask(value: str | None, keep: int = 3) -> str | None:
    return None if value is None else "•" * (len(value) - keep) + value[-keep:]


async def find_in_scope(
    pool: asyncpg.Pool, rows: RegistrationRows, registration_id: uuid.UUID, reader: Principal
) -> asyncpg.Record:
    async with pool.acquire() as conn:
        row = await rows.registration_row(conn, registration_id)
    if row is None or not covers(reader, row):
        raise RegistrationNotFound
    return row


def covers(reader: Principal, row: asyncpg.Record) -> bool:
    return Role.ADMIN in reader.roles or reader.covers_commune(
        row["commune_code"], row["province_code"]
    )


def view_of(row: asyncpg.Record, vault: PersonalDataOpener) -> RegistrationView:
    return RegistrationView(
        registration_id=row["id"],
        full_name=row["full_name"],
        cccd_masked=_mask(_open(vault.open_cccd, row["cccd_ciphertext"])),
        phone_masked=_mask(_open(vault.open_phone, row["phone_ciphertext"])),
        date_of_birth=row["date_of_birth"],
        gender=row["gender"],
        commune_code=row["commune_code"],
        province_code=row["province_code"],
        sms_consent=row["sms_consent"],
        status=row["status"],
        submitted_on=row["submitted_on"],
        erased_at=row["erased_at"],
        ethnicity_code=_open_as(vault, row["ethnicity_ciphertext"], ETHNICITY_PURPOSE),
        household_poverty=_open_as(vault, row["poverty_ciphertext"], POVERTY_PURPOSE),
        hamlet=row["hamlet"],
        education=row["education"],
        occupation=row["occupation"],
        priority_groups=list(row["priority_groups"]),
        desired_market=row["desired_market"],
        desired_occupation=row["desired_occupation"],
        loan_wanted=row["loan_wanted"],
        commune_code_entered=row["commune_code_entered"],
    )


def _open_as(vault: PersonalDataOpener, sealed: str | None, purpose: str) -> str | None:
    return None if sealed is None else vault.open_sensitive(sealed, purpose)


def _open(opener: Callable[[str], str], sealed: str | None) -> str | None:
    return None if sealed is None else opener(sealed)
