"""The daily overdue job: one InstallmentOverdue per instalment, whatever runs it how often."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
import pytest
from xkld_loans.adapters import overdue_records
from xkld_loans.application.overdue_job import run_overdue_job
from xkld_shared.contracts.envelope import Envelope
from xkld_shared.contracts.topics import Stream
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace

Disbursed = Callable[..., Awaitable[str]]
JUNE_10, JUNE_11 = dt.date(2026, 6, 10), dt.date(2026, 6, 11)


@pytest.fixture
async def pool(namespace: Namespace) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(namespace.dsn("loans"), min_size=2, max_size=6)
    yield pool
    await pool.close()


async def _overdue_events(pool: asyncpg.Pool) -> list[tuple[str, int]]:
    rows = await pool.fetch("SELECT envelope FROM outbox WHERE event_type = 'InstallmentOverdue'")
    payloads = [Envelope.from_bytes(r["envelope"]).payload for r in rows]
    return sorted((p["loan_application_id"], p["installment_no"]) for p in payloads)


async def _overdue_interest(pool: asyncpg.Pool, loan: str) -> dict[int, int]:
    rows = await pool.fetch(
        """SELECT number, overdue_interest_vnd FROM installment
           WHERE loan_application_id = $1::uuid AND overdue_since IS NOT NULL ORDER BY number""",
        loan,
    )
    return {r["number"]: r["overdue_interest_vnd"] for r in rows}


async def test_overdue_interest_is_the_hand_computed_figure_and_a_second_run_adds_nothing(
    disbursed_loan: Disbursed, pool: asyncpg.Pool, namespace: Namespace
) -> None:
    # 120,000,000 over 24 months: 5,000,000 principal each, first due 5 Apr 2026. Decree 338
    # applies (applied 10 Feb 2026): rate 0.55 % x 1.27 = 0.6985 %, overdue x 1.3 = 0.9081 %.
    loan = await disbursed_loan(amount_vnd=120_000_000, term_months=24)
    topic = namespace.topics.of(Stream.LOAN)
    first = await run_overdue_job(pool, topic, JUNE_10, records=overdue_records)
    again = await run_overdue_job(pool, topic, JUNE_10, records=overdue_records)
    # 5,000,000 x 0.009081 = 45,405 a month; / 30 a day. 5 Apr -> 10 Jun is 66 days, 5 May ->
    # 36 days, 5 Jun -> 5 days: 99,891; 54,486; 7,567.5 rounded half-up to 7,568.
    assert await _overdue_interest(pool, loan) == {1: 99_891, 2: 54_486, 3: 7_568}
    assert (first.newly_overdue, again.newly_overdue) == (3, 0)
    assert await _overdue_events(pool) == [(loan, 1), (loan, 2), (loan, 3)]


async def test_two_replicas_running_at_once_emit_one_event_per_instalment(
    disbursed_loan: Disbursed, pool: asyncpg.Pool, namespace: Namespace
) -> None:
    loans = [await disbursed_loan() for _ in range(3)]
    topic = namespace.topics.of(Stream.LOAN)
    # Chunks of one loan, so the two runs interleave loan by loan.
    results = await asyncio.gather(
        run_overdue_job(pool, topic, JUNE_10, records=overdue_records, chunk=1),
        run_overdue_job(pool, topic, JUNE_10, records=overdue_records, chunk=1),
    )
    assert sum(r.newly_overdue for r in results) == 9
    events = await _overdue_events(pool)
    assert sorted(events) == sorted((loan, n) for loan in loans for n in (1, 2, 3))
    next_day = await asyncio.gather(
        run_overdue_job(pool, topic, JUNE_11, records=overdue_records),
        run_overdue_job(pool, topic, JUNE_11, records=overdue_records),
    )
    assert sum(r.newly_overdue for r in next_day) == 0
    # One more day of interest, counted once: 45,405 / 30 = 1,513.5 -> 1,514 per instalment.
    assert await _overdue_interest(pool, loans[0]) == {1: 101_405, 2: 56_000, 3: 9_082}


async def test_a_repayment_pays_the_overdue_interest_before_anything_else(
    disbursed_loan: Disbursed, pool: asyncpg.Pool, namespace: Namespace, loans_service: str
) -> None:
    loan = await disbursed_loan()
    await run_overdue_job(pool, namespace.topics.of(Stream.LOAN), JUNE_10, records=overdue_records)
    overdue_interest = 99_891 + 54_486 + 7_568
    officer = namespace.auth(Role.LOAN_OFFICER, branch="VBSP-86-TANQUOI", username="officer-a")
    async with local_client(base_url=loans_service) as client:
        paid = await client.post(
            f"/loan-applications/{loan}/repayments",
            json={"amount_vnd": overdue_interest + 1_000, "paid_on": "2026-06-10"},
            headers=officer | {"Idempotency-Key": "pay-overdue-1"},
        )
    assert paid.status_code == 201, paid.text
    allocation = paid.json()["allocation"]
    assert allocation["overdue_interest_vnd"] == overdue_interest
    assert allocation["interest_vnd"] == 1_000
