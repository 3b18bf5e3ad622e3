"""What the loans use cases need from storage, as Protocols: the adapters implement them.

The use cases receive these at the composition root (`bootstrap.py`), so the application never
imports an adapter. Each call runs on the connection the use case passes in: the use case owns
the transaction, and a change, its audit row and its event commit together.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from xkld_shared.db.pool import Conn

from xkld_loans.domain.application import LoanApplication
from xkld_loans.domain.capital_pool import PoolYear
from xkld_loans.domain.disbursement import Disbursement
from xkld_loans.domain.overdue import OverdueState, OverdueUpdate
from xkld_loans.domain.regime_evaluation import LoanAsk
from xkld_loans.domain.repayment import Allocation, Due
from xkld_loans.domain.restructuring import History


class LoanStore(Protocol):
    """Loan applications, their disbursement, instalments, repayments and restructurings."""

    async def insert(
        self,
        conn: Conn,
        app: LoanApplication,
        ask: LoanAsk,
        *,
        loan_request_id: uuid.UUID | None = None,
    ) -> None: ...

    async def has_request(self, conn: Conn, loan_request_id: uuid.UUID) -> bool: ...

    async def open_application_of(
        self, conn: Conn, registration_id: uuid.UUID, *, lock: bool = False
    ) -> LoanApplication | None: ...

    async def flag_for_review(
        self, conn: Conn, application_id: uuid.UUID, reason: str, on: dt.date
    ) -> None: ...

    async def load_for_update(
        self, conn: Conn, application_id: uuid.UUID
    ) -> LoanApplication | None: ...

    async def save(self, conn: Conn, app: LoanApplication) -> None: ...

    async def insert_disbursement(self, conn: Conn, d: Disbursement, recorded_by: str) -> None: ...

    async def dues_of(self, conn: Conn, application_id: uuid.UUID) -> tuple[Due, ...]: ...

    async def save_dues(
        self, conn: Conn, application_id: uuid.UUID, dues: tuple[Due, ...]
    ) -> None: ...

    async def insert_repayment(
        self,
        conn: Conn,
        application_id: uuid.UUID,
        amount_vnd: int,
        paid_on: dt.date,
        allocation: Allocation,
        recorded_by: str,
    ) -> uuid.UUID: ...

    async def insert_restructuring(
        self,
        conn: Conn,
        application_id: uuid.UUID,
        kind: str,
        effective_on: dt.date,
        details: dict[str, Any],
        recorded_by: str,
    ) -> None: ...

    async def history_of(
        self, conn: Conn, application_id: uuid.UUID, today: dt.date
    ) -> History: ...

    async def restart_overdue_accrual(
        self, conn: Conn, application_id: uuid.UUID, on: dt.date
    ) -> None: ...


class RegimeRecords(Protocol):
    """The regimes added and closed through the API (the shipped ones are package data)."""

    async def lock(self, conn: Conn) -> None: ...

    async def added_documents(self, conn: Conn) -> list[dict[str, Any]]: ...

    async def closures(self, conn: Conn) -> dict[str, dt.date]: ...

    async def add(self, conn: Conn, code: str, document: dict[str, Any], added_by: str) -> None: ...

    async def close(self, conn: Conn, code: str, effective_to: dt.date, closed_by: str) -> None: ...


@dataclass(frozen=True)
class LoanToAge:
    """A disbursed loan the overdue job holds locked, with the rate its overdue interest uses."""

    id: uuid.UUID
    registration_id: uuid.UUID
    overdue_monthly_rate: Decimal


class OverdueRecords(Protocol):
    """The daily overdue job's run log, the loans it ages and the instalments it updates."""

    async def open_run(self, conn: Conn, as_of: dt.date) -> None: ...

    async def close_run(self, conn: Conn, as_of: dt.date, newly_overdue: int) -> None: ...

    async def finished_for(self, conn: Conn, day: dt.date) -> bool: ...

    async def candidates(self, conn: Conn, as_of: dt.date) -> list[uuid.UUID]: ...

    async def lock_loans(self, conn: Conn, loan_ids: list[uuid.UUID]) -> list[LoanToAge]: ...

    async def unpaid_past_due(
        self, conn: Conn, loan_ids: list[uuid.UUID], as_of: dt.date
    ) -> list[tuple[uuid.UUID, OverdueState]]: ...

    async def save_updates(
        self, conn: Conn, updates: list[tuple[uuid.UUID, OverdueUpdate]]
    ) -> None: ...


class PoolRecords(Protocol):
    """The provincial capital pools' yearly totals and their movements."""

    async def add_allocation(
        self, conn: Conn, province_code: str, year: int, amount_vnd: int
    ) -> PoolYear: ...

    async def draw(
        self, conn: Conn, province_code: str, year: int, amount_vnd: int
    ) -> PoolYear | None: ...

    async def give_back(
        self, conn: Conn, province_code: str, year: int, amount_vnd: int
    ) -> PoolYear: ...

    async def add_repaid(
        self, conn: Conn, province_code: str, year: int, amount_vnd: int
    ) -> PoolYear: ...

    async def record_movement(
        self,
        conn: Conn,
        pool: PoolYear,
        kind: str,
        amount_vnd: int,
        on: dt.date,
        recorded_by: str,
        *,
        loan_application_id: uuid.UUID | None = None,
        reference: str | None = None,
    ) -> uuid.UUID: ...

    async def draw_of(
        self, conn: Conn, loan_application_id: uuid.UUID
    ) -> tuple[str, int, int] | None: ...

    async def years_of(self, conn: Conn, province_code: str) -> list[PoolYear]: ...
