"""A provincial capital pool: each year's budget allocation entrusted to VBSP, lent and repaid.

Pure rules; the database enforces the one that matters under concurrency (a year's pool is never
overdrawn) with a conditional UPDATE and a CHECK constraint (``adapters/pool_records.py``).

Which year's pool: a loan draws on the pool of its application's year (the year its regime is
judged in force), and principal repaid flows back into the pool of the year it is received, so
it can be lent again that year. Interest is not the pool's: VBSP and the province share it
under rules the sources do not give.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from xkld_shared.errors import Conflict

_BRANCH_PROVINCE = re.compile(r"^VBSP-(\d{2})(?:-|$)")
# Every province's pool events share one key, so a reader sees them in order.
_POOL_NAMESPACE = uuid.UUID("6f1c3a52-37a0-4e0b-9a39-0d5a37c2f2b8")


@dataclass(frozen=True)
class PoolYear:
    province_code: str
    year: int
    allocated_vnd: int
    lent_vnd: int  # drawn by approved loans, less what withdrawn ones gave back
    repaid_vnd: int  # principal repaid during the year

    @property
    def available_vnd(self) -> int:
        return self.allocated_vnd + self.repaid_vnd - self.lent_vnd

    def as_dict(self) -> dict[str, int | str]:
        return {
            "province_code": self.province_code,
            "year": self.year,
            "allocated_vnd": self.allocated_vnd,
            "lent_vnd": self.lent_vnd,
            "repaid_vnd": self.repaid_vnd,
            "available_vnd": self.available_vnd,
        }


class PoolExhausted(Conflict):
    code = "capital_pool_exhausted"

    def __init__(self, province_code: str, year: int, amount_vnd: int) -> None:
        amount = f"{amount_vnd:,}"
        super().__init__(
            f"Nguồn vốn của tỉnh {province_code} năm {year} không còn đủ"
            f" {amount.replace(',', '.')} đ để cho vay",
            f"The province {province_code} capital pool for {year} has less than"
            f" {amount} VND left to lend",
        )


def province_of_branch(branch_code: str | None) -> str | None:
    """A VBSP branch code names its province (VBSP-86, VBSP-86-TANQUOI); others name none."""
    match = _BRANCH_PROVINCE.match(branch_code or "")
    return None if match is None else match.group(1)


def pool_key(province_code: str) -> uuid.UUID:
    """The event key of a province's pool events that belong to no registration."""
    return uuid.uuid5(_POOL_NAMESPACE, f"capital-pool:{province_code}")


def principal_returned(principal_vnd: int, early_principal_vnd: int) -> int:
    """What of a repayment flows back into the pool: its principal, due or early."""
    return principal_vnd + early_principal_vnd
