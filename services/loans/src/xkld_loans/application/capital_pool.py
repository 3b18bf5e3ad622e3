"""The provincial capital pool's use cases: allocations, draws at approval, money flowing back.

A draw runs inside the approval's transaction (the manager's confirmation), so an approval and
its draw commit together or not at all; every change writes its audit row and its event.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import asyncpg
from xkld_shared import idempotency
from xkld_shared.audit import ChangeContext, record_change
from xkld_shared.contracts.envelope import EventPayload, new_envelope
from xkld_shared.contracts.loan import CapitalPoolAllocated, CapitalPoolDrawn, CapitalPoolReturned
from xkld_shared.db.pool import Conn
from xkld_shared.messaging.outbox import add_to_outbox

from xkld_loans.application.commands import request_of
from xkld_loans.application.ports import PoolRecords
from xkld_loans.domain.application import LoanApplication
from xkld_loans.domain.capital_pool import PoolExhausted, PoolYear, pool_key
from xkld_loans.domain.local_time import local_today

PRODUCER = "loans"


@dataclass(frozen=True)
class Allocate:
    province_code: str
    year: int
    amount_vnd: int
    allocated_on: dt.date
    decision_ref: str | None

    def as_request(self) -> dict[str, Any]:
        return request_of(self)


class CapitalPools:
    def __init__(
        self,
        pool: asyncpg.Pool,
        topic: str,
        records: PoolRecords,
        today: Callable[[], dt.date] = local_today,
    ) -> None:
        self.pool = pool
        self._topic = topic
        self.records = records
        self._today = today

    async def allocate_once(
        self, cmd: Allocate, key: str, context: ChangeContext
    ) -> idempotency.Answer:
        async with self.pool.acquire() as conn, conn.transaction():

            async def work() -> idempotency.Answer:
                return idempotency.Answer(201, await self._allocate(conn, cmd, context))

            return await idempotency.once(
                conn,
                scope="loans.pool_allocation",
                key=key,
                request_body=cmd.as_request(),
                work=work,
            )

    async def _allocate(self, conn: Conn, cmd: Allocate, context: ChangeContext) -> dict[str, Any]:
        after = await self.records.add_allocation(conn, cmd.province_code, cmd.year, cmd.amount_vnd)
        before = dataclasses.replace(after, allocated_vnd=after.allocated_vnd - cmd.amount_vnd)
        allocation_id = await self.records.record_movement(
            conn,
            after,
            "allocation",
            cmd.amount_vnd,
            cmd.allocated_on,
            context.actor.subject,
            reference=cmd.decision_ref,
        )
        event = _allocated(allocation_id, cmd, after)
        await self._record(
            conn, context, "loan.pool_allocated", before, after, event, pool_key(cmd.province_code)
        )
        return {"allocation_id": str(allocation_id), **after.as_dict()}

    async def draw(self, conn: Conn, app: LoanApplication, context: ChangeContext) -> None:
        """Takes an approved pool-funded loan's amount from its year's pool, or refuses the
        approval (409): the caller's transaction then rolls the approval back too."""
        drawn = _draw_of(app)
        if drawn is not None:
            await self._draw(conn, app, drawn, context)

    async def _draw(
        self, conn: Conn, app: LoanApplication, drawn: tuple[str, int, int], context: ChangeContext
    ) -> None:
        after = await self._take(conn, drawn)
        _, _, amount = drawn
        before = dataclasses.replace(after, lent_vnd=after.lent_vnd - amount)
        await self.records.record_movement(
            conn,
            after,
            "draw",
            amount,
            self._today(),
            context.actor.subject,
            loan_application_id=app.id,
        )
        event = _drawn(app.id, drawn, after)
        await self._record(
            conn, context, "loan.pool_drawn", before, after, event, app.registration_id
        )

    async def _take(self, conn: Conn, drawn: tuple[str, int, int]) -> PoolYear:
        """The year's pool after the draw; PoolExhausted (409) when it cannot cover it."""
        after = await self.records.draw(conn, *drawn)
        if after is None:
            raise PoolExhausted(*drawn)
        return after

    async def give_back_draw(
        self, conn: Conn, app: LoanApplication, context: ChangeContext
    ) -> None:
        """A withdrawn approved loan returns its whole draw to the year it came from."""
        drawn = await self.records.draw_of(conn, app.id)
        if drawn is None:
            return
        province, year, amount = drawn
        after = await self.records.give_back(conn, province, year, amount)
        before = dataclasses.replace(after, lent_vnd=after.lent_vnd + amount)
        await self._returned(conn, app, before, after, amount, "withdrawal", self._today(), context)

    async def repaid(
        self,
        conn: Conn,
        app: LoanApplication,
        principal_vnd: int,
        paid_on: dt.date,
        context: ChangeContext,
    ) -> None:
        """Principal repaid on a pool-funded loan flows back into the pool of that year."""
        province = app.evaluation.pool_province_code
        if province is None or principal_vnd <= 0:
            return
        after = await self.records.add_repaid(conn, province, paid_on.year, principal_vnd)
        before = dataclasses.replace(after, repaid_vnd=after.repaid_vnd - principal_vnd)
        await self._returned(conn, app, before, after, principal_vnd, "repayment", paid_on, context)

    async def years(self, conn: Conn, province_code: str) -> list[PoolYear]:
        return await self.records.years_of(conn, province_code)

    async def _returned(
        self,
        conn: Conn,
        app: LoanApplication,
        before: PoolYear,
        after: PoolYear,
        amount: int,
        reason: Literal["repayment", "withdrawal"],
        on: dt.date,
        context: ChangeContext,
    ) -> None:
        await self.records.record_movement(
            conn, after, reason, amount, on, context.actor.subject, loan_application_id=app.id
        )
        event = _returned_event(app.id, after, amount, reason)
        await self._record(
            conn, context, f"loan.pool_returned_{reason}", before, after, event, app.registration_id
        )

    async def _record(
        self,
        conn: Conn,
        context: ChangeContext,
        action: str,
        before: PoolYear,
        after: PoolYear,
        event: EventPayload,
        key: uuid.UUID,
    ) -> None:
        await record_change(
            conn,
            context,
            action=action,
            entity_type="capital_pool",
            entity_id=f"{after.province_code}-{after.year}",
            before=dict(before.as_dict()),
            after=dict(after.as_dict()),
        )
        await self._tell(conn, context, event, key)

    async def _tell(
        self, conn: Conn, context: ChangeContext, event: EventPayload, key: uuid.UUID
    ) -> None:
        envelope = new_envelope(
            event, registration_id=key, producer=PRODUCER, correlation_id=context.correlation_id
        )
        await add_to_outbox(conn, self._topic, [envelope])


