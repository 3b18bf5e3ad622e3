"""Ports of the journey: the details a step keeps in this service's database beside the new
stage (the loan request, the contract, the flight, the check-in)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Protocol

from xkld_shared.db.pool import Conn

from xkld_registration.application.journey_terms import CheckIn, Contract
from xkld_registration.domain.journey_commands import LoanTerms


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
