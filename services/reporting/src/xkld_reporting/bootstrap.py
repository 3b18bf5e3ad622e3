"""Composition root of the reporting service."""

from __future__ import annotations

from fastapi import FastAPI
from xkld_shared.contracts.registration import RegistrationSubmitted
from xkld_shared.contracts.topics import Stream
from xkld_shared.http.app import service_app
from xkld_shared.logging import configure_logging
from xkld_shared.runtime import ServiceRuntime

from xkld_reporting.application.projections import on_registrations_submitted
from xkld_reporting.entrypoints import http
from xkld_reporting.settings import ReportingSettings

SERVICE = "reporting"
MIGRATIONS = "xkld_reporting:migrations"


def create_app(settings: ReportingSettings | None = None) -> FastAPI:
    settings = settings or ReportingSettings()
    configure_logging(SERVICE, settings.log_level, settings.log_json)
    runtime = ServiceRuntime(SERVICE, settings)

    async def start(rt: ServiceRuntime, app: FastAPI) -> None:
        app.state.pool = await rt.open_pool()
        # Projections are the high-volume consumer: one transaction per batch of events.
        await rt.add_consumer(
            Stream.REGISTRATION,
            {},
            batch_handlers={RegistrationSubmitted.EVENT_TYPE: on_registrations_submitted},
        )

    return service_app(runtime, start, [http.router])
