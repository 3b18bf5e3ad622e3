"""Benchmark: loan schedules and the daily overdue job over many active loans.

    uv run python -m bench.loans [--loans 100000] [--term 12] [--overdue-share 0.2]

1. **Schedules**: `equal_principal_schedule` for every loan (pure Python), then the
   instalments written with COPY. Baseline: a bare SQL scan of the installment table just
   written (`SELECT` of every row to the client).
2. **Overdue job**: `run_overdue_job` for a day on which three instalments of every loan are
   due; `--overdue-share` of the loans have not paid them (the others have). Baseline: the
   bare SQL scan that finds the same past-due, unpaid instalments. A second run of the job on
   the same day (which must find nothing new) is timed too.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import time
import uuid
from decimal import Decimal

import asyncpg
from xkld_loans.adapters import overdue_records
from xkld_loans.application.overdue_job import run_overdue_job
from xkld_loans.domain.schedule import Installment, equal_principal_schedule
from xkld_shared.contracts.topics import Stream
from xkld_shared.db.pool import Conn
from xkld_shared.testing.infra import Namespace

from bench._common import namespace, print_table, rate

RATE, OVERDUE_RATE = Decimal("0.006985"), Decimal("0.009081")
DISBURSED_ON = dt.date(2026, 1, 5)
FIRST_DUE = dt.date(2026, 2, 5)
AS_OF = dt.date(2026, 4, 20)  # 5 Feb, 5 Mar and 5 Apr are past due


def _evaluation() -> str:
    return json.dumps(
        {
            "regime_code": "ND338-2025",
            "eligible": True,
            "reasons": [],
            "max_amount_vnd": 300_000_000,
            "collateral_required": False,
            "monthly_rate": str(RATE),
            "overdue_monthly_rate": str(OVERDUE_RATE),
            "max_term_months": 36,
        }
    )


def build_schedules(
    n: int, term: int, seed: int
) -> list[tuple[uuid.UUID, int, tuple[Installment, ...]]]:
    rng = random.Random(seed)
    loans = []
    for _ in range(n):
        amount = rng.randrange(30_000_000, 200_000_000, 1_000_000)
        loan = uuid.UUID(int=rng.getrandbits(128), version=4)
        loans.append((loan, amount, equal_principal_schedule(amount, RATE, term, FIRST_DUE)))
    return loans


async def load(
    conn: Conn,
    loans: list[tuple[uuid.UUID, int, tuple[Installment, ...]]],
    overdue_share: float,
    seed: int,
) -> float:
    rng = random.Random(seed)
    evaluation = _evaluation()
    await conn.copy_records_to_table(
        "loan_application",
        columns=[
            "id",
            "registration_id",
            "branch_code",
            "commune_code",
            "programme",
            "application_date",
            "priority_groups",
            "contract_costs_vnd",
            "requested_vnd",
            "requested_term_months",
            "contract_term_months",
            "evaluation",
            "status",
        ],
        records=[
            (
                loan,
                uuid.uuid4(),
                "VBSP-86",
                f"{29800 + i % 124:05d}",
                "labour_export",
                dt.date(2025, 12, 20),
                ["poor_household"],
                amount,
                amount,
                len(s),
                len(s),
                evaluation,
                "disbursed",
            )
            for i, (loan, amount, s) in enumerate(loans)
        ],
    )
    await conn.copy_records_to_table(
        "disbursement",
        columns=["loan_application_id", "amount_vnd", "disbursed_on", "channel", "recorded_by"],
        records=[
            (loan, amount, DISBURSED_ON, "bank_transfer", "bench") for loan, amount, _ in loans
        ],
    )
    started = time.perf_counter()
    rows = []
    for loan, _, schedule in loans:
        pays = rng.random() >= overdue_share
        for i in schedule:
            paid = pays and i.due_on < AS_OF
            rows.append(
                (
                    loan,
                    i.number,
                    i.due_on,
                    i.opening_balance_vnd,
                    i.principal_vnd,
                    i.interest_vnd,
                    i.principal_vnd if paid else 0,
                    i.interest_vnd if paid else 0,
                )
            )
    await conn.copy_records_to_table(
        "installment",
        columns=[
            "loan_application_id",
            "number",
            "due_on",
            "opening_balance_vnd",
            "principal_vnd",
            "interest_vnd",
            "principal_paid_vnd",
            "interest_paid_vnd",
        ],
        records=rows,
    )
    seconds = time.perf_counter() - started
    await conn.execute("ANALYZE loan_application; ANALYZE disbursement; ANALYZE installment")
    return seconds


async def bare_scan(conn: Conn, past_due_only: bool) -> tuple[int, float]:
    started = time.perf_counter()
    where = (
        """WHERE due_on < $1 AND (principal_paid_vnd < principal_vnd
                                 OR interest_paid_vnd < interest_vnd)"""
        if past_due_only
        else "WHERE $1::date IS NOT NULL"
    )
    rows = await conn.fetch(
        f"""SELECT loan_application_id, number, due_on, principal_vnd - principal_paid_vnd,
                   interest_vnd - interest_paid_vnd FROM installment {where}""",
        AS_OF,
    )
    return len(rows), time.perf_counter() - started


async def run(args: argparse.Namespace) -> None:
    async with namespace() as ns:
        await measure(ns, args)


async def measure(ns: Namespace, args: argparse.Namespace) -> None:
    started = time.perf_counter()
    loans = build_schedules(args.loans, args.term, args.seed)
    schedule_seconds = time.perf_counter() - started
    pool = await asyncpg.create_pool(ns.dsn("loans"), min_size=1, max_size=4)
    try:
        async with pool.acquire() as conn:
            copy_seconds = await load(conn, loans, args.overdue_share, args.seed)
            scanned, scan_seconds = await bare_scan(conn, past_due_only=False)
        n = args.loans
        print_table(
            f"schedules: {n:,} loans of {args.term} months ({scanned:,} instalments)",
            ["step", "seconds", "loans/s"],
            [
                [
                    "equal_principal_schedule (Python)",
                    f"{schedule_seconds:.2f}",
                    rate(n, schedule_seconds),
                ],
                ["COPY of the instalments", f"{copy_seconds:.2f}", rate(n, copy_seconds)],
                [
                    "baseline: bare SQL scan of all instalments",
                    f"{scan_seconds:.2f}",
                    rate(n, scan_seconds),
                ],
            ],
        )
        async with pool.acquire() as conn:
            past_due, past_due_seconds = await bare_scan(conn, past_due_only=True)
        topic = ns.topics.of(Stream.LOAN)
        started = time.perf_counter()
        first = await run_overdue_job(pool, topic, AS_OF, records=overdue_records)
        first_seconds = time.perf_counter() - started
        started = time.perf_counter()
        second = await run_overdue_job(pool, topic, AS_OF, records=overdue_records)
        second_seconds = time.perf_counter() - started
        print_table(
            f"overdue job on {AS_OF}: {n:,} active loans, {first.loans_examined:,} with past-due "
            f"instalments ({past_due:,} instalments)",
            ["step", "seconds", "active loans/s", "newly overdue"],
            [
                [
                    "run_overdue_job (first run)",
                    f"{first_seconds:.2f}",
                    rate(n, first_seconds),
                    f"{first.newly_overdue:,}",
                ],
                [
                    "run_overdue_job (second run, same day)",
                    f"{second_seconds:.2f}",
                    rate(n, second_seconds),
                    f"{second.newly_overdue:,}",
                ],
                [
                    "baseline: bare SQL scan of past-due instalments",
                    f"{past_due_seconds:.2f}",
                    rate(n, past_due_seconds),
                    "-",
                ],
            ],
        )
        print(f"\nratio, first run / bare scan: {first_seconds / past_due_seconds:.1f}x slower")
    finally:
        await pool.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--loans", type=int, default=100_000)
    parser.add_argument("--term", type=int, default=12)
    parser.add_argument("--overdue-share", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=2026)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
