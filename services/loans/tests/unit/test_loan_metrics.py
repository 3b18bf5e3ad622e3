"""Disbursements are counted, in loans and in VND, from the LoanDisbursed events published."""

from __future__ import annotations

import json
from typing import cast

import asyncpg
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families
from xkld_loans.entrypoints.metrics import add_loan_metrics
from xkld_shared.metrics import ServiceMetrics


def _disbursed(amount_vnd: int) -> asyncpg.Record:
    envelope = {"event_type": "LoanDisbursed", "payload": {"amount_vnd": amount_vnd}}
    row = {
        "topic": "xkld.loan",
        "event_type": "LoanDisbursed",
        "envelope": json.dumps(envelope).encode(),
    }
    return cast(asyncpg.Record, row)


def _values(metrics: ServiceMetrics) -> dict[str, float]:
    # Rendered without sampling: the overdue sampler would need the database.
    text = generate_latest(metrics.registry).decode()
    return {
        s.name: s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name.startswith("xkld_loans_disbursed")
    }


def test_each_published_disbursement_adds_one_loan_and_its_amount() -> None:
    metrics = ServiceMetrics("loans")
    add_loan_metrics(metrics, cast(asyncpg.Pool, None))
    assert _values(metrics)["xkld_loans_disbursed_total"] == 0
    metrics.published([_disbursed(30_000_000), _disbursed(45_500_000)], 0.02)
    values = _values(metrics)
    assert values["xkld_loans_disbursed_total"] == 2
    assert values["xkld_loans_disbursed_vnd_total"] == 75_500_000
