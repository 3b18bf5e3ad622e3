"""The SQL behind a journey step's own details: the loan request, the contract, the flight
number and the check-in. Every method runs on the caller's connection, inside the step's
transaction."""

from __future__ import annotations

import datetime as dt
import uuid

from xkld_shared.db.pool import Conn

from xkld_registration.application.journey_terms import CheckIn, Contract
from xkld_registration.domain.journey_commands import LoanTerms


class PostgresJourneyDetails:
    async def priority_groups(self, conn: Conn, registration_id: uuid.UUID) -> list[str]:
        groups: list[str] | None = await conn.fetchval(
            "SELECT priority_groups FROM registration WHERE id = $1", registration_id
        )
        return groups or []

    async def add_loan_request(
        self,
        conn: Conn,
        registration_id: uuid.UUID,
        request: tuple[uuid.UUID, dt.date],
        terms: LoanTerms,
        purpose_note: str | None,
    ) -> None:
        request_id, requested_on = request
        await conn.execute(
            """INSERT INTO loan_request (id, registration_id, requested_vnd, cost_breakdown_vnd,
                   purpose_code, purpose_note, requested_term_months, requested_on)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
            request_id,
            registration_id,
            terms.requested_vnd,
            terms.cost_breakdown_vnd,
            terms.purpose_code,
            purpose_note,
            terms.requested_term_months,
            requested_on,
        )
        await _make_current(conn, registration_id, request_id)

    async def add_contract(self, conn: Conn, registration_id: uuid.UUID, c: Contract) -> None:
        await conn.execute(
            """INSERT INTO employment_contract (registration_id, contract_number,
                   enterprise_code, market_code, programme, employer_name, term_months,
                   monthly_salary, salary_currency, signed_on, fee_vnd)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)""",
            registration_id,
            c.contract_number,
            c.enterprise_code,
            c.market_code,
            c.programme,
            c.employer_name,
            c.term_months,
            c.monthly_salary,
            c.salary_currency,
            c.signed_on,
            c.fee_vnd,
        )

    async def set_flight_number(
        self, conn: Conn, registration_id: uuid.UUID, flight_number: str | None
    ) -> None:
        await conn.execute(
            "UPDATE registration SET flight_number = $2 WHERE id = $1",
            registration_id,
            flight_number,
        )

    async def add_check_in(self, conn: Conn, registration_id: uuid.UUID, c: CheckIn) -> None:
        await conn.execute(
            """INSERT INTO check_in (registration_id, checked_in_on, channel,
                   employment_status, wellbeing, remittance_vnd, incidents)
               VALUES ($1, $2, $3, $4, $5, $6, $7)""",
            registration_id,
            c.checked_in_on,
            c.channel,
            c.employment_status,
            c.wellbeing,
            c.remittance_vnd,
            c.incidents,
        )


async def _make_current(conn: Conn, registration_id: uuid.UUID, request_id: uuid.UUID) -> None:
    """The request becomes the file's current one; an earlier application's link is dropped."""
    await conn.execute(
        """UPDATE registration SET loan_request_id = $2, loan_application_id = NULL
               WHERE id = $1""",
        registration_id,
        request_id,
    )
