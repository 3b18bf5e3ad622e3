"""Composition root of the loans service.

Loan applications (entered by officers or requested by registration), maker-checker decisions,
disbursement, repayments, the daily overdue job, restructuring and the bank's reports. It
follows the registration stream for loan requests, withdrawals and early returns.
"""

from __future__ import annotations

import logging

import asyncpg
from fastapi import FastAPI
from xkld_shared.audit_http import audit_router
from xkld_shared.contracts.topics import Stream, Topics
from xkld_shared.http.app import service_app
from xkld_shared.logging import configure_logging
from xkld_shared.runtime import ServiceRuntime

from xkld_loans.adapters import overdue_records, pool_records, regime_records, store
from xkld_loans.application.applications import LoanApplications
from xkld_loans.application.capital_pool import CapitalPools
from xkld_loans.application.from_registration import FromRegistration, handlers
from xkld_loans.application.overdue_schedule import daily_overdue_worker
from xkld_loans.application.regime_book import RegimeBook, RegimesAmbiguous
from xkld_loans.domain.branches import load_branch_routing
from xkld_loans.domain.regime_loading import load_regimes, load_top_ups
from xkld_loans.entrypoints import http, http_bank, http_pool, http_regimes, loan_page
from xkld_loans.entrypoints.metrics import add_loan_metrics
from xkld_loans.settings import LoansSettings

log = logging.getLogger(__name__)
SERVICE = "loans"
MIGRATIONS = "xkld_loans:migrations"


def create_app(settings: LoansSettings | None = None) -> FastAPI:
    settings = settings or LoansSettings()
    configure_logging(SERVICE, settings.log_level, settings.log_json)
    runtime = ServiceRuntime(SERVICE, settings)
    regimes = load_regimes()  # package data, read once; a bad file stops the service at start

    async def start(rt: ServiceRuntime, app: FastAPI) -> None:
        await _start(rt, app, settings, RegimeBook(regimes, regime_records))

    return service_app(
        runtime,
        start,
        [
            http.router,
            http_bank.router,
            loan_page.router,
            http_regimes.router,
            http_pool.router,
            audit_router("loans"),
        ],
    )


async def _start(
    rt: ServiceRuntime, app: FastAPI, settings: LoansSettings, book: RegimeBook
) -> None:
    app.state.pool = pool = await rt.open_pool()
    topics = Topics(settings.topic_prefix)
    app.state.capital_pools = CapitalPools(pool, topics.of(Stream.LOAN), pool_records)
    app.state.loan_applications = _loan_applications(pool, topics, book, app.state.capital_pools)
    await _verify_regimes(pool, app.state.loan_applications)
    source = FromRegistration(app.state.loan_applications, load_branch_routing())
    await rt.add_consumer(Stream.REGISTRATION, handlers(source))
    rt.new_relay()
    add_loan_metrics(rt.metrics, pool)
    if settings.overdue_job_enabled:
        _add_overdue_job(rt, pool, app.state.loan_applications.topic, settings)


def _loan_applications(
    pool: asyncpg.Pool, topics: Topics, book: RegimeBook, pools: CapitalPools
) -> LoanApplications:
    return LoanApplications(pool, topics, book, store, top_ups=load_top_ups(), pools=pools)


async def _verify_regimes(pool: asyncpg.Pool, applications: LoanApplications) -> None:
    try:
        async with pool.acquire() as conn:
            await applications.regimes.verify(conn)
    except RegimesAmbiguous:
        # Started anyway: reads and repayments work; affected applications answer 409.
        log.exception("loan regimes overlap; close one of them through /regimes")


def _add_overdue_job(
    rt: ServiceRuntime, pool: asyncpg.Pool, topic: str, settings: LoansSettings
) -> None:
    worker = daily_overdue_worker(
        pool, topic, records=overdue_records, hour=settings.overdue_job_hour
    )
    rt.add_worker(worker, "overdue-job")
