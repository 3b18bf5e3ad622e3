"""Loan figures on `/metrics`: disbursements counted from loans' events as the relay publishes
them, and the overdue book read from the database when Prometheus scrapes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import asyncpg
from prometheus_client import Counter, Gauge
from xkld_shared.contracts.loan import LoanDisbursed
from xkld_shared.metrics import ServiceMetrics

from xkld_loans.adapters.bank_views import overdue_totals
from xkld_loans.domain.local_time import local_today


def add_loan_metrics(metrics: ServiceMetrics, pool: asyncpg.Pool) -> None:
    _count_disbursements(metrics)
    _sample_overdue_book(metrics, pool)


def _count_disbursements(metrics: ServiceMetrics) -> None:
    """From LoanDisbursed as the relay publishes it."""
    disbursed = Counter("xkld_loans_disbursed", "Loans disbursed.", registry=metrics.registry)
    disbursed_vnd = Counter(
        "xkld_loans_disbursed_vnd", "Money disbursed, in VND.", registry=metrics.registry
    )

    def count_disbursement(envelope: Mapping[str, Any]) -> None:
        disbursed.inc()
        disbursed_vnd.inc(int(envelope["payload"]["amount_vnd"]))

    metrics.on_published([LoanDisbursed.EVENT_TYPE], count_disbursement)


def _sample_overdue_book(metrics: ServiceMetrics, pool: asyncpg.Pool) -> None:
    """Read from the database when Prometheus scrapes."""
    overdue = Gauge(
        "xkld_loans_overdue",
        "Disbursed loans with something unpaid from an instalment due before today (sampled).",
        registry=metrics.registry,
    )
    overdue_principal = Gauge(
        "xkld_loans_overdue_principal_vnd",
        "Principal unpaid of instalments due before today, in VND (sampled).",
        registry=metrics.registry,
    )

    async def sample() -> None:
        async with pool.acquire() as conn:
            loans, principal = await overdue_totals(conn, local_today())
        overdue.set(loans)
        overdue_principal.set(principal)

    metrics.add_sampler(sample)