def _draw_of(app: LoanApplication) -> tuple[str, int, int] | None:
    """The province, year and amount an approval draws; None when it is not pool-funded."""
    province, year = app.evaluation.pool_province_code, app.evaluation.pool_year
    amount = None if app.proposal is None else app.proposal.amount_vnd
    if province is None or year is None or amount is None:
        return None
    return province, year, amount


def _allocated(allocation_id: uuid.UUID, cmd: Allocate, after: PoolYear) -> CapitalPoolAllocated:
    return CapitalPoolAllocated(
        allocation_id=allocation_id,
        province_code=cmd.province_code,
        year=cmd.year,
        amount_vnd=cmd.amount_vnd,
        allocated_on=cmd.allocated_on,
        available_vnd=after.available_vnd,
    )


def _drawn(loan_id: uuid.UUID, drawn: tuple[str, int, int], after: PoolYear) -> CapitalPoolDrawn:
    province, year, amount = drawn
    return CapitalPoolDrawn(
        loan_application_id=loan_id,
        province_code=province,
        year=year,
        amount_vnd=amount,
        available_vnd=after.available_vnd,
    )


def _returned_event(
    loan_id: uuid.UUID,
    after: PoolYear,
    amount: int,
    reason: Literal["repayment", "withdrawal"],
) -> CapitalPoolReturned:
    return CapitalPoolReturned(
        loan_application_id=loan_id,
        province_code=after.province_code,
        year=after.year,
        amount_vnd=amount,
        reason=reason,
        available_vnd=after.available_vnd,
    )
