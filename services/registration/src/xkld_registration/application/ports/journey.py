"""Ports of the journey: the file a step acts on (its stage, saved back), the records and
reference data a step reads or keeps, and the details a step keeps in this service's database
beside the new stage (the loan request, the contract, the flight, the check-in)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

from xkld_shared.db.pool import Conn

from xkld_registration.application.journey_terms import CheckIn, Contract
from xkld_registration.domain.journey_commands import LoanTerms
from xkld_registration.domain.journey_state import Journey
from xkld_registration.domain.reference import Course, Enterprise


@dataclass(frozen=True)
class JourneyFile:
    """What a journey step needs to know about the file it acts on."""

    id: uuid.UUID
    commune_code: str
    province_code: str | None
    journey: Journey
    bank_consent: bool
    loan_request_id: uuid.UUID | None
    loan_application_id: uuid.UUID | None


class JourneyFiles(Protocol):
    async def load_file(
        self, conn: Conn, registration_id: uuid.UUID, *, lock: bool = True
    ) -> JourneyFile | None:
        """The file, locked until the transaction ends unless `lock` is False."""
        ...

    async def save_journey(
        self, conn: Conn, registration_id: uuid.UUID, journey: Journey
    ) -> None: ...
    async def add_record(
        self,
        conn: Conn,
        registration_id: uuid.UUID,
        kind: str,
        recorded_on: dt.date,
        details: dict[str, Any],
        recorded_by: str,
    ) -> None: ...
    async def find_enterprise(self, conn: Conn, code: str) -> Enterprise | None: ...
    async def find_course(
        self, conn: Conn, course_id: uuid.UUID, *, lock: bool = False
    ) -> Course | None: ...


class JourneyDetails(Protocol):
    async def priority_groups(self, conn: Conn, registration_id: uuid.UUID) -> list[str]: ...
    async def add_loan_request(
        self,
        conn: Conn,
        registration_id: uuid.UUID,
        request: tuple[uuid.UUID, dt.date],
        terms: LoanTerms,
        purpose_note: str | None,
    ) -> None:
        """Stores the request and makes it the file's current one (any earlier application's
        link is dropped)."""
        ...

    async def add_contract(self, conn: Conn, registration_id: uuid.UUID, c: Contract) -> None: ...
    async def set_flight_number(
        self, conn: Conn, registration_id: uuid.UUID, flight_number: str | None
    ) -> None: ...
    async def add_check_in(self, conn: Conn, registration_id: uuid.UUID, c: CheckIn) -> None: ...
